//! Brand files (`brands/*.toml`): the brand's tier scheme and script, niche weights,
//! filters, weights, engagement and cost settings and benchmark overrides, each checked
//! against the rest of the folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{normalize_rel, Loader, SCORING_FILE, TIERS_FILE};
use crate::diagnostic::did_you_mean;
use crate::rules::fast::{Constants, FastScript};
use crate::rules::filters::{filter_keys, Check, Filters, Measure};
use crate::rules::raw::RawBrand;
use crate::rules::tiers::TierScheme;
use crate::rules::{Benchmarks, Brand, EngagementSettings, Script, Taxonomy, Weights};
use crate::source::SourceFile;
use crate::text::round4;
impl Loader<'_> {
    /// Checks a brand file against the folder's taxonomy, benchmarks, tier schemes and
    /// scripts, one step per part of the file; `None` when any step found an error.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn brand(
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
        let scheme = self.brand_scheme(file, &raw, schemes, schemes_ok);
        let script = self.brand_script(file, &raw, &id, scripts);
        let niche_weights = self.niche_weights(file, &raw, taxonomy);
        let tier_names: Vec<&str> = scheme.as_ref().map(|s| s.names()).unwrap_or_default();
        let filters = self.filters(file, &raw, scheme.as_deref(), &tier_names);
        let weights = self.weights(file, &raw);
        let engagement = self.engagement(file, &raw);
        let target_cost_per_engagement = self.target_cost_per_engagement(file, &raw);
        let benchmarks = self.brand_benchmarks(file, &raw, global, &tier_names, scheme.is_some());
        let plan = self.plan(file, &raw, &tier_names, taxonomy);
        let history = self.history(file, &raw);
        if self.error_count() == before {
            self.benchmark_coverage(file, &raw, &benchmarks, &engagement, &filters, &tier_names);
        }
        if self.error_count() > before {
            return None;
        }
        let script = script?;
        let settings = settings_map(
            &raw,
            &filters,
            &weights,
            &engagement,
            target_cost_per_engagement,
            &niche_weights,
            taxonomy,
        );
        let fast_script = fast_script(&script, &weights, &settings);
        let settings = rhai::Dynamic::from_map(settings);
        let filters = compile_fast_filters(filters);
        let tiers = scheme?;
        let reads = Brand::script_reads(&script, &tiers, &filters);
        let quick = Brand::judged_natively(&tiers, &filters);
        Some(Brand {
            settings,
            weights_map: weights.map(),
            maps_id: super::super::next_maps_id(),
            reads,
            quick,
            name: raw.name.clone().unwrap_or_else(|| id.clone()),
            id,
            description: raw.description,
            path: PathBuf::from(&file.rel),
            tiers,
            script,
            fast_script,
            niche_weights,
            filters,
            weights,
            engagement,
            target_cost_per_engagement,
            benchmarks,
            plan,
            one_account_per_creator: raw.ranking.one_account_per_creator.unwrap_or(false),
            estimated_authenticity: raw.ranking.estimated_authenticity.unwrap_or(true),
            history,
        })
    }

    /// The brand's tier scheme: the one `tiers = "…"` names, else `tiers.toml`.
    fn brand_scheme(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        schemes: &BTreeMap<PathBuf, Arc<TierScheme>>,
        schemes_ok: bool,
    ) -> Option<Arc<TierScheme>> {
        match &raw.tiers {
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
        }
    }

    /// The brand's script: the one `script = "…"` names, else `brands/<id>.rhai`, else
    /// `scoring.rhai`.
    fn brand_script(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        id: &str,
        scripts: &BTreeMap<String, Arc<Script>>,
    ) -> Option<Arc<Script>> {
        match &raw.script {
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
        }
    }

    /// `[niches]`: a weight per taxonomy niche (0 for those not named), each a fraction.
    fn niche_weights(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        taxonomy: &Taxonomy,
    ) -> Vec<f64> {
        let mut niche_weights = vec![0.0; taxonomy.names().len()];
        for (niche, weight) in &raw.niches {
            let (key_span, niche) = (niche.span(), niche.get_ref());
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
        niche_weights
    }

    /// `[weights]`: the component weights, not negative and adding up to 1.
    fn weights(&mut self, file: &SourceFile, raw: &RawBrand) -> Weights {
        match &raw.weights {
            None => Weights::default(),
            Some(spanned) => {
                let w = spanned.get_ref();
                let weights = Weights {
                    engagement: w.engagement,
                    niche_fit: w.niche_fit,
                    cost_efficiency: w.cost_efficiency,
                    authenticity: w.authenticity,
                    relationship: w.relationship,
                };
                let all = [
                    weights.engagement,
                    weights.niche_fit,
                    weights.cost_efficiency,
                    weights.authenticity,
                    weights.relationship,
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
        }
    }

    /// `[engagement]`: the rate basis, the average, and a cap above 0.
    fn engagement(&mut self, file: &SourceFile, raw: &RawBrand) -> EngagementSettings {
        let mut engagement = EngagementSettings::default();
        if let Some(basis) = raw.engagement.basis {
            engagement.basis = basis;
        }
        for (platform, settings) in &raw.engagement.platform {
            if let Some(basis) = settings.basis {
                engagement.platform_basis.push((platform.to_lowercase(), basis));
            }
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
        engagement
    }

    /// `[cost]`: the target cost per engagement, above 0.
    fn target_cost_per_engagement(&mut self, file: &SourceFile, raw: &RawBrand) -> f64 {
        match &raw.cost.target_cost_per_engagement {
            Some(target) if *target.get_ref() <= 0.0 => {
                self.diags.push(
                    file.error(target.span(), "target_cost_per_engagement must be above 0")
                        .label("here"),
                );
                1.0
            }
            Some(target) => *target.get_ref(),
            None => 0.10,
        }
    }

    /// The folder's benchmarks, with the brand's `[benchmarks]` overrides on top.
    fn brand_benchmarks(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        global: &Benchmarks,
        tier_names: &[&str],
        has_scheme: bool,
    ) -> Benchmarks {
        let mut benchmarks = Benchmarks::over(global.clone());
        self.benchmark_table(file, &raw.benchmarks, tier_names, has_scheme, &mut benchmarks);
        benchmarks
    }
}

impl Loader<'_> {
    /// Every tier the brand gives a benchmark for itself (that `[default]` of
    /// `benchmarks.toml` may therefore lack) must have one on every platform the brand
    /// admits (`filters.platforms`; `default` when it admits any), on that platform's basis.
    fn benchmark_coverage(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        benchmarks: &Benchmarks,
        engagement: &EngagementSettings,
        filters: &Filters,
        tier_names: &[&str],
    ) {
        let own = raw
            .benchmarks
            .rates
            .iter()
            .chain(raw.benchmarks.by_basis.iter().flat_map(|(_, t)| t.iter()));
        let own: Vec<(&String, &toml::Spanned<String>)> = own
            .flat_map(|(platform, table)| table.keys().map(move |tier| (platform, tier)))
            .collect();
        let platforms: Vec<Option<&str>> = match filters.platforms() {
            Some(list) => list.iter().map(|p| Some(p.as_str())).collect(),
            None => vec![None],
        };
        for tier in tier_names {
            let Some((_, key)) = own.iter().find(|(_, key)| key.get_ref() == tier) else {
                continue;
            };
            for platform in &platforms {
                let basis = engagement.basis_for(*platform);
                if benchmarks.covers(*platform, basis, tier) {
                    continue;
                }
                let on = platform.unwrap_or(Benchmarks::DEFAULT);
                self.diags.push(
                    file.error(
                        key.span(),
                        format!("tier `{tier}` has no benchmark on `{on}` (ER on {})", basis.name()),
                    )
                    .label(format!("`{tier}` is benchmarked here, but not for `{on}`"))
                    .hint(format!(
                        "add `{tier} = 0.03` under `[benchmarks.{on}]`, or under `[benchmarks.default]` for every platform"
                    )),
                );
            }
        }
    }
}

/// Every knob of the brand, as the `settings` map scripts read: `filters` (every bound key,
/// `()` when unset, and the lists), `engagement`, `cost`, `weights` and `niches`.
fn settings_map(
    raw: &RawBrand,
    filters: &Filters,
    weights: &Weights,
    engagement: &EngagementSettings,
    target_cost_per_engagement: f64,
    niche_weights: &[f64],
    taxonomy: &Taxonomy,
) -> rhai::Map {
    use rhai::Dynamic;
    let float = Dynamic::from_float;
    let strings = |list: Option<&Vec<toml::Spanned<String>>>| {
        list.map_or(Dynamic::UNIT, |l| {
            Dynamic::from_array(l.iter().map(|s| Dynamic::from(s.get_ref().clone())).collect())
        })
    };
    let mut filter_map = rhai::Map::new();
    for key in filter_keys().iter().filter(|k| Measure::of_key(k).is_some()) {
        filter_map.insert((*key).into(), filters.bound(key).map_or(Dynamic::UNIT, float));
    }
    filter_map.insert("platforms".into(), strings(raw.filters.platforms.as_ref()));
    filter_map.insert("tiers".into(), strings(raw.filters.tiers.as_ref()));
    filter_map.insert("countries".into(), strings(raw.filters.countries.as_ref()));
    filter_map.insert(
        "exclude_keywords".into(),
        Dynamic::from_array(filters.exclude_keywords.iter().cloned().map(Dynamic::from).collect()),
    );
    let map = |entries: Vec<(&str, Dynamic)>| {
        Dynamic::from_map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    };
    let basis = serde_json::to_value(engagement.basis).ok();
    let average = serde_json::to_value(engagement.average).ok();
    let name = |v: Option<serde_json::Value>| {
        Dynamic::from(v.and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
    };
    let niches = taxonomy
        .names()
        .iter()
        .zip(niche_weights)
        .map(|(n, w)| (n.as_str().into(), float(*w)))
        .collect::<rhai::Map>();
    let mut settings = rhai::Map::new();
    settings.insert("filters".into(), Dynamic::from_map(filter_map));
    settings.insert(
        "engagement".into(),
        map(vec![
            ("basis", name(basis)),
            ("average", name(average)),
            ("cap", float(engagement.cap)),
        ]),
    );
    settings.insert(
        "cost".into(),
        map(vec![("target_cost_per_engagement", float(target_cost_per_engagement))]),
    );
    settings.insert(
        "weights".into(),
        map(vec![
            ("engagement", float(weights.engagement)),
            ("niche_fit", float(weights.niche_fit)),
            ("cost_efficiency", float(weights.cost_efficiency)),
            ("authenticity", float(weights.authenticity)),
            ("relationship", float(weights.relationship)),
        ]),
    );
    settings.insert("niches".into(), Dynamic::from_map(niches));
    settings
}

/// Custom filter conditions compiled to native closures where they fit the fast path.
fn compile_fast_filters(mut filters: Filters) -> Filters {
    for spec in &mut filters.specs {
        if let Check::Custom(custom) = &mut spec.check {
            if let Some(custom) = Arc::get_mut(custom) {
                custom.fast = FastScript::compile(&custom.ast, &Constants::default()).ok();
            }
        }
    }
    filters
}

/// The brand's script compiled to native closures with its weights folded in, or why not.
/// A brand's scoring script on the fast path, with its weights and settings folded in.
pub(in crate::rules) fn fast_script(
    script: &Script,
    weights: &Weights,
    settings: &rhai::Map,
) -> Result<Arc<FastScript>, String> {
    let constants = Constants {
        weights: Some(vec![
            ("engagement", weights.engagement),
            ("niche_fit", weights.niche_fit),
            ("cost_efficiency", weights.cost_efficiency),
            ("authenticity", weights.authenticity),
            ("relationship", weights.relationship),
        ]),
        settings: Some(settings.clone()),
    };
    FastScript::compile(&script.ast, &constants).map(Arc::new)
}
