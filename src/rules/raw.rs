//! What the user wrote: serde types for each rule-file kind, with spans on every value a
//! later check may need to point at. Unknown keys are rejected here. Nothing in this module
//! knows whether the values make sense together; that is `validate`'s job.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::filters::{filter_keys, KeywordMatch, Measure, Range};

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
    /// The tier of the same list this one is carved out of: its bounds default to the
    /// parent's, and its `when` reads the parent's benchmark as `parent_benchmark`.
    #[schemars(with = "Option<String>")]
    pub carved_from: Option<Spanned<String>>,
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

/// Benchmark rates of one platform (or `default`): tier → engagement rate. Tier keys keep
/// their spans, so a problem with a tier name points at the key.
pub type RawRates = BTreeMap<Spanned<String>, Spanned<f64>>;

/// A benchmark file (`benchmarks.toml`, or a brand's `[benchmarks]`): per-tier tables by
/// platform, the same for one engagement basis only, and curves by platform.
///
/// Read by hand rather than derived, so that the open platform tables and the reserved
/// keys (`curve`, `followers`, `views`) can share one level and keep their spans.
#[derive(Debug, Default)]
pub struct RawBenchmarks {
    /// `[<platform>]` and `[default]`: tier → rate, whatever the basis.
    pub rates: BTreeMap<String, RawRates>,
    /// `[followers.<platform>]`, `[views.<platform>]`: tier → rate, for rates on that basis.
    pub by_basis: Vec<(ErBasis, BTreeMap<String, RawRates>)>,
    /// `[curve.<platform>]`: a benchmark curve over follower counts.
    pub curves: BTreeMap<String, RawCurve>,
}

/// The keys of a benchmark file that are not platforms.
pub const RESERVED_BENCHMARK_KEYS: [&str; 3] = ["curve", "followers", "views"];

impl<'de> Deserialize<'de> for RawBenchmarks {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawBenchmarks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("tables of benchmarks by platform")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawBenchmarks, A::Error> {
                let mut raw = RawBenchmarks::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "curve" => raw.curves = map.next_value()?,
                        "followers" => raw.by_basis.push((ErBasis::Followers, map.next_value()?)),
                        "views" => raw.by_basis.push((ErBasis::Views, map.next_value()?)),
                        _ => {
                            let rates = map.next_value()?;
                            raw.rates.insert(key, rates);
                        }
                    }
                }
                Ok(raw)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// `[curve.<platform>]`: engagement benchmarks as a curve over follower counts, interpolated
/// linearly on log10 followers between anchors and flat beyond the ends.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCurve {
    /// Only rates on this basis use the curve; absent means any basis.
    pub basis: Option<ErBasis>,
    /// Anchor points `[followers, rate]`, by rising follower count; rates are fractions.
    #[schemars(with = "Vec<(f64, f64)>")]
    pub points: Spanned<Vec<Spanned<(f64, f64)>>>,
    /// Where the figures come from, for people.
    pub source: Option<String>,
}

/// The shape of a benchmark file, for its JSON Schema.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct BenchmarksSchema {
    /// Benchmark curves by platform (or `default`); a platform's curve wins over its tier
    /// table.
    pub curve: Option<BTreeMap<String, RawCurve>>,
    /// Per-tier rates for ER measured on followers, by platform (or `default`).
    pub followers: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// Per-tier rates for ER measured on views, by platform (or `default`).
    pub views: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// Per-tier rates by platform (or `default`), whatever the basis.
    #[serde(flatten)]
    pub platforms: BTreeMap<String, BTreeMap<String, f64>>,
}

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
    #[schemars(with = "BenchmarksSchema")]
    pub benchmarks: RawBenchmarks,
    /// How `scout plan` books creators under a budget.
    #[serde(default)]
    pub plan: RawPlan,
    /// How the ranking treats the rows that pass.
    #[serde(default)]
    pub ranking: RawRanking,
    /// Past collaborations and how they count.
    #[schemars(with = "Option<RawHistory>")]
    pub history: Option<Spanned<RawHistory>>,
}

