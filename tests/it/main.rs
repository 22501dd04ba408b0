//! scout's integration tests: one binary, one module per area. Tests drive the `scout`
//! binary on fixture folders and call the library's public surface.

mod accounts;
mod audit;
mod benchmarks;
mod check;
#[cfg(feature = "arrow")]
mod columnar;
mod columns;
mod completions;
mod diff;
mod docs;
mod engine;
mod evaluate;
mod explain;
mod filters;
mod history;
mod hostile;
mod import;
mod layers;
mod new;
mod order;
mod outputs;
mod plan;
mod props;
mod rank;
mod report;
mod ruletest;
mod sandbox;
mod schema;
mod serve;
mod speed;
mod streaming;
mod symlinks;
mod valid;
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

/// Runs a shell `script` in `dir`, no colour: for umasks and redirections.
pub fn sh_in(dir: &Path, script: &str) -> Run {
    let output = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SCOUT_RULES")
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
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

/// A copy of the bundled `rules/` in a temp dir, as `<tmp>/rules`, with whole files
/// `(file, text)` added or written over. Tests that change existing rules use a
/// [`rules_fixture`] instead, so that they do not depend on the bundled rules' wording.
pub fn rules_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), &tmp.path().join("rules"));
    for (file, text) in files {
        std::fs::write(tmp.path().join("rules").join(file), text).unwrap();
    }
    tmp
}

/// A copy of the rule folder fixture `tests/fixtures/rules/<name>` in a temp dir, as
/// `<tmp>/rules`. Tests change it by writing whole files ([`write_rule`], [`variant`]), so
/// no test depends on the wording of the bundled rules.
pub fn rules_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("tests/fixtures/rules").join(name), &tmp.path().join("rules"));
    tmp
}

/// Saves like an editor: a temp file next to the target, renamed over it, so a watcher
/// sees the old file or the new one and nothing in between.
pub fn save(path: &Path, text: &str) {
    let temp = path.with_file_name(format!(".{}.swp", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

/// [`save`]s `text` as the whole of `rel` in the `<tmp>/rules` folder of a [`rules_fixture`].
pub fn save_rule(tmp: &tempfile::TempDir, rel: &str, text: &str) {
    save(&tmp.path().join("rules").join(rel), text);
}

/// Writes `text` as the whole of `rel` in the `<tmp>/rules` folder of a [`rules_fixture`].
pub fn write_rule(tmp: &tempfile::TempDir, rel: &str, text: &str) {
    std::fs::write(tmp.path().join("rules").join(rel), text).unwrap();
}

/// The text of a whole-file variant of a fixture rule file, `tests/fixtures/rules/variants/<name>`.
pub fn variant(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/rules/variants").join(name)).unwrap()
}

/// The `[niches]` table of the `one_brand` fixture's `brands/glowskin.toml`.
pub const GLOWSKIN_NICHES: &str = "beauty = 1.0\nwellness = 0.6\nfashion = 0.5\nlifestyle = 0.4\n";

/// The `[weights]` table of the `one_brand` fixture's `brands/glowskin.toml`.
pub const GLOWSKIN_WEIGHTS: &str =
    "engagement = 0.35\nniche_fit = 0.30\ncost_efficiency = 0.25\nauthenticity = 0.10\n";

/// The whole `brands/glowskin.toml` of the `one_brand` fixture, with `niches` and `weights`
/// as the bodies of its `[niches]` (line 5 on) and `[weights]` (line 22 on) tables.
/// `glowskin_toml(GLOWSKIN_NICHES, GLOWSKIN_WEIGHTS)` is the fixture file itself.
pub fn glowskin_toml(niches: &str, weights: &str) -> String {
    format!(
        "name = \"GlowSkin\"
description = \"the bundled glowskin's settings, frozen for tests\"

[niches]
{niches}
[filters]
platforms = [\"instagram\", \"tiktok\"]
tiers = [\"nano\", \"micro\"]
max_followers = 100_000
min_engagement_rate = 0.01
min_niche_fit = 0.5
max_fake_follower_pct = 0.25
countries = [\"US\", \"GB\", \"CA\", \"AU\", \"IE\", \"NZ\"]
max_cost_per_post = 400
exclude_keywords = [\"vape\", \"casino\", \"crypto\"]

[weights]
{weights}
[engagement]
basis = \"followers\"
average = \"mean\"
cap = 2.0

[cost]
target_cost_per_engagement = 0.05
"
    )
}

#[test]
fn the_glowskin_template_is_the_fixture_file() {
    let file = root().join("tests/fixtures/rules/one_brand/brands/glowskin.toml");
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(glowskin_toml(GLOWSKIN_NICHES, GLOWSKIN_WEIGHTS), text);
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
