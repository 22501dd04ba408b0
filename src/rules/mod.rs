//! The rule set: everything a rule folder says, loaded, checked and compiled into one
//! immutable [`RuleSet`].
//!
//! Loading goes through three stages, as in ruff: serde types of what the user wrote
//! ([`raw`]), semantic checks that collect every problem in one pass ([`mod@load`]), and the
//! validated types in this module. A `RuleSet` that exists is valid; the engine never
//! re-checks it.

pub mod audience;
pub mod curve;
pub mod failure;
pub mod fast;
pub mod filters;
pub mod history;
pub mod load;
pub mod mapping;
pub mod plan;
pub mod raw;
pub mod script;
pub mod tiers;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use rhai::AST;

pub use curve::Curve;
pub use filters::Filters;
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
    /// Every file the rules were loaded from, as read, so a script that fails while
    /// ranking can be located in the text that made it ([`failure`]).
    pub sources: Vec<crate::source::SourceFile>,
    /// The audience rules (`audience.toml`), if the folder has them.
    pub audience: Option<Arc<audience::Audience>>,
    /// The sandbox every script runs in.
    pub sandbox: Sandbox,
    /// Estimated prices per post by platform and tier (`prices.toml`; empty without one).
    pub prices: plan::Prices,
}

impl Brand {
    /// The same brand judged on another tier scheme: for trying a scheme out before adopting
    /// it (`scout diff --tiers`, a scheme's own tests).
    pub fn with_tiers(&self, tiers: Arc<TierScheme>) -> Brand {
        let reads = Brand::script_reads(&self.script, &tiers, &self.filters);
        let quick = Brand::judged_natively(&tiers, &self.filters);
        Brand { tiers, reads, quick, ..self.clone() }
    }

    /// The same brand scored by another script, compiled to the fast path as the loader
    /// does; for tools that try scripts out (the fuzzer's script target).
    pub fn with_script(&self, script: Arc<Script>) -> Brand {
        let settings = self.settings.clone().try_cast::<rhai::Map>().unwrap_or_default();
        let fast_script = load::fast_script(&script, &self.weights, &settings);
        let reads = Brand::script_reads(&script, &self.tiers, &self.filters);
        Brand { script, fast_script, reads, ..self.clone() }
    }

    /// Whether every tier condition of `tiers` and every custom filter has a compiled fast
    /// form (and there are at most 64 filters, a bit each).
    pub fn judged_natively(tiers: &TierScheme, filters: &Filters) -> bool {
        let whens = std::iter::once(&tiers.default)
            .chain(tiers.platforms.iter().map(|(_, list)| list))
            .flatten()
            .filter_map(|tier| tier.when.as_ref())
            .all(|when| when.fast.is_some());
        let customs = filters.specs.iter().all(|spec| match &spec.check {
            filters::Check::Custom(custom) => custom.fast.is_some(),
            _ => true,
        });
        whens && customs && filters.specs.len() <= 64
    }