/// `[history]` in a brand file: past collaborations and how the `relationship` component
/// and the history filters judge them.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHistory {
    /// The history file (CSV, or NDJSON ending in `.ndjson`/`.jsonl`), relative to the rule
    /// folder, under `history/`.
    #[schemars(with = "Option<String>")]
    pub file: Option<Spanned<String>>,
    /// Headers of the file by history column, where they differ from scout's names:
    /// `{ date = "Posted on", price = "Fee" }`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub mapping: BTreeMap<Spanned<String>, String>,
    /// The day "days since the last collaboration" counts to (`YYYY-MM-DD`); default: the
    /// newest date in the file.
    #[schemars(with = "Option<String>")]
    pub as_of: Option<Spanned<String>>,
    /// Days after which a collaboration counts half as much in `relationship` (default 365).
    #[schemars(with = "Option<f64>")]
    pub half_life_days: Option<Spanned<f64>>,
    /// How many collaborations make an established relationship (default 3).
    #[schemars(with = "Option<u64>")]
    pub established: Option<Spanned<u64>>,
    /// A collaboration delivering less than this share of the promised ER under-delivered
    /// (default 0.7).
    #[schemars(with = "Option<f64>")]
    pub under_delivery_ratio: Option<Spanned<f64>>,
    /// What a candidate without history scores on `relationship`: `"neutral"` (default:
    /// `()`, as any missing component) or `"zero"`.
    pub no_history: Option<crate::rules::history::NoHistory>,
}

/// `[ranking]` in a brand file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRanking {
    /// Rank only the best account of each creator (rows with one `creator_id`); the
    /// others are filtered, naming the account that ranks higher.
    pub one_account_per_creator: Option<bool>,
    /// Judge authenticity on fake-follower shares that `scout audit --estimate` estimated
    /// from the influencer's own numbers (rows whose `fake_follower_source` is
    /// `estimated`); `false` treats such rows as having no figure. Default `true`.
    pub estimated_authenticity: Option<bool>,
}

/// `[filters]` in a brand file. Besides the keys below, every numeric measure takes a
/// `min_<measure>` and a `max_<measure>` bound (`min_cost_per_post = 20`), from the one
/// table in `rules::filters::Measure`; unknown keys are errors.
#[derive(Debug, Default)]
pub struct RawFilters {
    /// Allowed platforms.
    pub platforms: Option<Vec<Spanned<String>>>,
    /// Allowed tiers.
    pub tiers: Option<Vec<Spanned<String>>>,
    /// Allowed countries.
    pub countries: Option<Vec<Spanned<String>>>,
    /// `min_<measure>` / `max_<measure>` bounds, inclusive, as written.
    pub bounds: Vec<(Spanned<String>, Spanned<f64>)>,
    /// Words that exclude a candidate when found in its text.
    pub exclude_keywords: Vec<Spanned<String>>,
    /// Extra columns searched for excluded keywords.
    pub keyword_columns: Option<Vec<String>>,
    /// How excluded keywords match: whole words, word prefixes or anywhere.
    pub keyword_match: Option<KeywordMatch>,
    /// What a filter does when the value it needs is missing: one policy for all, or per
    /// filter.
    pub when_missing: Option<Spanned<RawWhenMissing>>,
    /// The brand's own filters.
    pub custom: Vec<RawCustomFilter>,
    /// Every key, in the order the file writes them.
    pub order: Vec<Spanned<String>>,
}

impl<'de> Deserialize<'de> for RawFilters {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawFilters;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of filters")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawFilters, A::Error> {
                let mut out = RawFilters::default();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    match key.get_ref().as_str() {
                        "platforms" => out.platforms = Some(map.next_value()?),
                        "tiers" => out.tiers = Some(map.next_value()?),
                        "countries" => out.countries = Some(map.next_value()?),
                        "exclude_keywords" => out.exclude_keywords = map.next_value()?,
                        "keyword_columns" => out.keyword_columns = Some(map.next_value()?),
                        "keyword_match" => out.keyword_match = Some(map.next_value()?),
                        "when_missing" => out.when_missing = Some(map.next_value()?),
                        "custom" => out.custom = map.next_value()?,
                        name if Measure::of_key(name).is_some() => {
                            out.bounds.push((key.clone(), map.next_value()?));
                        }
                        name => {
                            return Err(serde::de::Error::unknown_field(name, filter_keys()));
                        }
                    }
                    out.order.push(key);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

impl JsonSchema for RawFilters {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawFilters".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        /// The keys that are not bounds, for their schema.
        #[derive(JsonSchema)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Fixed {
            /// Allowed platforms.
            platforms: Option<Vec<String>>,
            /// Allowed tiers, by name from the brand's tier scheme.
            tiers: Option<Vec<String>>,
            /// Allowed countries.
            countries: Option<Vec<String>>,
            /// Words that exclude a candidate when found in its handle, niches or keyword
            /// columns.
            #[serde(default)]
            exclude_keywords: Vec<String>,
            /// Extra columns searched for excluded keywords.
            keyword_columns: Option<Vec<String>>,
            /// How excluded keywords match: `word` (default), `prefix` or `substring`.
            keyword_match: Option<KeywordMatch>,
            /// What a filter does when its value is missing: `pass` or `fail` for every
            /// filter, or a table by filter name (`default` for the rest).
            when_missing: Option<RawWhenMissing>,
            /// The brand's own filters: rhai conditions with their own reasons.
            #[serde(default)]
            custom: Vec<RawCustomFilter>,
        }
        let mut schema = Fixed::json_schema(generator);
        if let Some(properties) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
            for measure in Measure::all() {
                for (prefix, what) in [("min_", "Lowest"), ("max_", "Highest")] {
                    let mut bound = schemars::json_schema!({
                        "type": "number",
                        "description": format!("{what} {}, inclusive.", measure.name()),
                    });
                    if let Range::Fraction(_) = measure.range() {
                        bound.insert("minimum".into(), 0.into());
                        bound.insert("maximum".into(), 1.into());
                    }
                    properties.insert(format!("{prefix}{}", measure.name()), bound.into());
                }
            }
        }
        schema
    }
}

