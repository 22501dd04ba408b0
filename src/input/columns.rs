//! The column plan: which source column feeds which canonical field, decided once from the
//! header row and then applied to every record.

use std::sync::Arc;

use super::infer::Inferred;
use super::program::{Program, Role};
use super::{InputError, RowBuilder};
use crate::model::Field;
use crate::model::{Candidate, RowError};
use crate::rules::mapping::{Mapping, Target};

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
    /// The compiled program: aliases, duplicates, profile rules, defaults, derivations.
    pub program: Arc<Program>,
    /// Whether `columns` alone builds rows (scout's own headers, nothing to transform).
    trivial: bool,
}

impl ColumnPlan {
    /// Maps a header row: a profile's rules first, then canonical names and built-in aliases
    /// (any case, spaces, line breaks and BOM ignored); duplicated numeric columns are read
    /// per row, preferring the raw number; everything else is kept as an extra column.
    pub fn from_headers<'h>(
        name: &str,
        headers: impl IntoIterator<Item = &'h str>,
        mapping: Option<&Mapping>,
    ) -> Result<Self, InputError> {
        Self::with_inferred(name, headers, mapping, &[])
    }

    /// Like [`ColumnPlan::from_headers`], with the columns [`infer`](super::infer) found for
    /// required fields no header names.
    pub fn with_inferred<'h>(
        name: &str,
        headers: impl IntoIterator<Item = &'h str>,
        mapping: Option<&Mapping>,
        inferred: &[Inferred],
    ) -> Result<Self, InputError> {
        let headers: Vec<String> = headers.into_iter().map(str::to_owned).collect();
        let mut program = Program::compile(name, &headers, mapping)?;
        for found in inferred {
            program.adopt(found.field, &found.columns);
        }
        if let Some(field) = program.missing_required() {
            return Err(InputError::MissingColumn {
                name: name.to_owned(),
                column: field.name(),
                found: headers,
            });
        }
        let columns = program
            .roles
            .iter()
            .zip(&program.headers)
            .map(|(role, header)| match role {
                Role::Feeds { target: Target::Field(field), .. } => Column::Canonical(*field),
                _ => Column::Extra(Arc::clone(header)),
            })
            .collect();
        Ok(Self { columns, trivial: program.is_trivial(), program: Arc::new(program) })
    }

    /// Whether the columns alone build rows: scout's own headers, nothing to transform
    /// (then a reader may feed numbers to numeric fields without writing them as text).
    pub fn is_trivial(&self) -> bool {
        self.trivial
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
        if !self.trivial {
            let cells: Vec<&str> = cells.collect();
            return self.program.fill(candidate, line, &cells);
        }
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
