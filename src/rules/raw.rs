//! What the user wrote: serde types for each rule-file kind, with spans on every value a
//! later check may need to point at. Unknown keys are rejected here. Nothing in this module
//! knows whether the values make sense together; that is `validate`'s job.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// `tiers.toml`, or any tier scheme under `experiments/`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTierScheme {
    /// What the scheme is, for people.
    pub description: Option<String>,
    /// The default tier list, in match order.
    #[serde(default)]
    pub tier: Vec<RawTier>,
    /// Per-platform tier lists, replacing the default list for that platform.
    #[serde(default)]
    pub platform: BTreeMap<String, RawPlatformTiers>,
}

/// A per-platform tier list.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlatformTiers {
    /// The tiers for this platform, in match order.
    #[serde(default)]
    pub tier: Vec<RawTier>,
}

/// One `[[tier]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    /// Any name: nano, micro, meta, zeta…
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Lowest follower count in the tier, inclusive. Defaults to 0.
    #[schemars(with = "Option<u64>")]
    pub min_followers: Option<Spanned<u64>>,
    /// Highest follower count in the tier, inclusive. Absent means no upper bound.
    #[schemars(with = "Option<u64>")]
    pub max_followers: Option<Spanned<u64>>,
    /// A rhai condition that must also hold.
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// What the tier is, for people.
    pub description: Option<String>,
}

/// `niches.toml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNiches {
    /// The taxonomy: one table per canonical niche.
    #[serde(default)]
    pub niche: BTreeMap<String, RawNiche>,
}

/// One niche of the taxonomy.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNiche {
    /// Other spellings that mean this niche, matched case-insensitively.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub aliases: Vec<Spanned<String>>,
    /// What the niche covers, for people.
    pub description: Option<String>,
}

/// A benchmark table: platform (or `default`) → tier → engagement rate. Tier keys keep
/// their spans, so a problem with a tier name points at the key.
pub type RawBenchmarks = BTreeMap<String, BTreeMap<Spanned<String>, Spanned<f64>>>;

/// `brands/<brand>.toml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBrand {
    /// The brand's display name.
    pub name: Option<String>,
    /// What the brand is after, for people.
    pub description: Option<String>,
    /// Another tier scheme, relative to the rule folder.
    #[schemars(with = "Option<String>")]
    pub tiers: Option<Spanned<String>>,
    /// The scoring script, relative to the rule folder.
    #[schemars(with = "Option<String>")]
    pub script: Option<Spanned<String>>,
    /// Niche weights, 0–1, by canonical niche name.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub niches: BTreeMap<Spanned<String>, Spanned<f64>>,
    /// Hard filters.
    #[serde(default)]
    pub filters: RawFilters,
    /// Component weights for the scoring script.
    #[schemars(with = "Option<RawWeights>")]
    pub weights: Option<Spanned<RawWeights>>,
    /// How engagement is measured.
    #[serde(default)]
    pub engagement: RawEngagement,
    /// How cost is judged.
    #[serde(default)]
    pub cost: RawCost,
    /// Benchmark overrides, shaped like `benchmarks.toml`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, BTreeMap<String, f64>>")]
    pub benchmarks: RawBenchmarks,
    /// How `scout plan` books creators under a budget.
    #[serde(default)]
    pub plan: RawPlan,
}

/// `[filters]` in a brand file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFilters {
    /// Allowed platforms.
    #[schemars(with = "Option<Vec<String>>")]
    pub platforms: Option<Vec<Spanned<String>>>,
    /// Allowed tiers.
    #[schemars(with = "Option<Vec<String>>")]
    pub tiers: Option<Vec<Spanned<String>>>,
    /// Lowest follower count, inclusive.
    #[schemars(with = "Option<u64>")]
    pub min_followers: Option<Spanned<u64>>,
    /// Highest follower count, inclusive.
    #[schemars(with = "Option<u64>")]
    pub max_followers: Option<Spanned<u64>>,
    /// Lowest engagement rate, as a fraction.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub min_engagement_rate: Option<Spanned<f64>>,
    /// Lowest niche fit, 0–1: turns away candidates outside the brand's niches.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub min_niche_fit: Option<Spanned<f64>>,
    /// Highest fake-follower share, as a fraction.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub max_fake_follower_pct: Option<Spanned<f64>>,
    /// Allowed countries.
    #[schemars(with = "Option<Vec<String>>")]
    pub countries: Option<Vec<Spanned<String>>>,
    /// Highest cost per post.
    #[schemars(with = "Option<f64>")]
    pub max_cost_per_post: Option<Spanned<f64>>,
    /// Words that exclude a candidate when found in its text.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude_keywords: Vec<Spanned<String>>,
    /// Extra columns searched for excluded keywords.
    pub keyword_columns: Option<Vec<String>>,
    /// What a filter does when the value it needs is missing.
    #[schemars(with = "Option<MissingPolicy>")]
    pub when_missing: Option<Spanned<MissingPolicy>>,
}

