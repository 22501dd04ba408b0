//! Rule unit tests: `*.tests.toml` files next to the brands and tier schemes they test.
//!
//! A test file is a list of cases. Each case gives a candidate (inline, or by handle from a
//! candidate list) and what should come out: a tier, passing or failing the filters (with
//! a reason containing some text), a score within a range or ± a tolerance, outranking
//! another candidate, a note from the script. Cases run through [`crate::engine::evaluate`], so a
//! test sees exactly what `scout rank` does.
//!
//! Which brand a file tests follows from where it is: `brands/<brand>.tests.toml` tests that
//! brand; `tiers.tests.toml` and `experiments/<scheme>.tests.toml` test a tier scheme, judged
//! with the settings of the first brand (by name) that uses it, or of the brand the file
//! names with `brand = "…"`. A problem in a test file (an unknown key, a handle the list
//! lacks, a tier the scheme does not define) is a located [`Diagnostic`]; a case whose
//! expectations do not hold is a failed case in the [`TestReport`].
//!
//! [`validate`] has the shape of a reload validator: a folder whose tests fail is invalid.

mod check;
mod raw;
mod report;
mod run;

use crate::diagnostic::Diagnostic;
use crate::rules::RuleSet;
use run::Suite;

pub use raw::{CandidateColumns, RawCase, RawExpect, RawTestFile};
pub use report::{CaseOutcome, FileOutcome, Mismatch, TestReport};

/// The score tolerance when a case gives `score` without `tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

/// Runs the folder's rule tests, or only those that run against brand `filter`.
///
/// Returns every problem in the test files as diagnostics, all at once, when any file is
/// invalid; otherwise the outcome of every case.
pub fn run_tests(rules: &RuleSet, filter: Option<&str>) -> Result<TestReport, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut suites = Vec::new();
    for file in &rules.test_files {
        if let Some(suite) = Suite::prepare(rules, file, &mut diags) {
            suites.push(suite);
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let files = suites
        .into_iter()
        .filter(|suite| filter.is_none_or(|name| suite.brand.id == name))
        .map(|suite| suite.run(rules))
        .collect();
    Ok(TestReport { files })
}

/// The reload validator: `Ok` when every test file is valid and every case passes;
/// otherwise a located diagnostic per problem and per failed case.
pub fn validate(rules: &RuleSet) -> Result<(), Vec<Diagnostic>> {
    let report = run_tests(rules, None)?;
    let failures = report.failure_diagnostics();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::run::{target_of, Target};
    use super::*;
    use crate::model::Field;

    #[test]
    fn the_schema_names_every_candidate_column() {
        let schema = schemars::schema_for!(CandidateColumns).to_value();
        let mut columns: Vec<&str> =
            schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        columns.sort_unstable();
        fields.sort_unstable();
        assert_eq!(columns, fields);
    }

    #[test]
    fn targets_follow_the_file_location() {
        assert!(
            matches!(target_of("brands/glowskin.tests.toml"), Target::Brand(b) if b == "glowskin")
        );
        assert!(matches!(target_of("tiers.tests.toml"), Target::Scheme(s) if s == "tiers.toml"));
        assert!(
            matches!(target_of("experiments/meta.tests.toml"), Target::Scheme(s) if s == "experiments/meta.toml")
        );
        assert!(matches!(target_of("misc.tests.toml"), Target::Unknown));
    }
}
