//! The CSV reader: a header row, then one candidate per record. The delimiter is sniffed
//! (or given), a UTF-8 byte-order mark is skipped, CRLF and quoted multi-line cells are
//! the csv crate's business.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
    /// How the data stream ends, to tell a last record with no line end.
    tail: Arc<Tail>,
}

/// What a [`Tracked`] reader has seen of the data stream: how many bytes, and whether
/// the last one was a line end. Only the thread reading the stream writes it.
#[derive(Debug, Default)]
struct Tail {
    total: AtomicU64,
    /// 0 until the first byte; then 1 when the last byte read was `\n`, else 2.
    last: AtomicU64,
}

/// A reader that keeps a [`Tail`] of the bytes passing through it.
struct Tracked<R> {
    inner: R,
    tail: Arc<Tail>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        if let Some(&byte) = buffer[..n].last() {
            self.tail.total.fetch_add(n as u64, Ordering::Relaxed);
            self.tail.last.store(if byte == b'\n' { 1 } else { 2 }, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl CsvInput {
    /// Whether the record just read ended the stream without a line end (the reader is at
    /// the last byte the stream gave, and that byte is not `\n`).
    fn unterminated(&self) -> bool {
        let total = self.tail.total.load(Ordering::Relaxed);
        self.reader.position().byte() == total && self.tail.last.load(Ordering::Relaxed) == 2
    }

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
                    // A last record with no line end leaves the reader on its own line.
                    let end = self.reader.position().line() + u64::from(self.unterminated());
                    return Some(Ok(line_of(record, end)));
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
    let tail = Arc::new(Tail::default());
    let data: Box<dyn Read + Send> = Box::new(Tracked {
        inner: std::io::Cursor::new(head).chain(input),
        tail: Arc::clone(&tail),
    });
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
    Ok(CsvInput { reader, dialect, headers, done: false, tail })
}

/// The line `record` starts on, given the line after it.
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
    let plan = ColumnPlan::with_inferred(
        name,
        input.headers.iter().map(String::as_str),
        options.mapping.as_deref(),
        &options.inferred,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<u64> {
        let mut input =
            open_csv("t", Box::new(std::io::Cursor::new(text.to_owned())), &Default::default())
                .unwrap();
        let mut record = ::csv::StringRecord::new();
        std::iter::from_fn(|| input.next_record(&mut record)).map(Result::unwrap).collect()
    }

    #[test]
    fn a_last_record_without_a_line_end_keeps_its_line() {
        assert_eq!(lines("h\nrow\n\nrow"), [2, 4]);
        assert_eq!(lines("h\nrow\n\nrow\n"), [2, 4]);
        assert_eq!(lines("h\n\"a\nb\"\n\n\nrow"), [2, 6]);
        assert_eq!(lines("h\r\nrow\r\n\r\nrow"), [2, 4]);
    }
}
