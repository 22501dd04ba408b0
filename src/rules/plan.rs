//! What a brand's `[plan]` table and the folder's `prices.toml` say, validated: the
//! objective and constraints of `scout plan`, and the estimated price per post by
//! platform and tier for candidates without a price.

use std::collections::BTreeMap;

/// What a plan maximises, summed over the booked creators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// The brand's score, 0–100.
    #[default]
    Score,
    /// Expected engagements per post (likes + comments + shares).
    Engagements,
    /// Estimated reach per post (views, else likes × 10).
    Reach,
}

impl Objective {
    /// Every objective, as `--objective` lists them.
    pub const ALL: [Objective; 3] = [Objective::Score, Objective::Engagements, Objective::Reach];

    /// The objective's name in rule files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Score => "score",
            Objective::Engagements => "engagements",
            Objective::Reach => "reach",
        }
    }

    /// One line on what the objective is.
    pub fn about(self) -> &'static str {
        match self {
            Objective::Score => "The sum of the booked creators' scores",
            Objective::Engagements => "Expected engagements per post, summed",
            Objective::Reach => "Estimated reach per post, summed",
        }
    }

    /// The objective called `name`, if any.
    pub fn from_name(name: &str) -> Option<Objective> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// What a quota counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaKey {
    /// A tier of the brand's scheme.
    Tier,
    /// A platform.
    Platform,
    /// A country code.
    Country,
    /// A niche of the taxonomy.
    Niche,
}

impl QuotaKey {
    /// The key's name in rule files.
    pub fn name(self) -> &'static str {
        match self {
            QuotaKey::Tier => "tier",
            QuotaKey::Platform => "platform",
            QuotaKey::Country => "country",
            QuotaKey::Niche => "niche",
        }
    }
}

/// One quota: at least `min` and at most `max` creators whose `key` is `value`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Quota {
    /// What the quota counts.
    pub key: QuotaKey,
    /// The tier, platform, country or niche, lowercased (countries uppercased).
    pub value: String,
    /// At least this many.
    pub min: u64,
    /// At most this many.
    pub max: Option<u64>,
}

impl Quota {
    /// The quota as people write it: `tier nano ≥ 3`, `platform tiktok ≤ 2`.
    pub fn describe(&self) -> String {
        let bounds = match (self.min, self.max) {
            (0, Some(max)) => format!("≤ {max}"),
            (min, None) => format!("≥ {min}"),
            (min, Some(max)) if min == max => format!("= {min}"),
            (min, Some(max)) => format!("{min}–{max}"),
        };
        format!("{} {} {bounds}", self.key.name(), self.value)
    }
}

/// A brand's `[plan]` settings.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PlanSettings {
    /// What the plan maximises.
    pub objective: Objective,
    /// The budget in dollars, unless `--budget` gives one.
    pub budget: Option<f64>,
    /// The fewest creators to book.
    pub min_creators: Option<u64>,
    /// The most creators to book.
    pub max_creators: Option<u64>,
    /// The largest share of the budget one creator may take.
    pub max_share: Option<f64>,
    /// Whether estimated prices may be booked.
    pub estimated_prices: bool,
    /// The quotas, in file order.
    pub quotas: Vec<Quota>,
}

/// Estimated price per post by platform (or [`Prices::DEFAULT`]) and tier, from
/// `prices.toml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prices {
    table: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Prices {
    /// The platform name that applies to every platform without its own table.
    pub const DEFAULT: &'static str = "default";

    /// Sets one price.
    pub fn insert(&mut self, platform: &str, tier: &str, price: f64) {
        self.table.entry(platform.to_lowercase()).or_default().insert(tier.to_owned(), price);
    }

    /// The estimated price for `tier` on `platform`: the platform's table, then `default`.
    pub fn get(&self, platform: Option<&str>, tier: &str) -> Option<f64> {
        platform
            .and_then(|p| self.table.get(&p.to_lowercase()))
            .and_then(|t| t.get(tier))
            .or_else(|| self.table.get(Self::DEFAULT).and_then(|t| t.get(tier)))
            .copied()
    }

    /// Whether the folder has no `prices.toml` (or an empty one).
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}
