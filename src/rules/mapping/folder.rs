//! Finding mapping profiles in a rule folder: listing `imports/`, resolving a `--mapping`
//! argument, checking every profile, and suggesting one that fits a file's headers.

use std::path::{Path, PathBuf};

use super::{Mapping, IMPORTS_DIR};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::rules::Taxonomy;

/// The profiles in `rules_dir/imports/`, by name, sorted.
pub fn available(rules_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(rules_dir.join(IMPORTS_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".toml")?;
            (!crate::source::is_editor_temp(&name)).then(|| stem.to_owned())
        })
        .collect();
    names.sort();
    names
}

/// A `--mapping` argument that names no profile.
#[derive(Debug, thiserror::Error)]
#[error("no mapping profile `{arg}`")]
pub struct UnknownMapping {
    /// What was asked for.
    pub arg: String,
    /// Where scout looked.
    pub looked_in: PathBuf,
    /// The profiles that exist.
    pub known: Vec<String>,
}

impl UnknownMapping {
    /// A hint naming the closest profile, or listing them.
    pub fn hint(&self) -> String {
        match did_you_mean(&self.arg, self.known.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None if self.known.is_empty() => format!(
                "`{}` has no profiles; pass a path to a profile's .toml file",
                self.looked_in.display()
            ),
            None => {
                format!("profiles in `{}`: {}", self.looked_in.display(), self.known.join(", "))
            }
        }
    }
}

/// Finds the profile `--mapping ARG` means: a path when it ends in `.toml` or contains a
/// path separator, else a name in `rules_dir/imports/`.
pub fn locate(arg: &str, rules_dir: &Path) -> Result<PathBuf, UnknownMapping> {
    let looks_like_path = arg.ends_with(".toml") || arg.contains(['/', '\\']);
    let path = if looks_like_path {
        PathBuf::from(arg)
    } else {
        rules_dir.join(IMPORTS_DIR).join(format!("{arg}.toml"))
    };
    if path.is_file() {
        return Ok(path);
    }
    Err(UnknownMapping {
        arg: arg.to_owned(),
        looked_in: rules_dir.join(IMPORTS_DIR),
        known: available(rules_dir),
    })
}

/// Checks every profile in `rules_dir/imports/`; with a taxonomy, niche names too.
pub fn check_folder(rules_dir: &Path, taxonomy: Option<&Taxonomy>) -> Vec<Diagnostic> {
    let dir = rules_dir.join(IMPORTS_DIR);
    available(rules_dir)
        .iter()
        .flat_map(|name| match Mapping::load(&dir.join(format!("{name}.toml")), taxonomy) {
            Ok(_) => Vec::new(),
            Err(diags) => diags,
        })
        .collect()
}

/// The first profile in `rules_dir/imports/` that names only headers found in `headers`.
pub fn suggest(rules_dir: &Path, headers: &[String]) -> Option<String> {
    let dir = rules_dir.join(IMPORTS_DIR);
    available(rules_dir).into_iter().find(|name| {
        Mapping::load(&dir.join(format!("{name}.toml")), None)
            .is_ok_and(|m| !m.rules.is_empty() && m.fits(headers))
    })
}
