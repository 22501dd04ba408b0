//! What a rule change does to a candidate list, before adopting it.
//!
//! Every candidate is evaluated under the rules as they are and as they would be (another
//! rule folder, or the same brand on another tier scheme) with [`engine::evaluate`]. The
//! comparison, [`compare`], is pure: it takes plain per-candidate [`Outcome`]s and gives
//! the tier migration matrix, the candidates that entered or left the top N, the biggest
//! rank moves with both scores, and the filter verdicts that flipped. Standings and moves
//! are [`crate::changes`]' own, as `scout watch` uses them: one comparison, two commands.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::changes::{self, Move, Standing};
use crate::engine::{self, Filter, Options};
use crate::model::Candidate;
use crate::rank::{self, RankKey};
use crate::rules::{Brand, RuleSet};

/// One candidate's outcome under one set of rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// The tier; `None` when a script failed on the candidate.
    pub tier: Option<String>,
    /// The script's score, computed for filtered candidates too.
    pub score: Option<f64>,
    /// Whether every filter passed, so the candidate is ranked.
    pub passed: bool,
    /// Every filter's verdict.
    pub verdicts: Vec<VerdictOutcome>,
    /// The script failure, when there was one.
    pub error: Option<String>,
}

impl Outcome {
    fn ranked(&self) -> bool {
        self.passed && self.error.is_none()
    }
}

/// One filter's verdict, in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerdictOutcome {
    /// The filter.
    pub filter: Filter,
    /// Whether it passed.
    pub passed: bool,
    /// The verdict in words, as `scout rank` gives it.
    pub reason: String,
}

/// Evaluates every candidate against `brand`, in parallel, in list order.
pub fn evaluate_all(rules: &RuleSet, brand: &Brand, candidates: &[Candidate]) -> Vec<Outcome> {
    candidates
        .par_iter()
        .map(|candidate| {
            match engine::evaluate(
                rules,
                brand,
                candidate,
                Options { explain: true, ..Options::default() },
            ) {
                Ok(evaluation) => Outcome {
                    tier: Some(evaluation.tier.name.to_string()),
                    score: evaluation.score,
                    passed: evaluation.passed(),
                    verdicts: evaluation
                        .verdicts
                        .iter()
                        .map(|v| VerdictOutcome {
                            filter: v.filter.clone(),
                            passed: v.passed,
                            reason: v.reason(brand, candidate, &evaluation),
                        })
                        .collect(),
                    error: None,
                },
                Err(err) => Outcome { error: Some(err.to_string()), ..Outcome::default() },
            }
        })
        .collect()
}

/// One candidate under both sets of rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The line in the candidate list.
    pub line: u64,
    /// Under the rules as they are.
    pub before: Outcome,
    /// Under the changed rules.
    pub after: Outcome,
}

/// How much of the comparison to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffOptions {
    /// The size of the top that candidates enter or leave.
    pub top: usize,
    /// How many rank moves to list.
    pub moves: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self { top: 10, moves: 10 }
    }
}

/// One side of a flipped verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlipSide {
    /// Whether the filter passed.
    pub passed: bool,
    /// The verdict in words, or `not set` when the rules had no such filter.
    pub reason: String,
}

/// A filter verdict that changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flip {
    /// The handle.
    pub handle: String,
    /// The line in the candidate list.
    pub line: u64,
    /// The filter.
    pub filter: Filter,
    /// Before the change.
    pub before: FlipSide,
    /// After the change.
    pub after: FlipSide,
}

/// Counts from each old tier to each new tier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Migration {
    /// Row labels: the old tiers, in scheme order (`(error)` for script failures).
    pub before: Vec<String>,
    /// Column labels: the new tiers, in scheme order.
    pub after: Vec<String>,
    /// `counts[row][column]`: how many candidates moved from that old tier to that new one.
    pub counts: Vec<Vec<usize>>,
    /// How many candidates ended in a tier of another name.
    pub changed: usize,
}

