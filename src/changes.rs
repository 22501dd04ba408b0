//! The one comparison of two rankings of one brand: where each candidate stood before and
//! after ([`Standing`], [`Move`]), who entered or left the top N, rank moves, tier changes
//! and score deltas. Pure, plain data (serialisable), and prints nothing. [`compare`] takes
//! two [`Ranking`]s (`scout watch`); `scout diff` builds its [`Move`]s row by row from one
//! list under two rule sets ([`crate::authoring::diff`]) and selects with [`entered_top`],
//! [`left_top`] and [`biggest_moves`]. The output layer renders both.
//!
//! Candidates are matched by handle and platform, so a change to the candidate list (rows
//! added, removed or reordered) compares the same accounts. For ranks outside the top N to
//! be known, pass rankings that were not cut to `top`.

use std::collections::HashMap;

use serde::Serialize;

use crate::rank::{Filtered, Ranked, Ranking};

/// Where a candidate stood in one ranking.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Standing {
    /// 1 for the best; `None` when not ranked.
    pub rank: Option<usize>,
    /// The score, when known: a ranking knows its ranked candidates' scores, `scout diff`
    /// also the filtered ones'.
    pub score: Option<f64>,
    /// The tier, when known; `scout diff` gives none when a script failed.
    pub tier: Option<String>,
    /// Why filters turned the candidate away, when it was filtered and the comparison kept
    /// the reasons (`scout diff` lists flipped verdicts instead).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filtered: Vec<String>,
}

impl Standing {
    /// Ranked at `rank` with `score` in `tier`.
    pub fn ranked(rank: usize, score: f64, tier: &str) -> Self {
        Self {
            rank: Some(rank),
            score: Some(score),
            tier: Some(tier.to_owned()),
            ..Self::default()
        }
    }

    /// Turned away by filters, for these reasons.
    pub fn filtered(reasons: Vec<String>) -> Self {
        Self { filtered: reasons, ..Self::default() }
    }

    /// Whether it is ranked within the best `top`.
    pub fn in_top(&self, top: usize) -> bool {
        self.rank.is_some_and(|rank| rank <= top)
    }
}

/// One candidate's standing in two rankings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Move {
    /// The handle.
    pub handle: String,
    /// The platform, when the comparison matched candidates on it (`scout watch` does;
    /// `scout diff` compares one list row by row, by line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The line in the candidate list: for `scout watch`, the later list's when the candidate
    /// is in the later top N, else the earlier list's.
    pub line: u64,
    /// Where it stood before.
    pub before: Standing,
    /// Where it stands now.
    pub after: Standing,
}

impl Move {
    /// Places gained (positive) or lost (negative), when ranked both times.
    pub fn places_up(&self) -> Option<i64> {
        Some(self.before.rank? as i64 - self.after.rank? as i64)
    }

    /// The score difference, when scored both times.
    pub fn score_delta(&self) -> Option<f64> {
        Some(self.after.score? - self.before.score?)
    }

    /// The old and the new tier, when both are known and differ.
    pub fn tier_change(&self) -> Option<(&str, &str)> {
        let (before, after) = (self.before.tier.as_deref()?, self.after.tier.as_deref()?);
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

    /// Whether its rank, tier or score changed, or it gained or lost a score.
    pub fn changed(&self) -> bool {
        self.before.rank != self.after.rank
            || self.tier_change().is_some()
            || self.score_delta().is_some_and(|d| d != 0.0)
            || self.before.score.is_some() != self.after.score.is_some()
    }
}

/// The candidates of `moves` that entered the top `top`, best new rank first.
pub fn entered_top(moves: &[Move], top: usize) -> Vec<Move> {
    let mut entered: Vec<Move> = moves.iter().filter(|m| m.entered(top)).cloned().collect();
    entered.sort_by_key(|m| m.after.rank);
    entered
}

/// The candidates of `moves` that left the top `top`, best old rank first.
pub fn left_top(moves: &[Move], top: usize) -> Vec<Move> {
    let mut left: Vec<Move> = moves.iter().filter(|m| m.left(top)).cloned().collect();
    left.sort_by_key(|m| m.before.rank);
    left
}

/// The `n` candidates of `moves`, ranked both times, whose rank changed most: biggest move
/// first, a rise before a fall of the same size, then by new rank.
pub fn biggest_moves(moves: &[Move], n: usize) -> Vec<Move> {
    let mut moved: Vec<Move> =
        moves.iter().filter(|m| m.places_up().is_some_and(|up| up != 0)).cloned().collect();
    moved.sort_by(|a, b| {
        let (ua, ub) = (a.places_up().unwrap_or(0), b.places_up().unwrap_or(0));
        ub.abs().cmp(&ua.abs()).then(ub.cmp(&ua)).then_with(|| a.after.rank.cmp(&b.after.rank))
    });
    moved.truncate(n);
    moved
}

/// The differences between two rankings, limited to candidates in the top N of either.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changes {
    /// The N in "top N".
    pub top: usize,
    /// The revision of the rules that made the earlier ranking.
    pub from_revision: String,
    /// The revision of the rules that made the later ranking.
    pub to_revision: String,
    /// Every candidate in either top N whose rank, tier or score changed: the current top N
    /// in rank order, then those that left it, in their old order.
    pub movements: Vec<Move>,
}

