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
    let loaded = crate::valid::validate(dir);
    // Mapping profiles (`imports/*.toml`) are checked too; their niches against the taxonomy.
    let imports =
        crate::rules::mapping::check_folder(dir, loaded.as_ref().ok().map(|r| &r.taxonomy));
    let profiles = crate::rules::mapping::available(dir).len();
    let (diagnostics, summary) = match loaded {
        Ok(rules) if imports.is_empty() => {
            let summary = format!(
                "`{}` is valid: {} {}, {} tier {}, {} {}, {} mapping {} · revision {}",
                dir.display(),
                rules.brands.len(),
                plural(rules.brands.len(), "brand"),
                rules.schemes.len(),
                plural(rules.schemes.len(), "scheme"),
                rules.taxonomy.names().len(),
                plural(rules.taxonomy.names().len(), "niche"),
                profiles,
                plural(profiles, "profile"),
                rules.revision
            );
            (rules.warnings, Ok(summary))
        }
        Ok(rules) => problems(dir, imports.into_iter().chain(rules.warnings).collect()),
        Err(diagnostics) => problems(dir, diagnostics.into_iter().chain(imports).collect()),
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

/// The diagnostics, and the summary that counts their errors.
fn problems(
    dir: &std::path::Path,
    diagnostics: Vec<crate::diagnostic::Diagnostic>,
) -> (Vec<crate::diagnostic::Diagnostic>, Result<String, String>) {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let summary = format!("found {errors} {} in `{}`", plural(errors, "problem"), dir.display());
    (diagnostics, Err(summary))
}
