//! Rules judged by real outcomes (`scout evaluate`): a table of what happened after a
//! campaign (delivered engagement, conversions, `would_book_again`), keyed by platform and
//! handle, joined with the scores the rules gave beforehand, and measured with
//! [`crate::metrics`]: Spearman, precision@k and NDCG@k for numeric outcomes; confusion
//! matrix, precision, recall, F1, macro-F1 and ROC AUC for labels. Every figure carries a
//! seeded bootstrap 95 % interval and the number of rows behind it; two rule versions are
//! compared on the same rows with paired resampling.
//!
//! Pure: cells come in from [`crate::input`], scores from the engine (through the CLI),
//! results go out to [`crate::output::evaluate`]. Rows are put in one canonical order
//! (handle, platform, line) before anything is measured, so the order of the input files
//! changes nothing.

use std::collections::HashMap;

use serde::Serialize;

use crate::metrics::{self, Confusion};
use crate::model::headers;
use crate::model::Field;

/// What an outcome column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Numbers: delivered ER, conversions, return on spend.
    Numeric,
    /// Booleans: `true`/`false`, `1`/`0`, `yes`/`no`.
    Label,
}

/// One outcome row with a usable key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutcomeRow {
    /// The line in the outcomes file.
    pub line: u64,
    /// The platform, lowercased, when the file has a platform column.
    pub platform: Option<String>,
    /// The handle as written (without a leading `@`).
    pub handle: String,
    /// The outcome (labels as 1 or 0, already flipped by `lower_is_better`); `None` for an
    /// empty cell.
    pub value: Option<f64>,
}

/// A row that could not be used, with its line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BadRow {
    /// The line in its file.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

/// The outcomes file, read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcomes {
    /// The outcome column, as its header is written.
    pub column: String,
    /// What it holds.
    pub kind: Kind,
    /// Whether rows are matched on platform as well as handle.
    pub keyed_by_platform: bool,
    /// Rows read, bad ones included.
    pub read: usize,
    /// Rows with a usable key.
    pub rows: Vec<OutcomeRow>,
    /// Rows that could not be used.
    pub bad: Vec<BadRow>,
}

/// Why the outcomes file cannot be used at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutcomesError {
    /// No handle column.
    #[error("`{name}` has no handle column to match candidates on")]
    NoHandle {
        /// The file.
        name: String,
    },
    /// The outcome column is not there.
    #[error("`{name}` has no column `{column}`")]
    NoColumn {
        /// The file.
        name: String,
        /// The column asked for.
        column: String,
        /// The columns there are.
        found: Vec<String>,
    },
}

/// A label cell: `Some(true)` for true/1/yes/y, `Some(false)` for false/0/no/n.
pub fn label(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" => Some(true),
        "0" | "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

fn is_empty(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "" | "n/a" | "na" | "null" | "none" | "-")
}

