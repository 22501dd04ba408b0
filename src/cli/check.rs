//! `scout check`: validate a rule folder and report every problem in one pass.

use super::{write_stdout, Exit, RulesArg, Ui};

/// Arguments of `scout check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub rules: RulesArg,
    /// Print the diagnostics as JSON on stdout, for editors and CI.
    #[arg(long)]
    pub json: bool,
}

/// Runs `scout check`.
pub fn run(ui: &Ui, args: &CheckArgs) -> Exit {
    let report = crate::valid::check(&args.rules.dir);
    let (diagnostics, summary) = (report.diagnostics, report.summary);
    if args.json {
        let json: Vec<_> = diagnostics.iter().map(|d| d.to_json()).collect();
        let _ = write_stdout(|out| {
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        });
    } else {
        ui.diagnostics(&diagnostics);
    }
    match summary {
        Ok(summary) => {
            ui.status(&summary);
            Exit::Success
        }
        Err(summary) => {
            ui.error(&summary, None);
            Exit::Fatal
        }
    }
}
