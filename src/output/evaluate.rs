//! `scout evaluate`'s report as text for people: what was measured, each figure with its
//! bootstrap interval and row count, side by side with the difference when two rule
//! versions are compared, the confusion matrices for labels, and every row left out.

use std::fmt::Write as _;

use comfy_table::Cell;

use super::table::{self, right};
use crate::evaluate::{Difference, Estimate, Figures, Kind, Report, Unmatched};

/// Rows listed per kind of left-out row.
const LISTED: usize = 5;

fn number(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{x:.3}"))
}

fn interval(ci: Option<(f64, f64)>) -> String {
    ci.map_or_else(|| "–".into(), |(lo, hi)| format!("[{lo:.3}, {hi:.3}]"))
}

fn estimate(e: &Estimate) -> String {
    format!("{} {}", number(e.value), interval(e.ci))
}

fn difference(d: &Difference) -> String {
    let sign = d.value.map_or_else(|| "–".into(), |v| format!("{v:+.3}"));
    let verdict = if d.excludes_zero { "excludes 0" } else { "includes 0" };
    format!("{sign} {} {verdict}", interval(d.ci))
}

/// The figures of each side, by name.
fn rows(figures: &Figures, k: usize) -> Vec<(String, Estimate)> {
    match figures {
        Figures::Numeric { spearman, precision_at_k, ndcg_at_k } => vec![
            ("spearman".into(), *spearman),
            (format!("precision@{k}"), *precision_at_k),
            (format!("ndcg@{k}"), *ndcg_at_k),
        ],
        Figures::Label(l) => vec![
            ("precision".into(), l.precision),
            ("recall".into(), l.recall),
            ("f1".into(), l.f1),
            ("macro-f1".into(), l.macro_f1),
            ("roc auc".into(), l.auc),
        ],
    }
}

/// The report as text.
pub fn render(report: &Report) -> String {
    let e = &report.evaluation;
    let mut out = String::new();
    let kind = match report.kind {
        Kind::Numeric => "numeric",
        Kind::Label => "label",
    };
    let _ = writeln!(
        out,
        "evaluate `{}` against `{}` in `{}` ({kind}{}): {} rows measured",
        report.brand,
        report.outcome,
        report.outcomes_file,
        if report.lower_is_better { ", lower is better" } else { "" },
        e.n
    );
    for (i, side) in report.sides.iter().enumerate() {
        let name = if i == 0 { "rules" } else { "other" };
        let _ = writeln!(
            out,
            "  {name}: `{}` ({}) · tiers `{}`",
            side.rules, side.revision, side.tiers
        );
    }
    if let Some(p) = e.positives {
        let _ = writeln!(out, "  labels: {p} true, {} false", e.n - p);
    }
    let _ = writeln!(
        out,
        "  95 % intervals: percentile bootstrap, {} resamples, seed {}{}",
        e.options.samples,
        e.options.seed,
        if report.sides.len() == 2 {
            "; differences resample the same rows on both sides"
        } else {
            ""
        }
    );
    out.push('\n');
    let mut t = table::new();
    let mut header = vec![Cell::new("metric")];
    header.extend(report.sides.iter().map(|s| Cell::new(&s.label)));
    if report.sides.len() == 2 {
        header.push(Cell::new("difference (other − rules)"));
    }
    header.push(Cell::new("n"));
    t.set_header(header);
    let named: Vec<Vec<(String, Estimate)>> =
        e.sides.iter().map(|f| rows(f, e.options.k)).collect();
    let diffs: Vec<&Difference> = e.differences.iter().collect();
    for (i, (name, _)) in named.first().into_iter().flatten().enumerate() {
        let mut row = vec![Cell::new(name)];
        row.extend(named.iter().map(|side| right(estimate(&side[i].1))));
        if report.sides.len() == 2 {
            let d = diffs.iter().find(|d| {
                d.metric == name.as_str()
                    || (d.metric == "precision@k" && name.starts_with("precision@"))
                    || (d.metric == "ndcg@k" && name.starts_with("ndcg@"))
            });
            row.push(right(d.map_or_else(String::new, |d| difference(d))));
        }
        row.push(right(named[0][i].1.n));
        t.add_row(row);
    }
    let _ = writeln!(out, "{t}");
    for (figures, side) in e.sides.iter().zip(&report.sides) {
        if let Figures::Label(l) = figures {
            let how = match (l.threshold, l.threshold_from) {
                (Some(t), "given") => format!("score ≥ {t:.2} (--threshold)"),
                (Some(t), _) => format!("score ≥ {t:.2} (the threshold that maximises F1)"),
                _ => "passed every filter".into(),
            };
            let c = l.confusion;
            let _ = writeln!(out, "\n{}: predicted true when {how}", side.label);
            let mut m = table::new();
            m.set_header(["actual \\ predicted", "true", "false"]);
            m.add_row(vec![Cell::new("true"), right(c.tp), right(c.fn_)]);
            m.add_row(vec![Cell::new("false"), right(c.fp), right(c.tn)]);
            let _ = writeln!(out, "{m}");
        }
    }
    out.push_str(&left_out(report));
    crate::text::printable_lines(&out).into_owned()
}

fn listed(rows: &[Unmatched]) -> String {
    let mut names: Vec<String> = rows
        .iter()
        .take(LISTED)
        .map(|r| match &r.platform {
            Some(p) => format!("@{} ({p}, line {})", r.handle, r.line),
            None => format!("@{} (line {})", r.handle, r.line),
        })
        .collect();
    if rows.len() > LISTED {
        names.push(format!("… {} more", rows.len() - LISTED));
    }
    names.join(", ")
}

/// Every row the figures leave out, counted, the first few named.
fn left_out(report: &Report) -> String {
    let a = &report.accounting;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{} candidates: {} measured, {} not in the outcomes, {} with an empty outcome, {} unscored",
        a.candidates,
        a.measured,
        a.no_outcome.len(),
        a.empty_outcome.len(),
        a.unscored.len()
    );
    for (what, rows) in [
        ("not in the outcomes", &a.no_outcome),
        ("empty outcome", &a.empty_outcome),
        ("unscored (a script failed)", &a.unscored),
        ("outcome rows with no candidate", &a.no_candidate),
    ] {
        if !rows.is_empty() {
            let _ = writeln!(out, "  {what} ({}): {}", rows.len(), listed(rows));
        }
    }
    if a.no_candidate.is_empty() {
        let _ = writeln!(out, "  every outcome row matched a candidate");
    }
    for (what, bad) in [
        ("bad outcome rows", &report.bad_outcomes),
        ("unusable candidate rows", &report.bad_candidates),
    ] {
        if !bad.is_empty() {
            let _ = writeln!(out, "  {what} ({}):", bad.len());
            for row in bad.iter().take(LISTED) {
                let _ = writeln!(out, "    line {}: {}", row.line, row.message);
            }
            if bad.len() > LISTED {
                let _ = writeln!(
                    out,
                    "    … {} more (`--format json` lists them all)",
                    bad.len() - LISTED
                );
            }
        }
    }
    out
}

/// The report as one JSON document.
pub fn json(report: &Report) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or_default()
}
