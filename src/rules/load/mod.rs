//! Loading a rule folder: read every file, parse, check and compile, collecting every
//! problem in one pass. Returns a valid [`RuleSet`] or all the diagnostics.
//!
//! This is the only module under `rules` that touches the file system; the checks it runs
//! are pure functions over what was read.

mod audience;
mod benchmarks;
mod brand;
mod every_problem;
mod filters;
mod history;
mod niches;
mod plan;
mod read;
mod scripts;
mod spans;
mod tiers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) use brand::fast_script;
use serde::de::DeserializeOwned;
use toml::Spanned;

use super::raw::RawBrand;
use super::script::Sandbox;
use super::tiers::TierScheme;
use super::{RuleSet, Script};
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

pub use history::{is_history_file, HISTORY_DIR};
pub use read::{read_folder, revision_of};
pub(crate) use spans::offset_of;

/// The default tier scheme, relative to the rule folder.
pub const TIERS_FILE: &str = "tiers.toml";
/// The niche taxonomy.
pub const NICHES_FILE: &str = "niches.toml";
/// The engagement-rate benchmarks.
pub const BENCHMARKS_FILE: &str = "benchmarks.toml";
/// The default scoring script.
pub const SCORING_FILE: &str = "scoring.rhai";
/// Estimated prices per post by platform and tier (optional).
pub const PRICES_FILE: &str = "prices.toml";
/// The audience rules, judging one follower account (optional).
pub const AUDIENCE_FILE: &str = "audience.toml";
/// The folder of brand files.
pub const BRANDS_DIR: &str = "brands";
/// The folder of alternative tier schemes.
pub const EXPERIMENTS_DIR: &str = "experiments";
/// Rule-test files end with this, and are not brands or tier schemes.
pub const TESTS_SUFFIX: &str = ".tests.toml";

/// Loads, checks and compiles the rule folder at `root`.
pub fn load(root: &Path) -> Result<RuleSet, Vec<Diagnostic>> {
    let files = read_folder(root).map_err(|d| vec![d])?;
    load_files(root, &files)
}

/// Checks and compiles rule files already read; `root` only names them in diagnostics.
pub fn load_files(root: &Path, files: &[SourceFile]) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut loader = Loader { root, files, sandbox: Sandbox::default(), diags: Vec::new() };
    let rules = loader.run();
    let (errors, warnings): (Vec<_>, Vec<_>) =
        loader.diags.into_iter().partition(|d| d.severity == crate::diagnostic::Severity::Error);
    match rules {
        Some(mut rules) if errors.is_empty() => {
            rules.warnings = warnings;
            Ok(rules)
        }
        _ => Err(errors.into_iter().chain(warnings).collect()),
    }
}

/// Loads one tier-scheme file on its own, checked and compiled like a scheme in a rule
/// folder: for trying an alternative scheme against a brand (`scout diff --tiers`).
pub fn load_scheme(path: &Path) -> Result<TierScheme, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        vec![Diagnostic::error(path, format!("cannot read `{}`: {err}", path.display()))]
    })?;
    let file = SourceFile {
        rel: path.display().to_string().replace('\\', "/"),
        path: path.to_owned(),
        text: text.into(),
    };
    let root = path.parent().unwrap_or(Path::new("."));
    let files = std::slice::from_ref(&file);
    let mut loader = Loader { root, files, sandbox: Sandbox::default(), diags: Vec::new() };
    match loader.scheme(&file) {
        Some(scheme) if loader.error_count() == 0 => Ok(scheme),
        _ => Err(loader.diags),
    }
}

struct Loader<'a> {
    root: &'a Path,
    files: &'a [SourceFile],
    sandbox: Sandbox,
    diags: Vec<Diagnostic>,
}