/// What a filter does when the value it needs is missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MissingPolicy {
    /// The filter passes, and the explanation says the value was missing.
    #[default]
    Pass,
    /// The filter fails.
    Fail,
}

/// `[weights]` in a brand file.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    /// Weight of engagement relative to the tier benchmark.
    #[serde(default)]
    pub engagement: f64,
    /// Weight of niche fit.
    #[serde(default)]
    pub niche_fit: f64,
    /// Weight of cost efficiency.
    #[serde(default)]
    pub cost_efficiency: f64,
    /// Weight of authenticity.
    #[serde(default)]
    pub authenticity: f64,
}

/// `[engagement]` in a brand file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEngagement {
    /// The denominator of the engagement rate.
    pub basis: Option<ErBasis>,
    /// How per-post samples are averaged.
    pub average: Option<Average>,
    /// Engagement above `cap` × benchmark scores no higher.
    #[schemars(with = "Option<f64>")]
    pub cap: Option<Spanned<f64>>,
}

/// The denominator of the engagement rate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ErBasis {
    /// (likes + comments + shares) / followers.
    #[default]
    Followers,
    /// (likes + comments + shares) / views.
    Views,
}

/// How per-post samples are averaged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Average {
    /// The arithmetic mean (HypeAuditor).
    #[default]
    Mean,
    /// The median (Modash).
    Median,
}

/// `[cost]` in a brand file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    /// The cost per engagement that earns full cost efficiency.
    #[schemars(with = "Option<f64>")]
    pub target_cost_per_engagement: Option<Spanned<f64>>,
}

/// `[plan]` in a brand file: what `scout plan` maximises and under which constraints.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    /// What the plan maximises: `score` (the default), `engagements` or `reach`.
    #[schemars(with = "Option<String>")]
    pub objective: Option<Spanned<String>>,
    /// The campaign budget in dollars (`--budget` overrides it).
    #[schemars(with = "Option<f64>")]
    pub budget: Option<Spanned<f64>>,
    /// The fewest creators to book.
    #[schemars(with = "Option<u64>")]
    pub min_creators: Option<Spanned<u64>>,
    /// The most creators to book (`--max-creators` overrides it).
    #[schemars(with = "Option<u64>")]
    pub max_creators: Option<Spanned<u64>>,
    /// The largest share of the budget one creator may take, 0–1.
    #[schemars(with = "Option<f64>", range(min = 0.0, max = 1.0))]
    pub max_share: Option<Spanned<f64>>,
    /// Whether candidates without a price may be booked at the price `prices.toml`
    /// estimates (default true).
    pub estimated_prices: Option<bool>,
    /// Quotas: how many creators of a tier, platform, country or niche to book.
    #[serde(default)]
    #[schemars(with = "Vec<RawQuota>")]
    pub quota: Vec<Spanned<RawQuota>>,
}

/// One `[[plan.quota]]`: exactly one of `tier`, `platform`, `country`, `niche`, with `min`
/// and/or `max`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuota {
    /// A tier name of the brand's tier scheme.
    pub tier: Option<String>,
    /// A platform.
    pub platform: Option<String>,
    /// A country code.
    pub country: Option<String>,
    /// A niche of the taxonomy.
    pub niche: Option<String>,
    /// At least this many creators of the group.
    pub min: Option<u64>,
    /// At most this many creators of the group.
    pub max: Option<u64>,
}

/// `prices.toml`: estimated price per post, in dollars, by platform (or `default`) and tier.
pub type RawPrices = BTreeMap<String, BTreeMap<Spanned<String>, Spanned<f64>>>;
