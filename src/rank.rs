//! Ranking a batch: evaluate every candidate row against one brand, in parallel, with one
//! snapshot of the rules, and account for every row: `read = ranked + filtered + invalid`.

use std::cmp::Ordering;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, Evaluation, Options};
use crate::model::{Candidate, RowError};
use crate::rules::{Brand, RuleSet};

/// How many rows ended where.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows read.
    pub read: usize,
    /// Rows that passed every filter and were scored.
    pub ranked: usize,
    /// Rows a filter turned away.
    pub filtered: usize,
    /// Rows that could not be used: bad values, or a script failed on them.
    pub invalid: usize,
}

/// A scored candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: usize,
    /// The candidate.
    pub candidate: Candidate,
    /// Its evaluation.
    pub evaluation: Evaluation,
}

impl Ranked {
    /// The score (always present for a ranked candidate).
    pub fn score(&self) -> f64 {
        self.evaluation.score.unwrap_or(0.0)
    }
}

/// A candidate a filter turned away.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Filtered {
    /// The handle.
    pub handle: String,
    /// The source line.
    pub line: u64,
    /// Why, one reason per failed filter.
    pub reasons: Vec<String>,
}

/// The outcome of ranking one batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    /// The revision of the rules that made it.
    pub revision: String,
    /// The brand id.
    pub brand: String,
    /// Where every row went.
    pub counts: Counts,
    /// Scored candidates, best first, cut to `top` when set.
    pub results: Vec<Ranked>,
    /// Filtered candidates, in source order.
    pub filtered: Vec<Filtered>,
    /// Unusable rows and script failures, in source order.
    pub errors: Vec<RowError>,
    /// How many errors were script failures (the rest were bad rows).
    pub script_errors: usize,
}

/// Options for one ranking run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RankOptions {
    /// Keep only the best `top` results.
    pub top: Option<usize>,
}

/// Best first: score descending, then handle ascending.
pub fn by_rank(a: &Ranked, b: &Ranked) -> Ordering {
    b.score().total_cmp(&a.score()).then_with(|| a.candidate.handle.cmp(&b.candidate.handle))
}

enum Outcome {
    Ranked(Box<Ranked>),
    Filtered(Filtered),
    Invalid(RowError, bool),
}

fn evaluate_row(rules: &RuleSet, brand: &Brand, row: Result<Candidate, RowError>) -> Outcome {
    let candidate = match row {
        Ok(candidate) => candidate,
        Err(error) => return Outcome::Invalid(error, false),
    };
    match engine::evaluate(rules, brand, &candidate, Options::default()) {
        Ok(evaluation) if evaluation.passed() => {
            Outcome::Ranked(Box::new(Ranked { rank: 0, candidate, evaluation }))
        }
        Ok(evaluation) => Outcome::Filtered(Filtered {
            reasons: evaluation.failure_reasons(brand, &candidate),
            handle: candidate.handle,
            line: candidate.line,
        }),
        Err(error) => Outcome::Invalid(
            RowError {
                line: candidate.line,
                handle: Some(candidate.handle.clone()),
                column: None,
                message: error.to_string(),
            },
            true,
        ),
    }
}

/// Evaluates every row against `brand` and ranks the ones that pass.
///
/// Rows are evaluated in parallel batches; the result does not depend on thread timing.
pub fn rank(
    rules: &RuleSet,
    brand: &Brand,
    rows: impl Iterator<Item = Result<Candidate, RowError>>,
    options: RankOptions,
) -> Ranking {
    const BATCH: usize = 4_096;
    let mut ranking = Ranking {
        revision: rules.revision.clone(),
        brand: brand.id.clone(),
        counts: Counts::default(),
        results: Vec::new(),
        filtered: Vec::new(),
        errors: Vec::new(),
        script_errors: 0,
    };
    let mut rows = rows.peekable();
    let mut batch = Vec::with_capacity(BATCH);
    while rows.peek().is_some() {
        batch.extend(rows.by_ref().take(BATCH));
        let outcomes: Vec<Outcome> =
            batch.par_drain(..).map(|row| evaluate_row(rules, brand, row)).collect();
        for outcome in outcomes {
            ranking.counts.read += 1;
            match outcome {
                Outcome::Ranked(ranked) => {
                    ranking.counts.ranked += 1;
                    ranking.results.push(*ranked);
                }
                Outcome::Filtered(filtered) => {
                    ranking.counts.filtered += 1;
                    ranking.filtered.push(filtered);
                }
                Outcome::Invalid(error, script) => {
                    ranking.counts.invalid += 1;
                    ranking.script_errors += usize::from(script);
                    ranking.errors.push(error);
                }
            }
        }
        if let Some(top) = options.top {
            // Keep memory bounded: only the best `top` can still make the cut.
            if ranking.results.len() > top.saturating_mul(4).max(BATCH) {
                ranking.results.select_nth_unstable_by(top, by_rank);
                ranking.results.truncate(top);
            }
        }
    }
    ranking.results.sort_by(by_rank);
    if let Some(top) = options.top {
        ranking.results.truncate(top);
    }
    for (i, ranked) in ranking.results.iter_mut().enumerate() {
        ranked.rank = i + 1;
    }
    ranking
}
