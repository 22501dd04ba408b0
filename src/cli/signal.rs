//! The process's one Ctrl-C / SIGTERM handler (a process can install only one).
//!
//! By default a signal removes the temp files of outputs being written
//! ([`output::file::remove_temp_files`]) and exits with code 130. A command that stops
//! gracefully (`scout watch`) sets a hook with [`on_signal`]; when the hook answers
//! [`Action::Exit`], the default happens.

use std::sync::{Mutex, OnceLock};

use super::Ui;
use crate::output;

/// What to do about a signal, as a hook decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Remove temp files and exit with code 130.
    Exit,
    /// Nothing more: the hook has asked the command to stop by itself.
    Continue,
}

type Hook = Box<dyn FnMut() -> Action + Send>;

/// The hook, if a command set one.
static HOOK: Mutex<Option<Hook>> = Mutex::new(None);

/// Whether the handler is installed, or why it could not be.
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// Installs the handler, once per process: signals clean up the temp files of outputs
/// being written and exit with code 130. A failure is a warning.
pub fn install(ui: &Ui) {
    let installed =
        INSTALLED.get_or_init(|| ctrlc::set_handler(handle).map_err(|err| err.to_string()));
    if let Err(err) = installed {
        ui.warning(&format!("cannot catch Ctrl-C: {err}"));
    }
}

/// Installs the handler with `hook` deciding what each signal does.
pub fn on_signal(ui: &Ui, hook: impl FnMut() -> Action + Send + 'static) {
    *HOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Box::new(hook));
    install(ui);
}

fn handle() {
    let action = match HOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_mut() {
        Some(hook) => hook(),
        None => Action::Exit,
    };
    if action == Action::Exit {
        output::file::remove_temp_files();
        std::process::exit(130);
    }
}