/// The comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    /// Candidates compared (every usable row).
    pub candidates: usize,
    /// Ranked before.
    pub ranked_before: usize,
    /// Ranked after.
    pub ranked_after: usize,
    /// Script failures before.
    pub errors_before: usize,
    /// Script failures after.
    pub errors_after: usize,
    /// The tier migration matrix.
    pub migration: Migration,
    /// The N of "top N".
    pub top: usize,
    /// Candidates in the new top N that were not in the old one, by new rank.
    pub entered_top: Vec<Move>,
    /// Candidates in the old top N that are not in the new one, by old rank.
    pub left_top: Vec<Move>,
    /// Candidates ranked both times whose rank changed most, biggest move first.
    pub moves: Vec<Move>,
    /// How many candidates scored both times (filtered ones are scored too) got another
    /// score, moved or not.
    pub scores_changed: usize,
    /// The candidates whose score changed most, biggest change first (as many as `moves`
    /// lists): a rule change can move scores without moving a rank.
    pub score_changes: Vec<Move>,
    /// Every filter verdict that flipped, by filter, then list order.
    pub flips: Vec<Flip>,
}

fn ranks(rows: &[Row], side: impl Fn(&Row) -> &Outcome) -> Vec<Option<usize>> {
    let mut ranked: Vec<usize> = (0..rows.len()).filter(|&i| side(&rows[i]).ranked()).collect();
    let key = |i: usize| RankKey {
        score: side(&rows[i]).score.unwrap_or(0.0),
        handle: &rows[i].handle,
        platform: rows[i].platform.as_deref(),
        line: rows[i].line,
    };
    ranked.sort_by(|&a, &b| rank::order(key(a), key(b)));
    let mut out = vec![None; rows.len()];
    for (position, &i) in ranked.iter().enumerate() {
        out[i] = Some(position + 1);
    }
    out
}

fn labels(known: &[&str], seen: impl Iterator<Item = Option<String>>) -> Vec<String> {
    let mut labels: Vec<String> = known.iter().map(|t| (*t).to_owned()).collect();
    let mut error = false;
    for tier in seen {
        match tier {
            Some(tier) if !labels.contains(&tier) => labels.push(tier),
            None => error = true,
            _ => {}
        }
    }
    if error {
        labels.push(ERROR_LABEL.to_owned());
    }
    labels
}

const ERROR_LABEL: &str = "(error)";

/// Compares every candidate's outcome before and after a rule change. `before_tiers` and
/// `after_tiers` give the matrix's row and column order (the schemes' tier names).
pub fn compare(
    rows: &[Row],
    before_tiers: &[&str],
    after_tiers: &[&str],
    options: DiffOptions,
) -> Diff {
    let rank_before = ranks(rows, |r| &r.before);
    let rank_after = ranks(rows, |r| &r.after);
    let standing = |outcome: &Outcome, rank: Option<usize>| Standing {
        rank,
        score: outcome.score,
        tier: outcome.tier.clone(),
        ..Standing::default()
    };
    // One list under two rule sets: rows match by position, so no platform is needed.
    let moved: Vec<Move> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| Move {
            handle: row.handle.clone(),
            platform: None,
            line: row.line,
            before: standing(&row.before, rank_before[i]),
            after: standing(&row.after, rank_after[i]),
        })
        .collect();
    Diff {
        candidates: rows.len(),
        ranked_before: rank_before.iter().flatten().count(),
        ranked_after: rank_after.iter().flatten().count(),
        errors_before: rows.iter().filter(|r| r.before.error.is_some()).count(),
        errors_after: rows.iter().filter(|r| r.after.error.is_some()).count(),
        migration: migration(rows, before_tiers, after_tiers),
        top: options.top,
        entered_top: changes::entered_top(&moved, options.top),
        left_top: changes::left_top(&moved, options.top),
        moves: changes::biggest_moves(&moved, options.moves),
        scores_changed: moved.iter().filter(|m| score_change(m).is_some()).count(),
        score_changes: biggest_score_changes(&moved, options.moves),
        flips: flips(rows),
    }
}

/// How much a candidate scored both times gained (negative: lost), when it changed.
pub fn score_change(m: &Move) -> Option<f64> {
    match (m.before.score, m.after.score) {
        (Some(before), Some(after)) if before != after => Some(after - before),
        _ => None,
    }
}

