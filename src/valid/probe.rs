//! Dry runs: every brand's scoring script and every `when` it can reach, evaluated on probe
//! candidates before any real list is ranked, so a rule that cannot cope with a value a
//! real list may lack (no `avg_likes`, zero posts, zero followers, another platform) is
//! found at check time, located, rather than on row 40,000 of a ranking.
//!
//! A probe is a plausible candidate that passes the brand's filters where it can: every
//! optional field present, then each one missing in turn, with zero followers and zero
//! posts, at the lower bound of every tier, on every platform the rules mention and on
//! none. Probes go through [`crate::engine::evaluate`] exactly as a ranked row does.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::engine::{self, Options};
use crate::model::{Candidate, Field};
use crate::rules::failure::{self, Site};
use crate::rules::{Brand, RuleSet};

/// A located diagnostic per place in the rules that failed on a probe, saying which probe
/// found it. A brand's probing stops at its first failure, so a runaway script costs one
/// sandbox budget, not one per probe. A failure on a missing value (`()`) is an error: the
/// rule cannot cope with a row a real list may hold. Any other failure (a sandbox budget
/// spent on a made-up candidate) is a warning.
pub fn dry_run(rules: &RuleSet) -> Vec<Diagnostic> {
    let mut found: BTreeMap<Site, String> = BTreeMap::new();
    for brand in rules.brands.values() {
        for (what, candidate) in probes(rules, brand) {
            if let Err(error) = engine::evaluate(rules, brand, &candidate, Options::default()) {
                let site = Site::new(&error.script, error.tier.as_deref(), &error.error);
                found.entry(site).or_insert_with(|| format!("{what}, brand `{}`", brand.id));
                break;
            }
        }
    }
    found
        .into_iter()
        .map(|(site, what)| {
            let missing_value =
                site.message.contains("()") || site.message.starts_with("Property not found");
            let diag = failure::located(
                rules,
                &site,
                &format!("a probe candidate ({what})"),
                "here".to_owned(),
            );
            let diag = if diag.hint.is_some() {
                diag
            } else {
                diag.hint("a real candidate list may hold such a row; make the rule cope with it")
            };
            if missing_value {
                diag
            } else {
                Diagnostic { severity: crate::diagnostic::Severity::Warning, ..diag }
            }
        })
        .collect()
}

/// The probe candidates for `brand`, each with a description of what makes it a probe.
pub fn probes(rules: &RuleSet, brand: &Brand) -> Vec<(String, Candidate)> {
    let mut platforms: Vec<Option<String>> = vec![None];
    let mentioned = brand
        .filters
        .platforms()
        .into_iter()
        .flatten()
        .cloned()
        .chain(brand.tiers.platforms.iter().map(|(name, _)| name.clone()));
    for platform in mentioned {
        if !platforms.contains(&Some(platform.clone())) {
            platforms.push(Some(platform));
        }
    }
    let mut follower_counts: Vec<u64> = vec![0];
    let lists =
        std::iter::once(&brand.tiers.default).chain(brand.tiers.platforms.iter().map(|(_, t)| t));
    for tier in lists.flatten() {
        for count in [Some(tier.min_followers), tier.max_followers].into_iter().flatten() {
            if !follower_counts.contains(&count) {
                follower_counts.push(count);
            }
        }
    }
    let mut probes = Vec::new();
    for platform in &platforms {
        let on = match platform {
            Some(p) => format!("`{p}`"),
            None => "no platform".to_owned(),
        };
        for &followers in &follower_counts {
            let full = full_candidate(rules, brand, platform.as_deref(), followers);
            let mut zero_posts = full.clone();
            zero_posts.posts = Some(0);
            let counted = format!("{on}, {} followers", crate::text::thousands(followers));
            probes.push((counted.clone(), full.clone()));
            probes.push((format!("{counted}, 0 posts"), zero_posts));
            for field in Field::ALL {
                if field.is_required() || field == Field::Platform {
                    continue;
                }
                let mut missing = full.clone();
                missing.clear(field);
                probes.push((format!("{counted}, no `{}`", field.name()), missing));
            }
        }
    }
    probes
}

/// A candidate with every optional field present, shaped to pass the brand's filters.
fn full_candidate(
    rules: &RuleSet,
    brand: &Brand,
    platform: Option<&str>,
    followers: u64,
) -> Candidate {
    let f = &brand.filters;
    let niche = brand
        .niche_weights
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(id, _)| rules.taxonomy.name(id).to_owned());
    let er = f.bound("min_engagement_rate").unwrap_or(0.0).max(0.05) * 1.5;
    Candidate {
        line: 0,
        handle: "probe".to_owned(),
        platform: platform.map(str::to_owned),
        followers,
        following: Some(500),
        posts: Some(100),
        avg_likes: Some(followers as f64 * er * 0.9),
        avg_comments: Some(followers as f64 * er * 0.1),
        avg_shares: Some(0.0),
        avg_views: Some(followers as f64 * 0.5),
        niches: niche.into_iter().collect(),
        country: f.countries().and_then(|c| c.first().cloned()).or(Some("US".to_owned())),
        fake_follower_pct: Some(0.0),
        cost_per_post: Some(match (f.bound("min_cost_per_post"), f.bound("max_cost_per_post")) {
            (Some(min), Some(max)) => (min + max) / 2.0,
            (Some(min), None) => min * 2.0,
            (None, max) => max.map_or(100.0, |max| max / 2.0),
        }),
        ..Candidate::default()
    }
}
