//! `scout completions`: shell completion scripts, generated from the clap definitions.

use clap::CommandFactory as _;
use clap_complete::Shell;

use super::{write_stdout, Cli, Exit, Ui};

/// Arguments of `scout completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Runs `scout completions`: prints the completion script for the shell to stdout.
pub fn run(ui: &Ui, args: &CompletionsArgs) -> Exit {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "scout", &mut script);
    match write_stdout(|out| out.write_all(&script)) {
        Ok(()) => Exit::Success,
        Err(err) => {
            ui.error(&format!("cannot write the completion script: {err}"), None);
            Exit::Fatal
        }
    }
}
