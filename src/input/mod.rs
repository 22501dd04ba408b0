//! Candidate readers: CSV, JSON and NDJSON, from a file or stdin; Parquet and Arrow IPC
//! files ([`columnar`], with the default `arrow` feature).
//!
//! Readers stream [`Candidate`]s. A row that cannot be used becomes a [`RowError`] with its
//! line number and the column at fault; the batch goes on. Only problems with the input as a
//! whole (unreadable, no `handle` column, broken JSON, a profile that does not fit) are
//! fatal [`InputError`]s.
//!
//! Column mapping ([`crate::rules::mapping`] profiles, [`crate::model::headers`] aliases) compiles into one
//! [`columns::ColumnPlan`] per file; [`sniff`] finds a CSV file's delimiter and BOM;
//! [`rejects`] copies unusable rows out of the source, untouched.

pub mod chunked;
#[cfg(feature = "arrow")]
pub mod columnar;
pub mod columns;
mod csv;
pub mod infer;
mod json;
mod parallel;
mod posts;
pub mod program;
pub mod records;
pub mod rejects;
pub mod sniff;
pub mod table;

pub use self::csv::{open_csv, CsvInput};
pub use self::parallel::{open_csv_file, open_file, open_ndjson_file, CsvFile, RowSink, SplitCsv};

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::country;
use crate::model::{Candidate, Field, Kind, PostSample, RowError};
use crate::number as value;
use crate::rules::mapping;

/// A stream of candidate rows, each usable or not.
pub type Rows = Box<dyn Iterator<Item = Result<Candidate, RowError>> + Send>;

/// Candidate-list formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// An Apache Parquet file.
    Parquet,
    /// An Apache Arrow IPC file (Feather v2).
    ArrowIpc,
}

impl Format {
    /// Every format, in the order help lists them.
    pub const ALL: [Format; 5] =
        [Format::Csv, Format::Json, Format::Ndjson, Format::Parquet, Format::ArrowIpc];

    /// The format's name, as flags take it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Parquet => "parquet",
            Self::ArrowIpc => "arrow",
        }
    }

    /// One line on what the format is.
    pub fn about(self) -> &'static str {
        match self {
            Self::Csv => "Comma-separated values with a header row",
            Self::Json => "A JSON array of objects",
            Self::Ndjson => "One JSON object per line",
            Self::Parquet => "An Apache Parquet file (rows numbered from 1)",
            Self::ArrowIpc => "An Apache Arrow IPC file, also Feather v2 (rows numbered from 1)",
        }
    }

    /// The format a file name implies: `.json`, `.ndjson`/`.jsonl`, `.parquet`,
    /// `.arrow`/`.ipc`/`.feather`, anything else CSV.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Self::Json,
            Some("ndjson" | "jsonl") => Self::Ndjson,
            Some("parquet") => Self::Parquet,
            Some("arrow" | "ipc" | "feather") => Self::ArrowIpc,
            _ => Self::Csv,
        }
    }

    /// Whether the format is columnar (Parquet, Arrow IPC): read from a seekable file, by
    /// column, its rows numbered from 1 where text formats give lines.
    pub fn is_columnar(self) -> bool {
        matches!(self, Self::Parquet | Self::ArrowIpc)
    }

    /// What the format is called in messages.
    pub fn title(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Json => "JSON",
            Self::Ndjson => "NDJSON",
            Self::Parquet => "Parquet",
            Self::ArrowIpc => "Arrow IPC",
        }
    }
}

/// Where candidates come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// Bytes already read (stdin kept for `--rejects`), with the name to show.
    Bytes {
        /// The name to show in messages.
        name: String,
        /// The whole input.
        bytes: Arc<[u8]>,
    },
}

impl Source {
    /// `-` means stdin; anything else is a path.
    pub fn from_arg(arg: &Path) -> Self {
        if arg == Path::new("-") {
            Self::Stdin
        } else {
            Self::File(arg.to_owned())
        }
    }

