//! Rule unit tests: `*.tests.toml` files next to the brands and tier schemes they test.
//!
//! A test file is a list of cases. Each case gives a candidate (inline, or by handle from a
//! candidate list) and what should come out: a tier, passing or failing the filters (with
//! a reason containing some text), a score within a range or ± a tolerance, outranking
//! another candidate, a note from the script. Cases run through [`engine::evaluate`], so a
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

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::engine::{self, Evaluation, Options};
use crate::input::{self, RowBuilder, Source};
use crate::model::Field;
use crate::model::{Candidate, PostSample, RowError};
use crate::rules::load::TESTS_SUFFIX;
use crate::rules::{Brand, RuleSet};
use crate::source::{toml_diagnostic, SourceFile};
use crate::text::{normalize_handle, plural};

/// A rule-test file, as written.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTestFile {
    /// The brand whose rules the cases run against. `brands/<brand>.tests.toml` tests that
    /// brand; a tier scheme's tests default to the first brand (by name) that uses the scheme.
    #[schemars(with = "Option<String>")]
    pub brand: Option<Spanned<String>>,
    /// A candidate list (CSV, JSON or NDJSON), relative to the rule folder, that cases can
    /// take candidates from by `handle`.
    #[schemars(with = "Option<String>")]
    pub candidates: Option<Spanned<String>>,
    /// Columns every inline candidate starts from; a case's own columns win.
    #[schemars(with = "Option<CandidateColumns>")]
    pub defaults: Option<Spanned<toml::Table>>,
    /// The test cases, run in order.
    #[serde(default)]
    #[schemars(with = "Vec<RawCase>")]
    pub case: Vec<Spanned<RawCase>>,
}

/// One `[[case]]`: a candidate and what should come out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// What the case checks, shown when it fails.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The candidate, inline: the columns of a candidate list (`handle` and `followers` at
    /// least), on top of `[defaults]`.
    #[schemars(with = "Option<CandidateColumns>")]
    pub candidate: Option<Spanned<toml::Table>>,
    /// Or a candidate from the file's `candidates` list, by handle.
    #[schemars(with = "Option<String>")]
    pub handle: Option<Spanned<String>>,
    /// What should come out. Every key given must hold.
    #[schemars(with = "RawExpect")]
    pub expect: Spanned<RawExpect>,
}

/// A case's expectations; leave out what the case does not check.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// The tier the candidate falls into.
    #[schemars(with = "Option<String>")]
    pub tier: Option<Spanned<String>>,
    /// `true`: passes every filter and is ranked; `false`: some filter turns it away.
    pub passes: Option<bool>,
    /// Some filter turns the candidate away with a reason containing this text
    /// (`"fake_follower_pct"`, `"not in [nano, micro]"`); `""` accepts any reason.
    pub fails: Option<String>,
    /// The score the script gives (computed for filtered candidates too), ± `tolerance`.
    pub score: Option<f64>,
    /// How far the score may be from `score`; default 0.01.
    #[schemars(range(min = 0.0))]
    pub tolerance: Option<f64>,
    /// The lowest score accepted, inclusive.
    pub min_score: Option<f64>,
    /// The highest score accepted, inclusive.
    pub max_score: Option<f64>,
    /// A handle (an inline case's candidate, or one from `candidates`) that this candidate
    /// ranks above: it passes the filters and scores higher, or scores the same with a handle
    /// that sorts first, or the other is filtered.
    #[schemars(with = "Option<String>")]
    pub outranks: Option<Spanned<String>>,
    /// The script emits a note containing this text.
    pub note: Option<String>,
}

