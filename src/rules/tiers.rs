//! Tier schemes: ordered, named follower ranges with optional `when` conditions, and the
//! pure checks that make classification total (no gaps, no overlaps, no dead tiers).

use crate::text::thousands;
use std::path::PathBuf;
use std::sync::Arc;

use rhai::AST;

/// A validated tier scheme: a default list and optional per-platform lists.
#[derive(Debug)]
pub struct TierScheme {
    /// The scheme's file, relative to the rule folder.
    pub path: PathBuf,
    /// What the scheme is, for people.
    pub description: Option<String>,
    /// The list used for platforms without their own.
    pub default: Vec<Tier>,
    /// Per-platform lists, by lowercased platform name.
    pub platforms: Vec<(String, Vec<Tier>)>,
}

impl TierScheme {
    /// The tier list that applies to `platform`.
    pub fn tiers_for(&self, platform: Option<&str>) -> &[Tier] {
        platform
            .and_then(|p| self.platforms.iter().find(|(name, _)| name == p))
            .map_or(&self.default, |(_, tiers)| tiers)
    }

    /// Every tier name the scheme defines, in first-seen order, without repeats.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let lists = std::iter::once(&self.default).chain(self.platforms.iter().map(|(_, t)| t));
        for tier in lists.flatten() {
            if !names.contains(&&*tier.name) {
                names.push(&tier.name);
            }
        }
        names
    }
}

/// One tier: an inclusive follower range and an optional extra condition.
#[derive(Clone, Debug)]
pub struct Tier {
    /// The tier's name.
    pub name: Arc<str>,
    /// Lowest follower count, inclusive.
    pub min_followers: u64,
    /// Highest follower count, inclusive; `None` is unbounded.
    pub max_followers: Option<u64>,
    /// A rhai condition that must also hold.
    pub when: Option<Condition>,
    /// The tier of the same list this one is carved out of (`carved_from`): its benchmark
    /// is `parent_benchmark` in scripts.
    pub carved_from: Option<Arc<str>>,
}

impl Tier {
    /// Whether `followers` lies within the tier's bounds.
    pub fn contains(&self, followers: u64) -> bool {
        followers >= self.min_followers && self.max_followers.is_none_or(|max| followers <= max)
    }

    /// The bounds, as people write them: `2,000–100,000` or `1,000,001+`.
    pub fn bounds_text(&self) -> String {
        bounds_text(self.min_followers, self.max_followers)
    }
}

/// A compiled `when` condition.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The condition as written.
    pub source: Arc<str>,
    /// The compiled expression.
    pub ast: Arc<AST>,
    /// The expression compiled to native closures, when it fits the fast path.
    pub fast: Option<Arc<super::fast::FastScript>>,
}

/// Follower bounds as people write them: `2,000–100,000` or `1,000,001+`.
pub fn bounds_text(min: u64, max: Option<u64>) -> String {
    match max {
        Some(max) => format!("{}–{}", thousands(min), thousands(max)),
        None => format!("{}+", thousands(min)),
    }
}

/// The bounds of one tier, as the pure checks see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Lowest count, inclusive.
    pub min: u64,
    /// Highest count, inclusive; `None` is unbounded.
    pub max: Option<u64>,
    /// Whether the tier also has a `when` condition.
    pub conditional: bool,
}

/// A problem with a tier list. Indexes refer to positions in the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TierProblem {
    /// `min > max`: the tier can hold no count.
    Empty {
        /// The tier.
        tier: usize,
    },
    /// Two unconditional tiers both claim these counts.
    Overlap {
        /// The later tier in bounds order.
        tier: usize,
        /// The tier it overlaps.
        other: usize,
        /// The first shared count.
        from: u64,
        /// The last shared count.
        to: u64,
    },
    /// No unconditional tier holds these counts.
    Gap {
        /// First uncovered count.
        from: u64,
        /// Last uncovered count; `None` is unbounded.
        to: Option<u64>,
        /// The tier just after the gap, if any.
        next: Option<usize>,
    },
    /// Earlier unconditional tiers take every count this tier could hold.
    Unreachable {
        /// The dead tier.
        tier: usize,
    },
    /// The same name twice in one list.
    Duplicate {
        /// The second occurrence.
        tier: usize,
        /// The first one.
        first: usize,
    },
}

