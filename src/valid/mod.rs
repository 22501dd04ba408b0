//! What "valid" means for a rule folder, defined once: it loads (every file parses, every
//! check passes, every script compiles), every script and `when` copes with the probe
//! candidates ([`probe`]), and every rule test passes. `scout check`, `rank`, `watch`,
//! `diff` and `test` and the [`crate::reload::Reloader`] all ask [`validate`] or
//! [`validate_files`], so a folder one of them accepts, all of them accept.

pub mod probe;

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::RuleSet;
use crate::source::SourceFile;
use crate::text::plural;

/// What `scout check` finds in a rule folder: the rules when they are valid, every
/// diagnostic (warnings too) and the one-line summary. The CLI prints it; the Python
/// binding raises it; both word it the same way.
#[derive(Debug)]
pub struct Report {
    /// The validated rules; `None` when the folder has errors.
    pub rules: Option<RuleSet>,
    /// Every problem, errors and warnings, as `scout check` lists them.
    pub diagnostics: Vec<Diagnostic>,
    /// `` `dir` is valid: … · revision … `` when valid, else `` found N problems in `dir` ``.
    pub summary: Result<String, String>,
}

impl Report {
    /// The report as `scout check` prints it on stderr without colours: every diagnostic
    /// rendered, then the summary (after `error: ` when the folder is invalid).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for diagnostic in &self.diagnostics {
            out.push_str(&diagnostic.render(false));
            out.push('\n');
        }
        match &self.summary {
            Ok(summary) => out.push_str(summary),
            Err(summary) => {
                out.push_str("error: ");
                out.push_str(summary);
            }
        }
        out.push('\n');
        out
    }
}

/// Checks the rule folder at `dir` as `scout check` does: [`validate`], and the mapping
/// profiles of `imports/` against the taxonomy.
pub fn check(dir: &Path) -> Report {
    let loaded = validate(dir);
    // Mapping profiles (`imports/*.toml`) are checked too; their niches against the taxonomy.
    let imports =
        crate::rules::mapping::check_folder(dir, loaded.as_ref().ok().map(|r| &r.taxonomy));
    let profiles = crate::rules::mapping::available(dir).len();
    let problems = |diagnostics: Vec<Diagnostic>| {
        let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let summary =
            format!("found {errors} {} in `{}`", plural(errors, "problem"), dir.display());
        Report { rules: None, diagnostics, summary: Err(summary) }
    };
    match loaded {
        Ok(mut rules) if imports.is_empty() => {
            let summary = format!(
                "`{}` is valid: {} {}, {} tier {}, {} {}, {} mapping {} · revision {}",
                dir.display(),
                rules.brands.len(),
                plural(rules.brands.len(), "brand"),
                rules.schemes.len(),
                plural(rules.schemes.len(), "scheme"),
                rules.taxonomy.names().len(),
                plural(rules.taxonomy.names().len(), "niche"),
                profiles,
                plural(profiles, "profile"),
                rules.revision
            );
            let diagnostics = std::mem::take(&mut rules.warnings);
            rules.warnings.clone_from(&diagnostics);
            Report { rules: Some(rules), diagnostics, summary: Ok(summary) }
        }
        Ok(rules) => problems(imports.into_iter().chain(rules.warnings).collect()),
        Err(diagnostics) => problems(diagnostics.into_iter().chain(imports).collect()),
    }
}

/// Reads, loads and validates the rule folder at `root`: the rule set, or every problem.
pub fn validate(root: &Path) -> Result<RuleSet, Vec<Diagnostic>> {
    let files = crate::rules::load::read_folder(root).map_err(|d| vec![d])?;
    validate_files(root, &files)
}

/// Loads and validates rule files already read; `root` only names them in diagnostics.
pub fn validate_files(root: &Path, files: &[SourceFile]) -> Result<RuleSet, Vec<Diagnostic>> {
    let rules = crate::rules::load::load_files(root, files)?;
    let mut rules = rules;
    let (errors, warnings): (Vec<_>, Vec<_>) =
        problems_of(&rules).into_iter().partition(|d| d.severity == Severity::Error);
    rules.warnings.extend(warnings);
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors.into_iter().chain(std::mem::take(&mut rules.warnings)).collect())
    }
}

/// What makes a loaded rule set invalid: scripts or conditions that fail on a probe
/// candidate, and rule tests that are broken or fail.
pub fn problems_of(rules: &RuleSet) -> Vec<Diagnostic> {
    let mut problems = probe::dry_run(rules);
    if let Err(failures) = crate::authoring::ruletest::validate(rules) {
        problems.extend(failures);
    }
    problems
}