/// The `n` biggest score changes, biggest first, then by new rank.
fn biggest_score_changes(moved: &[Move], n: usize) -> Vec<Move> {
    let mut changed: Vec<&Move> = moved.iter().filter(|m| score_change(m).is_some()).collect();
    changed.sort_by(|a, b| {
        let (da, db) = (score_change(a).unwrap_or(0.0), score_change(b).unwrap_or(0.0));
        let unranked_last = |m: &Move| (m.after.rank.is_none(), m.after.rank, m.line);
        db.abs().total_cmp(&da.abs()).then_with(|| unranked_last(a).cmp(&unranked_last(b)))
    });
    changed.into_iter().take(n).cloned().collect()
}

/// The tier migration matrix.
fn migration(rows: &[Row], before_tiers: &[&str], after_tiers: &[&str]) -> Migration {
    let before = labels(before_tiers, rows.iter().map(|r| r.before.tier.clone()));
    let after = labels(after_tiers, rows.iter().map(|r| r.after.tier.clone()));
    let mut counts = vec![vec![0; after.len()]; before.len()];
    let index = |labels: &[String], tier: &Option<String>| {
        let label = tier.as_deref().unwrap_or(ERROR_LABEL);
        labels.iter().position(|l| l == label).expect("every tier has a label")
    };
    let mut changed = 0;
    for row in rows {
        counts[index(&before, &row.before.tier)][index(&after, &row.after.tier)] += 1;
        changed += usize::from(row.before.tier != row.after.tier);
    }
    Migration { before, after, counts, changed }
}

/// Flipped verdicts, grouped by filter in the brand's filter order, then in list order.
fn flips(rows: &[Row]) -> Vec<Flip> {
    let mut by_filter: BTreeMap<usize, Vec<Flip>> = BTreeMap::new();
    let mut order: Vec<Filter> = Vec::new();
    for row in rows.iter().filter(|r| r.before.error.is_none() && r.after.error.is_none()) {
        let filters = row.before.verdicts.iter().chain(&row.after.verdicts).map(|v| &v.filter);
        for filter in filters {
            if !order.contains(filter) {
                order.push(filter.clone());
            }
        }
        let side = |outcome: &Outcome, filter: &Filter| {
            outcome.verdicts.iter().find(|v| v.filter == *filter).map_or_else(
                || FlipSide { passed: true, reason: "not set".to_owned() },
                |v| FlipSide { passed: v.passed, reason: v.reason.clone() },
            )
        };
        for (position, filter) in order.iter().enumerate() {
            let (b, a) = (side(&row.before, filter), side(&row.after, filter));
            if b.passed != a.passed {
                by_filter.entry(position).or_default().push(Flip {
                    handle: row.handle.clone(),
                    line: row.line,
                    filter: filter.clone(),
                    before: b,
                    after: a,
                });
            }
        }
    }
    by_filter.into_values().flatten().collect()
}

/// What one side of the comparison is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    /// The rule folder.
    pub rules: String,
    /// Its revision.
    pub revision: String,
    /// The tier scheme the brand was judged on.
    pub tiers: String,
}

/// A comparison with what it compared: the report `scout diff` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffReport {
    /// The brand.
    pub brand: String,
    /// The rules as they are.
    pub before: Side,
    /// The changed rules.
    pub after: Side,
    /// Rows read from the candidate list.
    pub read: usize,
    /// Rows that could not be used (bad values), so were not compared.
    pub invalid: usize,
    /// The comparison of the usable rows.
    #[serde(flatten)]
    pub diff: Diff,
}