    /// The format to read: `explicit` when given, else the file extension's, else CSV.
    pub fn format(&self, explicit: Option<Format>) -> Format {
        explicit.unwrap_or_else(|| match self {
            Self::File(path) => Format::from_path(path),
            Self::Stdin | Self::Bytes { .. } => Format::Csv,
        })
    }

    /// The name to show in messages.
    pub fn name(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Stdin => "<stdin>".to_owned(),
            Self::Bytes { name, .. } => name.clone(),
        }
    }

    /// Reads the whole input into memory, so it can be read twice.
    pub fn into_bytes(self) -> Result<Source, InputError> {
        let name = self.name();
        let io = |source| InputError::Io { name: name.clone(), source };
        let bytes: Vec<u8> = match &self {
            Self::File(path) => std::fs::read(path).map_err(io)?,
            Self::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes).map_err(io)?;
                bytes
            }
            Self::Bytes { .. } => return Ok(self),
        };
        Ok(Self::Bytes { name, bytes: bytes.into() })
    }

    /// Opens the input for reading from the start.
    pub fn open(&self) -> Result<Box<dyn Read + Send>, InputError> {
        let io = |source| InputError::Io { name: self.name(), source };
        Ok(match self {
            Source::File(path) => Box::new(std::fs::File::open(path).map_err(io)?),
            Source::Stdin => Box::new(std::io::stdin()),
            Source::Bytes { bytes, .. } => Box::new(std::io::Cursor::new(Arc::clone(bytes))),
        })
    }
}

/// How to read a candidate list, beyond its format.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The mapping profile, if one was chosen.
    pub mapping: Option<Arc<mapping::Mapping>>,
    /// The CSV delimiter; sniffed when `None` (and the profile sets none).
    pub delimiter: Option<u8>,
    /// CSV files with at least this many bytes of rows are read by several threads.
    pub min_split: u64,
    /// Columns inferred for required fields no header names ([`infer`]).
    pub inferred: Vec<infer::Inferred>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { mapping: None, delimiter: None, min_split: chunked::MIN_SPLIT, inferred: Vec::new() }
    }
}

/// A problem with the input as a whole.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The input could not be read.
    #[error("cannot read `{name}`: {source}")]
    Io {
        /// The input's name.
        name: String,
        /// Why.
        source: std::io::Error,
    },
    /// A required column is absent.
    #[error("`{name}` has no `{column}` column")]
    MissingColumn {
        /// The input's name.
        name: String,
        /// The canonical column that is missing.
        column: &'static str,
        /// The header as found.
        found: Vec<String>,
    },
    /// No header names a required field, and several columns could be it.
    #[error("`{name}` has no `{column}` column, and {} could {} be one", either(candidates), if candidates.len() == 2 { "both" } else { "each" })]
    Ambiguous {
        /// The input's name.
        name: String,
        /// The canonical column that is missing.
        column: &'static str,
        /// The headers that fit equally well.
        candidates: Vec<String>,
    },
    /// A mapping profile names columns the file does not have.
    #[error("mapping `{mapping}` does not fit `{name}`")]
    Mapping {
        /// The input's name.
        name: String,
        /// The profile's name.
        mapping: String,
        /// One located problem per column the profile names and the file lacks.
        diagnostics: Vec<crate::diagnostic::Diagnostic>,
    },
    /// The document is not valid JSON.
    #[error("`{name}` is not valid JSON: {message} at line {line}, column {column}")]
    Json {
        /// The input's name.
        name: String,
        /// serde_json's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A Parquet or Arrow IPC file that cannot be read: not one, truncated, or written with
    /// something this build cannot decode.
    #[error("`{name}` is not a readable {} file: {message}", format.title())]
    Columnar {
        /// The input's name.
        name: String,
        /// The format it was read as.
        format: Format,
        /// What the reader said.
        message: String,
    },
    /// A columnar format asked of stdin or bytes in memory: it needs a file to seek in.
    #[error("{} input is read from a file, not from `{name}`", format.title())]
    NeedsFile {
        /// The input's name.
        name: String,
        /// The format asked for.
        format: Format,
    },
    /// A columnar file given to a command that reads text records (`audit`, `evaluate`).
    #[error("`{name}` is {}; this command reads CSV, JSON or NDJSON", format.title())]
    TextOnly {
        /// The input's name.
        name: String,
        /// Its format.
        format: Format,
    },
    /// A columnar format in a build without the `arrow` feature.
    #[error("this scout was built without {} support", format.title())]
    NotBuilt {
        /// The format asked for.
        format: Format,
    },
}