/// `when_missing`: one policy for every filter, or a table of policies by filter name,
/// with `default` for the filters it does not name.
#[derive(Debug)]
pub enum RawWhenMissing {
    /// `when_missing = "fail"`.
    All(MissingPolicy),
    /// `when_missing = { default = "pass", max_fake_follower_pct = "fail" }`.
    PerFilter(Vec<(Spanned<String>, Spanned<MissingPolicy>)>),
}

impl<'de> Deserialize<'de> for RawWhenMissing {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawWhenMissing;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`pass`, `fail` or a table of them by filter name")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawWhenMissing, E> {
                match value {
                    "pass" => Ok(RawWhenMissing::All(MissingPolicy::Pass)),
                    "fail" => Ok(RawWhenMissing::All(MissingPolicy::Fail)),
                    other => Err(E::unknown_variant(other, &["pass", "fail"])),
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawWhenMissing, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(RawWhenMissing::PerFilter(out))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for RawWhenMissing {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawWhenMissing".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let policy = generator.subschema_for::<MissingPolicy>();
        schemars::json_schema!({
            "description": "`pass` or `fail` for every filter, or a table by filter name (`default` for the rest).",
            "anyOf": [policy, { "type": "object", "additionalProperties": policy }],
        })
    }
}

/// One `[[filters.custom]]` entry: a named rhai condition that turns a candidate away.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCustomFilter {
    /// The filter's name, one word: what reasons, `scout explain` and `when_missing` call it.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// A rhai expression: the candidate is turned away when it is true.
    #[schemars(with = "String")]
    pub reject_when: Spanned<String>,
    /// The reason given, with `{expression}` or `{expression:.2}` placeholders.
    #[schemars(with = "Option<String>")]
    pub reason: Option<Spanned<String>>,
    /// Variables that must not be missing for the condition to run (default: every
    /// candidate value the condition reads); `[]` when the condition handles `()` itself.
    #[schemars(with = "Option<Vec<String>>")]
    pub needs: Option<Vec<Spanned<String>>>,
    /// What the filter does when a value it needs is missing.
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
    /// Weight of the relationship with the brand (from `[history]`); default 0.
    #[serde(default)]
    pub relationship: f64,
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
    /// Per-platform settings, by platform name: `[engagement.platform.tiktok]`.
    #[serde(default)]
    pub platform: BTreeMap<String, RawPlatformEngagement>,
}

/// `[engagement.platform.<name>]` in a brand file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlatformEngagement {
    /// The denominator of the engagement rate on this platform.
    pub basis: Option<ErBasis>,
}

/// The denominator of the engagement rate.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ErBasis {
    /// (likes + comments + shares) / followers.
    #[default]
    Followers,
    /// (likes + comments + shares) / views.
    Views,
}

impl ErBasis {
    /// Both, in order (`basis as usize` indexes per-basis arrays).
    pub const ALL: [ErBasis; 2] = [ErBasis::Followers, ErBasis::Views];

    /// The basis as rule files and outputs write it: `followers` or `views`.
    pub fn name(self) -> &'static str {
        match self {
            ErBasis::Followers => "followers",
            ErBasis::Views => "views",
        }
    }
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
