//! scout's integration tests: one binary, one module per area. Tests drive the `scout`
//! binary on fixture folders and call the library's public surface.

mod check;
mod diff;
mod engine;
mod explain;
mod import;
mod new;
mod order;
mod props;
mod rank;
mod ruletest;
mod schema;
mod speed;
mod watch;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

/// Runs `scout` in `dir` with `args`, no colour, and optional stdin.
pub fn scout_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_scout"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SCOUT_RULES")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the scout binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `scout` in the project root.
pub fn scout(args: &[&str]) -> Run {
    scout_in(&root(), args, None)
}

/// A copy of the bundled `rules/` in a temp dir, as `<tmp>/rules`, with edits applied.
///
/// Each edit is `(file, find, replace)`; `find` must occur in the file. An empty `find`
/// creates or overwrites the file with `replace`.
pub fn rules_with(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), &tmp.path().join("rules"));
    for (file, find, replace) in edits {
        let path = tmp.path().join("rules").join(file);
        if find.is_empty() {
            std::fs::write(&path, replace).unwrap();
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(find), "`{find}` is not in {file}");
        std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    }
    tmp
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Parses stdout as JSON.
pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|err| panic!("{err}: {}", run.stdout))
}
