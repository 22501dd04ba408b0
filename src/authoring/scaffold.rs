//! Scaffolding a new brand: a commented brand file and a starter test file, from a template
//! or as a copy of an existing brand.
//!
//! Nothing here writes files. [`new_brand`] builds the files' text, adds them to the
//! folder's files in memory, and checks that the result loads and that its tests pass; only
//! then does the caller write them.

use std::fmt::Write as _;
use std::path::Path;

use super::ruletest;
use super::schema::directive;
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Options};
use crate::model::Candidate;
use crate::rules::load::{load_files, TESTS_SUFFIX, TIERS_FILE};
use crate::rules::{Brand, RuleSet};
use crate::source::SourceFile;
use crate::text::thousands;

/// A file to create, relative to the rule folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    /// The path relative to the rule folder, `/`-separated.
    pub rel: String,
    /// The file's text.
    pub text: String,
}

/// Why a brand could not be scaffolded.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The name cannot be a brand id.
    #[error("`{0}` cannot be a brand name")]
    BadName(String),
    /// A brand of that name exists.
    #[error("brand `{0}` already exists")]
    Exists(String),
    /// `--from` names no brand.
    #[error("unknown brand `{0}`")]
    UnknownSource(String, String),
    /// The scaffold does not load or its tests fail: a bug, or a folder scout cannot extend.
    #[error("the new brand does not check")]
    DoesNotCheck(Vec<Diagnostic>),
}

impl ScaffoldError {
    /// How to fix it, when that is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::BadName(_) => Some(
                "use lowercase letters, digits, `-` and `_`, starting with a letter: `acme`, `acme-kids`"
                    .to_owned(),
            ),
            Self::Exists(name) => Some(format!(
                "pick another name, or copy it with `scout new brand NEW --from {name}`"
            )),
            Self::UnknownSource(_, hint) => Some(hint.clone()),
            Self::DoesNotCheck(_) => None,
        }
    }
}

/// Whether `name` can be a brand id (a file name under `brands/`).
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !name.ends_with(".tests");
    if ok {
        Ok(())
    } else {
        Err(ScaffoldError::BadName(name.to_owned()))
    }
}

/// The files for a new brand `name`: a template, or a copy of brand `from`. `files` are the
/// rule folder's files as read, `rules` what they load into; `with_schema` adds `#:schema`
/// directives (when the folder has `schemas/`). The files are checked before they are
/// returned: the folder with them added loads, and the new brand's tests pass.
pub fn new_brand(
    root: &Path,
    files: &[SourceFile],
    rules: &RuleSet,
    name: &str,
    from: Option<&str>,
    with_schema: bool,
) -> Result<Vec<NewFile>, ScaffoldError> {
    check_name(name)?;
    if rules.brands.contains_key(name) {
        return Err(ScaffoldError::Exists(name.to_owned()));
    }
    let mut new = match from {
        None => vec![NewFile { rel: brand_rel(name), text: template(rules, name, with_schema) }],
        Some(from) => {
            let source = rules
                .brand(from)
                .map_err(|unknown| ScaffoldError::UnknownSource(from.to_owned(), unknown.hint()))?;
            copy(files, source, name)
        }
    };
    let with_brand = loaded(root, files, &new)?;
    let tests_rel = format!("brands/{name}{TESTS_SUFFIX}");
    let copied_tests = from.and_then(|from| {
        let rel = format!("brands/{from}{TESTS_SUFFIX}");
        files.iter().find(|f| f.rel == rel).map(|f| renamed(&f.text, from, name))
    });
    let tests = match copied_tests {
        Some(text) => text,
        None => {
            let brand = with_brand.brand(name).expect("the new brand loaded");
            test_file(&with_brand, brand, from.is_none(), with_schema)
        }
    };
    new.push(NewFile { rel: tests_rel, text: tests });
    let complete = loaded(root, files, &new)?;
    let report = ruletest::run_tests(&complete, Some(name)).map_err(ScaffoldError::DoesNotCheck)?;
    let failures = report.failure_diagnostics();
    if !failures.is_empty() {
        return Err(ScaffoldError::DoesNotCheck(failures));
    }
    Ok(new)
}

fn brand_rel(name: &str) -> String {
    format!("brands/{name}.toml")
}

/// Loads the folder with `new` added, in memory.
fn loaded(root: &Path, files: &[SourceFile], new: &[NewFile]) -> Result<RuleSet, ScaffoldError> {
    let mut all: Vec<SourceFile> = files.to_vec();
    all.extend(new.iter().map(|f| SourceFile {
        rel: f.rel.clone(),
        path: root.join(&f.rel),
        text: f.text.as_str().into(),
    }));
    all.sort_by(|a, b| a.rel.cmp(&b.rel));
    load_files(root, &all).map_err(ScaffoldError::DoesNotCheck)
}