/// Reads the outcome `column` of a table (`headers`, then `(line, cells)` records or row
/// errors) keyed by the handle column and, when there is one, the platform column, found
/// by the same header names as a candidate list's. `kind` `None` decides from the cells: a
/// column of label words, or of nothing but 0 and 1, is a label. `lower_is_better` flips
/// labels and negates numbers, so that a high score should always predict a high value.
/// A row whose cell is neither empty nor of the kind, or whose key repeats an earlier
/// row's, is a [`BadRow`].
pub fn read_outcomes(
    name: &str,
    headers_row: &[String],
    records: impl IntoIterator<Item = Result<(u64, Vec<String>), BadRow>>,
    column: &str,
    kind: Option<Kind>,
    lower_is_better: bool,
) -> Result<Outcomes, OutcomesError> {
    let find =
        |field: Field| headers_row.iter().position(|h| headers::builtin_field(h) == Some(field));
    let handle_at = find(Field::Handle).ok_or(OutcomesError::NoHandle { name: name.into() })?;
    let platform_at = find(Field::Platform);
    let wanted = headers::key(column);
    let value_at = headers_row.iter().position(|h| headers::key(h) == wanted).ok_or_else(|| {
        OutcomesError::NoColumn {
            name: name.into(),
            column: column.into(),
            found: headers_row.to_vec(),
        }
    })?;
    let mut bad = Vec::new();
    let mut read = 0;
    let mut cells: Vec<(u64, Option<String>, String, String)> = Vec::new();
    for record in records {
        read += 1;
        match record {
            Err(row) => bad.push(row),
            Ok((line, row)) => {
                let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or_default();
                let handle = cell(handle_at).trim().trim_start_matches('@').to_owned();
                if is_empty(&handle) {
                    bad.push(BadRow { line, message: "no handle".into() });
                    continue;
                }
                let platform =
                    platform_at.map(|i| cell(i).trim().to_lowercase()).filter(|p| !is_empty(p));
                cells.push((line, platform, handle, cell(value_at).trim().to_owned()));
            }
        }
    }
    let kind = kind.unwrap_or_else(|| {
        let filled: Vec<&str> =
            cells.iter().map(|c| c.3.as_str()).filter(|t| !is_empty(t)).collect();
        let words = filled.iter().any(|t| label(t).is_some() && !matches!(*t, "0" | "1"));
        let binary = !filled.is_empty() && filled.iter().all(|t| matches!(*t, "0" | "1"));
        if words || binary {
            Kind::Label
        } else {
            Kind::Numeric
        }
    });
    let mut seen: HashMap<(Option<String>, String), u64> = HashMap::new();
    let mut rows = Vec::new();
    for (line, platform, handle, text) in cells {
        let value = if is_empty(&text) {
            None
        } else {
            let parsed = match kind {
                Kind::Label => label(&text).map(|l| if l != lower_is_better { 1.0 } else { 0.0 }),
                Kind::Numeric => crate::number::parse_number(&text).ok().flatten().map(|v| {
                    if lower_is_better {
                        -v
                    } else {
                        v
                    }
                }),
            };
            match parsed {
                Some(v) => Some(v),
                None => {
                    let what = if kind == Kind::Label { "a label" } else { "a number" };
                    bad.push(BadRow {
                        line,
                        message: format!(
                            "`{column}` is `{}`, not {what}",
                            crate::text::printable(&text)
                        ),
                    });
                    continue;
                }
            }
        };
        let key = (platform.clone(), crate::text::normalize_handle(&handle));
        if let Some(first) = seen.get(&key) {
            bad.push(BadRow {
                line,
                message: format!("@{handle} repeats the outcome of line {first}"),
            });
            continue;
        }
        seen.insert(key, line);
        rows.push(OutcomeRow { line, platform, handle, value });
    }
    bad.sort_by_key(|b| b.line);
    Ok(Outcomes {
        column: column.into(),
        kind,
        keyed_by_platform: platform_at.is_some(),
        read,
        rows,
        bad,
    })
}

/// One candidate as the rules judged it beforehand, on one side of the comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prediction {
    /// The score (filtered candidates are scored too); `None` when a script failed.
    pub score: Option<f64>,
    /// Whether every filter passed.
    pub passed: bool,
}

/// One candidate of the list, with its predictions under one or two rule versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The line in the candidate list.
    pub line: u64,
    /// Under the rules (`[0]`) and, when comparing, the other version (`[1]`).
    pub predictions: Vec<Prediction>,
}

/// A row left out of the measures, named.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmatched {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The line in its file.
    pub line: u64,
}

/// Everything the measures rest on and everything they leave out:
/// `candidates = measured + no_outcome + empty_outcome + unscored`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Accounting {
    /// Candidates in the list (usable rows).
    pub candidates: usize,
    /// Candidates measured: an outcome, and a score on every side.
    pub measured: usize,
    /// Candidates the outcomes file does not mention.
    pub no_outcome: Vec<Unmatched>,
    /// Candidates whose outcome cell is empty.
    pub empty_outcome: Vec<Unmatched>,
    /// Candidates with an outcome whose score a script could not compute (on either side).
    pub unscored: Vec<Unmatched>,
    /// Outcome rows that match no candidate.
    pub no_candidate: Vec<Unmatched>,
}

