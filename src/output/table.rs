//! Tables for people: the one style every table of scout's uses ([`new`], [`right`]), and
//! the ranking table.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::rank::Ranking;
use crate::text::printable;

/// An empty table in scout's style: condensed UTF-8 borders, never wrapped.
pub fn new() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    table
}

/// A cell of data (a handle, a platform, a label from a file), made [`printable`]: control
/// characters in it are shown as escapes, never sent to the terminal.
pub fn text(text: &str) -> Cell {
    Cell::new(printable(text))
}

/// A right-aligned cell, for numbers.
pub fn right(text: impl ToString) -> Cell {
    Cell::new(text.to_string()).set_alignment(CellAlignment::Right)
}

/// A figure with `digits` decimals; `–` when missing or not finite.
fn fmt_opt(value: Option<f64>, digits: usize) -> String {
    value.filter(|v| v.is_finite()).map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

/// A fraction as a percentage; `–` when missing or not finite.
fn fmt_pct(value: Option<f64>) -> String {
    value.filter(|v| v.is_finite()).map_or_else(|| "–".to_owned(), |v| format!("{:.2}%", v * 100.0))
}

/// The ranking as a table.
pub fn ranking(ranking: &Ranking) -> Table {
    let mut table = new();
    table.set_header([
        "#",
        "handle",
        "platform",
        "tier",
        "followers",
        "ER",
        "on",
        "engage",
        "niche",
        "cost",
        "auth",
        "score",
    ]);
    for ranked in &ranking.results {
        let c = &ranked.candidate;
        let e = &ranked.evaluation;
        table.add_row(vec![
            right(ranked.rank),
            text(&format!("@{}", c.handle)),
            text(c.platform.as_deref().unwrap_or("–")),
            text(&e.tier.name),
            right(crate::text::thousands(c.followers)),
            right(fmt_pct(e.metrics.engagement_rate)),
            Cell::new(e.metrics.basis.name()),
            right(fmt_opt(e.components.engagement, 2)),
            right(format!("{:.2}", e.components.niche_fit)),
            right(fmt_opt(e.components.cost_efficiency, 2)),
            right(fmt_opt(e.components.authenticity, 2)),
            right(format!("{:.2}", ranked.score())),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::{fmt_opt, fmt_pct};

    #[test]
    fn figures_that_are_not_finite_show_as_missing() {
        assert_eq!(fmt_pct(Some(f64::INFINITY)), "–");
        assert_eq!(fmt_opt(Some(f64::NAN), 2), "–");
        assert_eq!(fmt_pct(Some(0.042)), "4.20%");
    }
}