/// A copy of brand `source` under `name`, with its own script when it had one.
fn copy(files: &[SourceFile], source: &Brand, name: &str) -> Vec<NewFile> {
    let from = source.id.as_str();
    let text = files.iter().find(|f| f.rel == brand_rel(from)).map_or("", |f| &f.text);
    let mut text = renamed(text, from, name);
    if let Some(at) = text.lines().position(|line| line.trim_start().starts_with("name =")) {
        let lines: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, line)| if i == at { format!("name = \"{name}\"") } else { line.to_owned() })
            .collect();
        text = lines.join("\n") + "\n";
    }
    let mut new = vec![NewFile { rel: brand_rel(name), text }];
    let own_script = format!("brands/{from}.rhai");
    if source.script.path == Path::new(&own_script) {
        if let Some(script) = files.iter().find(|f| f.rel == own_script) {
            new.push(NewFile {
                rel: format!("brands/{name}.rhai"),
                text: renamed(&script.text, from, name),
            });
        }
    }
    new
}

/// `text` with references to brand `from` (its files, `--brand from`, `brand = "from"`)
/// pointing at `name` instead.
fn renamed(text: &str, from: &str, name: &str) -> String {
    text.replace(&format!("brands/{from}."), &format!("brands/{name}."))
        .replace(&format!("--brand {from}"), &format!("--brand {name}"))
        .replace(&format!("brand = \"{from}\""), &format!("brand = \"{name}\""))
}

fn template(rules: &RuleSet, name: &str, with_schema: bool) -> String {
    let niches = rules.taxonomy.names();
    let first = niches.first().map_or("lifestyle", String::as_str);
    let tiers =
        rules.schemes.get(Path::new(TIERS_FILE)).map(|s| s.names().join(", ")).unwrap_or_default();
    let others: Vec<String> = rules
        .schemes
        .keys()
        .filter(|p| *p != Path::new(TIERS_FILE))
        .map(|p| p.display().to_string().replace('\\', "/"))
        .collect();
    let mut out = String::new();
    if with_schema {
        let _ = writeln!(out, "{}", directive(&brand_rel(name)).unwrap_or_default());
    }
    let _ = write!(
        out,
        r#"# brands/{name}.toml: {name}. Say here what the brand sells and which creators it wants.
#
# Every table is optional; `scout check` explains any mistake. Rank with:
#   scout rank CANDIDATES --brand {name}
# Its tests are in brands/{name}.tests.toml: scout test --brand {name}

name = "{name}"
description = "what {name} is after"

# tiers = "tiers.toml"       # the tier scheme, relative to the rule folder (this is the default)
"#
    );
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "#                            # others in this folder: {}",
            others.join(", ")
        );
    }
    let _ = write!(
        out,
        r#"# script = "scoring.rhai"    # the formula (default: brands/{name}.rhai if it exists, else scoring.rhai)

# How well each niche fits, 0–1, by canonical name from niches.toml. A candidate's niche
# fit is the best weight among its niches; niches not listed here weigh 0.
{niches}
[niches]
{first} = 1.0

# Hard filters: a candidate that fails one is not ranked, and the reason is given. Leave a
# filter out to not filter on it.
[filters]
# platforms = ["instagram", "tiktok"]
# tiers = ["nano", "micro"]              # tiers of tiers.toml: {tiers}
# min_followers = 2_000                  # inclusive
# max_followers = 100_000                # inclusive
# min_engagement_rate = 0.01             # a fraction: 1%
min_niche_fit = 0.5                      # only creators in a niche weighted 0.5 or more
max_fake_follower_pct = 0.25             # a fraction, 0–1
# countries = ["US", "GB"]
# max_cost_per_post = 500
# exclude_keywords = ["casino", "vape"]  # searched in the handle, niches and bio-like columns
# when_missing = "pass"                  # a filter whose value is missing passes ("fail" to reject)

# Component weights for the scoring script; they must add up to 1.
[weights]
engagement = 0.40
niche_fit = 0.30
cost_efficiency = 0.20
authenticity = 0.10

[engagement]
basis = "followers"          # ER = (likes + comments + shares) / followers; or "views"
average = "mean"             # how per-post samples are averaged: "mean" or "median"
cap = 2.0                    # ER at 2× the tier benchmark already scores full marks

[cost]
target_cost_per_engagement = 0.10   # this cost per engagement or less earns full cost efficiency
"#,
        niches = wrapped("# Niches in this folder: ", &niches.join(", "), 90),
    );
    out
}

