//! The CSV reader: a header row, then one candidate per record. The delimiter is sniffed
//! (or given), a UTF-8 byte-order mark is skipped, CRLF and quoted multi-line cells are
//! the csv crate's business.

use std::io::Read;

use super::columns::ColumnPlan;
use super::sniff::{self, Dialect};
use super::{InputError, ReadOptions, Rows};
use crate::model::RowError;

/// An opened CSV input: its dialect, its header row, and a reader positioned at the first
/// record.
pub struct CsvInput {
    /// The csv reader, past the header row.
    pub reader: ::csv::Reader<Box<dyn Read + Send>>,
    /// The delimiter used and whether a BOM was skipped.
    pub dialect: Dialect,
    /// The header row as written (line breaks inside quotes kept).
    pub headers: Vec<String>,
    /// Whether an I/O error ended the input.
    done: bool,
}

impl CsvInput {
    /// Reads the next record into `record`, skipping blank lines: its line, or a row error
    /// for a record that cannot be read; `None` at the end, or after an I/O error.
    pub fn next_record(
        &mut self,
        record: &mut ::csv::StringRecord,
    ) -> Option<Result<u64, RowError>> {
        loop {
            if self.done {
                return None;
            }
            match self.reader.read_record(record) {
                Ok(false) => return None,
                Ok(true) => {
                    if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
                        continue; // a blank line
                    }
                    return Some(Ok(line_of(record, self.reader.position().line())));
                }
                Err(err) => {
                    let line = err.position().map_or(0, |p| p.line());
                    let message = match err.kind() {
                        ::csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                        _ => format!("unreadable row: {err}"),
                    };
                    // An I/O error ends the stream; anything else costs one record.
                    self.done = matches!(err.kind(), ::csv::ErrorKind::Io(_));
                    return Some(Err(RowError {
                        line,
                        handle: None,
                        column: None,
                        message,
                        record: None,
                    }));
                }
            }
        }
    }
}

/// Opens a CSV stream: sniffs the dialect from its first bytes (unless `options` or the
/// profile set a delimiter), skips a BOM and reads the header row.
pub fn open_csv(
    name: &str,
    mut input: Box<dyn Read + Send>,
    options: &ReadOptions,
) -> Result<CsvInput, InputError> {
    let io = |source| InputError::Io { name: name.to_owned(), source };
    let mut head = Vec::with_capacity(sniff::HEAD);
    (&mut input).take(sniff::HEAD as u64).read_to_end(&mut head).map_err(io)?;
    let complete = head.len() < sniff::HEAD;
    let mut dialect = sniff::sniff(&head, complete);
    if let Some(delimiter) =
        options.delimiter.or(options.mapping.as_ref().and_then(|m| m.delimiter))
    {
        dialect.delimiter = delimiter;
    }
    let skip = if dialect.bom { sniff::BOM.len() } else { 0 };
    head.drain(..skip);
    let data: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(input));
    let mut reader = dialect.reader_builder().from_reader(data);
    let headers = reader
        .headers()
        .map_err(|err| InputError::Io {
            name: name.to_owned(),
            source: std::io::Error::other(err),
        })?
        .iter()
        .map(|h| sniff::strip_cr(h).to_owned())
        .collect();
    Ok(CsvInput { reader, dialect, headers, done: false })
}

/// The line `record` starts on, given the reader's line after it.
fn line_of(record: &::csv::StringRecord, end: u64) -> u64 {
    let start = record.position().map_or(0, |p| p.line());
    let newlines = record.iter().map(|cell| cell.matches('\n').count()).sum();
    sniff::record_line(start, end, newlines)
}

pub(super) fn rows(
    name: &str,
    input: Box<dyn Read + Send>,
    options: &ReadOptions,
) -> Result<Rows, InputError> {
    let mut input = open_csv(name, input, options)?;
    let plan = ColumnPlan::from_headers(
        name,
        input.headers.iter().map(String::as_str),
        options.mapping.as_deref(),
    )?;
    let mut record = ::csv::StringRecord::new();
    let iter = std::iter::from_fn(move || {
        Some(match input.next_record(&mut record)? {
            Ok(line) => plan.build(line, record.len(), record.iter().map(sniff::strip_cr)),
            Err(error) => Err(error),
        })
    });
    Ok(Box::new(iter))
}
