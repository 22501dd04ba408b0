//! Parquet and Arrow IPC input, through arrow-rs: rows built from Arrow
//! [`RecordBatch`]es by the same [`ColumnPlan`] as CSV, so aliases, mapping profiles, bad
//! cells and row accounting behave as they do for a CSV file with the same columns.
//!
//! - **Columns.** The schema's field names are the header row. Only the columns the plan
//!   reads are decoded: every column but those a profile's `ignore` drops (extra columns
//!   stay, for scripts and keyword filters).
//! - **Cells.** Integer and double columns feed numeric fields as numbers, without being
//!   written out and parsed again, when the plan maps one column to the field as it is;
//!   everywhere else they are written as text first. Text columns (`Utf8`, `LargeUtf8`,
//!   `Utf8View`, dictionaries) are read as CSV cells are, so `12.5K` or `N/A` mean the
//!   same. 32-bit floats, decimals, booleans, dates and times are cast to text (`0.1`,
//!   `true`, `2024-05-01`); lists of text are joined with `;` (a niche list); any other
//!   type (structs, maps, binary) is written as arrow displays it. A null is an empty cell.
//! - **Rows.** A columnar row has no line: its `line` is its 1-based row number in the
//!   file (the first data row is 1, where a CSV file's is line 2).
//!
//! [`ArrowPlan`] and [`batch_rows`] are the pure part, usable on batches already in
//! memory; [`ColumnarFile`] opens a file, decodes it on every thread (Parquet row groups)
//! and streams it for the readers that take rows one by one.

mod file;

pub use self::file::ColumnarFile;

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, Float64Array, GenericListArray, OffsetSizeTrait, RecordBatch, StringArray,
};
use arrow_schema::{ArrowError, DataType, Schema};

use super::columns::{Column, ColumnPlan};
use super::program::Role;
use super::{Format, InputError, ReadOptions, RowBuilder, RowSink};
use crate::model::{Candidate, Kind, RowError};

/// How a schema's columns become candidates: the [`ColumnPlan`] compiled from its field
/// names, and the columns that plan reads.
#[derive(Clone, Debug)]
pub struct ArrowPlan {
    name: String,
    format: Format,
    plan: ColumnPlan,
    projection: Vec<usize>,
}

impl ArrowPlan {
    /// Compiles `schema`'s field names, as a CSV header row is compiled, with the profile
    /// and inferred columns of `options`. `name` and `format` are for messages.
    pub fn compile(
        name: &str,
        format: Format,
        schema: &Schema,
        options: &ReadOptions,
    ) -> Result<Self, InputError> {
        let headers = schema.fields().iter().map(|field| field.name().as_str());
        let plan = ColumnPlan::with_inferred(
            name,
            headers,
            options.mapping.as_deref(),
            &options.inferred,
        )?;
        let projection = (plan.program.roles.iter().enumerate())
            .filter(|(_, role)| **role != Role::Ignored)
            .map(|(c, _)| c)
            .collect();
        Ok(Self { name: name.to_owned(), format, plan, projection })
    }

    /// The schema's columns the plan reads, in schema order: what a reader decodes.
    pub fn projection(&self) -> &[usize] {
        &self.projection
    }

    /// The column plan.
    pub fn plan(&self) -> &ColumnPlan {
        &self.plan
    }

    fn width(&self) -> usize {
        self.plan.columns.len()
    }

    fn error(&self, message: impl ToString) -> InputError {
        InputError::Columnar {
            name: self.name.clone(),
            format: self.format,
            message: message.to_string(),
        }
    }
}