impl InputError {
    /// A hint for fixing the input, when one is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::MissingColumn { column, found, .. } => Some(format!(
                "columns found: {}; rename one to `{column}`",
                found.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
            )),
            Self::Ambiguous { column, .. } => Some(format!(
                "rename the right one to `{column}`, or map it in a profile: `scout inspect FILE --suggest-profile --output imports/NAME.toml` writes one to edit (add `{column} = \"…\"` under `[columns]`)"
            )),
            Self::Json { .. } => Some("JSON input is an array of objects; use `--input-format ndjson` for one object per line".to_owned()),
            Self::Mapping { .. } => Some(
                "run `scout inspect FILE` to see the file's columns, then fix the profile or pick another".to_owned(),
            ),
            Self::Columnar { .. } => Some(
                "check that the file is whole (a truncated copy or download is the usual cause), or pass `--input-format` if its extension misleads"
                    .to_owned(),
            ),
            Self::NeedsFile { .. } => Some(
                "a columnar file is read from its end (the footer) and by column: save it to a file and pass its path".to_owned(),
            ),
            Self::TextOnly { .. } => Some(
                "`scout rank`, `explain`, `watch`, `diff`, `plan` and `report` read Parquet and Arrow IPC; convert the file to CSV for this command".to_owned(),
            ),
            Self::NotBuilt { .. } => Some(
                "rebuild with the default features (the `arrow` feature), or convert the file to CSV".to_owned(),
            ),
            Self::Io { .. } => None,
        }
    }
}

/// `` `a` and `b` `` or `` `a`, `b` and `c` ``.
fn either(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// Opens `source` and streams its candidates.
pub fn read(source: &Source, format: Format) -> Result<Rows, InputError> {
    read_with(source, format, &ReadOptions::default())
}

/// Opens `source` and streams its candidates, with a mapping profile or a delimiter.
pub fn read_with(
    source: &Source,
    format: Format,
    options: &ReadOptions,
) -> Result<Rows, InputError> {
    let name = source.name();
    match format {
        Format::Csv => csv::rows(&name, source.open()?, options),
        Format::Json | Format::Ndjson if options.mapping.is_some() => {
            records::read_records(source, format, options)?.into_rows(options, false)
        }
        Format::Ndjson => {
            Ok(json::rows_from_reader(std::io::BufReader::with_capacity(1 << 16, source.open()?)))
        }
        Format::Json => {
            // Read three times (see `json::rows_from_array_reader`): stdin is kept in memory.
            let source = match source {
                Source::Stdin => Source::Stdin.into_bytes()?,
                other => other.clone(),
            };
            json::rows_from_array_reader(&name, || source.open())
        }
        Format::Parquet | Format::ArrowIpc => columnar_rows(source, format, options),
    }
}

/// Streams a Parquet or Arrow IPC file's candidates, batch by batch.
#[cfg(feature = "arrow")]
fn columnar_rows(
    source: &Source,
    format: Format,
    options: &ReadOptions,
) -> Result<Rows, InputError> {
    match source {
        Source::File(path) => columnar::ColumnarFile::open(path, format, options)?.rows(),
        other => Err(InputError::NeedsFile { name: other.name(), format }),
    }
}

/// Without the `arrow` feature, columnar input is refused.
#[cfg(not(feature = "arrow"))]
fn columnar_rows(_: &Source, format: Format, _: &ReadOptions) -> Result<Rows, InputError> {
    Err(InputError::NotBuilt { format })
}

/// Builds one [`Candidate`] from cells, keeping the first problem found.
///
/// The builder fills a candidate in place and reuses the buffers it already holds, so a
/// reader that recycles one candidate neither allocates nor moves it per row.
#[derive(Debug)]
pub struct RowBuilder<'c> {
    candidate: &'c mut Candidate,
    set: u32,
    error: Option<RowError>,
}

