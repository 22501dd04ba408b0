//! Reading one CSV file on every thread at once: [`chunked`](super::chunked) splits it into
//! byte ranges of whole records, and each range is tokenized (simd-csv) and built through
//! the file's one [`ColumnPlan`] into a [`RowSink`] of its own. Rows keep the line numbers
//! the sequential reader gives them: blank lines are skipped, line breaks inside quoted
//! cells counted.
//!
//! Why two tokenizers: the sequential reader ([`super::CsvInput`], the csv crate) streams
//! from any `Read` (stdin, a pipe) and tracks its position record by record, which
//! `scout inspect`, `--rejects` and files with `\r`-only line ends need. A split range is
//! already in memory whole, and simd-csv tokenizes such a buffer about twice as fast;
//! it sees the same records because every range starts and ends between records.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::columns::ColumnPlan;
use super::sniff::{self, Dialect};
use super::{chunked, open_csv, Format, InputError, ReadOptions, Rows, Source};
use crate::model::{Candidate, RowError};

/// Where a reader delivers rows, one at a time.
pub trait RowSink {
    /// Takes a usable row. The candidate is lent: the sink takes out of it (with
    /// `std::mem::take`) only what it keeps, and the reader reuses its buffers.
    fn take(&mut self, candidate: &mut Candidate);
    /// Takes a row that could not be used.
    fn reject(&mut self, error: RowError);
    /// The reader is done with a range and will not come back to this sink for a while:
    /// the moment to hand shared state what it buffered and free the buffers.
    fn pause(&mut self) {}
}

/// A candidate file opened for ranking on every thread (despite the name, also a Parquet
/// or Arrow IPC file: see [`open_file`]).
pub enum CsvFile {
    /// A file read as a stream: a CSV file whose lines end in `\r` alone, JSON, NDJSON.
    Sequential(Rows),
    /// A file split into byte ranges that parse independently.
    Split(SplitCsv),
    /// A Parquet file read by row groups, or an Arrow IPC file by slices of its batches.
    #[cfg(feature = "arrow")]
    Columnar(super::columnar::ColumnarFile),
}

/// Opens a candidate file of any format for ranking: CSV as [`open_csv_file`], NDJSON as
/// [`open_ndjson_file`], Parquet and Arrow IPC to be decoded on every thread, JSON arrays as
/// a stream.
pub fn open_file(path: &Path, format: Format, read: &ReadOptions) -> Result<CsvFile, InputError> {
    match format {
        Format::Csv => open_csv_file(path, read),
        Format::Ndjson => open_ndjson_file(path, read),
        #[cfg(feature = "arrow")]
        Format::Parquet | Format::ArrowIpc => {
            Ok(CsvFile::Columnar(super::columnar::ColumnarFile::open(path, format, read)?))
        }
        _ => {
            Ok(CsvFile::Sequential(super::read_with(&Source::File(path.to_owned()), format, read)?))
        }
    }
}

/// A CSV or NDJSON file split into ranges of whole records, with how to build its rows.
pub struct SplitCsv {
    path: std::path::PathBuf,
    name: String,
    records: Records,
    chunks: Vec<chunked::Chunk>,
}

/// What the records of a split file are.
enum Records {
    /// CSV records, built through the file's plan.
    Csv { plan: ColumnPlan, dialect: Dialect },
    /// One JSON object a line.
    Ndjson,
}