impl Loader<'_> {
    fn file(&self, rel: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.rel == rel)
    }

    fn required(&mut self, rel: &str, what: &str) -> Option<SourceFile> {
        let file = self.file(rel).cloned();
        if file.is_none() {
            self.diags.push(
                Diagnostic::error(self.root.join(rel), format!("missing `{rel}`: {what}"))
                    .hint("copy it from the bundled `rules/` folder and edit it"),
            );
        }
        file
    }

    fn run(&mut self) -> Option<RuleSet> {
        let taxonomy = self
            .required(super::load::NICHES_FILE, "the niche taxonomy")
            .and_then(|file| self.taxonomy(&file));
        let mut schemes: BTreeMap<PathBuf, Arc<TierScheme>> = BTreeMap::new();
        let scheme_files: Vec<SourceFile> = self
            .files
            .iter()
            .filter(|f| {
                f.rel == TIERS_FILE
                    || (f.rel.starts_with("experiments/")
                        && f.rel.ends_with(".toml")
                        && !f.rel.ends_with(TESTS_SUFFIX))
            })
            .cloned()
            .collect();
        if self.file(TIERS_FILE).is_none() {
            self.required(TIERS_FILE, "the default tier scheme");
        }
        let mut schemes_ok = true;
        for file in &scheme_files {
            match self.scheme(file) {
                Some(scheme) => {
                    schemes.insert(PathBuf::from(&file.rel), Arc::new(scheme));
                }
                None => schemes_ok = false,
            }
        }
        let benchmarks = self
            .required(BENCHMARKS_FILE, "engagement-rate benchmarks by platform and tier")
            .and_then(|file| self.benchmarks(&file, &schemes, schemes_ok));
        let scoring = self
            .required(SCORING_FILE, "the default scoring formula")
            .and_then(|file| self.script(&file));
        let mut scripts: BTreeMap<String, Arc<Script>> = BTreeMap::new();
        if let Some(scoring) = scoring {
            scripts.insert(SCORING_FILE.to_owned(), Arc::new(scoring));
        }
        let brand_scripts: Vec<SourceFile> = self
            .files
            .iter()
            .filter(|f| f.rel.ends_with(".rhai") && f.rel != SCORING_FILE)
            .cloned()
            .collect();
        for file in &brand_scripts {
            if let Some(script) = self.script(file) {
                scripts.insert(file.rel.clone(), Arc::new(script));
            }
        }
        let brand_files: Vec<SourceFile> = self
            .files
            .iter()
            .filter(|f| {
                f.rel.starts_with("brands/")
                    && f.rel.ends_with(".toml")
                    && !f.rel.ends_with(TESTS_SUFFIX)
            })
            .cloned()
            .collect();
        if brand_files.is_empty() {
            self.diags.push(
                Diagnostic::warning(self.root.join(BRANDS_DIR), "the rule folder has no brands")
                    .hint("add `brands/<name>.toml`, or run `scout new brand NAME`"),
            );
        }
        let prices = match self.file(PRICES_FILE).cloned() {
            Some(file) => {
                let tier_names = schemes
                    .values()
                    .flat_map(|s| s.names().into_iter().map(str::to_owned).collect::<Vec<_>>())
                    .collect();
                self.prices(&file, &tier_names)
            }
            None => Default::default(),
        };
        let mut brands = BTreeMap::new();
        for file in &brand_files {
            let (Some(taxonomy), Some(benchmarks)) = (&taxonomy, &benchmarks) else {
                // Still report the brand's own syntax problems.
                let _ = self.parse::<RawBrand>(file);
                continue;
            };
            if let Some(brand) =
                self.brand(file, taxonomy, benchmarks, &schemes, &scripts, schemes_ok)
            {
                brands.insert(brand.id.clone(), brand);
            }
        }
        let audience = self.file(AUDIENCE_FILE).cloned().and_then(|file| self.audience(&file));
        Some(RuleSet {
            root: self.root.to_owned(),
            revision: revision_of(self.files),
            taxonomy: taxonomy?,
            brands,
            schemes,
            warnings: Vec::new(),
            test_files: self
                .files
                .iter()
                .filter(|f| f.rel.ends_with(TESTS_SUFFIX))
                .cloned()
                .collect(),
            sources: self.files.to_vec(),
            audience: audience.map(Arc::new),
            sandbox: std::mem::take(&mut self.sandbox),
            prices,
        })
    }

    fn parse<T: DeserializeOwned>(&mut self, file: &SourceFile) -> Option<T> {
        match toml::from_str::<T>(&file.text) {
            Ok(value) => Some(value),
            Err(err) => {
                self.diags.extend(every_problem::toml_diagnostics::<T>(file, &err));
                None
            }
        }
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count()
    }

    fn fraction(&mut self, file: &SourceFile, value: &Spanned<f64>, what: &str, inclusive: bool) {
        let v = *value.get_ref();
        let ok = if inclusive { (0.0..=1.0).contains(&v) } else { (0.0..1.0).contains(&v) };
        if !ok {
            self.diags.push(
                file.error(value.span(), format!("{what} {v} is not a fraction between 0 and 1"))
                    .label("out of range")
                    .hint(if v > 1.0 {
                        format!("write {v}% as {}", v / 100.0)
                    } else {
                        "use a value from 0 to 1".to_owned()
                    }),
            );
        }
    }
}

fn normalize_rel(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}