    /// The variables a brand's scripts read: the scoring script, the tiers' `when`
    /// conditions, and the custom filters' conditions, `needs` and reason placeholders (they
    /// all share one scope per candidate).
    pub fn script_reads(script: &Script, tiers: &TierScheme, filters: &Filters) -> script::Reads {
        let whens = std::iter::once(&tiers.default)
            .chain(tiers.platforms.iter().map(|(_, list)| list))
            .flatten()
            .filter_map(|tier| tier.when.as_ref())
            .map(|when| &*when.ast);
        let customs = filters.specs.iter().filter_map(|spec| match &spec.check {
            filters::Check::Custom(custom) => Some(custom),
            _ => None,
        });
        let reasons = customs.clone().flat_map(|custom| {
            custom.reason.iter().filter_map(|part| match part {
                filters::ReasonPart::Value(ast, _) => Some(ast),
                filters::ReasonPart::Text(_) => None,
            })
        });
        let filters = customs.clone().fold(script::Reads::NONE, |reads, c| reads.union(c.reads));
        std::iter::once(&script.ast)
            .chain(whens)
            .chain(reasons)
            .fold(filters, |reads, ast| reads.union(script::Reads::of(ast)))
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
        // Most labels are already normal (`beauty`): look them up without allocating, and
        // when one is not found, normalizing it would give it back unchanged.
        if let Some(id) = self.lookup.get(label) {
            return Some(*id);
        }
        if is_normal_niche(label) {
            return None;
        }
        self.lookup.get(&normalize_niche(label)).copied()
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

/// Whether [`normalize_niche`] would give `label` back unchanged: lowercase ASCII without
/// whitespace other than single inner spaces.
fn is_normal_niche(label: &str) -> bool {
    let bytes = label.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(|&b| b == b' ');
    !edge(bytes.first())
        && !edge(bytes.last())
        && !label.contains("  ")
        && bytes.iter().all(|&b| {
            b.is_ascii() && !b.is_ascii_uppercase() && (b == b' ' || !b.is_ascii_whitespace())
        })
}

/// A map by name, looked up once a row or more: foldhash, not std's SipHash (the keys are
/// the folder's own names, not the rows').
type Map<V> = HashMap<String, V, foldhash::fast::FixedState>;

/// Engagement-rate benchmarks by platform and tier, with a `default` platform, per-basis
/// tables and curves, layered over the benchmarks they override (a brand's over the
/// folder's).
#[derive(Clone, Debug, Default)]
pub struct Benchmarks {
    table: Map<Map<f64>>,
    /// Per-basis tables, indexed by `ErBasis as usize`.
    by_basis: [Map<Map<f64>>; 2],
    curves: Map<(Option<ErBasis>, Arc<Curve>)>,
    base: Option<Box<Benchmarks>>,
    /// Every lookup's steps through the layers, flattened on first use ([`Benchmarks::get`]
    /// runs for every row); cleared by any change.
    flat: std::sync::OnceLock<Flat>,
}

/// The benchmarks flattened for lookups: per platform a table names (else `other`), per
/// basis, one [`Chain`].
#[derive(Clone, Debug, Default)]
struct Flat {
    platforms: Map<[Chain; 2]>,
    other: [Chain; 2],
}

/// One platform's and basis's lookup through every layer: the tables tried before the
/// first curve that applies, merged (the first to name a tier wins), then that curve.
#[derive(Clone, Debug, Default)]
struct Chain {
    table: Map<f64>,
    curve: Option<Arc<Curve>>,
}

impl Benchmarks {
    /// The platform name that applies to every platform without its own table.
    pub const DEFAULT: &'static str = "default";

    /// Sets one benchmark, for rates on `basis` only, or on any basis when `None`.
    pub fn insert(&mut self, basis: Option<ErBasis>, platform: &str, tier: &str, value: f64) {
        self.flat = std::sync::OnceLock::new();
        let table = match basis {
            None => self.table.entry(platform.to_owned()).or_default(),
            Some(basis) => self.by_basis[basis as usize].entry(platform.to_owned()).or_default(),
        };
        table.insert(tier.to_owned(), value);
    }

    /// Sets the curve of `platform`, for rates on `basis` only, or on any basis when `None`.
    pub fn insert_curve(&mut self, basis: Option<ErBasis>, platform: &str, curve: Curve) {
        self.flat = std::sync::OnceLock::new();
        self.curves.insert(platform.to_owned(), (basis, Arc::new(curve)));
    }

    /// Benchmarks that override `base`: any tier or curve they set, for a platform or by
    /// default, wins over every table of `base`.
    pub fn over(base: Benchmarks) -> Self {
        Self { base: Some(Box::new(base)), ..Self::default() }
    }

    /// The benchmark of a row: `tier` on `platform`, for an engagement rate on `basis`, at
    /// `followers`. In each layer, from the brand's down to the folder's, the platform's
    /// curve, its per-basis table and its plain table are tried, then the same for
    /// `default`.
    pub fn get(
        &self,
        platform: Option<&str>,
        basis: ErBasis,
        tier: &str,
        followers: u64,
    ) -> Option<f64> {
        let flat = self.flat.get_or_init(|| self.flatten());
        let chains = platform.and_then(|p| flat.platforms.get(p)).unwrap_or(&flat.other);
        let chain = &chains[basis as usize];
        chain.table.get(tier).copied().or_else(|| Some(chain.curve.as_ref()?.at(followers)))
    }

    /// The lookups of [`Benchmarks::get`] for every platform a layer names, and for the
    /// others.
    fn flatten(&self) -> Flat {
        let mut names: Vec<&str> = Vec::new();
        let mut layer = Some(self);
        while let Some(l) = layer {
            let tables = l.table.keys().chain(l.by_basis.iter().flat_map(HashMap::keys));
            names.extend(tables.chain(l.curves.keys()).map(String::as_str));
            layer = l.base.as_deref();
        }
        names.retain(|name| *name != Self::DEFAULT);
        names.sort_unstable();
        names.dedup();
        let chains = |platform| ErBasis::ALL.map(|basis| self.chain(platform, basis));
        Flat {
            platforms: names.iter().map(|name| ((*name).to_owned(), chains(Some(name)))).collect(),
            other: chains(None),
        }
    }

    /// The steps a lookup takes: in each layer, from this one down, the platform's curve
    /// (when it applies to `basis`), per-basis table and plain table, then `default`'s.
    fn chain(&self, platform: Option<&str>, basis: ErBasis) -> Chain {
        let mut chain = Chain::default();
        let mut layer = Some(self);
        while let Some(l) = layer {
            for name in platform.into_iter().chain([Self::DEFAULT]) {
                if let Some((curve_basis, curve)) = l.curves.get(name) {
                    if curve_basis.is_none_or(|b| b == basis) {
                        chain.curve = Some(Arc::clone(curve));
                        return chain;
                    }
                }
                let tables = [l.by_basis[basis as usize].get(name), l.table.get(name)];
                for (tier, value) in tables.into_iter().flatten().flatten() {
                    chain.table.entry(tier.clone()).or_insert(*value);
                }
            }
            layer = l.base.as_deref();
        }
        chain
    }

    /// Whether `tier` has a benchmark on `platform` for `basis` whatever the follower count
    /// (a table names it, or a curve covers the platform).
    pub fn covers(&self, platform: Option<&str>, basis: ErBasis, tier: &str) -> bool {
        self.get(platform, basis, tier, 0).is_some()
    }

    /// Every tier name a table of this layer (not the layers below) names.
    pub fn tier_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .table
            .values()
            .chain(self.by_basis.iter().flat_map(HashMap::values))
            .flat_map(|t| t.keys().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
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
    /// Every knob of the brand as scripts read it (`settings.filters.max_followers`).
    pub settings: rhai::Dynamic,
    /// The brand's weights as the `weights` map scripts read.
    pub weights_map: rhai::Dynamic,
    /// Names `settings` and `weights_map` for the engine's per-thread shared copies of
    /// them: unique to the brand as loaded (a clone keeps it, they are the same maps).
    pub maps_id: u64,
    /// The variables the brand's scripts read ([`Brand::script_reads`]): the interpreter's
    /// scope holds only these.
    pub reads: script::Reads,
    /// Whether rows can be judged with tier conditions and custom filters on the fast path
    /// ([`Brand::judged_natively`]): what `engine::quick` needs.
    pub quick: bool,
    /// What `scout plan` maximises and under which constraints (`[plan]`).
    pub plan: plan::PlanSettings,
    /// Whether only the best account of each creator is ranked (`[ranking]`).
    pub one_account_per_creator: bool,
    /// Whether estimated fake-follower shares count (`[ranking] estimated_authenticity`).
    pub estimated_authenticity: bool,
    /// Past collaborations and how they count (`[history]`).
    pub history: history::HistorySettings,
}

/// A compiled scoring script.
#[derive(Debug)]
pub struct Script {
    /// The script's file, relative to the rule folder.
    pub path: PathBuf,
    /// The compiled script.
    pub ast: AST,
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
    /// The relationship with the brand, from its history (default 0).
    pub relationship: f64,
}

/// A fresh [`Brand::maps_id`].
pub fn next_maps_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Weights {
    /// The weights as the `weights` map scripts read.
    pub fn map(&self) -> rhai::Dynamic {
        rhai::Dynamic::from_map(script::map_of([
            ("engagement", rhai::Dynamic::from_float(self.engagement)),
            ("niche_fit", rhai::Dynamic::from_float(self.niche_fit)),
            ("cost_efficiency", rhai::Dynamic::from_float(self.cost_efficiency)),
            ("authenticity", rhai::Dynamic::from_float(self.authenticity)),
            ("relationship", rhai::Dynamic::from_float(self.relationship)),
        ]))
    }
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            engagement: 0.4,
            niche_fit: 0.3,
            cost_efficiency: 0.2,
            authenticity: 0.1,
            relationship: 0.0,
        }
    }
}

/// How a brand measures engagement.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EngagementSettings {
    /// The denominator on platforms without their own.
    pub basis: ErBasis,
    /// The denominator per platform (lowercased), where it differs from `basis`.
    pub platform_basis: Vec<(String, ErBasis)>,
    /// How per-post samples are averaged.
    pub average: Average,
    /// Engagement above `cap` × benchmark scores no higher.
    pub cap: f64,
}

