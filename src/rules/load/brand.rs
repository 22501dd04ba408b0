//! Brand files (`brands/*.toml`): the brand's tier scheme and script, niche weights,
//! filters, weights, engagement and cost settings and benchmark overrides, each checked
//! against the rest of the folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{normalize_rel, Loader, SCORING_FILE, TIERS_FILE};
use crate::diagnostic::did_you_mean;
use crate::rules::fast::{Constants, FastScript};
use crate::rules::raw::RawBrand;
use crate::rules::tiers::TierScheme;
use crate::rules::{Benchmarks, Brand, EngagementSettings, Filters, Script, Taxonomy, Weights};
use crate::source::SourceFile;
use crate::text::{round4, thousands};
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
        if self.error_count() > before {
            return None;
        }
        let script = script?;
        let fast_script = fast_script(&script, &weights);
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
            plan,
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

    /// `[filters]`: tiers of the brand's scheme, bounds in order, fractions in range.
    fn filters(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        scheme: Option<&TierScheme>,
        tier_names: &[&str],
    ) -> Filters {
        let f = &raw.filters;
        if let (Some(tiers), Some(_)) = (&f.tiers, scheme) {
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
        Filters {
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
        }
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
        }
    }

    /// `[engagement]`: the rate basis, the average, and a cap above 0.
    fn engagement(&mut self, file: &SourceFile, raw: &RawBrand) -> EngagementSettings {
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

/// The brand's script compiled to native closures with its weights folded in, or why not.
fn fast_script(script: &Script, weights: &Weights) -> Result<Arc<FastScript>, String> {
    let constants = Constants {
        weights: Some(vec![
            ("engagement", weights.engagement),
            ("niche_fit", weights.niche_fit),
            ("cost_efficiency", weights.cost_efficiency),
            ("authenticity", weights.authenticity),
        ]),
    };
    FastScript::compile(&script.ast, &constants).map(Arc::new)
}
