//! Splitting a CSV file into byte ranges that parse independently, so several threads can
//! read one file at once.
//!
//! A boundary must fall right after a record's line end, never inside a quoted field. A
//! first pass counts quotes and line ends per segment (in parallel); the quote parity at a
//! segment start then says whether it lies inside quotes, and the boundary moves forward to
//! the first line end outside quotes. Line-end counts give each range its first line
//! number, so rows keep their real line numbers.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use rayon::prelude::*;

/// A byte range of a CSV file that holds whole records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// First byte, inclusive.
    pub start: u64,
    /// Last byte, exclusive.
    pub end: u64,
    /// The 1-based line number of the line at `start`.
    pub first_line: u64,
}

impl Chunk {
    /// Opens a reader over exactly this range.
    pub fn open(&self, path: &Path) -> io::Result<impl Read> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(self.start))?;
        Ok(file.take(self.end - self.start))
    }
}

const BUFFER: usize = 1 << 20;

/// Reads from byte `at` of `file`: the portable spelling of `pread` (each caller owns its
/// `File`, so seeking it is safe).
fn read_at(mut file: &File, buffer: &mut [u8], at: u64) -> io::Result<usize> {
    file.seek(SeekFrom::Start(at))?;
    file.read(buffer)
}

/// Counts `(quotes, line ends)` in `start..end`.
fn count(path: &Path, start: u64, end: u64) -> io::Result<(u64, u64)> {
    let file = File::open(path)?;
    let mut buffer = vec![0u8; BUFFER];
    let (mut quotes, mut lines) = (0u64, 0u64);
    let mut at = start;
    while at < end {
        let want = usize::try_from(end - at).unwrap_or(usize::MAX).min(BUFFER);
        let n = read_at(&file, &mut buffer[..want], at)?;
        if n == 0 {
            break;
        }
        let bytes = &buffer[..n];
        quotes += memchr::memchr_iter(b'"', bytes).count() as u64;
        lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        at += n as u64;
    }
    Ok((quotes, lines))
}

/// From `at`, with quote parity `inside`, finds the byte after the first line end outside
/// quotes (any line end when `quotes` is false); returns it and the line ends passed on
/// the way (including that one).
fn next_boundary(
    file: &File,
    mut at: u64,
    mut inside: bool,
    len: u64,
    quotes: bool,
) -> io::Result<(u64, u64)> {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut lines = 0;
    while at < len {
        let n = read_at(file, &mut buffer, at)?;
        if n == 0 {
            break;
        }
        for (i, &byte) in buffer[..n].iter().enumerate() {
            match byte {
                b'"' if quotes => inside = !inside,
                b'\n' => {
                    lines += 1;
                    if !inside {
                        return Ok((at + i as u64 + 1, lines));
                    }
                }
                _ => {}
            }
        }
        at += n as u64;
    }
    Ok((len, lines))
}

/// Files smaller than this are read as one range: splitting would cost more than it saves.
pub const MIN_SPLIT: u64 = 1 << 20;

/// Splits the records of `path` that start at byte `data_start` (just after the header,
/// which ends on line `header_lines`) into about `pieces` ranges, if the data is at least
/// `min_span` bytes long. With `quoting`, a line end inside CSV quotes is not a boundary;
/// without (NDJSON, where a record never holds a raw line end), every line end is one.
pub fn split(
    path: &Path,
    data_start: u64,
    header_lines: u64,
    pieces: usize,
    min_span: u64,
    quoting: bool,
) -> io::Result<Vec<Chunk>> {
    let len = std::fs::metadata(path)?.len();
    let span = len.saturating_sub(data_start);
    let pieces = pieces.max(1) as u64;
    if pieces == 1 || span < min_span.max(pieces) {
        return Ok(vec![Chunk { start: data_start, end: len, first_line: header_lines + 1 }]);
    }
    let marks: Vec<u64> = (0..=pieces).map(|i| data_start + span * i / pieces).collect();
    let counts: Vec<(u64, u64)> = marks
        .windows(2)
        .collect::<Vec<_>>()
        .par_iter()
        .map(|w| count(path, w[0], w[1]))
        .collect::<io::Result<_>>()?;
    let file = File::open(path)?;
    let mut chunks = Vec::with_capacity(pieces as usize);
    let (mut start, mut first_line) = (data_start, header_lines + 1);
    // Quotes and line ends in data_start..marks[i]: exact, whatever the boundaries do.
    let (mut quotes_to_mark, mut lines_to_mark) = (0u64, 0u64);
    for (i, &(quotes, lines)) in counts.iter().enumerate().take(counts.len() - 1) {
        quotes_to_mark += quotes;
        lines_to_mark += lines;
        let mark = marks[i + 1];
        if mark < start {
            continue; // a long quoted field carried the previous boundary past this mark
        }
        let (boundary, passed) =
            next_boundary(&file, mark, quoting && quotes_to_mark % 2 == 1, len, quoting)?;
        if boundary > start {
            chunks.push(Chunk { start, end: boundary, first_line });
        }
        start = boundary;
        first_line = header_lines + 1 + lines_to_mark + passed;
    }
    if start < len {
        chunks.push(Chunk { start, end: len, first_line });
    }
    Ok(chunks)
}
