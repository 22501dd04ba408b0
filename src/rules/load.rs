//! Loading a rule folder: read every file, parse, check and compile, collecting every
//! problem in one pass. Returns a valid [`RuleSet`] or all the diagnostics.
//!
//! This is the only module under `rules` that touches the file system; the checks it runs
//! are pure functions over what was read.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::Spanned;

use super::fast::{Constants, FastScript};
use super::raw::{RawBenchmarks, RawBrand, RawNiches, RawTier, RawTierScheme};
use super::script::{Sandbox, ScriptError};
use super::tiers::{check_tier_list, Bounds, Condition, Tier, TierProblem, TierScheme};
use super::{Benchmarks, Brand, EngagementSettings, Filters, RuleSet, Script, Taxonomy, Weights};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::{is_editor_temp, toml_diagnostic, SourceFile};
use crate::text::{round4, thousands};

/// The default tier scheme, relative to the rule folder.
pub const TIERS_FILE: &str = "tiers.toml";
/// The niche taxonomy.
pub const NICHES_FILE: &str = "niches.toml";
/// The engagement-rate benchmarks.
pub const BENCHMARKS_FILE: &str = "benchmarks.toml";
/// The default scoring script.
pub const SCORING_FILE: &str = "scoring.rhai";
/// The folder of brand files.
pub const BRANDS_DIR: &str = "brands";
/// The folder of alternative tier schemes.
pub const EXPERIMENTS_DIR: &str = "experiments";
/// Rule-test files end with this, and are not brands or tier schemes.
pub const TESTS_SUFFIX: &str = ".tests.toml";