// For the JSON Schema only: test files read candidates through the same row builder as
// `scout rank` (`candidate_from_table`); the columns come from the field table.
macro_rules! candidate_columns {
    ($(($variant:ident, $member:ident, $kind:ident, $required:tt, $ranking:tt, $doc:literal,
        $test_doc:literal, $($rest:tt)*))*) => {
        /// The columns an inline candidate may give: the canonical columns of a candidate list, and
        /// any extra column scripts read as `extra["name"]`.
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        pub struct CandidateColumns {
            $(
                #[doc = $test_doc]
                $member: Option<column_type!($member, $kind)>,
            )*
        }
    };
}

/// The schema type of a column: by kind, with `posts` also taking per-post samples.
macro_rules! column_type {
    (posts, Count) => {
        PostsColumn
    };
    ($member:ident, Text) => {
        String
    };
    ($member:ident, Count) => {
        CountOrText
    };
    ($member:ident, Float) => {
        NumberOrText
    };
    ($member:ident, Fraction) => {
        NumberOrText
    };
    ($member:ident, List) => {
        NichesColumn
    };
}
crate::model::candidate_fields!(candidate_columns);

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum CountOrText {
    Count(u64),
    Text(String),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PostsColumn {
    Count(u64),
    Samples(Vec<PostSampleColumns>),
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PostSampleColumns {
    likes: Option<f64>,
    comments: Option<f64>,
    shares: Option<f64>,
    views: Option<f64>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum NichesColumn {
    List(Vec<String>),
    Text(String),
}

/// The score tolerance when a case gives `score` without `tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

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
    name_span: Range<usize>,
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
    source: Arc<str>,
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

/// A test file, checked and ready to run.
struct Suite {
    file: SourceFile,
    brand: Brand,
    cases: Vec<Case>,
}

struct Case {
    name: String,
    name_span: Range<usize>,
    line: usize,
    candidate: Candidate,
    expect: RawExpect,
    outranks: Option<Candidate>,
}

/// What a test file tests, by where it is.
enum Target {
    Brand(String),
    Scheme(String),
    Unknown,
}

fn target_of(rel: &str) -> Target {
    let stem = rel.strip_suffix(TESTS_SUFFIX).unwrap_or(rel);
    match stem.strip_prefix("brands/") {
        Some(brand) if !brand.contains('/') => return Target::Brand(brand.to_owned()),
        _ => {}
    }
    if stem == "tiers" || stem.starts_with("experiments/") {
        Target::Scheme(format!("{stem}.toml"))
    } else {
        Target::Unknown
    }
}

impl Suite {
    fn prepare(rules: &RuleSet, file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Suite> {
        let raw: RawTestFile = match toml::from_str(&file.text) {
            Ok(raw) => raw,
            Err(err) => {
                diags.push(toml_diagnostic(file, &err));
                return None;
            }
        };
        let brand = test_brand(rules, file, &raw).map_err(|d| diags.push(d)).ok()?;
        let list = CandidateList::read(rules, file, &raw).map_err(|d| diags.push(d)).ok()?;
        let before = diags.len();
        let defaults = raw.defaults.as_ref().map(|d| d.get_ref().clone()).unwrap_or_default();
        let inline: Vec<Option<Result<Candidate, Diagnostic>>> = raw
            .case
            .iter()
            .map(|case| {
                let table = case.get_ref().candidate.as_ref()?;
                Some(inline_candidate(file, &defaults, table))
            })
            .collect();
        let tier_names: Vec<&str> = brand.tiers.names();
        let mut cases = Vec::new();
        for (raw_case, inline_candidate) in raw.case.iter().zip(&inline) {
            let RawCase { name, candidate, handle, expect } = raw_case.get_ref();
            let candidate = match (candidate, handle) {
                (Some(_), Some(handle)) => Err(file
                    .error(handle.span(), "a case gives a candidate inline or by handle, not both")
                    .label("drop this, or the `candidate` table")),
                (Some(_), None) => inline_candidate.clone().expect("a `candidate` table was built"),
                (None, Some(handle)) => list.find(file, handle),
                (None, None) => Err(file
                    .error(name.span(), format!("case `{}` has no candidate", name.get_ref()))
                    .label("this case")
                    .hint("add `candidate = { handle = \"x\", followers = 2_000 }`, or `handle = \"x\"` from the candidate list")),
            };
            diags.extend(expectation_problems(file, name, expect, &tier_names, &brand));
            let e = expect.get_ref();
            let outranks = e.outranks.as_ref().map(|other| {
                let wanted = normalize_handle(other.get_ref());
                let from_cases = inline
                    .iter()
                    .flatten()
                    .filter_map(|built| built.as_ref().ok())
                    .find(|c| normalize_handle(&c.handle) == wanted);
                match from_cases {
                    Some(candidate) => Ok(candidate.clone()),
                    None if list.name.is_some() => list.find(file, other),
                    None => Err(file
                        .error(other.span(), format!("no candidate `{}` to compare with", other.get_ref()))
                        .label("not the handle of an inline candidate in this file")
                        .hint("give that candidate in a case of its own, or add `candidates = \"<file>\"`")),
                }
            });
            let (candidate, outranks) = match (candidate, outranks.transpose()) {
                (Ok(candidate), Ok(outranks)) => (candidate, outranks),
                (candidate, outranks) => {
                    diags.extend(candidate.err().into_iter().chain(outranks.err()));
                    continue;
                }
            };
            cases.push(Case {
                name: name.get_ref().clone(),
                name_span: name.span(),
                line: line_of(file, raw_case.span().start),
                candidate,
                expect: e.clone(),
                outranks,
            });
        }
        (diags.len() == before).then(|| Suite { file: file.clone(), brand, cases })
    }

    fn run(self, rules: &RuleSet) -> FileOutcome {
        let brand = &self.brand;
        let cases = self
            .cases
            .iter()
            .map(|case| CaseOutcome {
                name: case.name.clone(),
                line: case.line,
                mismatches: check(rules, brand, case),
                name_span: case.name_span.clone(),
            })
            .collect();
        FileOutcome {
            path: self.file.path.clone(),
            brand: brand.id.clone(),
            scheme: brand.tiers.path.display().to_string(),
            cases,
            source: Arc::clone(&self.file.text),
        }
    }
}

fn line_of(file: &SourceFile, offset: usize) -> usize {
    crate::diagnostic::line_col(&file.text, offset).0
}

/// The brand a test file runs against, with the tier scheme it tests swapped in.
fn test_brand(rules: &RuleSet, file: &SourceFile, raw: &RawTestFile) -> Result<Brand, Diagnostic> {
    let named = match &raw.brand {
        Some(name) => Some(rules.brand(name.get_ref()).map_err(|unknown| {
            file.error(name.span(), format!("unknown brand `{}`", name.get_ref()))
                .label("no `brands/<name>.toml` by this name")
                .hint(unknown.hint())
        })?),
        None => None,
    };
    match target_of(&file.rel) {
        Target::Brand(id) => named.or_else(|| rules.brands.get(&id)).cloned().ok_or_else(|| {
            file.whole(format!("no brand `{id}` for these tests"))
                .hint(format!("create `brands/{id}.toml`, or rename the test file"))
        }),
        Target::Scheme(scheme) => {
            let tiers = rules.schemes.get(Path::new(&scheme)).ok_or_else(|| {
                file.whole(format!("no tier scheme `{scheme}` for these tests"))
                    .hint(format!("create `{scheme}`, or rename the test file"))
            })?;
            let user = named
                .or_else(|| rules.brands.values().find(|b| b.tiers.path == Path::new(&scheme)));
            let user = user.ok_or_else(|| {
                file.whole(format!(
                    "no brand uses `{scheme}`, so its tests have no brand settings to run with"
                ))
                .hint("name one at the top of the file: `brand = \"<name>\"`")
            })?;
            Ok(user.with_tiers(Arc::clone(tiers)))
        }
        Target::Unknown => named.cloned().ok_or_else(|| {
            file.whole("these tests are not next to a brand or tier scheme, and name no brand")
                .hint("add `brand = \"<name>\"` at the top, or move the file next to what it tests")
        }),
    }
}

/// The candidate list a test file names, read once.
struct CandidateList {
    name: Option<String>,
    rows: Vec<Result<Candidate, RowError>>,
}

impl CandidateList {
    fn read(rules: &RuleSet, file: &SourceFile, raw: &RawTestFile) -> Result<Self, Diagnostic> {
        let Some(rel) = &raw.candidates else {
            return Ok(Self { name: None, rows: Vec::new() });
        };
        let path = rules.root.join(rel.get_ref());
        let rows = input::read(&Source::File(path.clone()), input::Format::from_path(&path))
            .map_err(|err| {
                file.error(
                    rel.span(),
                    format!("cannot use candidate list `{}`: {err}", rel.get_ref()),
                )
                .label("paths are relative to the rule folder")
                .maybe_hint(err.hint())
            })?;
        Ok(Self { name: Some(rel.get_ref().clone()), rows: rows.collect() })
    }

    /// The candidate with `handle` (matched without `@`, ignoring case).
    fn find(&self, file: &SourceFile, handle: &Spanned<String>) -> Result<Candidate, Diagnostic> {
        let wanted = normalize_handle(handle.get_ref());
        let Some(list) = &self.name else {
            return Err(file
                .error(handle.span(), format!("no candidate list to find `{}` in", handle.get_ref()))
                .label("names a candidate by handle")
                .hint("add `candidates = \"<file>\"` at the top of the file, or give the candidate inline"));
        };
        let found = self.rows.iter().find(|row| match row {
            Ok(c) => normalize_handle(&c.handle) == wanted,
            Err(e) => e.handle.as_deref().map(normalize_handle).as_ref() == Some(&wanted),
        });
        match found {
            Some(Ok(candidate)) => Ok(candidate.clone()),
            Some(Err(row)) => Err(file
                .error(
                    handle.span(),
                    format!("`{}` is unusable in `{list}`: {row}", handle.get_ref()),
                )
                .label("this candidate")),
            None => {
                let handles =
                    self.rows.iter().filter_map(|r| r.as_ref().ok()).map(|c| c.handle.as_str());
                let hint = match did_you_mean(&wanted, handles) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("handles are matched without `@`, ignoring case, in `{list}`"),
                };
                Err(file
                    .error(
                        handle.span(),
                        format!("no candidate `{}` in `{list}`", handle.get_ref()),
                    )
                    .label("not in the candidate list")
                    .hint(hint))
            }
        }
    }
}

/// An inline candidate: its columns on top of `[defaults]`.
fn inline_candidate(
    file: &SourceFile,
    defaults: &toml::Table,
    table: &Spanned<toml::Table>,
) -> Result<Candidate, Diagnostic> {
    let mut merged = defaults.clone();
    merged.extend(table.get_ref().clone());
    let line = line_of(file, table.span().start) as u64;
    candidate_from_table(&merged, line).map_err(|row| {
        let message = match &row.column {
            Some(column) if !row.message.starts_with(column.as_str()) => {
                format!("`{column}`: {}", row.message)
            }
            _ => row.message.clone(),
        };
        file.error(table.span(), format!("unusable candidate: {message}"))
            .label("in this candidate (with `[defaults]`)")
            .hint("columns are those of a candidate list: `handle` and `followers` at least")
    })
}

/// Problems with a case's expectations: none given, unknown tiers, contradictions.
fn expectation_problems(
    file: &SourceFile,
    name: &Spanned<String>,
    expect: &Spanned<RawExpect>,
    tier_names: &[&str],
    brand: &Brand,
) -> Vec<Diagnostic> {
    let e = expect.get_ref();
    let mut out = Vec::new();
    let checks = [
        e.tier.is_some(),
        e.passes.is_some(),
        e.fails.is_some(),
        e.score.is_some(),
        e.min_score.is_some(),
        e.max_score.is_some(),
        e.outranks.is_some(),
        e.note.is_some(),
    ];
    if !checks.contains(&true) {
        out.push(
            file.error(expect.span(), format!("case `{}` expects nothing", name.get_ref()))
                .label("no expectation here")
                .hint("expect one of `tier`, `passes`, `fails`, `score`, `min_score`, `max_score`, `outranks`, `note`"),
        );
    }
    if let Some(tier) = &e.tier {
        if !tier_names.contains(&tier.get_ref().as_str()) {
            let hint = match did_you_mean(tier.get_ref(), tier_names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("tiers in this scheme: {}", tier_names.join(", ")),
            };
            out.push(
                file.error(tier.span(), format!("unknown tier `{}`", tier.get_ref()))
                    .label(format!("not a tier of `{}`", brand.tiers.path.display()))
                    .hint(hint),
            );
        }
    }
    if e.tolerance.is_some() && e.score.is_none() {
        out.push(
            file.error(expect.span(), "`tolerance` without `score`")
                .label("in this expectation")
                .hint("add `score = …`, or use `min_score` and `max_score` for a range"),
        );
    }
    if e.passes == Some(true) && e.fails.is_some() {
        out.push(
            file.error(expect.span(), "`passes = true` and `fails` contradict each other")
                .label("in this expectation"),
        );
    }
    if let (Some(min), Some(max)) = (e.min_score, e.max_score) {
        if min > max {
            out.push(
                file.error(expect.span(), format!("min_score {min} is above max_score {max}"))
                    .label("no score can pass")
                    .hint("swap the two values"),
            );
        }
    }
    out
}

/// Builds a candidate from a TOML table of candidate-list columns, through the same row
/// builder the CSV and JSON readers use.
pub fn candidate_from_table(table: &toml::Table, line: u64) -> Result<Candidate, RowError> {
    let mut candidate = Candidate::default();
    let mut row = RowBuilder::new(&mut candidate, line);
    for (key, value) in table {
        let field = Field::from_header(key);
        match (field, value) {
            (Some(Field::Posts), toml::Value::Array(posts)) => match samples(posts) {
                Ok(samples) => row.set_samples(samples),
                Err(message) => row.fail_row(Some("posts".to_owned()), message),
            },
            (Some(Field::Niches), toml::Value::Array(niches)) => {
                let labels: Vec<String> = niches.iter().map(scalar_text).collect();
                row.set(Field::Niches, &labels.join(";"));
            }
            (Some(field), toml::Value::String(text)) => row.set(field, text),
            (Some(field), toml::Value::Integer(_) | toml::Value::Float(_)) => {
                if field.kind().is_numeric() {
                    row.set_number(field, value.as_float().or(value.as_integer().map(|n| n as f64)))
                } else {
                    row.set(field, &scalar_text(value))
                }
            }
            (Some(field), other) => row.fail_row(
                Some(field.name().to_owned()),
                format!("{} must be a number or a string, not {}", field.name(), other.type_str()),
            ),
            (None, value) => row.set_extra(Arc::from(key.as_str()), scalar_text(value)),
        }
    }
    row.finish()?;
    Ok(candidate)
}

fn samples(posts: &[toml::Value]) -> Result<Vec<PostSample>, String> {
    posts
        .iter()
        .enumerate()
        .map(|(i, post)| {
            let toml::Value::Table(post) = post else {
                return Err(format!("posts[{i}] must be a table like {{ likes = 120 }}"));
            };
            if let Some(key) = post
                .keys()
                .find(|k| !["likes", "comments", "shares", "views"].contains(&k.as_str()))
            {
                return Err(format!(
                    "posts[{i}] has an unknown key `{key}`; expected likes, comments, shares, views"
                ));
            }
            let get = |key: &str| -> Result<Option<f64>, String> {
                match post.get(key) {
                    None => Ok(None),
                    Some(v) => match v.as_float().or(v.as_integer().map(|n| n as f64)) {
                        Some(n) if n >= 0.0 => Ok(Some(n)),
                        Some(_) => Err(format!("posts[{i}].{key} must not be negative")),
                        None => Err(format!("posts[{i}].{key} must be a number")),
                    },
                }
            };
            Ok(PostSample {
                likes: get("likes")?,
                comments: get("comments")?,
                shares: get("shares")?,
                views: get("views")?,
            })
        })
        .collect()
}

fn scalar_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `a` ranks above `b`: it passes the filters and `b` does not, or both pass and `a`
/// comes first in [`crate::rank::order`] (as `scout rank` orders them).
fn ranks_above(a: (&Candidate, &Evaluation), b: (&Candidate, &Evaluation)) -> bool {
    match (a.1.passed(), b.1.passed()) {
        (true, false) => true,
        (false, _) => false,
        (true, true) => {
            let a = crate::rank::RankKey::of(a.0, a.1.score.unwrap_or(0.0));
            let b = crate::rank::RankKey::of(b.0, b.1.score.unwrap_or(0.0));
            crate::rank::order(a, b).is_lt()
        }
    }
}

fn describe_standing(candidate: &Candidate, evaluation: &Evaluation, brand: &Brand) -> String {
    let score = evaluation.score.map_or_else(|| "no score".to_owned(), |s| format!("{s}"));
    if evaluation.passed() {
        format!("`{}` scores {score}", candidate.handle)
    } else {
        format!(
            "`{}` is filtered ({})",
            candidate.handle,
            evaluation.failure_reasons(brand, candidate).join("; ")
        )
    }
}

fn check(rules: &RuleSet, brand: &Brand, case: &Case) -> Vec<Mismatch> {
    let options = Options { explain: true, ..Options::default() };
    let evaluation = match engine::evaluate(rules, brand, &case.candidate, options) {
        Ok(evaluation) => evaluation,
        Err(err) => {
            return vec![Mismatch {
                what: "error",
                expected: "an evaluation".to_owned(),
                actual: err.to_string(),
            }]
        }
    };
    let e = &case.expect;
    let mut out = Vec::new();
    let reasons = evaluation.failure_reasons(brand, &case.candidate);
    let filtered = || format!("filtered: {}", reasons.join("; "));
    if let Some(tier) = &e.tier {
        if *evaluation.tier.name != **tier.get_ref() {
            let rule = match &evaluation.tier.when {
                Some(when) => format!("bounds {} and `when` {when}", evaluation.tier.bounds_text()),
                None => format!("bounds {}", evaluation.tier.bounds_text()),
            };
            out.push(Mismatch {
                what: "tier",
                expected: format!("`{}`", tier.get_ref()),
                actual: format!(
                    "`{}` ({} followers; {rule})",
                    evaluation.tier.name,
                    crate::text::thousands(case.candidate.followers)
                ),
            });
        }
    }
    match e.passes {
        Some(true) if !evaluation.passed() => out.push(Mismatch {
            what: "passes",
            expected: "ranked (passing every filter)".to_owned(),
            actual: filtered(),
        }),
        Some(false) if evaluation.passed() => out.push(Mismatch {
            what: "passes",
            expected: "filtered".to_owned(),
            actual: "ranked (passed every filter)".to_owned(),
        }),
        _ => {}
    }
    if let Some(text) = &e.fails {
        let needle = text.to_lowercase();
        let hit = reasons.iter().any(|r| r.to_lowercase().contains(&needle));
        if !hit {
            out.push(Mismatch {
                what: "fails",
                expected: if text.is_empty() {
                    "filtered".to_owned()
                } else {
                    format!("filtered with a reason containing \"{text}\"")
                },
                actual: if reasons.is_empty() {
                    "ranked (passed every filter)".to_owned()
                } else {
                    filtered()
                },
            });
        }
    }
    let score = evaluation.score.unwrap_or(f64::NAN);
    let score_text = || {
        let mut text = format!("{score}");
        if !evaluation.passed() {
            text.push_str(" (filtered, so not ranked)");
        }
        text
    };
    if let Some(expected) = e.score {
        let tolerance = e.tolerance.unwrap_or(DEFAULT_TOLERANCE);
        if score.is_nan() || (score - expected).abs() > tolerance + 1e-9 {
            out.push(Mismatch {
                what: "score",
                expected: format!("{expected} ± {tolerance}"),
                actual: score_text(),
            });
        }
    }
    let below = e.min_score.is_some_and(|min| score.is_nan() || score < min);
    let above = e.max_score.is_some_and(|max| score.is_nan() || score > max);
    if below || above {
        let range = match (e.min_score, e.max_score) {
            (Some(min), Some(max)) => format!("a score from {min} to {max}"),
            (Some(min), None) => format!("a score of at least {min}"),
            (None, Some(max)) => format!("a score of at most {max}"),
            (None, None) => unreachable!("a bound was checked"),
        };
        out.push(Mismatch { what: "score", expected: range, actual: score_text() });
    }
    if let (Some(other_handle), Some(other)) = (&e.outranks, &case.outranks) {
        match engine::evaluate(rules, brand, other, options) {
            Ok(other_eval) => {
                if !ranks_above((&case.candidate, &evaluation), (other, &other_eval)) {
                    out.push(Mismatch {
                        what: "outranks",
                        expected: format!("to rank above `{}`", other_handle.get_ref()),
                        actual: format!(
                            "{}, {}",
                            describe_standing(&case.candidate, &evaluation, brand),
                            describe_standing(other, &other_eval, brand)
                        ),
                    });
                }
            }
            Err(err) => out.push(Mismatch {
                what: "outranks",
                expected: format!("to rank above `{}`", other_handle.get_ref()),
                actual: err.to_string(),
            }),
        }
    }
    if let Some(text) = &e.note {
        let needle = text.to_lowercase();
        if !evaluation.notes.iter().any(|n| n.to_lowercase().contains(&needle)) {
            out.push(Mismatch {
                what: "note",
                expected: format!("a note containing \"{text}\""),
                actual: if evaluation.notes.is_empty() {
                    "no notes".to_owned()
                } else {
                    format!("notes: {}", evaluation.notes.join(" | "))
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn tables_become_candidates_like_rows() {
        let c = candidate_from_table(
            &table("handle = \"@Mia\"\nfollowers = \"12.5K\"\nniches = [\"ootd\", \"skincare\"]\nfake_follower_pct = 0.1\nbio = \"hi\""),
            3,
        )
        .unwrap();
        assert_eq!(c.handle, "Mia");
        assert_eq!(c.followers, 12_500);
        assert_eq!(c.niches, ["ootd", "skincare"]);
        assert_eq!(c.fake_follower_pct, Some(0.1));
        assert_eq!(c.extra("bio"), Some("hi"));
        assert_eq!(c.line, 3);
    }

    #[test]
    fn post_samples_and_bad_values() {
        let c = candidate_from_table(
            &table(
                "handle = \"a\"\nfollowers = 10\nposts = [{ likes = 1 }, { likes = 3, views = 9 }]",
            ),
            1,
        )
        .unwrap();
        assert_eq!(c.post_samples.len(), 2);
        let err = candidate_from_table(
            &table("handle = \"a\"\nfollowers = 10\nfake_follower_pct = 41"),
            1,
        )
        .unwrap_err();
        assert!(err.message.contains("above 1"), "{err}");
        let err = candidate_from_table(&table("handle = \"a\""), 1).unwrap_err();
        assert!(err.message.contains("missing follower count"), "{err}");
    }

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
