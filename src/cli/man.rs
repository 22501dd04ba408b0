//! `scout man`: manual pages in roff, generated from the clap definitions.

use std::path::{Path, PathBuf};

use clap::CommandFactory as _;
use clap_mangen::Man;

use super::{write_stdout, Cli, Exit, Ui};

/// Arguments of `scout man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `scout.1` and one page per subcommand (`scout-rank.1`, …) into DIR (atomically)
    /// instead of printing `scout.1`.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Runs `scout man`.
pub fn run(ui: &Ui, args: &ManArgs) -> Exit {
    let mut command = Cli::command().disable_help_subcommand(true);
    // Building gives each subcommand its display name (`scout-rank`), which names its page.
    command.build();
    let Some(dir) = &args.output else {
        let mut page = Vec::new();
        if let Err(err) = page_of(command).render(&mut page) {
            ui.error(&format!("cannot render the manual page: {err}"), None);
            return Exit::Fatal;
        }
        return match write_stdout(|out| out.write_all(&page)) {
            Ok(()) => Exit::Success,
            Err(err) => {
                ui.error(&format!("cannot write the manual page: {err}"), None);
                Exit::Fatal
            }
        };
    };
    super::signal::install(ui);
    if let Err(err) = std::fs::create_dir_all(dir) {
        ui.error(&format!("cannot create `{}`: {err}", dir.display()), None);
        return Exit::Fatal;
    }
    match write_pages(ui, &command, dir) {
        Ok(()) => Exit::Success,
        Err(exit) => exit,
    }
}

/// Writes the page of `command`, then those of its visible subcommands, depth first.
fn write_pages(ui: &Ui, command: &clap::Command, dir: &Path) -> Result<(), Exit> {
    let man = page_of(command.clone());
    let path = dir.join(man.get_filename());
    if let Err(err) = crate::output::file::write_output(&path, &[], |out| man.render(out)) {
        ui.error(&err.to_string(), None);
        return Err(Exit::Fatal);
    }
    ui.status(&format!("wrote `{}`", path.display()));
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_pages(ui, sub, dir)?;
    }
    Ok(())
}

/// The page of one command; every page's footer names scout and its version.
fn page_of(command: clap::Command) -> Man {
    Man::new(command).source(format!("scout {}", env!("CARGO_PKG_VERSION")))
}
