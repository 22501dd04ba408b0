//! Judging one case: evaluating its candidate as `scout rank` would and comparing tier,
//! filter verdict, score, ranking and notes with what the case expects.

use super::raw::RawExpect;
use super::report::Mismatch;
use super::run::Case;
use super::DEFAULT_TOLERANCE;
use crate::engine::{self, Evaluation, Options};
use crate::model::Candidate;
use crate::rules::{Brand, RuleSet};

/// Whether `a` ranks above `b`: it passes the filters and `b` does not, or both pass and `a`
/// comes first in [`crate::rank::order`] (as `scout rank` orders them).
fn ranks_above(a: (&Candidate, &Evaluation), b: (&Candidate, &Evaluation)) -> bool {
    match (a.1.passed(), b.1.passed()) {
        (true, false) => true,
        (false, _) => false,
        (true, true) => {
            let a = crate::rank::RankKey::of(a.0, a.1.score.unwrap_or(0.0));
            let b = crate::rank::RankKey::of(b.0, b.1.score.unwrap_or(0.0));
            crate::rank::order(a, b).is_lt()
        }
    }
}

fn describe_standing(candidate: &Candidate, evaluation: &Evaluation, brand: &Brand) -> String {
    let score = evaluation.score.map_or_else(|| "no score".to_owned(), |s| format!("{s}"));
    if evaluation.passed() {
        format!("`{}` scores {score}", candidate.handle)
    } else {
        format!(
            "`{}` is filtered ({})",
            candidate.handle,
            evaluation.failure_reasons(brand, candidate).join("; ")
        )
    }
}

pub(super) fn check(rules: &RuleSet, brand: &Brand, case: &Case) -> Vec<Mismatch> {
    let options = Options { explain: true, ..Options::default() };
    let evaluation = match engine::evaluate(rules, brand, &case.candidate, options) {
        Ok(evaluation) => evaluation,
        Err(err) => {
            return vec![Mismatch {
                what: "error",
                expected: "an evaluation".to_owned(),
                actual: err.to_string(),
            }]
        }
    };
    let e = &case.expect;
    let reasons = evaluation.failure_reasons(brand, &case.candidate);
    let mut out = Vec::new();
    check_tier(e, case, &evaluation, &mut out);
    check_verdict(e, &evaluation, &reasons, &mut out);
    check_score(e, &evaluation, &mut out);
    check_outranks(rules, brand, case, &evaluation, options, &mut out);
    check_note(e, &evaluation, &mut out);
    out
}

/// `tier`: the tier the candidate lands in.
fn check_tier(e: &RawExpect, case: &Case, evaluation: &Evaluation, out: &mut Vec<Mismatch>) {
    if let Some(tier) = &e.tier {
        if *evaluation.tier.name != **tier.get_ref() {
            let rule = match &evaluation.tier.when {
                Some(when) => format!("bounds {} and `when` {when}", evaluation.tier.bounds_text()),
                None => format!("bounds {}", evaluation.tier.bounds_text()),
            };
            out.push(Mismatch {
                what: "tier",
                expected: format!("`{}`", tier.get_ref()),
                actual: format!(
                    "`{}` ({} followers; {rule})",
                    evaluation.tier.name,
                    crate::text::thousands(case.candidate.followers)
                ),
            });
        }
    }
}

/// `passes` and `fails`: the filter verdict, and a reason containing some text.
fn check_verdict(
    e: &RawExpect,
    evaluation: &Evaluation,
    reasons: &[String],
    out: &mut Vec<Mismatch>,
) {
    match e.passes {
        Some(true) if !evaluation.passed() => out.push(Mismatch {
            what: "passes",
            expected: "ranked (passing every filter)".to_owned(),
            actual: filtered(reasons),
        }),
        Some(false) if evaluation.passed() => out.push(Mismatch {
            what: "passes",
            expected: "filtered".to_owned(),
            actual: "ranked (passed every filter)".to_owned(),
        }),
        _ => {}
    }
    if let Some(text) = &e.fails {
        let needle = text.to_lowercase();
        let hit = reasons.iter().any(|r| r.to_lowercase().contains(&needle));
        if !hit {
            out.push(Mismatch {
                what: "fails",
                expected: if text.is_empty() {
                    "filtered".to_owned()
                } else {
                    format!("filtered with a reason containing \"{text}\"")
                },
                actual: if reasons.is_empty() {
                    "ranked (passed every filter)".to_owned()
                } else {
                    filtered(reasons)
                },
            });
        }
    }
}

