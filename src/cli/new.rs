//! `scout new brand`: scaffold a brand file and its test file.

use std::path::Path;

use super::{Exit, RulesArg, Ui};
use crate::authoring::scaffold::{self, NewFile, ScaffoldError};
use crate::authoring::schema::{SchemaKind, SCHEMAS_DIR};

/// Arguments of `scout new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// What to create.
    #[command(subcommand)]
    pub what: NewWhat,
}

/// What `scout new` creates.
#[derive(Debug, clap::Subcommand)]
pub enum NewWhat {
    /// A brand: `brands/NAME.toml` and `brands/NAME.tests.toml`.
    Brand(NewBrandArgs),
}

/// Arguments of `scout new brand`.
#[derive(Debug, clap::Args)]
pub struct NewBrandArgs {
    /// The new brand's name: its file name under `brands/`, what `--brand` takes.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Copy this brand (and its tests and own script) instead of starting from a template.
    #[arg(long, value_name = "EXISTING")]
    pub from: Option<String>,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// Runs `scout new`.
pub fn run(ui: &Ui, args: &NewArgs) -> Exit {
    match &args.what {
        NewWhat::Brand(args) => brand(ui, args),
    }
}

fn brand(ui: &Ui, args: &NewBrandArgs) -> Exit {
    let root = &args.rules.dir;
    if let Err(err) = scaffold::check_name(&args.name) {
        ui.error(&err.to_string(), err.hint().as_deref());
        return Exit::Fatal;
    }
    let files = match crate::rules::load::read_folder(root) {
        Ok(files) => files,
        Err(diagnostic) => {
            ui.diagnostics(&[diagnostic]);
            return Exit::Fatal;
        }
    };
    let rules = match ui.load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    // Refuse before building anything: every file the brand would own must be new.
    for rel in [
        format!("brands/{}.toml", args.name),
        format!("brands/{}.tests.toml", args.name),
        format!("brands/{}.rhai", args.name),
    ] {
        let path = root.join(&rel);
        if path.exists() {
            ui.error(
                &format!("`{}` already exists", path.display()),
                Some("scout new never overwrites; pick another name, or delete the file first"),
            );
            return Exit::Fatal;
        }
    }
    let with_schema = root.join(SCHEMAS_DIR).join(SchemaKind::Brand.file_name()).is_file();
    let new = match scaffold::new_brand(
        root,
        &files,
        &rules,
        &args.name,
        args.from.as_deref(),
        with_schema,
    ) {
        Ok(new) => new,
        Err(ScaffoldError::DoesNotCheck(diagnostics)) => {
            ui.diagnostics(&diagnostics);
            ui.error(
                "the new brand would not pass `scout check` and `scout test`; nothing was written",
                None,
            );
            return Exit::Fatal;
        }
        Err(err) => {
            ui.error(&err.to_string(), err.hint().as_deref());
            return Exit::Fatal;
        }
    };
    super::signal::install(ui);
    let mut written: Vec<&NewFile> = Vec::new();
    for file in &new {
        let path = root.join(&file.rel);
        if let Err(err) = write_new(&path, &file.text) {
            // Leave nothing half made.
            for done in &written {
                let _ = std::fs::remove_file(root.join(&done.rel));
            }
            let message = if err.kind() == std::io::ErrorKind::AlreadyExists {
                format!("`{}` already exists", path.display())
            } else {
                format!("cannot write `{}`: {err}", path.display())
            };
            ui.error(&message, Some("nothing was written"));
            return Exit::Fatal;
        }
        written.push(file);
    }
    for file in &new {
        ui.status(&format!("created `{}`", root.join(&file.rel).display()));
    }
    ui.status(&format!(
        "next: edit them, then `scout check --rules {0}` and `scout test --rules {0} --brand {1}`",
        root.display(),
        args.name
    ));
    Exit::Success
}

/// Writes a new file atomically (a temp file renamed into place) and never over an
/// existing one.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    crate::output::file::write_new(path, text.as_bytes())
}
