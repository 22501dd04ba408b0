//! `scout explain`: why one candidate got its score.

use std::path::PathBuf;

use super::{write_stdout, Exit, RulesArg, Ui};
use crate::authoring::explain;
use crate::diagnostic::did_you_mean;
use crate::input::{self, Format, Source};

/// Text for people, or JSON for machines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned text.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

impl ReportFormat {
    /// Writes a report to stdout as text or pretty JSON; on failure prints why and gives
    /// the exit code. `what` names the report in the message ("the diff").
    pub fn write(
        self,
        ui: &Ui,
        what: &str,
        text: impl FnOnce() -> String,
        json: impl FnOnce() -> serde_json::Value,
    ) -> Result<(), Exit> {
        write_stdout(|out| match self {
            ReportFormat::Text => out.write_all(text().as_bytes()),
            ReportFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, &json())?;
                writeln!(out)
            }
        })
        .map_err(|err| {
            ui.error(&format!("cannot write {what}: {err}"), None);
            Exit::Fatal
        })
    }
}

/// Arguments of `scout explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The candidate's handle (a leading `@` and case are ignored).
    #[arg(value_name = "HANDLE")]
    pub handle: String,
    /// The candidate list: CSV, JSON or NDJSON; `-` reads stdin.
    #[arg(value_name = "CANDIDATES")]
    pub candidates: PathBuf,
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Text, or a structured trace as JSON.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// The candidate list's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
}

/// Runs `scout explain`.
pub fn run(ui: &Ui, args: &ExplainArgs) -> Exit {
    let rules = match ui.load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let brand = match ui.brand(&rules, &args.brand) {
        Ok(brand) => brand,
        Err(exit) => return exit,
    };
    let source = Source::from_arg(&args.candidates);
    let format = source.format(args.input_format);
    let rows = match input::read(&source, format) {
        Ok(rows) => rows,
        Err(err) => {
            ui.error(&err.to_string(), err.hint().as_deref());
            return Exit::Fatal;
        }
    };
    let wanted = normalize(&args.handle);
    let mut handles = Vec::new();
    let mut matches = Vec::new();
    for row in rows {
        let handle = match &row {
            Ok(candidate) => Some(candidate.handle.clone()),
            Err(error) => error.handle.clone(),
        };
        if let Some(handle) = handle {
            if normalize(&handle) == wanted {
                matches.push(row);
            } else {
                handles.push(handle);
            }
        }
    }
    let Some(row) = matches.first() else {
        let hint = did_you_mean(&wanted, handles.iter().map(String::as_str))
            .map(|close| format!("did you mean `{close}`?"));
        ui.error(
            &format!("no candidate `{}` in `{}`", args.handle, source.name()),
            hint.as_deref().or(Some("handles are matched without `@`, ignoring case")),
        );
        return Exit::Fatal;
    };
    let candidate = match row {
        Ok(candidate) => candidate,
        Err(error) => {
            ui.error(&format!("cannot explain `{}`: {error}", args.handle), None);
            return Exit::Partial;
        }
    };
    if matches.len() > 1 {
        ui.warning(&format!(
            "`{}` appears {} times in `{}`; explaining the first, on line {}",
            candidate.handle,
            matches.len(),
            source.name(),
            candidate.line
        ));
    }
    let explanation = match explain::explain(&rules, brand, candidate) {
        Ok(explanation) => explanation,
        Err(err) => {
            ui.error(&err.to_string(), None);
            return Exit::Partial;
        }
    };
    let written =
        args.format.write(ui, "the explanation", || explanation.render(), || explanation.to_json());
    if let Err(exit) = written {
        return exit;
    }
    Exit::Success
}

fn normalize(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}