/// `score` (± `tolerance`), `min_score` and `max_score`.
fn check_score(e: &RawExpect, evaluation: &Evaluation, out: &mut Vec<Mismatch>) {
    let score = evaluation.score.unwrap_or(f64::NAN);
    if let Some(expected) = e.score {
        let tolerance = e.tolerance.unwrap_or(DEFAULT_TOLERANCE);
        if score.is_nan() || (score - expected).abs() > tolerance + 1e-9 {
            out.push(Mismatch {
                what: "score",
                expected: format!("{expected} ± {tolerance}"),
                actual: score_text(score, evaluation),
            });
        }
    }
    let below = e.min_score.is_some_and(|min| score.is_nan() || score < min);
    let above = e.max_score.is_some_and(|max| score.is_nan() || score > max);
    if below || above {
        let range = match (e.min_score, e.max_score) {
            (Some(min), Some(max)) => format!("a score from {min} to {max}"),
            (Some(min), None) => format!("a score of at least {min}"),
            (None, Some(max)) => format!("a score of at most {max}"),
            (None, None) => unreachable!("a bound was checked"),
        };
        out.push(Mismatch {
            what: "score",
            expected: range,
            actual: score_text(score, evaluation),
        });
    }
}

/// `outranks`: the candidate ranks above another, as `scout rank` would order them.
fn check_outranks(
    rules: &RuleSet,
    brand: &Brand,
    case: &Case,
    evaluation: &Evaluation,
    options: Options,
    out: &mut Vec<Mismatch>,
) {
    let e = &case.expect;
    if let (Some(other_handle), Some(other)) = (&e.outranks, &case.outranks) {
        match engine::evaluate(rules, brand, other, options) {
            Ok(other_eval) => {
                if !ranks_above((&case.candidate, evaluation), (other, &other_eval)) {
                    out.push(Mismatch {
                        what: "outranks",
                        expected: format!("to rank above `{}`", other_handle.get_ref()),
                        actual: format!(
                            "{}, {}",
                            describe_standing(&case.candidate, evaluation, brand),
                            describe_standing(other, &other_eval, brand)
                        ),
                    });
                }
            }
            Err(err) => out.push(Mismatch {
                what: "outranks",
                expected: format!("to rank above `{}`", other_handle.get_ref()),
                actual: err.to_string(),
            }),
        }
    }
}

/// `note`: a note from the script containing some text.
fn check_note(e: &RawExpect, evaluation: &Evaluation, out: &mut Vec<Mismatch>) {
    if let Some(text) = &e.note {
        let needle = text.to_lowercase();
        if !evaluation.notes.iter().any(|n| n.to_lowercase().contains(&needle)) {
            out.push(Mismatch {
                what: "note",
                expected: format!("a note containing \"{text}\""),
                actual: if evaluation.notes.is_empty() {
                    "no notes".to_owned()
                } else {
                    format!("notes: {}", evaluation.notes.join(" | "))
                },
            });
        }
    }
}

/// What a filtered candidate shows: its failed filters.
fn filtered(reasons: &[String]) -> String {
    format!("filtered: {}", reasons.join("; "))
}

/// A score as shown in a mismatch, marked when the candidate was filtered.
fn score_text(score: f64, evaluation: &Evaluation) -> String {
    let mut text = format!("{score}");
    if !evaluation.passed() {
        text.push_str(" (filtered, so not ranked)");
    }
    text
}
