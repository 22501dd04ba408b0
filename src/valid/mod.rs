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
