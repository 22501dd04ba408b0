//! The column plan: which source column feeds which canonical field, decided once from the
//! header row and then applied to every record.

use std::sync::Arc;

use super::{Field, InputError, RowBuilder};
use crate::model::{Candidate, RowError};

/// What one source column feeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// A canonical field.
    Canonical(Field),
    /// An extra column, kept by its header for scripts.
    Extra(Arc<str>),
}

/// The mapping from source columns to fields, built from a header row.
#[derive(Clone, Debug)]
pub struct ColumnPlan {
    /// One entry per source column, in source order.
    pub columns: Vec<Column>,
}

impl ColumnPlan {
    /// Maps a header row: canonical names (any case, spaces trimmed, BOM ignored) feed their
    /// field; the first column of a name wins; everything else is kept as an extra column.
    pub fn from_headers<'h>(
        name: &str,
        headers: impl IntoIterator<Item = &'h str>,
    ) -> Result<Self, InputError> {
        let headers: Vec<&str> = headers.into_iter().collect();
        let mut seen = Vec::new();
        let columns: Vec<Column> = headers
            .iter()
            .map(|header| match Field::from_header(header) {
                Some(field) if !seen.contains(&field) => {
                    seen.push(field);
                    Column::Canonical(field)
                }
                _ => Column::Extra(Arc::from(header.trim().trim_start_matches('\u{feff}'))),
            })
            .collect();
        for required in [Field::Handle, Field::Followers] {
            if !seen.contains(&required) {
                return Err(InputError::MissingColumn {
                    name: name.to_owned(),
                    column: required.name(),
                    found: headers.iter().map(|h| (*h).to_owned()).collect(),
                });
            }
        }
        Ok(Self { columns })
    }

    /// Builds the candidate at `line` from one record's `width` cells.
    pub fn build<'c>(
        &self,
        line: u64,
        width: usize,
        cells: impl Iterator<Item = &'c str>,
    ) -> Result<Candidate, RowError> {
        let mut candidate = Candidate::default();
        self.fill(&mut candidate, line, width, cells)?;
        Ok(candidate)
    }

    /// Like [`ColumnPlan::build`], filling `candidate` in place and reusing its buffers.
    pub fn fill<'c>(
        &self,
        candidate: &mut Candidate,
        line: u64,
        width: usize,
        cells: impl Iterator<Item = &'c str>,
    ) -> Result<(), RowError> {
        let mut row = RowBuilder::new(candidate, line);
        if width != self.columns.len() {
            row.fail_row(
                None,
                format!("the row has {width} cells but the header has {}", self.columns.len()),
            );
        }
        for (column, cell) in self.columns.iter().zip(cells) {
            match column {
                Column::Canonical(field) => row.set(*field, cell),
                Column::Extra(name) => row.set_extra(Arc::clone(name), cell.to_owned()),
            }
        }
        row.finish()
    }
}
