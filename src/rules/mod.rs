//! The rule set: everything a rule folder says, loaded, checked and compiled into one
//! immutable [`RuleSet`].
//!
//! Loading goes through three stages, as in ruff: serde types of what the user wrote
//! ([`raw`]), semantic checks that collect every problem in one pass ([`mod@load`]), and the
//! validated types in this module. A `RuleSet` that exists is valid; the engine never
//! re-checks it.

pub mod audience;
pub mod fast;
pub mod load;
pub mod mapping;
pub mod raw;
pub mod script;
pub mod tiers;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use rhai::AST;

pub use load::{load, revision_of};
pub use raw::{Average, ErBasis, MissingPolicy};
pub use script::{Limits, Sandbox};
pub use tiers::{Tier, TierScheme};

use crate::diagnostic::Diagnostic;

/// A loaded, valid rule folder.
#[derive(Debug)]
pub struct RuleSet {
    /// The folder the rules came from.
    pub root: PathBuf,
    /// A content hash of every rule file: which rules made a result.
    pub revision: String,
    /// The niche taxonomy.
    pub taxonomy: Taxonomy,
    /// The brands, by file name without `.toml`.
    pub brands: BTreeMap<String, Brand>,
    /// Every tier scheme in the folder, by path relative to the folder.
    pub schemes: BTreeMap<PathBuf, Arc<TierScheme>>,
    /// Problems that do not stop the rules from loading.
    pub warnings: Vec<Diagnostic>,
    /// The rule-test files (`*.tests.toml`), as read with the rest of the folder, so tests
    /// run against the very revision they belong to.
    pub test_files: Vec<crate::source::SourceFile>,
    /// The audience rules (`audience.toml`), if the folder has them.
    pub audience: Option<Arc<audience::Audience>>,
    /// The sandbox every script runs in.
    pub sandbox: Sandbox,
}

impl Brand {
    /// The same brand judged on another tier scheme: for trying a scheme out before adopting
    /// it (`scout diff --tiers`, a scheme's own tests).
    pub fn with_tiers(&self, tiers: Arc<TierScheme>) -> Brand {
        let resolved_benchmarks = self.benchmarks.resolve(&tiers.names());
        Brand { tiers, resolved_benchmarks, ..self.clone() }
    }
}

impl RuleSet {
    /// Looks a brand up by name, with a "did you mean" error when it does not exist.
    pub fn brand(&self, name: &str) -> Result<&Brand, UnknownBrand> {
        self.brands.get(name).ok_or_else(|| UnknownBrand {
            name: name.to_owned(),
            known: self.brands.keys().cloned().collect(),
        })
    }
}

/// A brand name the rule folder does not define.
#[derive(Debug, thiserror::Error)]
#[error("unknown brand `{name}`")]
pub struct UnknownBrand {
    /// The name asked for.
    pub name: String,
    /// The brands the folder defines.
    pub known: Vec<String>,
}

impl UnknownBrand {
    /// A hint naming the closest brand, or listing them all.
    pub fn hint(&self) -> String {
        match crate::diagnostic::did_you_mean(&self.name, self.known.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None if self.known.is_empty() => "the rule folder has no brands/*.toml".to_owned(),
            None => format!("brands in this folder: {}", self.known.join(", ")),
        }
    }
}

/// The niche taxonomy: canonical names and their aliases, matched case-insensitively.
#[derive(Clone, Debug, Default)]
pub struct Taxonomy {
    names: Vec<String>,
    lookup: HashMap<String, usize, foldhash::fast::FixedState>,
}

impl Taxonomy {
    /// Builds a taxonomy from canonical names and `(alias, canonical index)` pairs.
    pub fn new(names: Vec<String>, aliases: impl IntoIterator<Item = (String, usize)>) -> Self {
        let mut lookup: HashMap<String, usize, foldhash::fast::FixedState> =
            names.iter().enumerate().map(|(i, name)| (normalize_niche(name), i)).collect();
        for (alias, id) in aliases {
            lookup.entry(normalize_niche(&alias)).or_insert(id);
        }
        Self { names, lookup }
    }

    /// The niche a free-text label means, if any.
    pub fn resolve(&self, label: &str) -> Option<usize> {
        // Most labels are already normal (`beauty`): look them up without allocating.
        self.lookup.get(label).or_else(|| self.lookup.get(&normalize_niche(label))).copied()
    }