impl EngagementSettings {
    /// The denominator of the engagement rate on `platform`.
    pub fn basis_for(&self, platform: Option<&str>) -> ErBasis {
        platform
            .and_then(|p| self.platform_basis.iter().find(|(name, _)| name == p))
            .map_or(self.basis, |(_, basis)| *basis)
    }
}

impl Default for EngagementSettings {
    fn default() -> Self {
        Self {
            basis: ErBasis::Followers,
            platform_basis: Vec::new(),
            average: Average::Mean,
            cap: 2.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookup [`Benchmarks::get`] flattens, step by step as the rules describe it.
    fn stepwise(
        b: &Benchmarks,
        platform: Option<&str>,
        basis: ErBasis,
        tier: &str,
        followers: u64,
    ) -> Option<f64> {
        let lookup = |name: &str| -> Option<f64> {
            if let Some((curve_basis, curve)) = b.curves.get(name) {
                if curve_basis.is_none_or(|c| c == basis) {
                    return Some(curve.at(followers));
                }
            }
            b.by_basis[basis as usize]
                .get(name)
                .and_then(|t| t.get(tier))
                .or_else(|| b.table.get(name).and_then(|t| t.get(tier)))
                .copied()
        };
        platform
            .and_then(lookup)
            .or_else(|| lookup(Benchmarks::DEFAULT))
            .or_else(|| stepwise(b.base.as_ref()?, platform, basis, tier, followers))
    }

    #[test]
    fn normal_niche_labels_are_their_own_normal_form() {
        for label in ["beauty", "home decor", "", "b2b"] {
            assert!(is_normal_niche(label), "{label:?}");
        }
        let labels =
            ["Beauty", " beauty", "home  decor", "home\tdecor", "beauté", "beauty ", "a\u{a0}b"];
        for label in labels {
            // Some are their own normal form all the same (`beauté`): looked up twice.
            assert!(!is_normal_niche(label), "{label:?}");
        }
    }

    #[test]
    fn flattened_lookups_take_the_same_steps() {
        use ErBasis::{Followers, Views};
        let curve = |a: f64| Curve::new(&[(1_000.0, a), (1_000_000.0, a / 4.0)]);
        let mut folder = Benchmarks::default();
        folder.insert(None, "default", "nano", 0.05);
        folder.insert(None, "default", "micro", 0.03);
        folder.insert(Some(Views), "tiktok", "micro", 0.09);
        folder.insert(None, "tiktok", "nano", 0.07);
        folder.insert_curve(Some(Views), "youtube", curve(0.04));
        folder.insert(None, "youtube", "mid", 0.011);
        let mut brand = Benchmarks::over(folder);
        brand.insert(None, "instagram", "micro", 0.025);
        brand.insert(Some(Followers), "default", "mid", 0.02);
        brand.insert_curve(None, "twitch", curve(0.06));
        let _ = brand.get(Some("instagram"), Followers, "micro", 1);
        // A change after a lookup is seen by the next one.
        brand.insert(None, "instagram", "nano", 0.045);
        for platform in [
            None,
            Some("instagram"),
            Some("tiktok"),
            Some("youtube"),
            Some("twitch"),
            Some("x"),
            Some("default"),
        ] {
            for basis in ErBasis::ALL {
                for tier in ["nano", "micro", "mid", "mega"] {
                    for followers in [0, 5_000, 2_000_000] {
                        assert_eq!(
                            brand.get(platform, basis, tier, followers),
                            stepwise(&brand, platform, basis, tier, followers),
                            "{platform:?} {basis:?} {tier} {followers}"
                        );
                    }
                }
            }
        }
        assert_eq!(brand.get(Some("instagram"), Followers, "nano", 1), Some(0.045));
    }
}