/// One column of a batch as rows read it.
enum Cells<'a> {
    /// Not decoded: nothing reads it.
    Skipped,
    /// Text, as CSV cells.
    Text(&'a StringArray),
    /// Numbers.
    Number(&'a Float64Array),
}

/// Builds the rows of `batch` into `sink`, numbering them from `first_row` (1-based: the
/// first row of a file is 1). The batch has either every column of the schema `plan` was
/// compiled from, or only those of [`ArrowPlan::projection`], in order. A bad cell makes
/// its row a [`RowError`] and the batch goes on; only a batch of another shape, or a
/// column arrow cannot turn into text, is an [`InputError`].
pub fn batch_rows(
    plan: &ArrowPlan,
    batch: &RecordBatch,
    first_row: u64,
    sink: &mut impl RowSink,
) -> Result<(), InputError> {
    let columns = normalized(plan, batch)?;
    let cells: Vec<Cells<'_>> = columns
        .iter()
        .map(|column| match column {
            None => Cells::Skipped,
            Some(array) => match array.data_type() {
                DataType::Float64 => Cells::Number(array.as_primitive()),
                _ => Cells::Text(array.as_string()),
            },
        })
        .collect();
    let mut candidate = Candidate::default();
    for row in 0..batch.num_rows() {
        let line = first_row + row as u64;
        let filled = if plan.plan.is_trivial() {
            fill_plain(plan, &cells, row, line, &mut candidate)
        } else {
            fill_mapped(plan, &cells, row, line, &mut candidate)
        };
        match filled {
            Ok(()) => sink.take(&mut candidate),
            Err(error) => sink.reject(error),
        }
    }
    Ok(())
}

/// The batch's columns in schema order, each as text or doubles; `None` where the plan
/// does not read it.
fn normalized(plan: &ArrowPlan, batch: &RecordBatch) -> Result<Vec<Option<ArrayRef>>, InputError> {
    let width = plan.width();
    let projected = batch.num_columns() == plan.projection.len();
    if batch.num_columns() != width && !projected {
        return Err(plan.error(format!(
            "a batch has {} columns, but the schema has {width}",
            batch.num_columns()
        )));
    }
    let mut columns: Vec<Option<ArrayRef>> = vec![None; width];
    for (j, &c) in plan.projection.iter().enumerate() {
        let array = batch.column(if projected { j } else { c });
        let name = batch.schema().field(if projected { j } else { c }).name().clone();
        let readable = normalize(array).map_err(|err| {
            plan.error(format!("column `{name}` ({}) cannot be read: {err}", array.data_type()))
        })?;
        columns[c] = Some(readable);
    }
    Ok(columns)
}

/// A column as doubles (integers and doubles) or as text (everything else).
fn normalize(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    use arrow_cast::{can_cast_types, cast};
    match array.data_type() {
        DataType::Utf8 | DataType::Float64 => Ok(Arc::clone(array)),
        t if t.is_integer() => cast(array, &DataType::Float64),
        DataType::List(_) => joined(array.as_list::<i32>()),
        DataType::LargeList(_) => joined(array.as_list::<i64>()),
        t if can_cast_types(t, &DataType::Utf8) => cast(array, &DataType::Utf8),
        _ => displayed(array.as_ref()),
    }
}

/// A list column as text, its items joined with `;`; items that are not text are
/// written as arrow displays them.
fn joined<O: OffsetSizeTrait>(list: &GenericListArray<O>) -> Result<ArrayRef, ArrowError> {
    let items = match normalize(list.values())? {
        items if items.data_type() == &DataType::Utf8 => items,
        items => displayed(items.as_ref())?,
    };
    let items = items.as_string::<i32>();
    let offsets = list.value_offsets();
    text_column(list, |row, text| {
        for item in offsets[row].as_usize()..offsets[row + 1].as_usize() {
            if items.is_valid(item) {
                if !text.is_empty() {
                    text.push(';');
                }
                text.push_str(items.value(item));
            }
        }
        Ok(())
    })
}

/// Any column as text, as arrow displays its values.
fn displayed(array: &dyn Array) -> Result<ArrayRef, ArrowError> {
    let options = arrow_cast::display::FormatOptions::default();
    let formatter = arrow_cast::display::ArrayFormatter::try_new(array, &options)?;
    text_column(array, |row, text| {
        write!(text, "{}", formatter.value(row))
            .map_err(|_| ArrowError::ComputeError("a value cannot be written as text".to_owned()))
    })
}

/// A text column as long as `array`: null where `array` is, else what `write` puts in the
/// (cleared) buffer for that row.
fn text_column(
    array: &dyn Array,
    mut write: impl FnMut(usize, &mut String) -> Result<(), ArrowError>,
) -> Result<ArrayRef, ArrowError> {
    let mut out = arrow_array::builder::StringBuilder::new();
    let mut text = String::new();
    for row in 0..array.len() {
        if array.is_null(row) {
            out.append_null();
            continue;
        }
        text.clear();
        write(row, &mut text)?;
        out.append_value(&text);
    }
    Ok(Arc::new(out.finish()))
}

/// One cell as text: a null or an unread column is empty; a number is written out in
/// `scratch`.
fn text<'x>(cells: &'x Cells<'_>, row: usize, scratch: &'x mut String) -> &'x str {
    match cells {
        Cells::Text(array) if array.is_valid(row) => array.value(row),
        Cells::Number(array) if array.is_valid(row) => {
            scratch.clear();
            let _ = write!(scratch, "{}", array.value(row));
            scratch
        }
        _ => "",
    }
}