/// A measured row: the outcome and the predictions.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The line in the candidate list.
    pub line: u64,
    /// The outcome.
    pub value: f64,
    /// The scores and verdicts, one per side.
    pub predictions: Vec<Prediction>,
}

/// Joins candidates with outcomes by platform (when the outcomes have one) and handle,
/// handles compared as people do ([`crate::text::normalize_handle`]). Returns the measured
/// rows in canonical order (handle, platform, line) and the accounting of the rest.
pub fn join(candidates: &[Candidate], outcomes: &Outcomes) -> (Vec<Measured>, Accounting) {
    let key = |platform: Option<&str>, handle: &str| {
        let platform =
            if outcomes.keyed_by_platform { platform.map(str::to_lowercase) } else { None };
        (platform, crate::text::normalize_handle(handle))
    };
    let by_key: HashMap<_, usize> = outcomes
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key(r.platform.as_deref(), &r.handle), i))
        .collect();
    let mut used = vec![false; outcomes.rows.len()];
    let mut accounting = Accounting { candidates: candidates.len(), ..Accounting::default() };
    let mut measured = Vec::new();
    for c in candidates {
        let name =
            || Unmatched { handle: c.handle.clone(), platform: c.platform.clone(), line: c.line };
        let Some(&i) = by_key.get(&key(c.platform.as_deref(), &c.handle)) else {
            accounting.no_outcome.push(name());
            continue;
        };
        used[i] = true;
        let Some(value) = outcomes.rows[i].value else {
            accounting.empty_outcome.push(name());
            continue;
        };
        if c.predictions.iter().any(|p| p.score.is_none()) {
            accounting.unscored.push(name());
            continue;
        }
        measured.push(Measured {
            handle: c.handle.clone(),
            platform: c.platform.clone(),
            line: c.line,
            value,
            predictions: c.predictions.clone(),
        });
    }
    accounting.no_candidate = outcomes
        .rows
        .iter()
        .zip(&used)
        .filter(|(_, &u)| !u)
        .map(|(r, _)| Unmatched {
            handle: r.handle.clone(),
            platform: r.platform.clone(),
            line: r.line,
        })
        .collect();
    accounting.measured = measured.len();
    measured.sort_by(|a, b| {
        (crate::text::normalize_handle(&a.handle), &a.platform, a.line).cmp(&(
            crate::text::normalize_handle(&b.handle),
            &b.platform,
            b.line,
        ))
    });
    (measured, accounting)
}

/// What predicts a label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Predictor {
    /// The score, above a threshold.
    #[default]
    Score,
    /// The filter verdict: passed predicts true.
    Verdict,
}

/// How to measure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Options {
    /// The k of precision@k and NDCG@k.
    pub k: usize,
    /// For labels: the score at or above which a row is predicted true; `None` picks the
    /// score that maximises F1.
    pub threshold: Option<f64>,
    /// For labels: the score or the verdict.
    pub predictor: Predictor,
    /// Bootstrap resamples.
    pub samples: usize,
    /// The bootstrap's seed.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self { k: 10, threshold: None, predictor: Predictor::Score, samples: 1000, seed: 13 }
    }
}

/// One figure: its value on every measured row, its bootstrap 95 % interval, and the number
/// of rows behind it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// On the rows as they are; `None` when undefined (constant series, one class only).
    pub value: Option<f64>,
    /// The percentile bootstrap 95 % interval.
    pub ci: Option<(f64, f64)>,
    /// The rows behind it.
    pub n: usize,
}

/// The difference between the two sides (other minus rules) of one figure, resampled in
/// pairs: the same rows on both sides of every resample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// The name of the figure.
    pub metric: &'static str,
    /// Other minus rules.
    pub value: Option<f64>,
    /// The bootstrap 95 % interval of the difference.
    pub ci: Option<(f64, f64)>,
    /// Whether the interval leaves out zero.
    pub excludes_zero: bool,
}

