//! `scout inspect`: show what scout will make of a candidate list before ranking it.

use std::path::PathBuf;

use super::import::{report_input_error, ImportArgs};
use super::{write_stdout, Exit, RulesArg, Ui};
use crate::input::Source;
use crate::inspect::inspect;

/// Arguments of `scout inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The candidate list (CSV); `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub import: ImportArgs,
    #[command(flatten)]
    pub rules: RulesArg,
    /// How many parsed rows to show.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub rows: usize,
}

/// Runs `scout inspect`.
pub fn run(ui: &Ui, args: &InspectArgs) -> Exit {
    // The taxonomy, when the rule folder loads, names the niche labels nothing matches.
    let rules = crate::rules::load(&args.rules.dir).ok();
    if rules.is_none() {
        ui.warning(&format!(
            "the rule folder `{}` does not load: niche labels are not checked (see `scout check`)",
            args.rules.dir.display()
        ));
    }
    let taxonomy = rules.as_ref().map(|r| &r.taxonomy);
    let options = match args.import.options(ui, &args.rules.dir, taxonomy) {
        Ok(options) => options,
        Err(exit) => return exit,
    };
    let source = Source::from_arg(&args.file);
    if let Source::File(path) = &source {
        if crate::input::Format::from_path(path) != crate::input::Format::Csv {
            ui.error(
                &format!("`{}` is JSON; `scout inspect` reads CSV", path.display()),
                Some("JSON keys are matched by scout's field names and built-in aliases; `scout rank` reads it as is"),
            );
            return Exit::Fatal;
        }
    }
    let inspection = match inspect(&source, &options, taxonomy, args.rows) {
        Ok(inspection) => inspection,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    let text = crate::output::inspect::render(&inspection, taxonomy.is_some());
    if let Err(err) = write_stdout(|out| out.write_all(text.as_bytes())) {
        ui.error(&format!("cannot write the report: {err}"), None);
        return Exit::Fatal;
    }
    if inspection.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    }
}
