//! A brand's `[plan]` table and the folder's `prices.toml`, checked against the brand's tier
//! scheme and the taxonomy.

use std::collections::BTreeSet;

use super::Loader;
use crate::rules::plan::{Objective, PlanSettings, Prices, Quota, QuotaKey};
use crate::rules::raw::{RawBrand, RawPrices};
use crate::rules::{normalize_niche, Taxonomy};
use crate::source::SourceFile;

impl Loader<'_> {
    /// `[plan]`: a known objective, a budget and share above 0, creator counts in order,
    /// quotas naming exactly one known group.
    pub(super) fn plan(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        tier_names: &[&str],
        taxonomy: &Taxonomy,
    ) -> PlanSettings {
        let plan = &raw.plan;
        let mut settings = PlanSettings {
            estimated_prices: plan.estimated_prices.unwrap_or(true),
            ..PlanSettings::default()
        };
        if let Some(objective) = &plan.objective {
            match Objective::from_name(objective.get_ref()) {
                Some(o) => settings.objective = o,
                None => self.diags.push(
                    file.error(
                        objective.span(),
                        format!("unknown objective `{}`", objective.get_ref()),
                    )
                    .label("not an objective")
                    .hint("use \"score\", \"engagements\" or \"reach\""),
                ),
            }
        }
        if let Some(budget) = &plan.budget {
            if !(*budget.get_ref() > 0.0 && budget.get_ref().is_finite()) {
                self.diags.push(
                    file.error(budget.span(), "the plan budget must be above 0").label("here"),
                );
            }
            settings.budget = Some(*budget.get_ref());
        }
        if let Some(share) = &plan.max_share {
            let v = *share.get_ref();
            if !(v > 0.0 && v <= 1.0) {
                self.diags.push(
                    file.error(
                        share.span(),
                        format!("max_share {v} is not a fraction above 0 and at most 1"),
                    )
                    .label("out of range")
                    .hint("0.25 lets one creator take at most a quarter of the budget"),
                );
            }
            settings.max_share = Some(v);
        }
        settings.min_creators = plan.min_creators.as_ref().map(|m| *m.get_ref());
        settings.max_creators = plan.max_creators.as_ref().map(|m| *m.get_ref());
        if let (Some(min), Some(max)) = (&plan.min_creators, &plan.max_creators) {
            if min.get_ref() > max.get_ref() {
                self.diags.push(
                    file.error(
                        max.span(),
                        format!(
                            "max_creators {} is below min_creators {}",
                            max.get_ref(),
                            min.get_ref()
                        ),
                    )
                    .label("no plan can hold both"),
                );
            }
        }
        for quota in &plan.quota {
            let raw = quota.get_ref();
            let keys: Vec<(QuotaKey, &String)> = [
                (QuotaKey::Tier, &raw.tier),
                (QuotaKey::Platform, &raw.platform),
                (QuotaKey::Country, &raw.country),
                (QuotaKey::Niche, &raw.niche),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
            .collect();
            let [(key, value)] = keys[..] else {
                self.diags.push(
                    file.error(quota.span(), "a quota names exactly one of `tier`, `platform`, `country`, `niche`")
                        .label("here")
                        .hint("write one `[[plan.quota]]` per group, e.g. `tier = \"nano\"` and `min = 3`"),
                );
                continue;
            };
            let value = match key {
                QuotaKey::Tier => {
                    if !tier_names.contains(&value.as_str()) {
                        self.diags.push(
                            file.error(quota.span(), format!("unknown tier `{value}` in a quota"))
                                .label("not a tier of the brand's scheme")
                                .hint(format!("tiers: {}", tier_names.join(", "))),
                        );
                    }
                    value.clone()
                }
                QuotaKey::Niche => match taxonomy.resolve(value) {
                    Some(id) => normalize_niche(taxonomy.name(id)),
                    None => {
                        self.diags.push(
                            file.error(quota.span(), format!("unknown niche `{value}` in a quota"))
                                .label("not in niches.toml"),
                        );
                        value.clone()
                    }
                },
                QuotaKey::Platform => value.to_lowercase(),
                QuotaKey::Country => value.to_uppercase(),
            };
            if raw.min.is_none() && raw.max.is_none() {
                self.diags.push(
                    file.error(quota.span(), "a quota needs `min`, `max` or both").label("here"),
                );
            }
            let min = raw.min.unwrap_or(0);
            if raw.max.is_some_and(|max| max < min) {
                self.diags.push(
                    file.error(
                        quota.span(),
                        format!("quota max {} is below its min {min}", raw.max.unwrap_or(0)),
                    )
                    .label("no plan can hold this quota"),
                );
            }
            settings.quotas.push(Quota { key, value, min, max: raw.max });
        }
        settings
    }

    /// `prices.toml`: platform (or `default`) → tier → dollars above 0, tiers known to some
    /// scheme of the folder.
    pub(super) fn prices(&mut self, file: &SourceFile, tier_names: &BTreeSet<String>) -> Prices {
        let mut prices = Prices::default();
        let Some(raw) = self.parse::<RawPrices>(file) else { return prices };
        for (platform, tiers) in &raw {
            for (tier, price) in tiers {
                if !tier_names.is_empty() && !tier_names.contains(tier.get_ref()) {
                    let names: Vec<&str> = tier_names.iter().map(String::as_str).collect();
                    self.diags.push(
                        file.error(tier.span(), format!("unknown tier `{}`", tier.get_ref()))
                            .label("no tier scheme of the folder has it")
                            .maybe_hint(
                                crate::diagnostic::did_you_mean(
                                    tier.get_ref(),
                                    names.iter().copied(),
                                )
                                .map(|c| format!("did you mean `{c}`?")),
                            ),
                    );
                }
                let v = *price.get_ref();
                if !(v > 0.0 && v.is_finite()) {
                    self.diags.push(
                        file.error(price.span(), format!("price {v} must be above 0"))
                            .label("dollars per post"),
                    );
                }
                prices.insert(platform, tier.get_ref(), v);
            }
        }
        prices
    }
}
