//! `scout explain`: why one candidate got its score.

use super::import::CandidatesArgs;
use super::{write_stdout, Exit, RulesArg, Ui};
use crate::authoring::explain;
use crate::diagnostic::did_you_mean;
use crate::model::Candidate;
use crate::rules::RuleSet;

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
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Text, or a structured trace as JSON.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub candidates: CandidatesArgs,
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
    let candidate = match find_candidate(ui, args, &rules) {
        Ok(candidate) => candidate,
        Err(exit) => return exit,
    };
    let explanation = match explain::explain(&rules, brand, &candidate) {
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

/// Reads the candidate list and finds the candidate with the handle asked for (the first,
/// with a warning, when it appears more than once); a missing handle gets a "did you mean".
fn find_candidate(ui: &Ui, args: &ExplainArgs, rules: &RuleSet) -> Result<Candidate, Exit> {
    let input = args.candidates.prepare(ui, &args.rules.dir, Some(&rules.taxonomy))?;
    let rows = input.read_or_report(ui, &args.rules.dir)?;
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
    let name = input.source.name();
    let Some(row) = matches.first() else {
        let hint = did_you_mean(&wanted, handles.iter().map(String::as_str))
            .map(|close| format!("did you mean `{close}`?"));
        ui.error(
            &format!("no candidate `{}` in `{name}`", args.handle),
            hint.as_deref().or(Some("handles are matched without `@`, ignoring case")),
        );
        return Err(Exit::Fatal);
    };
    let candidate = match row {
        Ok(candidate) => candidate,
        Err(error) => {
            ui.error(&format!("cannot explain `{}`: {error}", args.handle), None);
            return Err(Exit::Partial);
        }
    };
    if matches.len() > 1 {
        ui.warning(&format!(
            "`{}` appears {} times in `{name}`; explaining the first, on line {}",
            candidate.handle,
            matches.len(),
            candidate.line
        ));
    }
    Ok(candidate.clone())
}

fn normalize(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}