    /// The canonical name of niche `id`.
    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    /// Every canonical niche name.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Niche labels compare case-insensitively and with spaces folded.
pub fn normalize_niche(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Engagement-rate benchmarks by platform and tier, with a `default` platform, layered
/// over the benchmarks they override (a brand's over the folder's).
#[derive(Clone, Debug, Default)]
pub struct Benchmarks {
    table: HashMap<String, HashMap<String, f64>>,
    base: Option<Box<Benchmarks>>,
}

impl Benchmarks {
    /// The platform name that applies to every platform without its own table.
    pub const DEFAULT: &'static str = "default";

    /// Sets one benchmark.
    pub fn insert(&mut self, platform: &str, tier: &str, value: f64) {
        self.table.entry(platform.to_owned()).or_default().insert(tier.to_owned(), value);
    }

    /// Benchmarks that override `base`: any tier they set, for a platform or by default,
    /// wins over every table of `base`.
    pub fn over(base: Benchmarks) -> Self {
        Self { table: HashMap::new(), base: Some(Box::new(base)) }
    }

    /// The benchmark for `tier` on `platform`: this layer's platform table, then its
    /// `default` table, then the layer below.
    pub fn get(&self, platform: Option<&str>, tier: &str) -> Option<f64> {
        platform
            .and_then(|p| self.table.get(p))
            .and_then(|t| t.get(tier))
            .or_else(|| self.table.get(Self::DEFAULT).and_then(|t| t.get(tier)))
            .copied()
            .or_else(|| self.base.as_ref()?.get(platform, tier))
    }
}

impl Benchmarks {
    /// Every benchmark for `tiers`, resolved once, for quick lookups per candidate.
    pub fn resolve(&self, tiers: &[&str]) -> ResolvedBenchmarks {
        let mut platforms: Vec<&str> = Vec::new();
        let mut layer = Some(self);
        while let Some(benchmarks) = layer {
            for platform in benchmarks.table.keys() {
                if platform != Self::DEFAULT && !platforms.contains(&platform.as_str()) {
                    platforms.push(platform);
                }
            }
            layer = benchmarks.base.as_deref();
        }
        let row = |platform: Option<&str>| -> BenchmarkRow {
            tiers.iter().map(|tier| ((*tier).to_owned(), self.get(platform, tier))).collect()
        };
        ResolvedBenchmarks {
            platforms: platforms.iter().map(|p| ((*p).to_owned(), row(Some(p)))).collect(),
            default: row(None),
        }
    }
}

/// Benchmarks resolved for one tier scheme: a short table per platform that has its own.
#[derive(Clone, Debug, Default)]
pub struct ResolvedBenchmarks {
    platforms: Vec<(String, BenchmarkRow)>,
    default: BenchmarkRow,
}

/// Benchmarks by tier name, for one platform.
type BenchmarkRow = Vec<(String, Option<f64>)>;

impl ResolvedBenchmarks {
    /// The benchmark for `tier` on `platform`; the same answer as [`Benchmarks::get`].
    pub fn get(&self, platform: Option<&str>, tier: &str) -> Option<f64> {
        let row = platform
            .and_then(|p| self.platforms.iter().find(|(name, _)| name == p))
            .map_or(&self.default, |(_, row)| row);
        row.iter().find(|(name, _)| name == tier).and_then(|(_, value)| *value)
    }
}

/// One brand's criteria, validated.
#[derive(Clone, Debug)]
pub struct Brand {
    /// The file name without `.toml`; what `--brand` takes.
    pub id: String,
    /// The display name.
    pub name: String,
    /// What the brand is after.
    pub description: Option<String>,
    /// The brand file, relative to the rule folder.
    pub path: PathBuf,
    /// The tier scheme the brand uses.
    pub tiers: Arc<TierScheme>,
    /// The scoring script.
    pub script: Arc<Script>,
    /// The script compiled to native closures with this brand's weights, or why it runs
    /// interpreted.
    pub fast_script: Result<Arc<fast::FastScript>, String>,
    /// Niche weight by taxonomy index; 0 for niches the brand does not name.
    pub niche_weights: Vec<f64>,
    /// Hard filters.
    pub filters: Filters,
    /// Component weights.
    pub weights: Weights,
    /// How engagement is measured.
    pub engagement: EngagementSettings,
    /// The cost per engagement that earns full cost efficiency.
    pub target_cost_per_engagement: f64,
    /// The benchmarks, with the brand's overrides applied.
    pub benchmarks: Benchmarks,
    /// The same, resolved for the brand's tiers.
    pub resolved_benchmarks: ResolvedBenchmarks,
}

/// A compiled scoring script.
#[derive(Debug)]
pub struct Script {
    /// The script's file, relative to the rule folder.
    pub path: PathBuf,
    /// The compiled script.
    pub ast: AST,
}

/// A brand's hard filters. Lists are lowercased for matching.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// Allowed platforms.
    pub platforms: Option<Vec<String>>,
    /// Allowed tiers.
    pub tiers: Option<Vec<String>>,
    /// Lowest follower count, inclusive.
    pub min_followers: Option<u64>,
    /// Highest follower count, inclusive.
    pub max_followers: Option<u64>,
    /// Lowest engagement rate.
    pub min_engagement_rate: Option<f64>,
    /// Lowest niche fit.
    pub min_niche_fit: Option<f64>,
    /// Highest fake-follower share.
    pub max_fake_follower_pct: Option<f64>,
    /// Allowed countries, uppercased.
    pub countries: Option<Vec<String>>,
    /// Highest cost per post.
    pub max_cost_per_post: Option<f64>,
    /// Excluded keywords, lowercased.
    pub exclude_keywords: Vec<String>,
    /// Extra columns searched for excluded keywords.
    pub keyword_columns: Vec<String>,
    /// What a filter does when its value is missing.
    pub when_missing: MissingPolicy,
}

/// Component weights.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Weights {
    /// Engagement relative to the tier benchmark.
    pub engagement: f64,
    /// Niche fit.
    pub niche_fit: f64,
    /// Cost efficiency.
    pub cost_efficiency: f64,
    /// Authenticity.
    pub authenticity: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self { engagement: 0.4, niche_fit: 0.3, cost_efficiency: 0.2, authenticity: 0.1 }
    }
}

/// How a brand measures engagement.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct EngagementSettings {
    /// The denominator.
    pub basis: ErBasis,
    /// How per-post samples are averaged.
    pub average: Average,
    /// Engagement above `cap` × benchmark scores no higher.
    pub cap: f64,
}

impl Default for EngagementSettings {
    fn default() -> Self {
        Self { basis: ErBasis::Followers, average: Average::Mean, cap: 2.0 }
    }
}
