//! Sniffing a CSV file's dialect from its first bytes: a UTF-8 byte-order mark, and the
//! delimiter (`,`, `;`, tab or `|`), by which one splits the first records into the same
//! number of fields (quotes, and line breaks inside them, respected).

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xef\xbb\xbf";

/// How many bytes sniffing looks at.
pub const HEAD: usize = 64 * 1024;

/// Delimiters tried, in order of preference on a tie.
pub const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What sniffing found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether the data starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Whether lines end in `\r` alone (classic Mac); else they end in `\n` or `\r\n`.
    pub cr_only: bool,
}

impl Dialect {
    /// A csv reader builder for this dialect.
    ///
    /// Records end at `\n` (not at `\r`, as the csv crate's default would): with CRLF files
    /// the default leaves the `\n` to the next record, whose reported line and byte offset
    /// then point one line early. A `\r` left at the end of a record's last cell is
    /// removed by [`strip_cr`].
    pub fn reader_builder(&self) -> ::csv::ReaderBuilder {
        let mut builder = ::csv::ReaderBuilder::new();
        builder.delimiter(self.delimiter).flexible(true);
        if !self.cr_only {
            builder.terminator(::csv::Terminator::Any(b'\n'));
        }
        builder
    }
}

/// The line a record starts on, blank lines before it skipped.
///
/// The csv crate reports where it started looking for the record, which is the first of any
/// blank lines it skipped on the way. `start` is that line, `end` the reader's line after
/// the record, `newlines` the line breaks inside its quoted cells.
pub fn record_line(start: u64, end: u64, newlines: usize) -> u64 {
    let skipped = end.saturating_sub(start).saturating_sub(newlines as u64 + 1);
    start + skipped
}

/// A record's cell without the `\r` of a CRLF line ending (only the last cell has one).
pub fn strip_cr(cell: &str) -> &str {
    cell.strip_suffix('\r').unwrap_or(cell)
}

/// Sniffs the dialect from the first bytes of a file (up to [`HEAD`]). `complete` says the
/// head is the whole file, so its last record is whole too.
pub fn sniff(head: &[u8], complete: bool) -> Dialect {
    let bom = head.starts_with(BOM);
    let data = if bom { &head[BOM.len()..] } else { head };
    let cr_only = data.contains(&b'\r') && !data.contains(&b'\n');
    Dialect { delimiter: delimiter(data, complete), bom, cr_only }
}

/// The delimiter that splits the first records most consistently into the most fields.
pub fn delimiter(data: &[u8], complete: bool) -> u8 {
    const RECORDS: usize = 50;
    let mut best: Option<((usize, usize), u8)> = None;
    for candidate in CANDIDATES {
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(candidate)
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut widths: Vec<usize> = Vec::new();
        let mut record = ::csv::ByteRecord::new();
        while widths.len() < RECORDS + 1 {
            match reader.read_byte_record(&mut record) {
                Ok(true) => widths.push(record.len()),
                Ok(false) | Err(_) => break,
            }
        }
        // The last record of a truncated head may be cut short.
        if !complete && widths.len() > 1 {
            widths.pop();
        }
        let Some(&header) = widths.first() else { continue };
        if header < 2 {
            continue;
        }
        let agreeing = widths.iter().filter(|&&w| w == header).count();
        // Most records agreeing with the header first, then the most fields.
        let score = (agreeing * 10 / widths.len(), header);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map_or(b',', |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(delimiter(b"a;b;c\n1,5;2;3\n", true), b';');
        assert_eq!(delimiter(b"a\tb\n\"x;y\"\t2\n", true), b'\t');
        assert_eq!(delimiter(b"handle|followers\nann|5\n", true), b'|');
        assert_eq!(delimiter(b"single\n1\n", true), b',');
        assert_eq!(delimiter(b"\"a,\nb\";c;d\n1;2;3\n", true), b';');
    }

    #[test]
    fn finds_the_bom() {
        assert_eq!(
            sniff(b"\xef\xbb\xbfa;b\n1;2\n", true),
            Dialect { delimiter: b';', bom: true, cr_only: false }
        );
        assert!(sniff(b"a,b\r1,2\r", true).cr_only);
        assert!(!sniff(b"a,b\n", true).bom);
    }
}
