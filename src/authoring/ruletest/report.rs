//! The outcome of a test run: cases and their mismatches per file, the summary line, the
//! text report, and a located diagnostic per failed case for the reload validator.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::text::plural;

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mismatch {
    /// What was checked: `tier`, `passes`, `fails`, `score`, `outranks`, `note`, `error`.
    pub what: &'static str,
    /// What the case expected, in words.
    pub expected: String,
    /// What came out, in words.
    pub actual: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: expected {}, got {}", self.what, self.expected, self.actual)
    }
}

/// The outcome of one case.
#[derive(Clone, Debug, Serialize)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// The 1-based line of the case's `[[case]]` header.
    pub line: usize,
    /// What did not hold; empty when the case passed.
    pub mismatches: Vec<Mismatch>,
    #[serde(skip)]
    pub(super) name_span: Range<usize>,
}

impl CaseOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// The outcomes of one test file.
#[derive(Clone, Debug, Serialize)]
pub struct FileOutcome {
    /// The file as the user would type it: the rule folder joined with its relative path.
    pub path: PathBuf,
    /// The brand the cases ran against.
    pub brand: String,
    /// The tier scheme the cases ran with.
    pub scheme: String,
    /// Every case, in file order.
    pub cases: Vec<CaseOutcome>,
    #[serde(skip)]
    pub(super) source: Arc<str>,
}

impl FileOutcome {
    /// `path:line` of a case.
    pub fn location(&self, case: &CaseOutcome) -> String {
        format!("{}:{}", crate::diagnostic::display_path(&self.path), case.line)
    }
}

/// The outcome of a test run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TestReport {
    /// Every test file that ran, by path.
    pub files: Vec<FileOutcome>,
}

impl TestReport {
    /// Cases whose expectations all held.
    pub fn passed(&self) -> usize {
        self.cases().filter(|(_, c)| c.passed()).count()
    }

    /// Cases with at least one expectation that did not hold.
    pub fn failed(&self) -> usize {
        self.cases().filter(|(_, c)| !c.passed()).count()
    }

    fn cases(&self) -> impl Iterator<Item = (&FileOutcome, &CaseOutcome)> {
        self.files.iter().flat_map(|f| f.cases.iter().map(move |c| (f, c)))
    }

    /// The summary line: `N passed, N failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }

    /// The report as text: one line per file, every failed case with its location, expected
    /// and actual values, and the summary line last.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let width = self
            .files
            .iter()
            .map(|f| crate::diagnostic::display_path(&f.path).chars().count())
            .max()
            .unwrap_or(0);
        for file in &self.files {
            let failed = file.cases.iter().filter(|c| !c.passed()).count();
            let path = crate::diagnostic::display_path(&file.path);
            let status = if failed == 0 { "ok  " } else { "FAIL" };
            let n = file.cases.len();
            let counts = if failed == 0 {
                format!("{n} {}", plural(n, "case"))
            } else {
                format!("{failed} of {n} {} failed", plural(n, "case"))
            };
            let _ = writeln!(out, "{status} {path:width$}  {counts} · brand `{}`", file.brand);
            for case in file.cases.iter().filter(|c| !c.passed()) {
                let _ = writeln!(out, "  {}: `{}`", file.location(case), case.name);
                for mismatch in &case.mismatches {
                    let _ = writeln!(out, "    {mismatch}");
                }
            }
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// Every failed case as a located error, pointing at the case's name.
    pub fn failure_diagnostics(&self) -> Vec<Diagnostic> {
        self.cases()
            .filter(|(_, c)| !c.passed())
            .map(|(file, case)| {
                let details: Vec<String> = case.mismatches.iter().map(|m| m.to_string()).collect();
                Diagnostic::error(&file.path, format!("rule test `{}` failed", case.name))
                    .at(&file.source, case.name_span.clone())
                    .label(details.join("; "))
                    .hint(format!("run `scout test --brand {}` for details", file.brand))
            })
            .collect()
    }
}