/// Checks one tier list: unconditional tiers must tile 0‥∞ exactly, and every tier must be
/// reachable in match order.
pub fn check_tier_list(names: &[&str], bounds: &[Bounds]) -> Vec<TierProblem> {
    let mut problems = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            problems.push(TierProblem::Duplicate { tier: i, first });
        }
    }
    for (i, b) in bounds.iter().enumerate() {
        if b.max.is_some_and(|max| max < b.min) {
            problems.push(TierProblem::Empty { tier: i });
        }
    }
    // Unconditional tiers, in bounds order, must tile the whole range.
    let mut plain: Vec<usize> = (0..bounds.len())
        .filter(|&i| !bounds[i].conditional && bounds[i].max.is_none_or(|max| max >= bounds[i].min))
        .collect();
    plain.sort_by_key(|&i| (bounds[i].min, bounds[i].max.unwrap_or(u64::MAX)));
    let mut next_free: Option<u64> = Some(0); // first count not yet covered; None = all covered
    let mut previous: Option<usize> = None;
    for &i in &plain {
        let b = bounds[i];
        match next_free {
            Some(free) if b.min > free => {
                problems.push(TierProblem::Gap { from: free, to: Some(b.min - 1), next: Some(i) });
            }
            Some(free) if b.min < free => {
                let other = previous.unwrap_or(i);
                let to = b.max.unwrap_or(u64::MAX).min(free - 1);
                problems.push(TierProblem::Overlap { tier: i, other, from: b.min, to });
            }
            None => {
                let other = previous.unwrap_or(i);
                let to = b.max.unwrap_or(u64::MAX);
                problems.push(TierProblem::Overlap { tier: i, other, from: b.min, to });
            }
            _ => {}
        }
        next_free = match (next_free, b.max) {
            (None, _) | (Some(_), None) => None,
            (Some(free), Some(max)) => max.checked_add(1).map(|end| free.max(end)),
        };
        previous = Some(i);
    }
    if let Some(free) = next_free {
        problems.push(TierProblem::Gap { from: free, to: None, next: None });
    }
    // A tier is dead when earlier unconditional tiers already take its whole range.
    for (i, b) in bounds.iter().enumerate() {
        if b.max.is_some_and(|max| max < b.min) {
            continue;
        }
        let earlier: Vec<Bounds> = bounds[..i].iter().copied().filter(|e| !e.conditional).collect();
        if covers(&earlier, b.min, b.max) {
            problems.push(TierProblem::Unreachable { tier: i });
        }
    }
    problems
}

/// Whether the union of `ranges` covers every count in `min..=max`.
fn covers(ranges: &[Bounds], min: u64, max: Option<u64>) -> bool {
    let mut sorted: Vec<Bounds> = ranges.to_vec();
    sorted.sort_by_key(|b| b.min);
    let mut need = min;
    for r in sorted {
        if r.max.is_some_and(|m| m < r.min) || r.max.is_some_and(|m| m < need) {
            continue;
        }
        if r.min > need {
            return false;
        }
        match r.max {
            None => return true,
            Some(m) if max.is_some_and(|max| m >= max) => return true,
            Some(m) if m == u64::MAX => return true,
            Some(m) => need = m + 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(min: u64, max: Option<u64>) -> Bounds {
        Bounds { min, max, conditional: false }
    }

    #[test]
    fn seed_tiers_tile_exactly() {
        let bounds = [
            b(0, Some(1_999)),
            b(2_000, Some(100_000)),
            b(100_001, Some(500_000)),
            b(500_001, Some(1_000_000)),
            b(1_000_001, None),
        ];
        assert_eq!(check_tier_list(&["nano", "micro", "mid", "macro", "mega"], &bounds), vec![]);
    }

    #[test]
    fn finds_gaps_overlaps_and_dead_tiers() {
        let bounds = [b(0, Some(999)), b(2_000, Some(100_000)), b(50_000, None)];
        let problems = check_tier_list(&["a", "b", "c"], &bounds);
        assert!(problems.contains(&TierProblem::Gap {
            from: 1_000,
            to: Some(1_999),
            next: Some(1)
        }));
        assert!(problems.contains(&TierProblem::Overlap {
            tier: 2,
            other: 1,
            from: 50_000,
            to: 100_000
        }));

        let bounds = [b(0, None), Bounds { min: 10, max: Some(20), conditional: true }];
        assert_eq!(
            check_tier_list(&["all", "meta"], &bounds),
            vec![TierProblem::Unreachable { tier: 1 }]
        );
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_999), "1,999");
        assert_eq!(thousands(1_000_001), "1,000,001");
    }
}
