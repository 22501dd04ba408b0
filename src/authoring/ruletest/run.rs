//! Preparing a test file to run: its brand (and scheme swap), its candidate list, each
//! case's candidate and expectations checked and located; then running the cases.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::check::check;
use super::raw::{RawCase, RawExpect, RawTestFile};
use super::report::{CaseOutcome, FileOutcome};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::input::{self, table::candidate_from_table, ReadOptions, Source};
use crate::model::{Candidate, RowError};
use crate::rules::load::TESTS_SUFFIX;
use crate::rules::mapping::{self, Mapping};
use crate::rules::{Brand, RuleSet};
use crate::source::{toml_diagnostic, SourceFile};
use crate::text::normalize_handle;

/// A test file, checked and ready to run.
pub(super) struct Suite {
    file: SourceFile,
    pub(super) brand: Brand,
    cases: Vec<Case>,
}

pub(super) struct Case {
    name: String,
    name_span: Range<usize>,
    line: usize,
    pub(super) candidate: Candidate,
    pub(super) expect: RawExpect,
    pub(super) outranks: Option<Candidate>,
}

/// What a test file tests, by where it is.
pub(super) enum Target {
    Brand(String),
    Scheme(String),
    Unknown,
}

pub(super) fn target_of(rel: &str) -> Target {
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
    pub(super) fn prepare(
        rules: &RuleSet,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Suite> {
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

    pub(super) fn run(self, rules: &RuleSet) -> FileOutcome {
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
        let format = input::Format::from_path(&path);
        let options = read_options(rules, file, raw)?;
        let rows =
            input::read_with(&Source::File(path.clone()), format, &options).map_err(|err| {
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

/// How the test file's `candidates` is read: its `mapping` profile (found as `--mapping`
/// finds one, paths relative to the rule folder) and `delimiter`.
fn read_options(
    rules: &RuleSet,
    file: &SourceFile,
    raw: &RawTestFile,
) -> Result<ReadOptions, Diagnostic> {
    let delimiter = match &raw.delimiter {
        None => None,
        Some(text) => Some(mapping::parse_delimiter(text.get_ref()).map_err(|why| {
            file.error(text.span(), format!("invalid delimiter: {why}"))
                .label("the CSV delimiter")
                .hint("one character, or `tab`, `comma`, `semicolon`, `pipe`")
        })?),
    };
    let mapping = match &raw.mapping {
        None => None,
        Some(arg) => Some(Arc::new(profile(rules, file, arg)?)),
    };
    Ok(ReadOptions { mapping, delimiter, ..ReadOptions::default() })
}

/// Loads the profile a test file's `mapping` names. A profile that does not load is one
/// diagnostic here, naming its first problem: `scout check` lists every problem of the
/// profiles in `imports/` on its own.
fn profile(
    rules: &RuleSet,
    file: &SourceFile,
    arg: &Spanned<String>,
) -> Result<Mapping, Diagnostic> {
    let name = arg.get_ref();
    let looks_like_path = name.ends_with(".toml") || name.contains(['/', '\\']);
    let wanted =
        if looks_like_path { rules.root.join(name).display().to_string() } else { name.clone() };
    let path = mapping::locate(&wanted, &rules.root).map_err(|err| {
        file.error(arg.span(), format!("no mapping profile `{name}`"))
            .label("a name in `imports/`, or a path relative to the rule folder")
            .hint(err.hint())
    })?;
    Mapping::load(&path, Some(&rules.taxonomy)).map_err(|diagnostics| {
        let first = diagnostics.first().map_or_else(String::new, |d| {
            format!(": {} (at `{}`)", d.message, d.location().replace('\\', "/"))
        });
        file.error(arg.span(), format!("the mapping profile `{name}` is invalid{first}"))
            .label("this profile")
            .hint(format!("fix it, then run `scout check --rules {}`", rules.root.display()))
    })
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
