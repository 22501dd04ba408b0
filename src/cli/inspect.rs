//! `scout inspect`: show what scout will make of a candidate list before ranking it.

use std::path::PathBuf;

use super::import::{self, report_input_error, ImportArgs};
use super::{write_stdout, Exit, RulesArg, Ui};
use crate::input::{Format, Source};
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
    /// Instead of the report, write a commented mapping profile for the file's layout.
    #[arg(long)]
    pub suggest_profile: bool,
    /// Where `--suggest-profile` writes (default: stdout); `imports/NAME.toml` is in the rule
    /// folder, where `--mapping NAME` finds it.
    #[arg(long, short, value_name = "PATH", requires = "suggest_profile")]
    pub output: Option<PathBuf>,
    /// Let `--output` replace an existing file.
    #[arg(long, requires = "output")]
    pub force: bool,
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
    let mut options = match args.import.options(ui, &args.rules.dir, taxonomy) {
        Ok(options) => options,
        Err(exit) => return exit,
    };
    let mut source = Source::from_arg(&args.file);
    if let Source::File(path) = &source {
        let format = crate::input::Format::from_path(path);
        if format != crate::input::Format::Csv {
            let what = if format.is_columnar() { "column names" } else { "JSON keys" };
            ui.error(
                &format!("`{}` is {}; `scout inspect` reads CSV", path.display(), format.title()),
                Some(&format!("{what} are matched by scout's field names, built-in aliases and `--mapping` as CSV headers are; `scout rank` reads it as is")),
            );
            return Exit::Fatal;
        }
    }
    if let Err(exit) =
        import::infer_columns(ui, &mut source, Format::Csv, &mut options, &args.rules.dir, true)
    {
        return exit;
    }
    let inspection = match inspect(&source, &options, taxonomy, args.rows) {
        Ok(inspection) => inspection,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    if args.suggest_profile {
        return write_profile(ui, args, &inspection);
    }
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

/// Writes the suggested profile to `--output` (atomically, never over a file without
/// `--force`) or stdout, after checking that it loads.
fn write_profile(ui: &Ui, args: &InspectArgs, inspection: &crate::inspect::Inspection) -> Exit {
    let path = args.output.as_ref().map(|out| {
        if out.is_relative() && out.starts_with(crate::rules::mapping::IMPORTS_DIR) {
            args.rules.dir.join(out)
        } else {
            out.clone()
        }
    });
    let name = path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or_else(|| "NAME".to_owned(), |s| s.to_string_lossy().into_owned());
    let text = crate::output::profile::suggest(inspection, &name);
    let check_path = path.clone().unwrap_or_else(|| PathBuf::from(format!("{name}.toml")));
    if let Err(diagnostics) = crate::rules::mapping::Mapping::parse(&name, &check_path, &text) {
        ui.diagnostics(&diagnostics);
        ui.error(
            "the suggested profile does not load",
            Some("this is a bug in scout; please report it"),
        );
        return Exit::Fatal;
    }
    let Some(path) = path else {
        return match write_stdout(|out| out.write_all(text.as_bytes())) {
            Ok(()) => Exit::Success,
            Err(err) => {
                ui.error(&format!("cannot write the profile: {err}"), None);
                Exit::Fatal
            }
        };
    };
    if path.exists() && !args.force {
        ui.error(
            &format!("`{}` already exists", path.display()),
            Some("pick another name, or add `--force` to replace it"),
        );
        return Exit::Fatal;
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(err) = std::fs::create_dir_all(dir) {
            ui.error(&format!("cannot create `{}`: {err}", dir.display()), None);
            return Exit::Fatal;
        }
    }
    if let Err(err) = crate::output::write_atomically(&path, |out| out.write_all(text.as_bytes())) {
        ui.error(&format!("cannot write `{}`: {err}", path.display()), None);
        return Exit::Fatal;
    }
    ui.status(&format!("wrote the mapping profile `{}`", path.display()));
    let mapping = if path.parent() == Some(&args.rules.dir.join(crate::rules::mapping::IMPORTS_DIR))
    {
        name
    } else {
        path.display().to_string()
    };
    ui.status(&format!(
        "hint: check it with `scout check`, then rank with `scout rank {} --mapping {mapping}`",
        args.file.display()
    ));
    Exit::Success
}