/// `text` as comment lines of at most `width` characters, the first starting with `lead`.
fn wrapped(lead: &str, text: &str, width: usize) -> String {
    let mut lines = vec![lead.trim_end().to_owned()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if line.chars().count() + 1 + word.chars().count() > width && line.len() > 2 {
            lines.push(format!("#   {word}"));
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    lines.join("\n")
}

/// The follower counts at every tier boundary of the brand's default tier list.
fn boundaries(brand: &Brand) -> Vec<u64> {
    let mut counts: Vec<u64> = Vec::new();
    for tier in &brand.tiers.default {
        counts.push(tier.min_followers);
        if let Some(max) = tier.max_followers {
            counts.push(max);
        }
    }
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// A starter test file: the tier at every boundary of the brand's scheme, as the rules give
/// it today; for a template brand also one case that passes and one a filter turns away.
fn test_file(rules: &RuleSet, brand: &Brand, template_cases: bool, with_schema: bool) -> String {
    let name = &brand.id;
    let first = brand
        .niche_weights
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or("lifestyle", |(id, _)| rules.taxonomy.name(id));
    let mut out = String::new();
    if with_schema {
        let _ = writeln!(
            out,
            "{}",
            directive(&format!("brands/{name}{TESTS_SUFFIX}")).unwrap_or_default()
        );
    }
    let _ = write!(
        out,
        r#"# brands/{name}.tests.toml: unit tests for brands/{name}.toml. Run: scout test --brand {name}
#
# Each [[case]] gives a candidate and what should come out. A candidate is inline (the
# columns of a candidate list, on top of [defaults]) or named by handle from a list given
# with `candidates = "FILE"` (relative to the rule folder). `expect` may check `tier`,
# `passes`, `fails` (text a filter reason contains), `score` (± `tolerance`, default 0.01),
# `min_score` / `max_score`, `outranks` (a handle) and `note` (text a script note contains).
#
# `scout new brand` wrote the tier cases from the rules as they were: they pin today's
# boundaries of `{scheme}`, so a change to the scheme shows up here. Edit freely.

# A creator in the brand's best niche with a 3% engagement rate; cases set their own size.
[defaults]
platform = "instagram"
niches = ["{first}"]
country = "US"
fake_follower_pct = 0.05
cost_per_post = 100
"#,
        scheme = brand.tiers.path.display(),
    );
    for followers in boundaries(brand) {
        let likes = (followers as f64 * 0.03).round() as u64;
        let candidate = Candidate {
            handle: format!("edge.{followers}"),
            followers,
            avg_likes: Some(likes as f64),
            platform: Some("instagram".to_owned()),
            niches: vec![first.to_owned()],
            country: Some("US".to_owned()),
            fake_follower_pct: Some(0.05),
            cost_per_post: Some(100.0),
            ..Candidate::default()
        };
        let Ok(evaluation) = engine::evaluate(rules, brand, &candidate, Options::default()) else {
            continue;
        };
        let _ = write!(
            out,
            "\n[[case]]\nname = \"{} followers is {}\"\ncandidate = {{ handle = \"edge.{followers}\", followers = {}, avg_likes = {} }}\nexpect = {{ tier = \"{}\" }}\n",
            thousands(followers),
            evaluation.tier.name,
            toml_count(followers),
            toml_count(likes),
            evaluation.tier.name,
        );
    }
    if template_cases {
        let _ = write!(
            out,
            r#"
[[case]]
name = "a real audience in the brand's best niche passes"
candidate = {{ handle = "good.fit", followers = 20_000, avg_likes = 600 }}
expect = {{ passes = true }}

[[case]]
name = "a bought audience is turned away"
candidate = {{ handle = "bought.audience", followers = 20_000, avg_likes = 600, fake_follower_pct = 0.40 }}
expect = {{ fails = "fake_follower_pct" }}

# More to check, for example:
# expect = {{ min_score = 60, max_score = 80 }}
# expect = {{ outranks = "good.fit" }}
"#
        );
    }
    out
}

/// A count as TOML people write it: `100_000`.
fn toml_count(n: u64) -> String {
    thousands(n).replace(',', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_file_names() {
        assert!(check_name("acme").is_ok());
        assert!(check_name("acme-kids_2").is_ok());
        for bad in ["", "Acme", "2acme", "acme kids", "../acme", "acme.tests"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn renaming_points_references_at_the_new_brand() {
        let text = "# brands/glow.toml: rank with --brand glow\nscript = \"brands/glow.rhai\"\nbrand = \"glow\"\n";
        assert_eq!(
            renamed(text, "glow", "shine"),
            "# brands/shine.toml: rank with --brand shine\nscript = \"brands/shine.rhai\"\nbrand = \"shine\"\n"
        );
        assert_eq!(toml_count(100_000), "100_000");
    }
}
