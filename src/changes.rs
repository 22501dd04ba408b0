//! What changed between two rankings of one brand: candidates that entered or left the top
//! N, rank moves, tier changes and score deltas. Pure: it compares two [`Ranking`]s and
//! prints nothing.
//!
//! Candidates are matched by handle and platform, so a change to the candidate list (rows
//! added, removed or reordered) compares the same accounts. For ranks outside the top N to
//! be known, pass rankings that were not cut to `top`.

use std::collections::HashMap;

use crate::rank::{Ranked, Ranking};

/// Where a candidate stood in one ranking.
#[derive(Clone, Debug, PartialEq)]
pub enum Standing {
    /// Ranked at `rank` with `score` in tier `tier`.
    Ranked {
        /// 1 for the best.
        rank: usize,
        /// The score.
        score: f64,
        /// The tier name.
        tier: String,
    },
    /// Turned away by a filter, with the reasons.
    Filtered(Vec<String>),
    /// Not ranked for another reason: not in the list, an unusable row, a script error, or
    /// below the cut of a ranking that was cut.
    Unranked,
}

impl Standing {
    /// The rank, when ranked.
    pub fn rank(&self) -> Option<usize> {
        match self {
            Self::Ranked { rank, .. } => Some(*rank),
            _ => None,
        }
    }

    /// The score, when ranked.
    pub fn score(&self) -> Option<f64> {
        match self {
            Self::Ranked { score, .. } => Some(*score),
            _ => None,
        }
    }

    /// The tier, when ranked.
    pub fn tier(&self) -> Option<&str> {
        match self {
            Self::Ranked { tier, .. } => Some(tier),
            _ => None,
        }
    }

    fn in_top(&self, top: usize) -> bool {
        self.rank().is_some_and(|rank| rank <= top)
    }
}

/// How one candidate's standing changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Movement {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// Where it stood before.
    pub before: Standing,
    /// Where it stands now.
    pub after: Standing,
}

impl Movement {
    /// Places gained (positive) or lost (negative), when ranked both times.
    pub fn rank_change(&self) -> Option<isize> {
        let (before, after) = (self.before.rank()?, self.after.rank()?);
        Some(before as isize - after as isize)
    }

    /// The score difference, when scored both times.
    pub fn score_delta(&self) -> Option<f64> {
        Some(self.after.score()? - self.before.score()?)
    }

    /// The old and the new tier, when both are known and differ.
    pub fn tier_change(&self) -> Option<(&str, &str)> {
        let (before, after) = (self.before.tier()?, self.after.tier()?);
        (before != after).then_some((before, after))
    }

    /// Whether it is in the top `top` now and was not before.
    pub fn entered(&self, top: usize) -> bool {
        self.after.in_top(top) && !self.before.in_top(top)
    }

    /// Whether it was in the top `top` before and is not now.
    pub fn left(&self, top: usize) -> bool {
        self.before.in_top(top) && !self.after.in_top(top)
    }
}

/// The differences between two rankings, limited to candidates in the top N of either.
#[derive(Clone, Debug, PartialEq)]
pub struct Changes {
    /// The N in "top N".
    pub top: usize,
    /// The revision of the rules that made the earlier ranking.
    pub from_revision: String,
    /// The revision of the rules that made the later ranking.
    pub to_revision: String,
    /// Every candidate in either top N whose rank, tier or score changed: the current top N
    /// in rank order, then those that left it, in their old order.
    pub movements: Vec<Movement>,
}

impl Changes {
    /// Whether nothing in either top N changed.
    pub fn is_empty(&self) -> bool {
        self.movements.is_empty()
    }

    /// Candidates that entered the top N.
    pub fn entered(&self) -> impl Iterator<Item = &Movement> {
        self.movements.iter().filter(|m| m.entered(self.top))
    }

    /// Candidates that left the top N.
    pub fn left(&self) -> impl Iterator<Item = &Movement> {
        self.movements.iter().filter(|m| m.left(self.top))
    }
}

type Key<'a> = (&'a str, Option<&'a str>);

fn key(ranked: &Ranked) -> Key<'_> {
    (&ranked.candidate.handle, ranked.candidate.platform.as_deref())
}

fn standing(ranked: &Ranked) -> Standing {
    Standing::Ranked {
        rank: ranked.rank,
        score: ranked.score(),
        tier: ranked.evaluation.tier.name.to_string(),
    }
}

/// Where each wanted candidate stands in `ranking`.
fn standings<'a>(ranking: &'a Ranking, wanted: &[Key<'a>]) -> HashMap<Key<'a>, Standing> {
    let mut found: HashMap<Key<'a>, Standing> = HashMap::with_capacity(wanted.len());
    let wanted_handles: HashMap<&str, ()> = wanted.iter().map(|(h, _)| (*h, ())).collect();
    for ranked in &ranking.results {
        if wanted_handles.contains_key(ranked.candidate.handle.as_str()) {
            found.entry(key(ranked)).or_insert_with(|| standing(ranked));
        }
    }
    for &(handle, platform) in wanted {
        if found.contains_key(&(handle, platform)) {
            continue;
        }
        // Filtered rows carry no platform: match them by handle.
        let standing = ranking
            .filtered
            .iter()
            .find(|f| f.handle == handle)
            .map_or(Standing::Unranked, |f| Standing::Filtered(f.reasons.clone()));
        found.insert((handle, platform), standing);
    }
    found
}

/// Compares two rankings of the same brand and reports what changed in the top `top`.
pub fn compare(before: &Ranking, after: &Ranking, top: usize) -> Changes {
    let top_before: Vec<Key<'_>> = before.results.iter().take(top).map(key).collect();
    let top_after: Vec<Key<'_>> = after.results.iter().take(top).map(key).collect();
    let mut wanted: Vec<Key<'_>> = top_after.clone();
    wanted.extend(top_before.iter().filter(|k| !top_after.contains(k)));
    let old = standings(before, &wanted);
    let new = standings(after, &wanted);
    let movements = wanted
        .iter()
        .filter_map(|k| {
            let movement = Movement {
                handle: k.0.to_owned(),
                platform: k.1.map(str::to_owned),
                before: old[k].clone(),
                after: new[k].clone(),
            };
            let changed = movement.before.rank() != movement.after.rank()
                || movement.tier_change().is_some()
                || movement.score_delta().is_some_and(|d| d != 0.0)
                || movement.before.score().is_some() != movement.after.score().is_some();
            changed.then_some(movement)
        })
        .collect();
    Changes {
        top,
        from_revision: before.revision.clone(),
        to_revision: after.revision.clone(),
        movements,
    }
}
