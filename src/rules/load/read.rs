//! Reading a rule folder: every rule file (`*.toml`, `*.rhai`) under the root, sorted, with
//! editor temp files skipped, and the revision hash of what was read.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::source::{is_editor_temp, SourceFile};

/// Reads every rule file (`*.toml`, `*.rhai`) under `root`, sorted by relative path.
pub fn read_folder(root: &Path) -> Result<Vec<SourceFile>, Diagnostic> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), Diagnostic> {
        let entries = std::fs::read_dir(dir).map_err(|err| {
            Diagnostic::error(
                dir,
                format!("cannot read the rule folder `{}`: {err}", dir.display()),
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_editor_temp(&name) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
                continue;
            }
            if !(name.ends_with(".toml") || name.ends_with(".rhai")) {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(&path) {
                Ok(text) => out.push(SourceFile { rel, path, text: text.into() }),
                // A file deleted between listing and reading is simply not there.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    return Err(Diagnostic::error(&path, format!("cannot read `{rel}`: {err}")));
                }
            }
        }
        Ok(())
    }
    if !root.is_dir() {
        return Err(Diagnostic::error(
            root,
            format!("rule folder `{}` does not exist", root.display()),
        )
        .hint("pass `--rules DIR`, or run scout where a `rules/` folder is"));
    }
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

/// The revision of a set of rule files: a short content hash of paths and contents.
pub fn revision_of(files: &[SourceFile]) -> String {
    let mut hasher = blake3::Hasher::new();
    for file in files {
        hasher.update(file.rel.as_bytes());
        hasher.update(&[0]);
        hasher.update(file.text.as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize().to_hex()[..12].to_owned()
}
