//! Tables for people: the one style every table of scout's uses ([`new`], [`right`]), and
//! the ranking table.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::rank::Ranking;

/// An empty table in scout's style: condensed UTF-8 borders, never wrapped.
pub fn new() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    table
}

/// A right-aligned cell, for numbers.
pub fn right(text: impl ToString) -> Cell {
    Cell::new(text.to_string()).set_alignment(CellAlignment::Right)
}

fn fmt_opt(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

fn fmt_pct(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{:.2}%", v * 100.0))
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
            Cell::new(format!("@{}", c.handle)),
            Cell::new(c.platform.as_deref().unwrap_or("–")),
            Cell::new(&e.tier.name),
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