impl DiffReport {
    /// The report as a JSON document, floats rounded to 6 decimals.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        super::explain::round_floats(&mut value);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(name: &str) -> Filter {
        Filter(name.into())
    }

    fn outcome(tier: &str, score: f64, failed: &[&str]) -> Outcome {
        Outcome {
            tier: Some(tier.to_owned()),
            score: Some(score),
            passed: failed.is_empty(),
            verdicts: ["tiers", "max_followers"]
                .into_iter()
                .map(|name| VerdictOutcome {
                    filter: filter(name),
                    passed: !failed.contains(&name),
                    reason: name.to_owned(),
                })
                .collect(),
            error: None,
        }
    }

    fn row(handle: &str, before: Outcome, after: Outcome) -> Row {
        Row { handle: handle.to_owned(), platform: None, line: 2, before, after }
    }

    #[test]
    fn migration_counts_every_candidate_once() {
        let rows = [
            row("a", outcome("nano", 50.0, &[]), outcome("nano", 50.0, &[])),
            row("b", outcome("micro", 60.0, &[]), outcome("nano", 60.0, &[])),
            row("c", outcome("micro", 70.0, &[]), outcome("micro", 70.0, &[])),
            row(
                "d",
                outcome("mid", 80.0, &["tiers"]),
                Outcome { error: Some("boom".into()), ..Outcome::default() },
            ),
        ];
        let diff = compare(
            &rows,
            &["nano", "micro", "mid"],
            &["nano", "micro", "mid"],
            DiffOptions::default(),
        );
        let m = &diff.migration;
        assert_eq!(m.after, ["nano", "micro", "mid", "(error)"]);
        assert_eq!(m.counts, [vec![1, 0, 0, 0], vec![1, 1, 0, 0], vec![0, 0, 0, 1]]);
        assert_eq!(m.counts.iter().flatten().sum::<usize>(), rows.len());
        assert_eq!(m.changed, 2);
        assert_eq!((diff.errors_before, diff.errors_after), (0, 1));
    }

    #[test]
    fn top_entries_exits_and_moves() {
        // Before: c 70, b 60, a 50. After: a 90, c 70, b 10.
        let rows = [
            row("a", outcome("nano", 50.0, &[]), outcome("nano", 90.0, &[])),
            row("b", outcome("nano", 60.0, &[]), outcome("nano", 10.0, &[])),
            row("c", outcome("nano", 70.0, &[]), outcome("nano", 70.0, &[])),
        ];
        let diff = compare(&rows, &["nano"], &["nano"], DiffOptions { top: 2, moves: 10 });
        assert_eq!(diff.entered_top.iter().map(|m| m.handle.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(diff.left_top.iter().map(|m| m.handle.as_str()).collect::<Vec<_>>(), ["b"]);
        let moves: Vec<(&str, i64)> =
            diff.moves.iter().map(|m| (m.handle.as_str(), m.places_up().unwrap())).collect();
        assert_eq!(moves, [("a", 2), ("c", -1), ("b", -1)], "ties: best new rank first");
        assert_eq!(diff.moves[0].before.score, Some(50.0));
        assert_eq!(diff.moves[0].after.score, Some(90.0));
    }

    #[test]
    fn flipped_verdicts_both_ways() {
        let rows = [
            row("a", outcome("micro", 50.0, &[]), outcome("mid", 50.0, &["tiers"])),
            row("b", outcome("mid", 50.0, &["tiers"]), outcome("micro", 50.0, &[])),
            row("c", outcome("micro", 50.0, &[]), outcome("micro", 50.0, &[])),
        ];
        let diff = compare(&rows, &["micro", "mid"], &["micro", "mid"], DiffOptions::default());
        let flips: Vec<(&str, bool, bool)> = diff
            .flips
            .iter()
            .map(|f| (f.handle.as_str(), f.before.passed, f.after.passed))
            .collect();
        assert_eq!(flips, [("a", true, false), ("b", false, true)]);
        assert_eq!((diff.ranked_before, diff.ranked_after), (2, 2));
    }

    #[test]
    fn a_filter_only_one_side_sets_counts_as_passing_on_the_other() {
        let mut after = outcome("micro", 50.0, &[]);
        after.verdicts.push(VerdictOutcome {
            filter: filter("countries"),
            passed: false,
            reason: "country `DE` not in [US]".into(),
        });
        after.passed = false;
        let rows = [row("a", outcome("micro", 50.0, &[]), after)];
        let diff = compare(&rows, &["micro"], &["micro"], DiffOptions::default());
        assert_eq!(diff.flips.len(), 1);
        assert_eq!(diff.flips[0].before.reason, "not set");
        assert_eq!(diff.left_top.len(), 1);
    }
}