/// A row of a plan that maps scout's own column names one to one: numbers go straight to
/// numeric fields.
fn fill_plain(
    plan: &ArrowPlan,
    cells: &[Cells<'_>],
    row: usize,
    line: u64,
    candidate: &mut Candidate,
) -> Result<(), RowError> {
    let mut builder = RowBuilder::new(candidate, line);
    let mut scratch = String::new();
    for (column, cells) in plan.plan.columns.iter().zip(cells) {
        match (column, cells) {
            (_, Cells::Skipped) => {}
            (Column::Canonical(field), Cells::Number(array))
                if matches!(field.kind(), Kind::Count | Kind::Float | Kind::Fraction) =>
            {
                if array.is_valid(row) {
                    builder.set_number(*field, Some(array.value(row)));
                }
            }
            (Column::Canonical(field), cells) => {
                builder.set(*field, text(cells, row, &mut scratch))
            }
            (Column::Extra(name), cells) => {
                builder.set_extra(Arc::clone(name), text(cells, row, &mut scratch).to_owned())
            }
        }
    }
    builder.finish()
}

/// A row through the plan's whole program (aliases, duplicates, a profile), from its
/// cells as text, exactly as a CSV record with the same cells.
fn fill_mapped(
    plan: &ArrowPlan,
    cells: &[Cells<'_>],
    row: usize,
    line: u64,
    candidate: &mut Candidate,
) -> Result<(), RowError> {
    let mut scratch: Vec<String> = vec![String::new(); cells.len()];
    let texts: Vec<&str> =
        cells.iter().zip(scratch.iter_mut()).map(|(cells, s)| text(cells, row, s)).collect();
    plan.plan.program.fill(candidate, line, &texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;
    use arrow_schema::Field as ArrowField;

    #[derive(Default)]
    struct Rows(Vec<Result<Candidate, RowError>>);

    impl RowSink for Rows {
        fn take(&mut self, candidate: &mut Candidate) {
            self.0.push(Ok(std::mem::take(candidate)));
        }
        fn reject(&mut self, error: RowError) {
            self.0.push(Err(error));
        }
    }

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn rows(batch: &RecordBatch, first_row: u64) -> Vec<Result<Candidate, RowError>> {
        let plan =
            ArrowPlan::compile("t", Format::Parquet, &batch.schema(), &ReadOptions::default())
                .unwrap();
        let mut sink = Rows::default();
        batch_rows(&plan, batch, first_row, &mut sink).unwrap();
        sink.0
    }

    #[test]
    fn numbers_text_numbers_nulls_and_lists_read_as_csv_cells_would() {
        let b = batch(vec![
            ("handle", Arc::new(StringArray::from(vec![Some("@a"), Some("b")])) as ArrayRef),
            ("followers", Arc::new(Int64Array::from(vec![Some(1500), None]))),
            ("avg_likes", Arc::new(StringArray::from(vec![Some("12.5K"), Some("N/A")]))),
        ]);
        let rows = rows(&b, 1);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(
            (first.handle.as_str(), first.followers, first.avg_likes),
            ("a", 1500, Some(12_500.0))
        );
        let second = rows[1].as_ref().unwrap_err();
        assert_eq!((second.line, second.message.as_str()), (2, "missing follower count"));
    }

    #[test]
    fn a_list_of_text_is_a_niche_list() {
        let mut labels =
            arrow_array::builder::ListBuilder::new(arrow_array::builder::StringBuilder::new());
        labels.append_value([Some("beauty"), Some("skincare")]);
        let b = batch(vec![
            ("handle", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            ("followers", Arc::new(Int64Array::from(vec![10]))),
            ("niches", Arc::new(labels.finish())),
        ]);
        let rows = rows(&b, 7);
        let row = rows[0].as_ref().unwrap();
        assert_eq!(
            (row.line, row.niches.clone()),
            (7, vec!["beauty".to_owned(), "skincare".to_owned()])
        );
    }

    #[test]
    fn a_batch_of_another_shape_is_refused() {
        let b = batch(vec![
            ("handle", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            ("followers", Arc::new(Int64Array::from(vec![10]))),
        ]);
        let schema = Schema::new(vec![
            ArrowField::new("handle", DataType::Utf8, true),
            ArrowField::new("followers", DataType::Int64, true),
            ArrowField::new("bio", DataType::Utf8, true),
        ]);
        let plan =
            ArrowPlan::compile("t", Format::Parquet, &schema, &ReadOptions::default()).unwrap();
        let err = batch_rows(&plan, &b, 1, &mut Rows::default()).unwrap_err();
        assert!(err.to_string().contains("a batch has 2 columns, but the schema has 3"), "{err}");
    }
}
