//! `scout diff`'s report as text for people: the summary, the tier migration matrix, who
//! entered or left the top N, the biggest rank moves and the filter verdicts that flipped.

use std::fmt::Write as _;

use comfy_table::{Cell, Table};

use super::table::{self, right};
use crate::authoring::diff::{Diff, DiffReport, Flip, Migration, Side};
use crate::changes::{Move, Standing};
use crate::engine::Filter;
use crate::text::thousands;

/// Flipped verdicts listed per filter.
const FLIPS_SHOWN: usize = 20;

/// The report as text.
pub fn render(report: &DiffReport) -> String {
    let d = &report.diff;
    let mut out = summary(report);
    out.push_str(&migration(&d.migration, d.candidates));
    out.push_str(&top(d));
    out.push_str(&biggest_moves(&d.moves));
    out.push_str(&score_changes(d));
    out.push_str(&flips(&d.flips));
    crate::text::printable_lines(&out).into_owned()
}

/// What was compared with what, and the counts on each side.
fn summary(report: &DiffReport) -> String {
    let d = &report.diff;
    let side = |s: &Side| format!("rules `{}` ({}) · tiers `{}`", s.rules, s.revision, s.tiers);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "diff for `{}` on {} candidates",
        report.brand,
        thousands(d.candidates as u64)
    );
    let _ = writeln!(out, "  before: {}", side(&report.before));
    let _ = writeln!(out, "  after:  {}", side(&report.after));
    let _ = writeln!(
        out,
        "  ranked {} → {}; script errors {} → {}; unusable rows {}",
        d.ranked_before, d.ranked_after, d.errors_before, d.errors_after, report.invalid
    );
    out
}

/// The tier migration matrix: old tiers down, new tiers across.
fn migration(m: &Migration, candidates: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ntier migration ({} of {} changed tier; rows: before, columns: after)",
        m.changed, candidates
    );
    let mut table = table::new();
    let mut header = vec![Cell::new("before \\ after")];
    header.extend(m.after.iter().map(right));
    table.set_header(header);
    for (label, counts) in m.before.iter().zip(&m.counts) {
        let mut row = vec![Cell::new(label)];
        row.extend(
            counts.iter().map(|&n| right(if n == 0 { "·".to_owned() } else { n.to_string() })),
        );
        table.add_row(row);
    }
    let _ = writeln!(out, "{table}");
    out
}

/// Who entered and who left the top N.
fn top(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ntop {}: {} entered, {} left",
        d.top,
        d.entered_top.len(),
        d.left_top.len()
    );
    let moves: Vec<(&str, &Move)> = d
        .entered_top
        .iter()
        .map(|m| ("entered", m))
        .chain(d.left_top.iter().map(|m| ("left", m)))
        .collect();
    if !moves.is_empty() {
        let _ = writeln!(out, "{}", moves_table(&moves));
    }
    out
}

/// The candidates whose rank changed most, with an arrow and the places.
fn biggest_moves(moves: &[Move]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nbiggest rank moves ({})", moves.len());
    if !moves.is_empty() {
        let arrows: Vec<String> = moves
            .iter()
            .map(|m| {
                let up = m.places_up().unwrap_or(0);
                if up > 0 {
                    format!("▲ {up}")
                } else {
                    format!("▼ {}", -up)
                }
            })
            .collect();
        let rows: Vec<(&str, &Move)> = arrows.iter().map(String::as_str).zip(moves).collect();
        let _ = writeln!(out, "{}", moves_table(&rows));
    }
    out
}

/// The candidates whose score changed most, whether or not their rank moved.
fn score_changes(d: &Diff) -> String {
    let mut out = String::new();
    let shown = match d.score_changes.len() {
        n if n < d.scores_changed => format!("; the {n} biggest"),
        _ => String::new(),
    };
    let _ = writeln!(out, "\nscore changes ({}{shown})", d.scores_changed);
    if !d.score_changes.is_empty() {
        let deltas: Vec<String> = d
            .score_changes
            .iter()
            .map(|m| format!("{:+.2}", crate::authoring::diff::score_change(m).unwrap_or(0.0)))
            .collect();
        let rows: Vec<(&str, &Move)> =
            deltas.iter().map(String::as_str).zip(&d.score_changes).collect();
        let _ = writeln!(out, "{}", moves_table(&rows));
    }
    out
}

/// One row per move: what happened, the handle, both standings and the tier.
fn moves_table(moves: &[(&str, &Move)]) -> Table {
    let mut table = table::new();
    table.set_header(["", "handle", "before", "after", "tier"]);
    for (what, m) in moves {
        let tier = match (&m.before.tier, &m.after.tier) {
            (a, b) if a == b => a.clone().unwrap_or_default(),
            (a, b) => {
                format!("{} → {}", a.as_deref().unwrap_or("error"), b.as_deref().unwrap_or("error"))
            }
        };
        table.add_row(vec![
            Cell::new(*what),
            table::text(&format!("@{}", m.handle)),
            Cell::new(standing_text(&m.before)),
            Cell::new(standing_text(&m.after)),
            table::text(&tier),
        ]);
    }
    table
}

/// `#3 71.25`, `filtered (64.00)` or `error`.
fn standing_text(s: &Standing) -> String {
    let score = s.score.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"));
    match s.rank {
        Some(rank) => format!("#{rank} {score}"),
        None if s.tier.is_none() => "error".to_owned(),
        None => format!("filtered ({score})"),
    }
}

/// The flipped verdicts, grouped by filter, at most [`FLIPS_SHOWN`] of each.
fn flips(flips: &[Flip]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nfilter verdicts that flipped ({})", flips.len());
    let mut order: Vec<Filter> = Vec::new();
    for flip in flips {
        if !order.contains(&flip.filter) {
            order.push(flip.filter.clone());
        }
    }
    for filter in order {
        let group: Vec<&Flip> = flips.iter().filter(|f| f.filter == filter).collect();
        out.push_str(&flip_group(&filter, &group));
    }
    out
}

/// One filter's flipped verdicts.
fn flip_group(filter: &Filter, group: &[&Flip]) -> String {
    let mut out = String::new();
    let now_fail = group.iter().filter(|f| !f.after.passed).count();
    let _ = writeln!(
        out,
        "  {}: {} now fail, {} now pass",
        filter_name(filter),
        now_fail,
        group.len() - now_fail
    );
    let verdict = |passed: bool| if passed { "pass" } else { "FAIL" };
    for flip in group.iter().take(FLIPS_SHOWN) {
        let _ = writeln!(
            out,
            "    @{} (line {}): {} → {}: {} → {}",
            crate::text::printable(&flip.handle),
            flip.line,
            verdict(flip.before.passed),
            verdict(flip.after.passed),
            flip.before.reason,
            flip.after.reason
        );
    }
    if group.len() > FLIPS_SHOWN {
        let _ = writeln!(
            out,
            "    … and {} more; `--format json` lists them all",
            group.len() - FLIPS_SHOWN
        );
    }
    out
}

/// The filter's name as the rule files spell it.
fn filter_name(filter: &Filter) -> String {
    filter.to_string()
}
