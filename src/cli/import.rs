//! Flags shared by the commands that read candidate lists: [`CandidatesArgs`] (the list,
//! its format, the mapping profile and the delimiter) for `rank`, `watch`, `explain` and
//! `diff`, [`ImportArgs`] (the profile and delimiter alone) for `inspect`, and how input
//! errors are shown.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Exit, Ui};
use crate::input::{self, infer, Format, InputError, ReadOptions, Rows, Source};
use crate::rules::mapping::{self, Mapping};
use crate::rules::Taxonomy;

/// The candidate list a command reads and how to read it: one set of flags, so every
/// command that reads a list reads every file `scout rank` can.
#[derive(Clone, Debug, clap::Args)]
pub struct CandidatesArgs {
    /// The candidate list: CSV, JSON, NDJSON, Parquet or Arrow IPC; `-` reads stdin (not
    /// Parquet or Arrow, which are read from files).
    #[arg(value_name = "CANDIDATES")]
    pub path: PathBuf,
    /// The candidate list's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// A candidate list ready to read: where it is, its format, and the read options (the
/// profile loaded, the delimiter, and any inferred columns).
#[derive(Debug)]
pub struct CandidateInput {
    /// Where the list is.
    pub source: Source,
    /// Its format.
    pub format: Format,
    /// How to read it.
    pub options: ReadOptions,
}

impl CandidatesArgs {
    /// Loads the mapping profile (checking it against `taxonomy` when given), and settles
    /// the list's format (a profile applies to CSV, JSON and NDJSON alike). Nothing of the
    /// list is read yet. Problems are printed; the error is the exit code.
    pub fn open(
        &self,
        ui: &Ui,
        rules_dir: &Path,
        taxonomy: Option<&Taxonomy>,
    ) -> Result<CandidateInput, Exit> {
        let options = self.import.options(ui, rules_dir, taxonomy)?;
        let source = Source::from_arg(&self.path);
        let format = source.format(self.input_format);
        Ok(CandidateInput { source, format, options })
    }

    /// [`CandidatesArgs::open`], then [`CandidateInput::infer_columns`]: the list ready to
    /// read as `scout rank` reads it.
    pub fn prepare(
        &self,
        ui: &Ui,
        rules_dir: &Path,
        taxonomy: Option<&Taxonomy>,
    ) -> Result<CandidateInput, Exit> {
        let mut input = self.open(ui, rules_dir, taxonomy)?;
        input.infer_columns(ui, rules_dir)?;
        Ok(input)
    }
}

impl CandidateInput {
    /// Finds the `handle` and `followers` columns no header names ([`infer_columns`]).
    pub fn infer_columns(&mut self, ui: &Ui, rules_dir: &Path) -> Result<(), Exit> {
        infer_columns(ui, &mut self.source, self.format, &mut self.options, rules_dir, false)
    }

    /// Streams the list's candidates.
    pub fn read(&self) -> Result<Rows, InputError> {
        input::read_with(&self.source, self.format, &self.options)
    }

    /// Streams the list's candidates; a list that cannot be read is reported (with a
    /// profile hint for a missing column) and gives the exit code.
    pub fn read_or_report(&self, ui: &Ui, rules_dir: &Path) -> Result<Rows, Exit> {
        self.read().map_err(|err| {
            report_input_error(ui, &err, rules_dir, self.options.mapping.is_some());
            Exit::Fatal
        })
    }
}

/// `--mapping` and `--delimiter`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ImportArgs {
    /// A mapping profile: a name in `<rules>/imports/` or a path to a .toml file.
    #[arg(long, short, value_name = "NAME|PATH")]
    pub mapping: Option<String>,
    /// The CSV delimiter: `,` `;` `tab` `|` … [default: sniffed from the file].
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    mapping::parse_delimiter(text)
}

impl ImportArgs {
    /// Loads the profile, when one is asked for, and turns the flags into read options.
    /// Problems are printed; the error is the exit code.
    pub fn options(
        &self,
        ui: &Ui,
        rules_dir: &Path,
        taxonomy: Option<&Taxonomy>,
    ) -> Result<ReadOptions, Exit> {
        let mapping = match &self.mapping {
            None => None,
            Some(arg) => {
                let path = mapping::locate(arg, rules_dir).map_err(|err| {
                    ui.error(&err.to_string(), Some(&err.hint()));
                    Exit::Fatal
                })?;
                let loaded = Mapping::load(&path, taxonomy).map_err(|diagnostics| {
                    ui.diagnostics(&diagnostics);
                    ui.error(
                        &format!("the mapping profile `{}` is invalid", path.display()),
                        Some(&format!(
                            "fix it, then check it with `scout check --rules {}`",
                            rules_dir.display()
                        )),
                    );
                    Exit::Fatal
                })?;
                Some(Arc::new(loaded))
            }
        };
        Ok(ReadOptions { mapping, delimiter: self.delimiter, ..ReadOptions::default() })
    }

    /// The delimiter in force: the flag's, else the profile's.
    pub fn delimiter(&self, options: &ReadOptions) -> Option<u8> {
        self.delimiter.or(options.mapping.as_ref().and_then(|m| m.delimiter))
    }
}

/// Finds the `handle` and `followers` columns of a CSV input whose headers name neither,
/// from its cells, into `options`, and prints one note per column inferred. Stdin is read
/// into memory first, so it can be read again. `lenient` turns a tie into a warning.
pub fn infer_columns(
    ui: &Ui,
    source: &mut Source,
    format: Format,
    options: &mut ReadOptions,
    rules_dir: &Path,
    lenient: bool,
) -> Result<(), Exit> {
    if format != Format::Csv {
        return Ok(());
    }
    let fail = |err: InputError| {
        report_input_error(ui, &err, rules_dir, options.mapping.is_some());
        Exit::Fatal
    };
    if *source == Source::Stdin {
        *source = std::mem::replace(source, Source::Stdin).into_bytes().map_err(fail)?;
    }
    let inferred = match infer::infer_source(source, options) {
        // `scout inspect` shows the columns even when no handle is found.
        Err(err @ InputError::Ambiguous { .. }) if lenient => {
            ui.warning(&err.to_string());
            Vec::new()
        }
        other => other.map_err(fail)?,
    };
    for found in &inferred {
        ui.note(&found.note());
    }
    options.inferred = inferred;
    Ok(())
}

/// Prints an error about the input as a whole; a missing column gets a hint naming a
/// bundled profile that fits the file, when there is one.
pub fn report_input_error(ui: &Ui, err: &InputError, rules_dir: &Path, mapped: bool) {
    match err {
        InputError::Mapping { diagnostics, .. } => {
            ui.diagnostics(diagnostics);
            ui.error(&err.to_string(), err.hint().as_deref());
        }
        InputError::MissingColumn { found, .. } if !mapped => {
            let hint = match mapping::suggest(rules_dir, found) {
                Some(name) => format!(
                    "the columns fit the profile `{name}`: add `--mapping {name}` (see `scout inspect FILE --mapping {name}`)"
                ),
                None => format!(
                    "{}; or write a mapping profile (see `scout inspect FILE`)",
                    err.hint().unwrap_or_default()
                ),
            };
            ui.error(&err.to_string(), Some(&hint));
        }
        _ => ui.error(&err.to_string(), err.hint().as_deref()),
    }
}