/// Opens a CSV file: sniffs the dialect (or takes it from `read`) as the sequential reader
/// does, compiles the header into a [`ColumnPlan`], and splits the records into ranges
/// (one range when the file is smaller than `read.min_split`).
pub fn open_csv_file(path: &Path, read: &ReadOptions) -> Result<CsvFile, InputError> {
    let name = path.display().to_string();
    let io = |source| InputError::Io { name: name.clone(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let head = open_csv(&name, Box::new(file), read)?;
    if head.dialect.cr_only {
        let rows = super::read_with(&Source::File(path.to_owned()), Format::Csv, read)?;
        return Ok(CsvFile::Sequential(rows));
    }
    let plan = ColumnPlan::with_inferred(
        &name,
        head.headers.iter().map(String::as_str),
        read.mapping.as_deref(),
        &read.inferred,
    )?;
    let bom = if head.dialect.bom { sniff::BOM.len() as u64 } else { 0 };
    let data_start = head.reader.position().byte() + bom;
    let header_lines = head.reader.position().line().saturating_sub(1);
    // Many small ranges keep every thread busy to the end; each is read into memory whole,
    // so none is larger than a few MiB.
    let size = std::fs::metadata(path).map_err(io)?.len();
    let pieces = (rayon::current_num_threads() * 16).max((size / (4 << 20)) as usize);
    let chunks =
        chunked::split(path, data_start, header_lines, pieces, read.min_split, true).map_err(io)?;
    Ok(CsvFile::Split(SplitCsv {
        path: path.to_owned(),
        name,
        records: Records::Csv { plan, dialect: head.dialect },
        chunks,
    }))
}

/// Opens an NDJSON file for ranking: split into ranges of whole lines (a JSON record never
/// holds a raw line end) when it is large enough and no mapping profile applies; else it
/// streams through the sequential reader.
pub fn open_ndjson_file(path: &Path, read: &ReadOptions) -> Result<CsvFile, InputError> {
    let name = path.display().to_string();
    let source = Source::File(path.to_owned());
    if read.mapping.is_some() {
        return super::read_with(&source, Format::Ndjson, read).map(CsvFile::Sequential);
    }
    let io = |source| InputError::Io { name: name.clone(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let pieces = (rayon::current_num_threads() * 16).max((size / (4 << 20)) as usize);
    let chunks = chunked::split(path, 0, 0, pieces, read.min_split, false).map_err(io)?;
    Ok(CsvFile::Split(SplitCsv { path: path.to_owned(), name, records: Records::Ndjson, chunks }))
}

impl SplitCsv {
    /// Reads every range on the rayon pool into sinks from `new_sink` (a thread reuses its
    /// sink across ranges), and merges them with `merge` as threads finish, so memory holds
    /// one sink a thread, not one a range. `progress` is called with each range's size when
    /// it is done.
    pub fn read<S: RowSink + Send>(
        &self,
        new_sink: impl Fn() -> S + Sync + Send,
        merge: impl Fn(S, S) -> S + Sync + Send,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<S, InputError> {
        // A thread also reuses the buffer it reads ranges into: a fresh one a range is fresh
        // pages the kernel must fault in and zero.
        self.chunks
            .par_iter()
            .try_fold(
                || (new_sink(), Vec::new()),
                |(mut sink, mut bytes), chunk| {
                    self.read_chunk(chunk, &mut bytes, &mut sink)?;
                    progress(chunk.end - chunk.start);
                    Ok((sink, bytes))
                },
            )
            .map(|read| read.map(|(sink, _)| sink))
            .try_reduce(&new_sink, |a, b| Ok(merge(a, b)))
    }

    fn read_chunk(
        &self,
        chunk: &chunked::Chunk,
        bytes: &mut Vec<u8>,
        sink: &mut impl RowSink,
    ) -> Result<(), InputError> {
        let io = |source| InputError::Io { name: self.name.clone(), source };
        bytes.clear();
        bytes.reserve((chunk.end - chunk.start) as usize);
        chunk.open(&self.path).and_then(|mut r| r.read_to_end(bytes)).map_err(io)?;
        let bytes = &bytes[..];
        match &self.records {
            Records::Csv { plan, dialect } => {
                read_range(bytes, chunk.first_line, dialect.delimiter, plan, sink);
            }
            Records::Ndjson => super::json::read_lines(bytes, chunk.first_line, sink),
        }
        sink.pause();
        Ok(())
    }
}

/// Parses one in-memory range of CSV records into `sink`, numbering rows by the line their
/// first byte is on.
fn read_range(
    bytes: &[u8],
    first_line: u64,
    delimiter: u8,
    plan: &ColumnPlan,
    sink: &mut impl RowSink,
) {
    // The range is in memory whole: read in place, not copied through a reader's buffer.
    // simd-csv 0.14's slice reader, told there is no header, parses its first record
    // twice, the second time from a state the first left behind (a quoted first cell with
    // escaped quotes keeps a quote). So the first record is read as the header, once, as
    // the streaming reader does (it hands the header back as the first record).
    let mut reader = simd_csv::TotalReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_bytes(bytes);
    let mut record = reader.byte_headers().clone();
    let mut first = true;
    let mut spare = Candidate::default();
    // Without quotes no record holds a line break, so only the bytes between records
    // need counting.
    let quoted = memchr::memchr(b'"', bytes).is_some();
    // Line breaks are counted up to `counted`; `line` is the line `counted` is on.
    let (mut counted, mut line) = (0usize, first_line);
    let mut end = 0usize;
    loop {
        if !std::mem::take(&mut first) && !reader.read_byte_record(&mut record) {
            break;
        }
        // (Only the first can be empty: a range without a record.)
        if record.is_empty() {
            break;
        }
        let gap = bytes[end..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let start = end + gap;
        // (The previous record's line end lies in its last two bytes or after them.)
        let from = if quoted { counted } else { counted.max(end.saturating_sub(2)) };
        line += bytes[from..start].iter().filter(|&&b| b == b'\n').count() as u64;
        counted = start;
        end = reader.position() as usize;
        if record.len() == 1 && record.get(0).is_some_and(|c| c.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        // Validate once: fields end at an ASCII delimiter, so each field of valid UTF-8
        // is valid UTF-8 too.
        let Ok(text) = std::str::from_utf8(record.as_slice()) else {
            sink.reject(RowError {
                line,
                handle: None,
                column: None,
                message: "the row is not valid UTF-8".to_owned(),
                record: None,
            });
            continue;
        };
        let base = record.as_slice().as_ptr() as usize;
        let cells = record.iter().map(|cell| {
            let at = cell.as_ptr() as usize - base;
            sniff::strip_cr(text.get(at..at + cell.len()).unwrap_or_default())
        });
        match plan.fill(&mut spare, line, record.len(), cells) {
            Ok(()) => sink.take(&mut spare),
            Err(error) => sink.reject(error),
        }
    }
}
