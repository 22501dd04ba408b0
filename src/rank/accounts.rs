//! Accounts, and the people behind them: a (platform, handle) pair listed twice in one
//! list is ranked once ([`Accounts`] finds the repeats, whichever threads read them), and
//! a brand may rank only the best account of each creator ([`one_per_creator`]).
//!
//! The first row of an account (the lowest line) is kept; each later one becomes an
//! invalid row, so the counts still add up, and is listed as a [`Duplicate`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::{Counts, Filtered, Ranked};
use crate::model::{Candidate, RowError};

/// A row that repeats an account listed earlier in the same list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    /// The handle, as the row gives it.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The repeating row's line.
    pub line: u64,
    /// The line of the account's first row, the one that is ranked.
    pub first_line: u64,
}

impl Duplicate {
    /// The message of the invalid row it becomes.
    pub fn message(&self) -> String {
        format!(
            "duplicate of line {}: {} is already in the list; the first row is used",
            self.first_line,
            account(&self.handle, self.platform.as_deref())
        )
    }
}

/// `@handle on platform`, or `@handle` without one.
pub fn account(handle: &str, platform: Option<&str>) -> String {
    match platform {
        Some(platform) => format!("@{handle} on {platform}"),
        None => format!("@{handle}"),
    }
}

/// Where a row of an account went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Scored.
    Ranked,
    /// Turned away by a filter.
    Filtered,
}

/// An account: its platform and handle, case-insensitively.
type Key = (Option<String>, String);

/// One row of an account.
#[derive(Clone, Debug)]
struct Row {
    /// With [`SharedAccounts`], the account's hash.
    hash: u64,
    line: u64,
    handle: String,
    platform: Option<String>,
    outcome: Outcome,
}

/// The first row of every account of one run, shared by all its collectors (so that no
/// two collectors disagree on which row came first), kept as a 64-bit hash of the lowercased
/// platform and handle and the line: 16 bytes an account, not two copies of its strings.
/// Two accounts share a hash with negligible probability (about n² / 2⁶⁵ for n accounts,
/// 3 × 10⁻⁶ at 10M); if they did, the later would be reported as a duplicate.
#[derive(Debug, Default)]
pub struct SharedAccounts {
    shards: [Mutex<HashMap<u64, u64, foldhash::fast::FixedState>>; 16],
}

/// The top bit of a shared line: the first row was ranked (else filtered).
const RANKED: u64 = 1 << 63;

impl SharedAccounts {
    fn shard(
        &self,
        hash: u64,
    ) -> std::sync::MutexGuard<'_, HashMap<u64, u64, foldhash::fast::FixedState>> {
        self.shards[(hash >> 60) as usize].lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The hash of an account, case-insensitively; `scratch` is reused for lowercasing.
fn hash(handle: &str, platform: Option<&str>, scratch: &mut String) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::quality::FixedState::with_seed(0x5c07).build_hasher();
    let mut feed = |text: &str, hasher: &mut foldhash::quality::FoldHasher<'_>| {
        if text.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            scratch.clear();
            scratch.push_str(&text.to_lowercase());
            hasher.write(scratch.as_bytes());
        } else {
            hasher.write(text.as_bytes());
        }
        hasher.write_u8(0xff);
    };
    match platform {
        Some(platform) => {
            hasher.write_u8(1);
            feed(platform, &mut hasher);
        }
        None => hasher.write_u8(0),
    }
    feed(handle, &mut hasher);
    hasher.finish()
}

/// The accounts seen so far: the first row of each, and every later row.
#[derive(Debug, Default)]
pub(super) struct Accounts<'r> {
    first: HashMap<Key, Row>,
    later: Vec<(Key, Row)>,
    /// The run's shared first rows, when the run has them (then `first` stays empty).
    shared: Option<&'r SharedAccounts>,
    scratch: String,
}

impl<'r> Accounts<'r> {
    /// No accounts yet; the first rows go to `shared` when given.
    pub(super) fn new(shared: Option<&'r SharedAccounts>) -> Self {
        Self { shared, ..Self::default() }
    }

    /// Records a ranked or filtered row.
    pub(super) fn see(&mut self, candidate: &Candidate, outcome: Outcome) {
        if let Some(shared) = self.shared {
            return self.see_shared(shared, candidate, outcome);
        }
        let key =
            (candidate.platform.as_deref().map(str::to_lowercase), candidate.handle.to_lowercase());
        let row = Row {
            hash: 0,
            line: candidate.line,
            handle: candidate.handle.clone(),
            platform: candidate.platform.clone(),
            outcome,
        };
        self.add(key, row);
    }

    fn see_shared(&mut self, shared: &SharedAccounts, candidate: &Candidate, outcome: Outcome) {
        let line = candidate.line;
        let hash = hash(&candidate.handle, candidate.platform.as_deref(), &mut self.scratch);
        let mine = line | if outcome == Outcome::Ranked { RANKED } else { 0 };
        let later = {
            let mut shard = shared.shard(hash);
            match shard.get_mut(&hash) {
                None => {
                    shard.insert(hash, mine);
                    return;
                }
                // Another thread got to a later row of the account first: that row becomes
                // the later one. Its own handle was not kept; the account's is the same, up
                // to case.
                Some(first) if line < *first & !RANKED => std::mem::replace(first, mine),
                Some(_) => mine,
            }
        };
        let key =
            (candidate.platform.as_deref().map(str::to_lowercase), candidate.handle.to_lowercase());
        let row = Row {
            hash,
            line: later & !RANKED,
            handle: candidate.handle.clone(),
            platform: candidate.platform.clone(),
            outcome: if later & RANKED != 0 { Outcome::Ranked } else { Outcome::Filtered },
        };
        self.later.push((key, row));
    }

