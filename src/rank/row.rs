//! One row's verdict on its own: what `scout rank` decides for a row, for callers that
//! score rows one by one and keep every one (the Python binding's `rank_batch`). Pure: no
//! I/O, no state across rows; [`super::Collector`] sorts rows into the same four kinds
//! with [`classify`].

use std::sync::Arc;

use crate::engine::{self, Components, EvalError, Evaluation, Options};
use crate::model::{Candidate, RowError};
use crate::rules::failure::{self, Site};
use crate::rules::{Brand, RuleSet};

/// Where a row ended, as `scout rank` counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Passed every filter and was scored.
    Ranked,
    /// A filter turned it away.
    Filtered,
    /// A bad value: the row could not be used.
    Invalid,
    /// A scoring script or a tier's `when` failed on it: the rules' fault, not the row's.
    RuleError,
}

impl Verdict {
    /// The lowercase name: `ranked`, `filtered`, `invalid`, `rule_error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ranked => "ranked",
            Self::Filtered => "filtered",
            Self::Invalid => "invalid",
            Self::RuleError => "rule_error",
        }
    }
}

/// An evaluated row, sorted: the one decision [`super::Collector`] and [`judge`] share.
#[derive(Debug)]
pub enum Classified {
    /// Every filter passed: the evaluation has a score.
    Ranked(Evaluation),
    /// A filter failed.
    Filtered(Evaluation),
    /// A script or `when` failed.
    RuleError(EvalError),
}

/// Sorts an evaluation into ranked, filtered or rule error.
pub fn classify(evaluated: Result<Evaluation, EvalError>) -> Classified {
    match evaluated {
        Ok(evaluation) if evaluation.passed() => Classified::Ranked(evaluation),
        Ok(evaluation) => Classified::Filtered(evaluation),
        Err(error) => Classified::RuleError(error),
    }
}

/// One row's outcome, with what a table of results shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// Where it ended.
    pub verdict: Verdict,
    /// The tier's name (ranked and filtered rows).
    pub tier: Option<Arc<str>>,
    /// The 0–100 score (ranked rows only).
    pub score: Option<f64>,
    /// The score components (ranked and filtered rows).
    pub components: Option<Components>,
    /// Why it was not ranked: the failed filters' reasons (filtered), what is wrong with
    /// the row (invalid), the located rule error (rule error); empty when ranked.
    pub reasons: Vec<String>,
}

/// Judges one row against `brand` as `scout rank` does. A row that repeats an account is
/// not seen here: that takes the whole list (see [`super::Duplicate`]).
pub fn judge(rules: &RuleSet, brand: &Brand, row: Result<&Candidate, &RowError>) -> Judged {
    let candidate = match row {
        Ok(candidate) => candidate,
        Err(error) => {
            let reason = match &error.column {
                Some(column) => format!("`{column}`: {}", error.message),
                None => error.message.clone(),
            };
            return Judged {
                verdict: Verdict::Invalid,
                tier: None,
                score: None,
                components: None,
                reasons: vec![reason],
            };
        }
    };
    let evaluated = engine::evaluate(rules, brand, candidate, Options::default());
    match classify(evaluated) {
        Classified::Ranked(evaluation) => Judged {
            verdict: Verdict::Ranked,
            tier: Some(Arc::clone(&evaluation.tier.name)),
            score: evaluation.score,
            components: Some(evaluation.components),
            reasons: Vec::new(),
        },
        Classified::Filtered(evaluation) => Judged {
            verdict: Verdict::Filtered,
            reasons: evaluation.failure_reasons(brand, candidate),
            tier: Some(Arc::clone(&evaluation.tier.name)),
            score: None,
            components: Some(evaluation.components),
        },
        Classified::RuleError(error) => {
            let site = Site::new(&error.script, error.tier.as_deref(), &error.error);
            let label = format!("on row {} (`{}`)", candidate.line, candidate.handle);
            let diagnostic = failure::located(rules, &site, "this row", label);
            Judged {
                verdict: Verdict::RuleError,
                tier: None,
                score: None,
                components: None,
                reasons: vec![format!("{}: {}", diagnostic.location(), diagnostic.message)],
            }
        }
    }
}

/// The reasons of a row a ranking kept without them ([`super::RankOptions::reasons`]): the
/// row of `rows` the ranking read at `filtered.line` (with its handle, for lists whose
/// records share a line), judged again. Rows the collector filed with their reasons keep
/// them.
pub fn reasons_of(
    rules: &RuleSet,
    brand: &Brand,
    rows: &[Result<Candidate, RowError>],
    filtered: &super::Filtered,
) -> Vec<String> {
    if !filtered.reasons.is_empty() {
        return filtered.reasons.clone();
    }
    let line = |row: &Result<Candidate, RowError>| match row {
        Ok(candidate) => candidate.line,
        Err(error) => error.line,
    };
    let first = rows.partition_point(|row| line(row) < filtered.line);
    let candidate = rows[first..]
        .iter()
        .take_while(|row| line(row) == filtered.line)
        .filter_map(|row| row.as_ref().ok())
        .find(|candidate| candidate.handle == filtered.handle);
    candidate
        .and_then(|candidate| {
            let evaluation = engine::evaluate(rules, brand, candidate, Options::default()).ok()?;
            Some(evaluation.failure_reasons(brand, candidate))
        })
        .unwrap_or_default()
}