/// Reads every rule file (`*.toml`, `*.rhai`) under `root`, sorted by relative path.
pub fn read_folder(root: &Path) -> Result<Vec<SourceFile>, Diagnostic> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), Diagnostic> {
        let entries = std::fs::read_dir(dir).map_err(|err| {
            Diagnostic::error(
                dir,
                format!("cannot read the rule folder `{}`: {err}", dir.display()),
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_editor_temp(&name) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
                continue;
            }
            if !(name.ends_with(".toml") || name.ends_with(".rhai")) {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(&path) {
                Ok(text) => out.push(SourceFile { rel, path, text: text.into() }),
                // A file deleted between listing and reading is simply not there.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    return Err(Diagnostic::error(&path, format!("cannot read `{rel}`: {err}")));
                }
            }
        }
        Ok(())
    }
    if !root.is_dir() {
        return Err(Diagnostic::error(
            root,
            format!("rule folder `{}` does not exist", root.display()),
        )
        .hint("pass `--rules DIR`, or run scout where a `rules/` folder is"));
    }
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

/// The revision of a set of rule files: a short content hash of paths and contents.
pub fn revision_of(files: &[SourceFile]) -> String {
    let mut hasher = blake3::Hasher::new();
    for file in files {
        hasher.update(file.rel.as_bytes());
        hasher.update(&[0]);
        hasher.update(file.text.as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize().to_hex()[..12].to_owned()
}

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
            sandbox: std::mem::take(&mut self.sandbox),
        })
    }

    fn parse<T: DeserializeOwned>(&mut self, file: &SourceFile) -> Option<T> {
        match toml::from_str::<T>(&file.text) {
            Ok(value) => Some(value),
            Err(err) => {
                self.diags.push(toml_diagnostic(file, &err));
                None
            }
        }
    }

    fn taxonomy(&mut self, file: &SourceFile) -> Option<Taxonomy> {
        let raw: RawNiches = self.parse(file)?;
        let names: Vec<String> = raw.niche.keys().cloned().collect();
        let provisional = Taxonomy::new(names.clone(), []);
        let mut aliases = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (id, (name, niche)) in raw.niche.iter().enumerate() {
            for alias in &niche.aliases {
                let key = super::normalize_niche(alias.get_ref());
                let owner = provisional
                    .resolve(&key)
                    .filter(|&o| o != id)
                    .or_else(|| seen.get(&key).copied().filter(|&o| o != id));
                if let Some(owner) = owner {
                    self.diags.push(
                        file.error(
                            alias.span(),
                            format!("alias `{}` already means `{}`", alias.get_ref(), names[owner]),
                        )
                        .label(format!("also listed under `{name}`"))
                        .hint("an alias can stand for one niche only"),
                    );
                    continue;
                }
                seen.insert(key, id);
                aliases.push((alias.get_ref().clone(), id));
            }
        }
        if names.is_empty() {
            self.diags.push(
                Diagnostic::error(&file.path, "the taxonomy defines no niches")
                    .hint("add `[niche.fashion]` with `aliases = [\"ootd\"]`"),
            );
        }
        Some(Taxonomy::new(names, aliases))
    }

    fn scheme(&mut self, file: &SourceFile) -> Option<TierScheme> {
        let raw: RawTierScheme = self.parse(file)?;
        let before = self.error_count();
        if raw.tier.is_empty() {
            self.diags
                .push(Diagnostic::error(&file.path, "the tier scheme defines no tiers").hint(
                    "add `[[tier]]` tables with `name`, `min_followers` and `max_followers`",
                ));
        }
        let default = self.tier_list(file, &raw.tier, None);
        let mut platforms = Vec::new();
        for (platform, list) in &raw.platform {
            let tiers = self.tier_list(file, &list.tier, Some(platform));
            platforms.push((platform.to_lowercase(), tiers));
        }
        (self.error_count() == before).then(|| TierScheme {
            path: PathBuf::from(&file.rel),
            description: raw.description,
            default,
            platforms,
        })
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count()
    }

    fn tier_list(
        &mut self,
        file: &SourceFile,
        raw: &[RawTier],
        platform: Option<&str>,
    ) -> Vec<Tier> {
        let mut tiers = Vec::new();
        let whose = platform.map(|p| format!(" for `{p}`")).unwrap_or_default();
        for tier in raw {
            let name = tier.name.get_ref();
            let valid_name = !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            if !valid_name {
                self.diags.push(
                    file.error(tier.name.span(), format!("bad tier name `{name}`"))
                        .label("tier names are one word")
                        .hint(
                            "use letters, digits, `-` and `_`, e.g. `nano`, `mid-tier`, `meta_1`",
                        ),
                );
            }
            let when = tier.when.as_ref().and_then(|when| {
                match self.sandbox.compile_condition(when.get_ref()) {
                    Ok(ast) => Some(Condition {
                        source: Arc::from(when.get_ref().as_str()),
                        fast: FastScript::compile(&ast, &Constants::default()).ok().map(Arc::new),
                        ast: Arc::new(ast),
                    }),
                    Err(err) => {
                        self.diags.push(condition_diagnostic(file, when, &err));
                        None
                    }
                }
            });
            tiers.push(Tier {
                name: Arc::from(name.as_str()),
                min_followers: tier.min_followers.as_ref().map_or(0, |m| *m.get_ref()),
                max_followers: tier.max_followers.as_ref().map(|m| *m.get_ref()),
                when,
            });
        }
        let names: Vec<&str> = tiers.iter().map(|t| &*t.name).collect();
        let bounds: Vec<Bounds> = raw
            .iter()
            .zip(&tiers)
            .map(|(raw, tier)| Bounds {
                min: tier.min_followers,
                max: tier.max_followers,
                conditional: raw.when.is_some(),
            })
            .collect();
        if raw.is_empty() {
            return tiers;
        }
        for problem in check_tier_list(&names, &bounds) {
            let diag = match problem {
                TierProblem::Empty { tier } => {
                    let span = raw[tier]
                        .max_followers
                        .as_ref()
                        .map_or(raw[tier].name.span(), |m| m.span());
                    file.error(
                        span,
                        format!(
                            "tier `{}` can never match: max_followers {} is below min_followers {}",
                            names[tier],
                            thousands(tiers[tier].max_followers.unwrap_or(0)),
                            thousands(tiers[tier].min_followers)
                        ),
                    )
                    .label("below min_followers")
                }
                TierProblem::Overlap { tier, other, from, to } => {
                    let span = raw[tier]
                        .min_followers
                        .as_ref()
                        .map_or(raw[tier].name.span(), |m| m.span());
                    file.error(
                        span,
                        format!(
                            "tiers `{}` and `{}` overlap{whose} on {}–{} followers",
                            names[other],
                            names[tier],
                            thousands(from),
                            thousands(to)
                        ),
                    )
                    .label(format!("`{}` already covers this", names[other]))
                    .hint(format!(
                        "bounds are inclusive: start `{}` at {}",
                        names[tier],
                        tiers[other]
                            .max_followers
                            .map_or_else(|| "…".to_owned(), |m| thousands(m + 1))
                    ))
                }
                TierProblem::Gap { from, to, next } => {
                    let range = match to {
                        Some(to) => format!("{}–{}", thousands(from), thousands(to)),
                        None => format!("{} and above", thousands(from)),
                    };
                    let (span, hint) = match next {
                        Some(next) => (
                            raw[next]
                                .min_followers
                                .as_ref()
                                .map_or(raw[next].name.span(), |m| m.span()),
                            format!(
                                "start `{}` at {}, or add a tier for the gap",
                                names[next],
                                thousands(from)
                            ),
                        ),
                        None => {
                            let last = raw
                                .iter()
                                .enumerate()
                                .filter(|(_, t)| t.when.is_none())
                                .max_by_key(|(_, t)| {
                                    t.min_followers.as_ref().map_or(0, |m| *m.get_ref())
                                });
                            let span = last
                                .and_then(|(_, t)| t.max_followers.as_ref().map(|m| m.span()))
                                .unwrap_or(raw[0].name.span());
                            (span, "leave out `max_followers` on the top tier so it has no upper bound".to_owned())
                        }
                    };
                    file.error(span, format!("followers {range} fall into no tier{whose}"))
                        .label("gap before this")
                        .hint(hint)
                }
                TierProblem::Unreachable { tier } => file
                    .error(
                        raw[tier].name.span(),
                        format!("tier `{}` can never match{whose}", names[tier]),
                    )
                    .label("earlier tiers already take every count in its range")
                    .hint("tiers match in order: move it above the tiers that cover its range"),
                TierProblem::Duplicate { tier, first } => file
                    .error(
                        raw[tier].name.span(),
                        format!("tier `{}` is defined twice{whose}", names[tier]),
                    )
                    .label(format!("first defined as tier {} of the list", first + 1))
                    .hint("give each tier of a list its own name"),
            };
            self.diags.push(diag);
        }
        tiers
    }

    fn benchmarks(
        &mut self,
        file: &SourceFile,
        schemes: &BTreeMap<PathBuf, Arc<TierScheme>>,
        check_names: bool,
    ) -> Option<Benchmarks> {
        let raw: RawBenchmarks = self.parse(file)?;
        if !raw.contains_key(Benchmarks::DEFAULT) {
            self.diags.push(
                Diagnostic::error(&file.path, "benchmarks.toml has no `[default]` table").hint(
                    "add `[default]` with one engagement rate per tier; platforms fall back to it",
                ),
            );
        }
        let known: Vec<&str> = schemes.values().flat_map(|s| s.names()).collect();
        let mut benchmarks = Benchmarks::default();
        self.benchmark_table(file, &raw, &known, check_names, &mut benchmarks);
        if let Some(defaults) = raw.get(Benchmarks::DEFAULT) {
            let header = file
                .text
                .match_indices("[default]")
                .map(|(at, _)| at)
                .find(|&at| at == 0 || file.text.as_bytes()[at - 1] == b'\n')
                .map_or(0..0, |at| at..at + "[default]".len());
            let mut missing: Vec<&str> = Vec::new();
            for name in &known {
                if !defaults.contains_key(*name) && !missing.contains(name) {
                    missing.push(name);
                }
            }
            for name in missing {
                let users: Vec<String> = schemes
                    .values()
                    .filter(|s| s.names().contains(&name))
                    .map(|s| format!("`{}`", s.path.display()))
                    .collect();
                self.diags.push(
                    file.error(
                        header.clone(),
                        format!("tier `{name}` has no benchmark in `[default]`"),
                    )
                    .label(format!("`{name}` is a tier of {}", users.join(", ")))
                    .hint(format!(
                        "add `{name} = 0.03` (the tier's usual engagement rate) under `[default]`"
                    )),
                );
            }
        }
        Some(benchmarks)
    }

    fn benchmark_table(
        &mut self,
        file: &SourceFile,
        raw: &RawBenchmarks,
        known_tiers: &[&str],
        check_names: bool,
        into: &mut Benchmarks,
    ) {
        for (platform, table) in raw {
            for (tier, value) in table {
                if check_names && !known_tiers.contains(&tier.as_str()) {
                    let hint = match did_you_mean(tier, known_tiers.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("tiers defined: {}", known_tiers.join(", ")),
                    };
                    self.diags.push(
                        file.error(
                            key_span(&file.text, value.span()),
                            format!("unknown tier `{tier}` in benchmarks"),
                        )
                        .label("no tier scheme defines this tier")
                        .hint(hint),
                    );
                }
                let rate = *value.get_ref();
                if !(rate > 0.0 && rate < 1.0) {
                    self.diags.push(
                        file.error(value.span(), format!("benchmark {rate} for `{platform}.{tier}` is not a fraction between 0 and 1"))
                            .label("engagement rates are fractions")
                            .hint(format!("write {rate}% as {}", rate / 100.0)),
                    );
                }
                into.insert(&platform.to_lowercase(), tier, rate);
            }
        }
    }

    fn script(&mut self, file: &SourceFile) -> Option<Script> {
        match self.sandbox.compile_script(&file.text) {
            Ok(ast) => Some(Script { path: PathBuf::from(&file.rel), ast }),
            Err(err) => {
                let span = err
                    .position
                    .map(|(line, col)| offset_of(&file.text, line, col))
                    .map_or(0..0, |at| at..token_end(&file.text, at, &err));
                self.diags.push(
                    file.error(span, format!("rhai script does not compile: {}", err.message))
                        .label(script_label(&err))
                        .maybe_hint(script_hint(&err)),
                );
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn brand(
        &mut self,
        file: &SourceFile,
        taxonomy: &Taxonomy,
        global: &Benchmarks,
        schemes: &BTreeMap<PathBuf, Arc<TierScheme>>,
        scripts: &BTreeMap<String, Arc<Script>>,
        schemes_ok: bool,
    ) -> Option<Brand> {
        let raw: RawBrand = self.parse(file)?;
        let before = self.error_count();
        let id = file.rel.trim_start_matches("brands/").trim_end_matches(".toml").to_owned();

        // The tier scheme.
        let scheme = match &raw.tiers {
            None => schemes.get(Path::new(TIERS_FILE)).cloned(),
            Some(path) => {
                let rel = normalize_rel(path.get_ref());
                let found = schemes.get(Path::new(&rel)).cloned();
                if found.is_none() && (schemes_ok || self.file(&rel).is_none()) {
                    let names: Vec<String> =
                        schemes.keys().map(|p| p.display().to_string()).collect();
                    let hint = match did_you_mean(&rel, names.iter().map(String::as_str)) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("tier schemes in this folder: {}", names.join(", ")),
                    };
                    self.diags.push(
                        file.error(path.span(), format!("no tier scheme at `{rel}`"))
                            .label("paths are relative to the rule folder")
                            .hint(hint),
                    );
                }
                found
            }
        };

        // The script.
        let script = match &raw.script {
            Some(path) => {
                let rel = normalize_rel(path.get_ref());
                let found = scripts.get(&rel).cloned();
                if found.is_none() && self.file(&rel).is_none() {
                    self.diags.push(
                        file.error(path.span(), format!("no script at `{rel}`"))
                            .label("paths are relative to the rule folder")
                            .hint(format!(
                                "create `{rel}`, or leave `script` out to use `{SCORING_FILE}`"
                            )),
                    );
                }
                found
            }
            None => {
                let own = format!("brands/{id}.rhai");
                if self.file(&own).is_some() {
                    scripts.get(&own).cloned()
                } else {
                    scripts.get(SCORING_FILE).cloned()
                }
            }
        };

        // Niche weights.
        let mut niche_weights = vec![0.0; taxonomy.names().len()];
        for (niche, weight) in &raw.niches {
            let key_span = key_span(&file.text, weight.span());
            match taxonomy.names().iter().position(|n| n == niche) {
                Some(id) => niche_weights[id] = *weight.get_ref(),
                None => {
                    let hint = match taxonomy.resolve(niche) {
                        Some(id) => format!(
                            "`{niche}` is an alias of `{}`: weigh `{}` instead",
                            taxonomy.name(id),
                            taxonomy.name(id)
                        ),
                        None => {
                            match did_you_mean(niche, taxonomy.names().iter().map(String::as_str)) {
                                Some(close) => format!("did you mean `{close}`?"),
                                None => {
                                    "add it to niches.toml first, or pick a niche defined there"
                                        .to_owned()
                                }
                            }
                        }
                    };
                    self.diags.push(
                        file.error(key_span, format!("unknown niche `{niche}` in `[niches]`"))
                            .label("not in niches.toml")
                            .hint(hint),
                    );
                }
            }
            self.fraction(file, weight, "niche weight", true);
        }

        // Filters.
        let f = &raw.filters;
        let tier_names: Vec<&str> = scheme.as_ref().map(|s| s.names()).unwrap_or_default();
        if let (Some(tiers), Some(_)) = (&f.tiers, &scheme) {
            for tier in tiers {
                if !tier_names.contains(&tier.get_ref().as_str()) {
                    let hint = match did_you_mean(tier.get_ref(), tier_names.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("tiers in this scheme: {}", tier_names.join(", ")),
                    };
                    let scheme_name = raw
                        .tiers
                        .as_ref()
                        .map_or(TIERS_FILE.to_owned(), |t| normalize_rel(t.get_ref()));
                    self.diags.push(
                        file.error(
                            tier.span(),
                            format!("unknown tier `{}` in `filters.tiers`", tier.get_ref()),
                        )
                        .label(format!("not a tier of `{scheme_name}`"))
                        .hint(hint),
                    );
                }
            }
        }
        if let (Some(min), Some(max)) = (&f.min_followers, &f.max_followers) {
            if min.get_ref() > max.get_ref() {
                self.diags.push(
                    file.error(
                        max.span(),
                        format!(
                            "max_followers {} is below min_followers {}",
                            thousands(*max.get_ref()),
                            thousands(*min.get_ref())
                        ),
                    )
                    .label("no candidate can pass")
                    .hint("swap the two values"),
                );
            }
        }
        if let Some(rate) = &f.min_engagement_rate {
            self.fraction(file, rate, "min_engagement_rate", false);
        }
        if let Some(fit) = &f.min_niche_fit {
            self.fraction(file, fit, "min_niche_fit", true);
        }
        if let Some(pct) = &f.max_fake_follower_pct {
            self.fraction(file, pct, "max_fake_follower_pct", true);
        }
        if let Some(cost) = &f.max_cost_per_post {
            if *cost.get_ref() < 0.0 {
                self.diags.push(
                    file.error(cost.span(), "max_cost_per_post cannot be negative")
                        .label("negative"),
                );
            }
        }
        let filters = Filters {
            platforms: f
                .platforms
                .as_ref()
                .map(|v| v.iter().map(|p| p.get_ref().to_lowercase()).collect()),
            tiers: f.tiers.as_ref().map(|v| v.iter().map(|t| t.get_ref().clone()).collect()),
            min_followers: f.min_followers.as_ref().map(|v| *v.get_ref()),
            max_followers: f.max_followers.as_ref().map(|v| *v.get_ref()),
            min_engagement_rate: f.min_engagement_rate.as_ref().map(|v| *v.get_ref()),
            min_niche_fit: f.min_niche_fit.as_ref().map(|v| *v.get_ref()),
            max_fake_follower_pct: f.max_fake_follower_pct.as_ref().map(|v| *v.get_ref()),
            countries: f.countries.as_ref().map(|v| {
                v.iter().map(|c| crate::country::normalize(c.get_ref()).to_uppercase()).collect()
            }),
            max_cost_per_post: f.max_cost_per_post.as_ref().map(|v| *v.get_ref()),
            exclude_keywords: f
                .exclude_keywords
                .iter()
                .map(|k| k.get_ref().to_lowercase())
                .collect(),
            keyword_columns: f.keyword_columns.clone().unwrap_or_else(|| {
                ["bio", "description", "caption", "hashtags", "name"].map(String::from).to_vec()
            }),
            when_missing: f.when_missing.as_ref().map(|m| *m.get_ref()).unwrap_or_default(),
        };

        // Weights.
        let weights = match &raw.weights {
            None => Weights::default(),
            Some(spanned) => {
                let w = spanned.get_ref();
                let weights = Weights {
                    engagement: w.engagement,
                    niche_fit: w.niche_fit,
                    cost_efficiency: w.cost_efficiency,
                    authenticity: w.authenticity,
                };
                let all = [
                    weights.engagement,
                    weights.niche_fit,
                    weights.cost_efficiency,
                    weights.authenticity,
                ];
                let sum: f64 = all.iter().sum();
                if all.iter().any(|w| *w < 0.0) {
                    self.diags.push(
                        file.error(spanned.span(), "weights cannot be negative")
                            .label("in this table"),
                    );
                } else if (sum - 1.0).abs() > 1e-6 {
                    self.diags.push(
                        file.error(
                            spanned.span(),
                            format!("weights add up to {}, not 1", round4(sum)),
                        )
                        .label("in this table")
                        .hint("scores run 0–100 only when the component weights add up to 1"),
                    );
                }
                weights
            }
        };

        // Engagement and cost.
        let mut engagement = EngagementSettings::default();
        if let Some(basis) = raw.engagement.basis {
            engagement.basis = basis;
        }
        if let Some(average) = raw.engagement.average {
            engagement.average = average;
        }
        if let Some(cap) = &raw.engagement.cap {
            if *cap.get_ref() <= 0.0 {
                self.diags.push(
                    file.error(cap.span(), "engagement cap must be above 0")
                        .label("here")
                        .hint("2.0 means twice the benchmark scores full marks"),
                );
            }
            engagement.cap = *cap.get_ref();
        }
        let target_cost_per_engagement = match &raw.cost.target_cost_per_engagement {
            Some(target) if *target.get_ref() <= 0.0 => {
                self.diags.push(
                    file.error(target.span(), "target_cost_per_engagement must be above 0")
                        .label("here"),
                );
                1.0
            }
            Some(target) => *target.get_ref(),
            None => 0.10,
        };

        // Benchmarks: the folder's, with the brand's overrides on top.
        let mut benchmarks = Benchmarks::over(global.clone());
        self.benchmark_table(file, &raw.benchmarks, &tier_names, scheme.is_some(), &mut benchmarks);
        if self.error_count() > before {
            return None;
        }
        let script = script?;
        let constants = Constants {
            weights: Some(vec![
                ("engagement", weights.engagement),
                ("niche_fit", weights.niche_fit),
                ("cost_efficiency", weights.cost_efficiency),
                ("authenticity", weights.authenticity),
            ]),
        };
        let fast_script = FastScript::compile(&script.ast, &constants).map(Arc::new);
        let resolved_benchmarks = benchmarks.resolve(&tier_names);
        Some(Brand {
            name: raw.name.clone().unwrap_or_else(|| id.clone()),
            id,
            description: raw.description,
            path: PathBuf::from(&file.rel),
            tiers: scheme?,
            script,
            fast_script,
            niche_weights,
            filters,
            weights,
            engagement,
            target_cost_per_engagement,
            resolved_benchmarks,
            benchmarks,
        })
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

/// The span of the key on the line where `value` starts, for `key = value` lines.
fn key_span(source: &str, value: Range<usize>) -> Range<usize> {
    let start = value.start.min(source.len());
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = &source[line_start..start];
    match line.find('=') {
        Some(eq) => {
            let key = &line[..eq];
            let lead = key.len() - key.trim_start().len();
            let key = key.trim();
            let key_start = line_start + lead;
            key_start..key_start + key.len()
        }
        None => value,
    }
}

/// The byte offset of 1-based `line` and `col` (in characters) in `source`.
fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, text) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + text
                    .char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(text.trim_end().len(), |(at, _)| at);
        }
        offset += text.len();
    }
    source.len()
}

