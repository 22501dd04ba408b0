//! Tables for people: the one style every table of scout's uses ([`new`], [`right`]), and
//! the ranking table.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use super::columns::{table_text, Align, Columns};
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

/// The ranking as a table, with the default columns.
pub fn ranking(ranking: &Ranking) -> Table {
    ranking_with(ranking, &Columns::table_default())
}

/// The ranking as a table, with `columns`.
pub fn ranking_with(ranking: &Ranking, columns: &Columns) -> Table {
    let mut table = new();
    table.set_header(columns.iter().map(|c| c.header));
    for ranked in &ranking.results {
        table.add_row(columns.iter().map(|column| {
            let shown = table_text(&(column.value)(ranked, &ranking.revision));
            match column.align {
                Align::Left => text(&shown),
                Align::Right => right(printable(&shown)),
            }
        }));
    }
    table
}
