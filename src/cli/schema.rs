//! `scout schema`: JSON Schemas for the rule files, for editors.

use std::path::PathBuf;

use super::{write_stdout, Exit, Ui};
use crate::authoring::schema::SchemaKind;

/// Arguments of `scout schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The kind of rule file; all kinds when left out.
    #[arg(value_enum, value_name = "KIND")]
    pub kind: Option<SchemaKind>,
    /// Write `<kind>.json` files into DIR (atomically) instead of printing.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Runs `scout schema`.
pub fn run(ui: &Ui, args: &SchemaArgs) -> Exit {
    let kinds: Vec<SchemaKind> = match args.kind {
        Some(kind) => vec![kind],
        None => SchemaKind::ALL.to_vec(),
    };
    let Some(dir) = &args.output else {
        let written = match args.kind {
            Some(kind) => write_stdout(|out| out.write_all(kind.render().as_bytes())),
            None => write_stdout(|out| {
                writeln!(out, "kind        files")?;
                for kind in SchemaKind::ALL {
                    writeln!(out, "{:10}  {}", kind.name(), kind.files())?;
                }
                Ok(())
            }),
        };
        if args.kind.is_none() {
            ui.status("print one with `scout schema KIND`, or write them all with `scout schema --output DIR`");
        }
        return match written {
            Ok(()) => Exit::Success,
            Err(err) => {
                ui.error(&format!("cannot write the schema: {err}"), None);
                Exit::Fatal
            }
        };
    };
    super::signal::install(ui);
    if let Err(err) = std::fs::create_dir_all(dir) {
        ui.error(&format!("cannot create `{}`: {err}", dir.display()), None);
        return Exit::Fatal;
    }
    for kind in kinds {
        let path = dir.join(kind.file_name());
        let text = kind.render();
        if let Err(err) =
            crate::output::file::write_output(&path, &[], |out| out.write_all(text.as_bytes()))
        {
            ui.error(&err.to_string(), None);
            return Exit::Fatal;
        }
        ui.status(&format!("wrote `{}` ({})", path.display(), kind.files()));
    }
    Exit::Success
}