impl Changes {
    /// Whether nothing in either top N changed.
    pub fn is_empty(&self) -> bool {
        self.movements.is_empty()
    }

    /// Candidates that entered the top N.
    pub fn entered(&self) -> impl Iterator<Item = &Move> {
        self.movements.iter().filter(|m| m.entered(self.top))
    }

    /// Candidates that left the top N.
    pub fn left(&self) -> impl Iterator<Item = &Move> {
        self.movements.iter().filter(|m| m.left(self.top))
    }
}

type Key<'a> = (&'a str, Option<&'a str>);

fn key(ranked: &Ranked) -> Key<'_> {
    (&ranked.candidate.handle, ranked.candidate.platform.as_deref())
}

fn standing(ranked: &Ranked) -> Standing {
    Standing::ranked(ranked.rank, ranked.score(), &ranked.evaluation.tier.name)
}

/// Where each wanted candidate stands in `ranking`; a filtered one with its `reasons`.
fn standings<'a>(
    ranking: &'a Ranking,
    wanted: &[Key<'a>],
    reasons: impl Fn(&Filtered) -> Vec<String>,
) -> HashMap<Key<'a>, Standing> {
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
            .map_or_else(Standing::default, |f| Standing::filtered(reasons(f)));
        found.insert((handle, platform), standing);
    }
    found
}

/// Which of the two rankings [`compare_with`] asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The earlier ranking.
    Before,
    /// The later ranking.
    After,
}

/// Compares two rankings of the same brand and reports what changed in the top `top`.
pub fn compare(before: &Ranking, after: &Ranking, top: usize) -> Changes {
    compare_with(before, after, top, |_, filtered| filtered.reasons.clone())
}

/// [`compare`], with the reasons of the filtered candidates it reports from `reasons`: for
/// rankings that keep filtered rows without them ([`crate::rank::RankOptions::reasons`]),
/// whose caller works out the few a comparison shows.
pub fn compare_with(
    before: &Ranking,
    after: &Ranking,
    top: usize,
    reasons: impl Fn(Side, &Filtered) -> Vec<String>,
) -> Changes {
    let top_before: Vec<&Ranked> = before.results.iter().take(top).collect();
    let top_after: Vec<&Ranked> = after.results.iter().take(top).collect();
    let keys_after: Vec<Key<'_>> = top_after.iter().map(|r| key(r)).collect();
    // The current top N, then those that left it; each with its line in the list it is from.
    let mut wanted: Vec<(Key<'_>, u64)> =
        top_after.iter().map(|r| (key(r), r.candidate.line)).collect();
    wanted.extend(
        top_before
            .iter()
            .filter(|r| !keys_after.contains(&key(r)))
            .map(|r| (key(r), r.candidate.line)),
    );
    let keys: Vec<Key<'_>> = wanted.iter().map(|(k, _)| *k).collect();
    let old = standings(before, &keys, |f| reasons(Side::Before, f));
    let new = standings(after, &keys, |f| reasons(Side::After, f));
    let movements = wanted
        .iter()
        .map(|&(k, line)| Move {
            handle: k.0.to_owned(),
            platform: k.1.map(str::to_owned),
            line,
            before: old[&k].clone(),
            after: new[&k].clone(),
        })
        .filter(Move::changed)
        .collect();
    Changes {
        top,
        from_revision: before.revision.clone(),
        to_revision: after.revision.clone(),
        movements,
    }
}