/// The end of the token at `at`: the whole name for an undefined variable or a disabled
/// keyword, else one character.
fn token_end(source: &str, at: usize, err: &ScriptError) -> usize {
    match err.token.as_deref().or_else(|| undefined_variable(&err.message)) {
        Some(name) if source[at..].starts_with(name) => at + name.len(),
        _ => next_char(source, at),
    }
}

fn next_char(source: &str, at: usize) -> usize {
    source[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

fn condition_diagnostic(
    file: &SourceFile,
    when: &Spanned<String>,
    err: &ScriptError,
) -> Diagnostic {
    let span = when.span();
    let at = match err.position {
        Some((1, col)) => {
            let quoted = span.start + 1;
            let inner = &file.text[quoted.min(file.text.len())..span.end.min(file.text.len())];
            quoted + inner.char_indices().nth(col.saturating_sub(1)).map_or(0, |(i, _)| i)
        }
        _ => span.start,
    };
    let end = token_end(&file.text, at.min(file.text.len()), err);
    file.error(at..end, format!("`when` condition does not compile: {}", err.message))
        .label(script_label(err))
        .maybe_hint(script_hint(err))
}

fn undefined_variable(message: &str) -> Option<&str> {
    message
        .strip_prefix("Undefined variable: ")
        .or_else(|| message.strip_prefix("Variable not found: "))
        .map(str::trim)
}

fn script_label(err: &ScriptError) -> String {
    if err.token.is_some() {
        "disabled in the script sandbox".to_owned()
    } else if undefined_variable(&err.message).is_some() {
        "not a variable scripts can read".to_owned()
    } else {
        "here".to_owned()
    }
}

fn script_hint(err: &ScriptError) -> Option<String> {
    if let Some(hint) = &err.hint {
        return Some(hint.clone());
    }
    let name = undefined_variable(&err.message)?;
    let names = super::script::VARIABLES.iter().map(|(n, _)| *n);
    Some(match did_you_mean(name, names) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            "see the script API in rules/README.md for the variables scripts can read".to_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_key_spans() {
        let src = "[niches]\n  beauty = 1.0\n";
        let value = src.find("1.0").unwrap();
        assert_eq!(&src[key_span(src, value..value + 3)], "beauty");
    }

    #[test]
    fn maps_line_and_column_to_offsets() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    }
}
