//! Reading a rule folder: every rule file (`*.toml`, `*.rhai`, and history files under
//! `history/`) under the root, sorted, with
//! editor temp files skipped, and the revision hash of what was read.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::{is_editor_temp, SourceFile};

/// Reads every rule file (`*.toml`, `*.rhai`) under `root`, sorted by relative path.
///
/// Symbolic links are followed only while they stay inside the folder: a link whose target
/// lies outside it, or a link back to a folder already being read (a loop), is an error,
/// the same for every command, since every command reads the folder here.
pub fn read_folder(root: &Path) -> Result<Vec<SourceFile>, Diagnostic> {
    if !root.is_dir() {
        return Err(Diagnostic::error(
            root,
            format!("rule folder `{}` does not exist", root.display()),
        )
        .hint("pass `--rules DIR`, or run scout where a `rules/` folder is"));
    }
    let top = root.canonicalize().map_err(|err| cannot_read(root, &err))?;
    let mut walk = Walk { root, top: &top, open: vec![top.clone()], files: Vec::new() };
    walk.dir(root)?;
    let mut files = walk.files;
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

/// One pass over a rule folder.
struct Walk<'a> {
    root: &'a Path,
    /// The folder's canonical path: links must resolve inside it.
    top: &'a Path,
    /// The canonical paths of the folders being read, outermost first.
    open: Vec<PathBuf>,
    files: Vec<SourceFile>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path) -> Result<(), Diagnostic> {
        let entries = std::fs::read_dir(dir).map_err(|err| cannot_read(dir, &err))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_editor_temp(&name) {
                continue;
            }
            let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
            if path.is_dir() {
                let real = path.canonicalize().map_err(|err| cannot_read(&path, &err))?;
                if linked {
                    self.check_link(&path, &real)?;
                }
                self.open.push(real);
                self.dir(&path)?;
                self.open.pop();
            } else if name.ends_with(".toml")
                || name.ends_with(".rhai")
                || super::is_history_file(&self.rel(&path))
            {
                if linked {
                    // A dangling link is a file that is not there.
                    let Ok(real) = path.canonicalize() else { continue };
                    self.check_link(&path, &real)?;
                }
                self.file(path)?;
            }
        }
        Ok(())
    }

    /// A link must resolve inside the folder, and not to a folder being read.
    fn check_link(&self, link: &Path, real: &Path) -> Result<(), Diagnostic> {
        let rel = self.rel(link);
        if !real.starts_with(self.top) {
            return Err(Diagnostic::error(
                link,
                format!("`{rel}` is a link to `{}`, outside the rule folder", real.display()),
            )
            .hint("rule files must live inside the rule folder: copy the file in instead of linking it"));
        }
        if self.open.iter().any(|open| open == real) {
            return Err(Diagnostic::error(
                link,
                format!("`{rel}` is a link back to a folder that contains it: a loop"),
            )
            .hint("remove the link; scout reads each rule folder once"));
        }
        Ok(())
    }

    fn file(&mut self, path: PathBuf) -> Result<(), Diagnostic> {
        let rel = self.rel(&path);
        match std::fs::read_to_string(&path) {
            Ok(text) => self.files.push(SourceFile { rel, path, text: text.into() }),
            // A file deleted between listing and reading is simply not there.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(Diagnostic::error(&path, format!("cannot read `{rel}`: {err}")));
            }
        }
        Ok(())
    }

    /// The path relative to the rule folder, with `/` separators.
    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(self.root).unwrap_or(path).to_string_lossy().replace('\\', "/")
    }
}

fn cannot_read(dir: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(dir, format!("cannot read the rule folder `{}`: {err}", dir.display()))
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