// The set fields of a row are bits of a `u32`.
const _: () = assert!(Field::ALL.len() <= 32);

fn bit(field: Field) -> u32 {
    1 << (field as u32)
}

/// Replaces the text in `slot`, reusing its allocation.
fn put(slot: &mut Option<String>, text: &str) {
    match slot {
        Some(existing) => {
            existing.clear();
            existing.push_str(text);
        }
        None => *slot = Some(text.to_owned()),
    }
}

impl<'c> RowBuilder<'c> {
    /// Starts the row at `line` in `candidate`, reusing its buffers (a previous row's, or
    /// a fresh `Candidate::default()`).
    pub fn new(candidate: &'c mut Candidate, line: u64) -> Self {
        candidate.line = line;
        candidate.extra.clear();
        candidate.post_samples.clear();
        Self { candidate, set: 0, error: None }
    }

    fn fail(&mut self, field: Field, message: String) {
        if self.error.is_none() {
            self.error = Some(RowError {
                line: self.candidate.line,
                handle: None,
                column: Some(field.name().to_owned()),
                message,
                record: None,
            });
        }
    }

    /// Sets `field` from a text cell. Empty cells and missing-value markers stay missing.
    pub fn set(&mut self, field: Field, text: &str) {
        // Numbers first: the number parser takes plain cells without trimming or copying.
        if let Some(slot) = self.candidate.float_mut(field) {
            match value::parse_number(text) {
                Ok(Some(number))
                    if (0.0..=value::MAX_VALUE).contains(&number)
                        && (field.kind() != Kind::Fraction || number <= 1.0) =>
                {
                    *slot = Some(number);
                    self.set |= bit(field);
                }
                Ok(Some(number)) if number > value::MAX_VALUE => {
                    self.fail(field, format!("{} {}", field.name(), value::too_large(text)))
                }
                Ok(number) => self.set_number(field, number),
                Err(why) => self.fail(field, format!("{} {why}", field.name())),
            }
            return;
        }
        let padded = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii_graphic());
        let bytes = text.as_bytes();
        let text = if padded(bytes.first()) || padded(bytes.last()) { text.trim() } else { text };
        let c = &mut *self.candidate;
        match field {
            Field::Handle => {
                let handle = text.trim_start_matches('@');
                if !handle.is_empty() && !value::is_missing_trimmed(handle) {
                    c.handle.clear();
                    c.handle.push_str(handle);
                    self.set |= bit(field);
                }
            }
            Field::Platform => {
                if let Some(platform) = (!value::is_missing_trimmed(text)).then_some(text) {
                    put(&mut c.platform, platform);
                    if let Some(p) = &mut c.platform {
                        if p.is_ascii() {
                            p.make_ascii_lowercase();
                        } else {
                            *p = p.to_lowercase();
                        }
                    }
                    self.set |= bit(field);
                }
            }
            Field::Country => {
                if !value::is_missing_trimmed(text) {
                    // ISO codes (`US`) are the common case: keep them without a lookup.
                    let is_code = text.len() == 2
                        && text.bytes().all(|b| b.is_ascii_uppercase())
                        && text != "UK";
                    if is_code {
                        put(&mut c.country, text);
                    } else {
                        put(&mut c.country, &country::normalize(text));
                    }
                    self.set |= bit(field);
                }
            }
            _ => match field.kind() {
                Kind::List => self.set_list(field, text),
                Kind::Text => {
                    if let Some(slot) = c.text_mut(field) {
                        if !value::is_missing_trimmed(text) {
                            put(slot, text);
                            self.set |= bit(field);
                        }
                    }
                }
                Kind::Count => match value::parse_count(text) {
                    // A count parse_count gives is whole and in range.
                    Ok(Some(n)) => {
                        self.candidate.set_count(field, n);
                        self.set |= bit(field);
                    }
                    Ok(None) => {}
                    Err(why) => self.fail(field, format!("{} {why}", field.name())),
                },
                Kind::Float | Kind::Fraction => match value::parse_number(text) {
                    Ok(number) => self.set_number(field, number),
                    Err(why) => self.fail(field, format!("{} {why}", field.name())),
                },
            },
        }
    }

    /// Sets a list `field` from labels separated by `;` or `|`, reusing its strings.
    fn set_list(&mut self, field: Field, text: &str) {
        let Some(list) = self.candidate.list_mut(field) else { return };
        let mut n = 0;
        for label in text.split([';', '|']).map(str::trim) {
            if label.is_empty() || value::is_missing_trimmed(label) {
                continue;
            }
            match list.get_mut(n) {
                Some(existing) => {
                    existing.clear();
                    existing.push_str(label);
                }
                None => list.push(label.to_owned()),
            }
            n += 1;
        }
        list.truncate(n);
        self.set |= bit(field);
    }

    /// Sets a numeric `field`, checking its range: 0 to [`value::MAX_VALUE`], and at most 1
    /// for a fraction.
    pub fn set_number(&mut self, field: Field, number: Option<f64>) {
        let Some(number) = number else { return };
        if number < 0.0 {
            return self.fail(field, format!("{} {number} is negative", field.name()));
        }
        if number.is_nan() {
            return self.fail(field, format!("{} `{number}` is not a number", field.name()));
        }
        if number > value::MAX_VALUE {
            return self.fail(
                field,
                format!("{} {}", field.name(), value::too_large(&format!("{number:e}"))),
            );
        }
        self.set |= bit(field);
        let c = &mut *self.candidate;
        match field.kind() {
            Kind::Fraction if number > 1.0 => self.fail(
                field,
                format!(
                    "{} {number} is above 1 (write percentages as fractions: 0.41, not 41)",
                    field.name()
                ),
            ),
            Kind::Float | Kind::Fraction => {
                if let Some(slot) = c.float_mut(field) {
                    *slot = Some(number);
                }
            }
            Kind::Count => {
                if number.fract() != 0.0 {
                    return self
                        .fail(field, format!("{} {number} is not a whole number", field.name()));
                }
                c.set_count(field, number as u64);
            }
            Kind::Text | Kind::List => {}
        }
    }

    /// Adds per-post samples.
    pub fn set_samples(&mut self, samples: Vec<PostSample>) {
        self.candidate.post_samples = samples;
    }

    /// Keeps a column scout has no field for.
    pub fn set_extra(&mut self, name: Arc<str>, text: String) {
        self.candidate.extra.push((name, text));
    }

    /// Records a problem that is not about one canonical field.
    pub fn fail_row(&mut self, column: Option<String>, message: String) {
        if self.error.is_none() {
            self.error = Some(RowError {
                line: self.candidate.line,
                handle: None,
                column,
                message,
                record: None,
            });
        }
    }

    /// Completes the candidate, or returns the first problem found. Fields this row did
    /// not set are missing, whatever a reused candidate held before.
    pub fn finish(mut self) -> Result<(), RowError> {
        let set = self.set;
        let has = |field| set & bit(field) != 0;
        if self.error.is_none() {
            if !has(Field::Handle) {
                self.fail(Field::Handle, "missing handle".to_owned());
            } else if !has(Field::Followers) {
                self.fail(Field::Followers, "missing follower count".to_owned());
            }
        }
        if let Some(mut error) = self.error {
            if has(Field::Handle) {
                error.handle = Some(self.candidate.handle.clone());
            }
            return Err(error);
        }
        for field in Field::ALL {
            if !has(field) {
                self.candidate.clear(field);
            }
        }
        Ok(())
    }
}