    fn add(&mut self, key: Key, row: Row) {
        match self.first.get_mut(&key) {
            None => {
                self.first.insert(key, row);
            }
            Some(first) if row.line < first.line => {
                let earlier = std::mem::replace(first, row);
                self.later.push((key, earlier));
            }
            Some(_) => self.later.push((key, row)),
        }
    }

    /// Folds in another thread's accounts.
    pub(super) fn merge(&mut self, other: Accounts<'_>) {
        for (key, row) in other.first {
            self.add(key, row);
        }
        self.later.extend(other.later);
    }

    /// Takes every later row out of `results` and `filtered` into `errors`, moving its count
    /// from ranked or filtered to invalid; the duplicates, by line.
    pub(super) fn resolve(
        self,
        counts: &mut Counts,
        results: &mut Vec<Ranked>,
        filtered: &mut Vec<Filtered>,
        errors: &mut Vec<RowError>,
    ) -> Vec<Duplicate> {
        let mut duplicates = Vec::with_capacity(self.later.len());
        // How many rows of each (line, account) to take out: rows of a minified JSON
        // array share a line.
        let mut out: HashMap<(u64, Key), usize> = HashMap::new();
        for (key, row) in self.later {
            let first_line = match self.shared {
                Some(shared) => {
                    shared.shard(row.hash).get(&row.hash).map_or(row.line, |line| line & !RANKED)
                }
                None => self.first.get(&key).map_or(row.line, |first| first.line),
            };
            match row.outcome {
                Outcome::Ranked => counts.ranked -= 1,
                Outcome::Filtered => counts.filtered -= 1,
            }
            counts.invalid += 1;
            let duplicate = Duplicate {
                handle: row.handle,
                platform: row.platform,
                line: row.line,
                first_line,
            };
            errors.push(RowError {
                line: duplicate.line,
                handle: Some(duplicate.handle.clone()),
                column: None,
                message: duplicate.message(),
                record: None,
            });
            *out.entry((row.line, key)).or_default() += 1;
            duplicates.push(duplicate);
        }
        if !duplicates.is_empty() {
            let mut take = |line: u64, handle: &str, platform: Option<&str>| {
                let key = (line, (platform.map(str::to_lowercase), handle.to_lowercase()));
                match out.get_mut(&key) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            };
            // The last rows of a line are the later ones: walk backwards.
            let mut keep: Vec<bool> = results
                .iter()
                .rev()
                .map(|r| {
                    take(r.candidate.line, &r.candidate.handle, r.candidate.platform.as_deref())
                })
                .collect();
            keep.reverse();
            let mut keep = keep.into_iter();
            results.retain(|_| keep.next().unwrap_or(true));
            // A filtered row kept with its reasons has no platform: match by handle.
            let mut by_handle: HashMap<(u64, String), usize> = HashMap::new();
            for ((line, (_, handle)), n) in out {
                *by_handle.entry((line, handle)).or_default() += n;
            }
            let mut keep: Vec<bool> = filtered
                .iter()
                .rev()
                .map(|f| match by_handle.get_mut(&(f.line, f.handle.to_lowercase())) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                })
                .collect();
            keep.reverse();
            let mut keep = keep.into_iter();
            filtered.retain(|_| keep.next().unwrap_or(true));
        }
        duplicates.sort_by_key(|d| d.line);
        duplicates
    }
}

/// Keeps the best account of each creator in `results` (sorted best first) and files the
/// others as filtered (with their reason when `keep_filtered`), moving their counts.
pub(super) fn one_per_creator(
    counts: &mut Counts,
    results: &mut Vec<Ranked>,
    filtered: &mut Vec<Filtered>,
    keep_filtered: bool,
) {
    let mut best: HashMap<String, (String, Option<String>)> = HashMap::new();
    results.retain(|ranked| {
        let c = &ranked.candidate;
        let Some(creator) = c.creator_id.as_deref().map(str::trim).filter(|id| !id.is_empty())
        else {
            return true;
        };
        match best.get(creator) {
            None => {
                best.insert(creator.to_owned(), (c.handle.clone(), c.platform.clone()));
                true
            }
            Some((handle, platform)) => {
                counts.ranked -= 1;
                counts.filtered += 1;
                if keep_filtered {
                    filtered.push(Filtered {
                        handle: c.handle.clone(),
                        line: c.line,
                        reasons: vec![format!(
                            "another account of creator `{creator}` ranks higher: {}",
                            account(handle, platform.as_deref())
                        )],
                        filters: vec![crate::engine::Filter(Arc::from("one_account_per_creator"))],
                    });
                }
                false
            }
        }
    });
}
