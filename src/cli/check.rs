//! `scout check`: validate a rule folder and report every problem in one pass.

use super::{plural, write_stdout, Exit, RulesArg, Ui};
use crate::diagnostic::Severity;

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
    let dir = &args.rules.dir;
    let (diagnostics, summary) = match crate::rules::load(dir) {
        Ok(rules) => {
            let summary = format!(
                "`{}` is valid: {} {}, {} tier {}, {} {} · revision {}",
                dir.display(),
                rules.brands.len(),
                plural(rules.brands.len(), "brand"),
                rules.schemes.len(),
                plural(rules.schemes.len(), "scheme"),
                rules.taxonomy.names().len(),
                plural(rules.taxonomy.names().len(), "niche"),
                rules.revision
            );
            (rules.warnings, Ok(summary))
        }
        Err(diagnostics) => {
            let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            (
                diagnostics,
                Err(format!("found {errors} {} in `{}`", plural(errors, "problem"), dir.display())),
            )
        }
    };
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