/// A label predictor's figures on one side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelScores {
    /// The score threshold (none for the verdict).
    pub threshold: Option<f64>,
    /// Where the threshold came from: `given`, `max-f1`, or `verdict`.
    pub threshold_from: &'static str,
    /// Counts; positive is a true label.
    pub confusion: Confusion,
    /// Of those predicted true, the share that is.
    pub precision: Estimate,
    /// Of the true ones, the share predicted so.
    pub recall: Estimate,
    /// F1 of the true class.
    pub f1: Estimate,
    /// The mean F1 of both classes.
    pub macro_f1: Estimate,
    /// ROC AUC of the score (of the verdict as 0/1 with `--predictor verdict`).
    pub auc: Estimate,
}

/// One side's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Figures {
    /// For a numeric outcome.
    Numeric {
        /// Spearman's rank correlation of score and outcome.
        spearman: Estimate,
        /// The share of the top k by score that is in the top k by outcome.
        precision_at_k: Estimate,
        /// NDCG@k of the outcome in score order.
        ndcg_at_k: Estimate,
    },
    /// For a label.
    Label(LabelScores),
}

/// The evaluation: one side, or two and their differences.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// How it was measured.
    pub options: Options,
    /// The rows measured.
    pub n: usize,
    /// For labels: how many rows are true.
    pub positives: Option<usize>,
    /// Per side: the rules, then the other version.
    pub sides: Vec<Figures>,
    /// Other minus rules, per figure, when comparing.
    pub differences: Vec<Difference>,
}

/// One side's statistic on a resample (indices into the canonical rows).
type Statistic<'a> = Box<dyn Fn(&[usize]) -> Option<f64> + 'a>;

struct Data<'a> {
    rows: &'a [Measured],
    options: Options,
}

impl<'a> Data<'a> {
    fn score(&self, side: usize, i: usize) -> f64 {
        self.rows[i].predictions[side].score.unwrap_or(f64::NAN)
    }

    /// `idx` ordered by score, highest first; ties keep canonical order.
    fn by_score(&self, side: usize, idx: &[usize]) -> Vec<usize> {
        let mut order = idx.to_vec();
        order.sort_by(|&a, &b| self.score(side, b).total_cmp(&self.score(side, a)).then(a.cmp(&b)));
        order
    }

