//! Copying unusable rows out of a source, untouched, so they can be fixed and ranked again.
//!
//! Rows are found again by the line they start on, which every reader reports: for CSV
//! the header (as written, BOM included) and then each rejected record's original bytes;
//! for NDJSON the rejected lines; for a JSON array the rejected objects, in a new array.

use std::collections::BTreeSet;

use serde_json::value::RawValue;

use super::sniff;
use super::Format;

/// The rejected rows of `bytes`, in the source's own format, and how many were found.
/// Columnar rows are not text to copy: for Parquet and Arrow IPC nothing is found (and
/// `scout rank` refuses `--rejects` for them before reading).
pub fn extract(
    bytes: &[u8],
    format: Format,
    delimiter: Option<u8>,
    lines: &BTreeSet<u64>,
) -> (Vec<u8>, usize) {
    match format {
        Format::Csv => csv(bytes, delimiter, lines),
        Format::Ndjson => ndjson(bytes, lines),
        Format::Json => json(bytes, lines),
        Format::Parquet | Format::ArrowIpc => (Vec::new(), 0),
    }
}

fn csv(bytes: &[u8], delimiter: Option<u8>, lines: &BTreeSet<u64>) -> (Vec<u8>, usize) {
    let head = &bytes[..bytes.len().min(sniff::HEAD)];
    let dialect = sniff::sniff(head, bytes.len() <= sniff::HEAD);
    let skip = if dialect.bom { sniff::BOM.len() } else { 0 };
    let data = &bytes[skip..];
    let dialect = sniff::Dialect { delimiter: delimiter.unwrap_or(dialect.delimiter), ..dialect };
    let mut reader = dialect.reader_builder().has_headers(false).from_reader(data);
    // Record starts (byte offset in `data`, line), the header's included.
    let mut starts: Vec<(usize, u64)> = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let blank = record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace);
                if blank && !starts.is_empty() {
                    continue; // a blank line, skipped by the readers too
                }
                if let Some(position) = record.position() {
                    let newlines = record
                        .iter()
                        .map(|cell| cell.iter().filter(|&&b| b == b'\n').count())
                        .sum();
                    let line =
                        sniff::record_line(position.line(), reader.position().line(), newlines);
                    starts.push((position.byte() as usize, line));
                }
            }
            Ok(false) => break,
            // A broken record still starts where the reader reported it.
            Err(err) => match err.position() {
                Some(position) => starts.push((position.byte() as usize, position.line())),
                None => break,
            },
        }
    }
    let Some(&(first, _)) = starts.get(1).or(starts.first()) else {
        return (bytes.to_vec(), 0);
    };
    let terminator = line_terminator(data);
    let mut out = Vec::new();
    // The header as written: BOM, quoted line breaks and all.
    let header_end = if starts.len() > 1 { first } else { data.len() };
    out.extend_from_slice(&bytes[..skip]);
    push_line(&mut out, &data[..header_end], terminator);
    let mut found = 0;
    for (i, &(start, line)) in starts.iter().enumerate().skip(1) {
        if !lines.contains(&line) {
            continue;
        }
        let end = starts.get(i + 1).map_or(data.len(), |&(next, _)| next).max(start);
        let record = &data[start..end];
        // Blank lines skipped before the record belong to nobody.
        let lead = record.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        push_line(&mut out, &record[lead..], terminator);
        found += 1;
    }
    (out, found)
}

/// Appends a record's bytes without trailing blank lines, ending with one line terminator.
fn push_line(out: &mut Vec<u8>, record: &[u8], terminator: &[u8]) {
    let content =
        record.len() - record.iter().rev().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    out.extend_from_slice(&record[..content]);
    let rest = &record[content..];
    if rest.starts_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
        out.push(rest[0]);
    } else {
        out.extend_from_slice(terminator);
    }
}

/// The file's first line terminator, `\n` when it has none.
fn line_terminator(data: &[u8]) -> &'static [u8] {
    match data.iter().position(|&b| b == b'\n') {
        Some(at) if at > 0 && data[at - 1] == b'\r' => b"\r\n",
        _ => b"\n",
    }
}

fn ndjson(bytes: &[u8], lines: &BTreeSet<u64>) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut found = 0;
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        if lines.contains(&(i as u64 + 1)) {
            push_line(&mut out, line, b"\n");
            found += 1;
        }
    }
    (out, found)
}

fn json(bytes: &[u8], lines: &BTreeSet<u64>) -> (Vec<u8>, usize) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) else {
        return (Vec::new(), 0);
    };
    let picked: Vec<&str> = items
        .iter()
        .filter(|raw| {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = text[..offset].matches('\n').count() as u64 + 1;
            lines.contains(&line)
        })
        .map(|raw| raw.get())
        .collect();
    let out = format!("[\n{}\n]\n", picked.join(",\n"));
    (out.into_bytes(), picked.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_csv_rows_untouched() {
        let data = b"\xef\xbb\xbf\"a\r\nb\",c\r\n1,2\r\n\"x\r\ny\",3\r\n\r\n4,5";
        let (out, found) = extract(data, Format::Csv, None, &BTreeSet::from([4, 6, 7]));
        assert_eq!(found, 2);
        assert_eq!(out, b"\xef\xbb\xbf\"a\r\nb\",c\r\n\"x\r\ny\",3\r\n4,5\r\n");
    }

    #[test]
    fn copies_ndjson_and_json() {
        let (out, found) =
            extract(b"{\"a\":1}\n{\"a\":2}\n", Format::Ndjson, None, &BTreeSet::from([2]));
        assert_eq!((out.as_slice(), found), (&b"{\"a\":2}\n"[..], 1));
        let (out, found) =
            extract(b"[\n{\"a\":1},\n{\"a\":2}\n]", Format::Json, None, &BTreeSet::from([3]));
        assert_eq!((String::from_utf8(out).unwrap().as_str(), found), ("[\n{\"a\":2}\n]\n", 1));
    }
}