    fn spearman(&'a self, side: usize) -> Statistic<'a> {
        Box::new(move |idx: &[usize]| {
            let scores: Vec<f64> = idx.iter().map(|&i| self.score(side, i)).collect();
            let values: Vec<f64> = idx.iter().map(|&i| self.rows[i].value).collect();
            metrics::spearman(&scores, &values)
        })
    }

    fn precision_at_k(&'a self, side: usize) -> Statistic<'a> {
        Box::new(move |idx: &[usize]| {
            let k = self.options.k.min(idx.len());
            if k == 0 {
                return None;
            }
            let mut values: Vec<f64> = idx.iter().map(|&i| self.rows[i].value).collect();
            values.sort_by(|a, b| b.total_cmp(a));
            let cut = values[k - 1];
            let relevant: Vec<bool> =
                self.by_score(side, idx).iter().map(|&i| self.rows[i].value >= cut).collect();
            Some(metrics::precision_at_k(&relevant, k))
        })
    }

    fn ndcg_at_k(&'a self, side: usize) -> Statistic<'a> {
        Box::new(move |idx: &[usize]| {
            let low = idx.iter().map(|&i| self.rows[i].value).fold(f64::INFINITY, f64::min);
            let shift = if low < 0.0 { -low } else { 0.0 };
            let gains: Vec<f64> =
                self.by_score(side, idx).iter().map(|&i| self.rows[i].value + shift).collect();
            metrics::ndcg_at_k(&gains, self.options.k)
        })
    }

    fn predicted(&self, side: usize, threshold: Option<f64>, i: usize) -> bool {
        match threshold {
            Some(t) => self.score(side, i) >= t,
            None => self.rows[i].predictions[side].passed,
        }
    }

    fn confusion(&self, side: usize, threshold: Option<f64>, idx: &[usize]) -> Confusion {
        Confusion::from_pairs(
            idx.iter().map(|&i| (self.rows[i].value > 0.5, self.predicted(side, threshold, i))),
        )
    }

    fn class(
        &'a self,
        side: usize,
        threshold: Option<f64>,
        pick: fn(&Confusion) -> Option<f64>,
    ) -> Statistic<'a> {
        Box::new(move |idx: &[usize]| pick(&self.confusion(side, threshold, idx)))
    }

    fn auc(&'a self, side: usize) -> Statistic<'a> {
        Box::new(move |idx: &[usize]| {
            let scores: Vec<f64> = idx
                .iter()
                .map(|&i| match self.options.predictor {
                    Predictor::Score => self.score(side, i),
                    Predictor::Verdict => {
                        f64::from(u8::from(self.rows[i].predictions[side].passed))
                    }
                })
                .collect();
            let labels: Vec<bool> = idx.iter().map(|&i| self.rows[i].value > 0.5).collect();
            metrics::roc_auc(&scores, &labels)
        })
    }

    /// The score threshold that maximises F1 on every row: each distinct score is tried
    /// as "at or above"; the lowest of equally good ones wins.
    fn best_threshold(&self, side: usize) -> Option<f64> {
        let all: Vec<usize> = (0..self.rows.len()).collect();
        let mut candidates: Vec<f64> = all.iter().map(|&i| self.score(side, i)).collect();
        candidates.sort_by(f64::total_cmp);
        candidates.dedup();
        let mut best: Option<(f64, f64)> = None;
        for t in candidates {
            let f1 = self.confusion(side, Some(t), &all).positive().f1;
            if best.is_none_or(|(b, _)| f1 > b) {
                best = Some((f1, t));
            }
        }
        best.map(|(_, t)| t)
    }

    fn estimate(&self, statistic: &Statistic<'_>, salt: u64) -> Estimate {
        let all: Vec<usize> = (0..self.rows.len()).collect();
        let n = self.rows.len();
        Estimate {
            value: statistic(&all),
            ci: metrics::bootstrap_ci(
                n,
                self.options.samples,
                0.95,
                self.options.seed ^ salt,
                |idx| statistic(idx),
            ),
            n,
        }
    }

    fn difference(
        &self,
        metric: &'static str,
        a: &Statistic<'_>,
        b: &Statistic<'_>,
        salt: u64,
    ) -> Difference {
        let all: Vec<usize> = (0..self.rows.len()).collect();
        let delta = |idx: &[usize]| Some(b(idx)? - a(idx)?);
        let ci = metrics::bootstrap_ci(
            self.rows.len(),
            self.options.samples,
            0.95,
            self.options.seed ^ salt,
            delta,
        );
        Difference {
            metric,
            value: delta(&all),
            ci,
            excludes_zero: ci.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0),
        }
    }
}

fn precision(c: &Confusion) -> Option<f64> {
    (c.tp + c.fp > 0).then(|| c.positive().precision)
}

fn recall(c: &Confusion) -> Option<f64> {
    (c.tp + c.fn_ > 0).then(|| c.positive().recall)
}

fn f1(c: &Confusion) -> Option<f64> {
    (c.tp + c.fn_ > 0).then(|| c.positive().f1)
}

fn macro_f1(c: &Confusion) -> Option<f64> {
    (c.total() > 0).then(|| c.macro_f1())
}

/// Measures the rows of [`join`] (in its canonical order) with `kind`'s figures on every
/// side of their predictions, and, with two sides, the paired differences.
pub fn evaluate(rows: &[Measured], kind: Kind, options: Options) -> Evaluation {
    let data = Data { rows, options };
    let sides = rows.first().map_or(1, |r| r.predictions.len()).max(1);
    let mut figures = Vec::new();
    let mut differences = Vec::new();
    match kind {
        Kind::Numeric => {
            for side in 0..sides {
                figures.push(Figures::Numeric {
                    spearman: data.estimate(&data.spearman(side), 1),
                    precision_at_k: data.estimate(&data.precision_at_k(side), 2),
                    ndcg_at_k: data.estimate(&data.ndcg_at_k(side), 3),
                });
            }
            if sides == 2 {
                differences = vec![
                    data.difference("spearman", &data.spearman(0), &data.spearman(1), 1),
                    data.difference(
                        "precision@k",
                        &data.precision_at_k(0),
                        &data.precision_at_k(1),
                        2,
                    ),
                    data.difference("ndcg@k", &data.ndcg_at_k(0), &data.ndcg_at_k(1), 3),
                ];
            }
        }
        Kind::Label => {
            let thresholds: Vec<(Option<f64>, &'static str)> = (0..sides)
                .map(|side| match (options.predictor, options.threshold) {
                    (Predictor::Verdict, _) => (None, "verdict"),
                    (Predictor::Score, Some(t)) => (Some(t), "given"),
                    (Predictor::Score, None) => (data.best_threshold(side), "max-f1"),
                })
                .collect();
            let all: Vec<usize> = (0..rows.len()).collect();
            for (side, &(threshold, from)) in thresholds.iter().enumerate() {
                figures.push(Figures::Label(LabelScores {
                    threshold,
                    threshold_from: from,
                    confusion: data.confusion(side, threshold, &all),
                    precision: data.estimate(&data.class(side, threshold, precision), 4),
                    recall: data.estimate(&data.class(side, threshold, recall), 5),
                    f1: data.estimate(&data.class(side, threshold, f1), 6),
                    macro_f1: data.estimate(&data.class(side, threshold, macro_f1), 7),
                    auc: data.estimate(&data.auc(side), 8),
                }));
            }
            if sides == 2 {
                let (t0, t1) = (thresholds[0].0, thresholds[1].0);
                differences = vec![
                    data.difference("f1", &data.class(0, t0, f1), &data.class(1, t1, f1), 6),
                    data.difference(
                        "macro-f1",
                        &data.class(0, t0, macro_f1),
                        &data.class(1, t1, macro_f1),
                        7,
                    ),
                    data.difference("roc auc", &data.auc(0), &data.auc(1), 8),
                ];
            }
        }
    }
    Evaluation {
        options,
        n: rows.len(),
        positives: (kind == Kind::Label).then(|| rows.iter().filter(|r| r.value > 0.5).count()),
        sides: figures,
        differences,
    }
}

/// One side of a report: the rules and the tier scheme it judged on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    /// A short label for tables: the tier scheme's or the folder's name.
    pub label: String,
    /// The rule folder.
    pub rules: String,
    /// Its revision.
    pub revision: String,
    /// The tier scheme's file.
    pub tiers: String,
}

/// Everything `scout evaluate` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The brand.
    pub brand: String,
    /// The outcomes file's name.
    pub outcomes_file: String,
    /// The outcome column.
    pub outcome: String,
    /// What the column holds.
    pub kind: Kind,
    /// Whether lower outcomes are better (numbers negated, labels flipped).
    pub lower_is_better: bool,
    /// Outcome rows read (bad ones included).
    pub outcome_rows: usize,
    /// Outcome rows that could not be used.
    pub bad_outcomes: Vec<BadRow>,
    /// Candidate rows read (unusable ones included).
    pub candidate_rows: usize,
    /// Candidate rows that could not be used.
    pub bad_candidates: Vec<BadRow>,
    /// The rules, then the other version when comparing.
    pub sides: Vec<Side>,
    /// What was measured and what was left out.
    pub accounting: Accounting,
    /// The figures.
    pub evaluation: Evaluation,
}
