//! Accounts, and the people behind them: a (platform, handle) pair listed twice in one
//! list is ranked once ([`Accounts`] finds the repeats, whichever threads read them), and
//! a brand may rank only the best account of each creator ([`one_per_creator`]).
//!
//! The first row of an account (the lowest line) is kept; each later one becomes an
//! invalid row, so the counts still add up, and is listed as a [`Duplicate`].
//!
//! Finding the repeats costs one short record a ranked or filtered row: a 64-bit hash of
//! the lowercased account, the line, two bits a brand (ranked or filtered by it; a run over
//! several brands writes one record a row for all of them) and the names (for the
//! message). Records are appended,
//! never looked up, while rows are read: each collector buffers its own, by partition of
//! the hash, and hands them in batches to the run's [`SharedAccounts`], which keeps a few
//! MiB in memory and sends the rest to an [`Overflow`] (temporary files, from the CLI).
//! The repeats are found once, at the end, one partition at a time: memory stays flat
//! however long the list, and no lock or hash-table probe sits on the per-row path.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;
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

/// Partitions of the hash space (by its top bits), each resolved on its own: the end
/// holds one partition per thread, about 1/64 of the records.
const PARTS: usize = 64;
/// Bytes of records a collector buffers for a partition before handing them over.
const LOCAL_BATCH: usize = 4 << 10;
/// Bytes of records a shared partition keeps in memory before they go to the overflow.
const PART_MEMORY: usize = 64 << 10;
/// The bytes of a record's brand bits, two a brand: bit `2i` when brand `i` ranked or
/// filtered the row, bit `2i + 1` when it ranked it.
fn mask_len(brands: usize) -> usize {
    (2 * brands).div_ceil(8)
}

/// A row's brand bits, from what each brand made of it (`None`: not ranked or filtered).
fn mask(outcomes: &[Option<Outcome>], out: &mut Vec<u8>) {
    out.clear();
    out.resize(mask_len(outcomes.len()), 0);
    for (i, outcome) in outcomes.iter().enumerate() {
        let bits = match outcome {
            None => 0,
            Some(Outcome::Filtered) => 0b01,
            Some(Outcome::Ranked) => 0b11,
        };
        out[2 * i / 8] |= bits << (2 * i % 8);
    }
}
/// The longest name a record keeps, in bytes; a longer one is cut (only its message shows it).
const NAME_MAX: usize = 254;
/// The length byte of an absent platform.
const NO_NAME: u8 = u8::MAX;

/// Where a run's account records go when they outgrow memory: append-only storage, one
/// stream per partition, read back once at the end. The CLI's is a set of temporary files
/// (`output::spill`); without one, records stay in memory.
pub trait Overflow: Send + Sync {
    /// Appends records to partition `part`.
    fn append(&self, part: usize, bytes: &[u8]) -> std::io::Result<()>;
    /// Everything appended to partition `part`, in order.
    fn read(&self, part: usize) -> std::io::Result<Vec<u8>>;
}

/// Makes a run's overflow, once per brand ranked.
pub type MakeOverflow = fn() -> Box<dyn Overflow>;

/// Every ranked or filtered row's account record of one run, shared by all its
/// collectors: a few MiB in memory, the rest in the overflow when there is one.
/// Two accounts share a 64-bit hash with negligible probability (about n² / 2⁶⁵ for n
/// accounts, 3 × 10⁻⁶ at 10M); if they did, the later would be reported as a duplicate.
pub struct SharedAccounts {
    parts: Vec<Mutex<Vec<u8>>>,
    overflow: Option<Box<dyn Overflow>>,
}

impl Default for SharedAccounts {
    fn default() -> Self {
        Self::new(None)
    }
}

impl std::fmt::Debug for SharedAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedAccounts").field("overflow", &self.overflow.is_some()).finish()
    }
}

impl SharedAccounts {
    /// An empty set; records beyond the memory budget go to `overflow` when given.
    pub fn new(overflow: Option<Box<dyn Overflow>>) -> Self {
        Self { parts: (0..PARTS).map(|_| Mutex::default()).collect(), overflow }
    }

    fn part(&self, part: usize) -> MutexGuard<'_, Vec<u8>> {
        self.parts[part].lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a batch of records for `part`. A failed overflow write keeps them in memory:
    /// nothing is lost, memory just grows.
    fn take_in(&self, part: usize, bytes: &[u8]) {
        let mut memory = self.part(part);
        memory.extend_from_slice(bytes);
        if memory.len() >= PART_MEMORY {
            if let Some(overflow) = &self.overflow {
                if overflow.append(part, &memory).is_ok() {
                    memory.clear();
                }
            }
        }
    }

    /// Every record of `part`: the overflow's, then memory's.
    fn records(&self, part: usize) -> std::io::Result<Vec<u8>> {
        let mut bytes = match &self.overflow {
            Some(overflow) => overflow.read(part)?,
            None => Vec::new(),
        };
        bytes.extend_from_slice(&self.part(part));
        Ok(bytes)
    }
}

/// The hash of an account, case-insensitively.
fn hash(handle: &str, platform: Option<&str>) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::quality::FixedState::with_seed(0x5c07).build_hasher();
    let feed = |text: &str, hasher: &mut foldhash::quality::FoldHasher<'_>| {
        hasher.write(crate::text::lowercase(text).as_bytes());
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

/// Appends one record: hash, line, brand bits, platform and handle.
fn encode(
    out: &mut Vec<u8>,
    hash: u64,
    line: u64,
    mask: &[u8],
    platform: Option<&str>,
    handle: &str,
) {
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(&line.to_le_bytes());
    out.extend_from_slice(mask);
    match platform {
        Some(platform) => name(out, platform),
        None => out.push(NO_NAME),
    }
    name(out, handle);
}

fn name(out: &mut Vec<u8>, text: &str) {
    let mut end = text.len().min(NAME_MAX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push(end as u8);
    out.extend_from_slice(&text.as_bytes()[..end]);
}

/// One decoded record.
struct Record<'b> {
    hash: u64,
    line: u64,
    mask: &'b [u8],
    platform: Option<&'b str>,
    handle: &'b str,
}

impl Record<'_> {
    /// What brand `i` made of the row, if it ranked or filtered it.
    fn outcome(&self, brand: usize) -> Option<Outcome> {
        match self.mask[2 * brand / 8] >> (2 * brand % 8) & 0b11 {
            0b11 => Some(Outcome::Ranked),
            0b01 => Some(Outcome::Filtered),
            _ => None,
        }
    }
}

/// The record at the start of `bytes` (with `mask_len` bytes of brand bits), and its
/// length; `None` past the end (or on a truncated record).
fn decode(bytes: &[u8], mask_len: usize) -> Option<(Record<'_>, usize)> {
    let word = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    let (hash, line) = (word(0)?, word(8)?);
    let mask = bytes.get(16..16 + mask_len)?;
    let text = |at: usize| -> Option<(Option<&str>, usize)> {
        let len = *bytes.get(at)?;
        if len == NO_NAME {
            return Some((None, at + 1));
        }
        let end = at + 1 + usize::from(len);
        Some((Some(std::str::from_utf8(bytes.get(at + 1..end)?).unwrap_or("")), end))
    };
    let (platform, at) = text(16 + mask_len)?;
    let (handle, end) = text(at)?;
    Some((Record { hash, line, mask, platform, handle: handle? }, end))
}

/// The hash of the record at the start of `bytes` and its length, without reading its
/// names: `None` exactly where [`decode`] gives `None`.
fn decode_head(bytes: &[u8], mask_len: usize) -> Option<(u64, usize)> {
    let hash = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    bytes.get(8..16)?;
    let skip = |at: usize, optional: bool| -> Option<usize> {
        match *bytes.get(at)? {
            NO_NAME if optional => Some(at + 1),
            NO_NAME => None,
            len => Some(at + 1 + usize::from(len)).filter(|&end| end <= bytes.len()),
        }
    };
    let end = skip(skip(16 + mask_len, true)?, false)?;
    Some((hash, end))
}

/// A row found to repeat an account: every row of a hash but the lowest line.
pub(super) struct Later {
    hash: u64,
    line: u64,
    first_line: u64,
    outcome: Outcome,
    handle: String,
    platform: Option<String>,
}

/// Sets of account hashes, which need no further mixing beyond foldhash's cheap one.
type Hashes = foldhash::fast::FixedState;

/// The later rows among one partition's records, for each of `brands` brands: an
/// account's rows that brand ranked or filtered, but the first.
fn later_rows(bytes: &[u8], brands: usize) -> Vec<Vec<Later>> {
    let width = mask_len(brands);
    let heads = || {
        let mut at = 0;
        std::iter::from_fn(move || {
            let (hash, len) = decode_head(&bytes[at..], width)?;
            at += len;
            Some((hash, at - len))
        })
    };
    // Few hashes repeat: one pass through a set finds them, and only their records are
    // gathered, sorted by hash, and put in line order.
    let mut seen = HashSet::with_capacity_and_hasher(bytes.len() / 32, Hashes::default());
    let repeated: HashSet<u64, Hashes> =
        heads().filter(|&(hash, _)| !seen.insert(hash)).map(|(hash, _)| hash).collect();
    drop(seen);
    let mut index: Vec<(u64, usize)> = if repeated.is_empty() {
        Vec::new()
    } else {
        heads().filter(|(hash, _)| repeated.contains(hash)).collect()
    };
    index.sort_unstable_by_key(|&(hash, _)| hash);
    let mut later: Vec<Vec<Later>> = (0..brands).map(|_| Vec::new()).collect();
    for run in index.chunk_by(|a, b| a.0 == b.0) {
        let mut records: Vec<Record<'_>> =
            run.iter().filter_map(|&(_, at)| Some(decode(&bytes[at..], width)?.0)).collect();
        records.sort_unstable_by_key(|record| record.line);
        for (brand, later) in later.iter_mut().enumerate() {
            let mut rows = records.iter().filter_map(|r| Some((r, r.outcome(brand)?)));
            let Some((first, _)) = rows.next() else { continue };
            later.extend(rows.map(|(record, outcome)| Later {
                hash: record.hash,
                line: record.line,
                first_line: first.line,
                outcome,
                handle: record.handle.to_owned(),
                platform: record.platform.map(str::to_owned),
            }));
        }
    }
    later
}

/// One collector's account records (or one set of collectors', over several brands), by
/// partition, until handed to the shared set (or, without one, until the end).
#[derive(Debug)]
pub(super) struct Accounts<'r> {
    brands: usize,
    local: Vec<Vec<u8>>,
    shared: Option<&'r SharedAccounts>,
    mask: Vec<u8>,
}

impl<'r> Accounts<'r> {
    /// No accounts yet, for a run over `brands` brands; records go to `shared` when given.
    pub(super) fn new(shared: Option<&'r SharedAccounts>, brands: usize) -> Self {
        Self { brands, local: Vec::new(), shared, mask: Vec::new() }
    }

    /// Records what each brand made of a row (`None`: it neither ranked nor filtered it;
    /// a row no brand did leaves no record).
    pub(super) fn see(&mut self, candidate: &Candidate, outcomes: &[Option<Outcome>]) {
        debug_assert_eq!(outcomes.len(), self.brands);
        if outcomes.iter().all(Option::is_none) {
            return;
        }
        let hash = hash(&candidate.handle, candidate.platform.as_deref());
        mask(outcomes, &mut self.mask);
        if self.local.is_empty() {
            self.local = vec![Vec::new(); PARTS];
        }
        let part = (hash >> 58) as usize;
        let buffer = &mut self.local[part];
        let platform = candidate.platform.as_deref();
        encode(buffer, hash, candidate.line, &self.mask, platform, &candidate.handle);
        if let Some(shared) = self.shared.filter(|_| buffer.len() >= LOCAL_BATCH) {
            shared.take_in(part, buffer);
            buffer.clear();
        }
    }

    /// Hands every buffered record to the shared set, if there is one.
    fn flush(&mut self) {
        let Some(shared) = self.shared else { return };
        for (part, buffer) in self.local.iter_mut().enumerate().filter(|(_, b)| !b.is_empty()) {
            shared.take_in(part, buffer);
            buffer.clear();
        }
    }

    /// Hands every buffered record to the shared set and frees the buffers (without a
    /// shared set they are all there is, and stay).
    pub(super) fn pause(&mut self) {
        if self.shared.is_some() {
            self.flush();
            self.local = Vec::new();
        }
    }

    /// Folds in another thread's accounts (of the same brands).
    pub(super) fn merge(&mut self, mut other: Accounts<'_>) {
        if self.shared.is_some() {
            other.flush();
        } else if self.local.is_empty() {
            self.local = other.local;
        } else {
            for (mine, theirs) in self.local.iter_mut().zip(&other.local) {
                mine.extend_from_slice(theirs);
            }
        }
    }

    /// Every later row of every account, for each brand; why some could not be looked for
    /// (a partition that could not be read back from the overflow).
    pub(super) fn later(mut self) -> (Vec<Vec<Later>>, Option<String>) {
        self.flush();
        let brands = self.brands;
        let parts: Vec<std::io::Result<Vec<Vec<Later>>>> = match self.shared {
            Some(shared) => (0..PARTS)
                .into_par_iter()
                .map(|part| shared.records(part).map(|bytes| later_rows(&bytes, brands)))
                .collect(),
            None => self.local.par_iter().map(|bytes| Ok(later_rows(bytes, brands))).collect(),
        };
        let mut later: Vec<Vec<Later>> = (0..brands).map(|_| Vec::new()).collect();
        let mut failed = None;
        for part in parts {
            match part {
                Ok(rows) => later.iter_mut().zip(rows).for_each(|(all, rows)| all.extend(rows)),
                Err(error) => failed = Some(error),
            }
        }
        let failed = failed.map(|error| {
            format!("some duplicate accounts may not be found: the temporary records could not be read back ({error})")
        });
        (later, failed)
    }
}

/// Takes every later row of a brand out of `results` and `filtered` into `errors`, moving
/// its count from ranked or filtered to invalid: the duplicates, by line.
pub(super) fn resolve(
    later: Vec<Later>,
    counts: &mut Counts,
    results: &mut Vec<Ranked>,
    filtered: &mut Vec<Filtered>,
    errors: &mut Vec<RowError>,
) -> Vec<Duplicate> {
    let mut duplicates = Vec::with_capacity(later.len());
    // How many rows of each (line, account) to take out: rows of a minified JSON
    // array share a line.
    let mut out: HashMap<(u64, u64), usize> = HashMap::new();
    let mut by_handle: HashMap<(u64, String), usize> = HashMap::new();
    for row in later {
        match row.outcome {
            Outcome::Ranked => counts.ranked -= 1,
            Outcome::Filtered => counts.filtered -= 1,
        }
        counts.invalid += 1;
        let duplicate = Duplicate {
            handle: row.handle,
            platform: row.platform,
            line: row.line,
            first_line: row.first_line,
        };
        errors.push(RowError {
            line: duplicate.line,
            handle: Some(duplicate.handle.clone()),
            column: None,
            message: duplicate.message(),
            record: None,
        });
        *out.entry((row.line, row.hash)).or_default() += 1;
        *by_handle.entry((row.line, duplicate.handle.to_lowercase())).or_default() += 1;
        duplicates.push(duplicate);
    }
    if !duplicates.is_empty() {
        take_out_results(results, &mut out);
        take_out_filtered(filtered, &mut by_handle);
    }
    duplicates.sort_by_key(|d| d.line);
    duplicates
}

/// One less of `key` left to take out: whether the row goes.
fn take<K: Eq + std::hash::Hash>(out: &mut HashMap<K, usize>, key: K) -> bool {
    match out.get_mut(&key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// Takes the later rows out of the results; the last rows of a line are the later ones,
/// so it walks backwards.
fn take_out_results(results: &mut Vec<Ranked>, out: &mut HashMap<(u64, u64), usize>) {
    let mut gone: Vec<bool> = results
        .iter()
        .rev()
        .map(|r| {
            let c = &r.candidate;
            take(out, (c.line, hash(&c.handle, c.platform.as_deref())))
        })
        .collect();
    gone.reverse();
    let mut gone = gone.into_iter();
    results.retain(|_| !gone.next().unwrap_or(false));
}

/// Takes the later rows out of the filtered rows kept; those have no platform, so they
/// are matched by line and handle.
fn take_out_filtered(filtered: &mut Vec<Filtered>, out: &mut HashMap<(u64, String), usize>) {
    let mut gone: Vec<bool> =
        filtered.iter().rev().map(|f| take(out, (f.line, f.handle.to_lowercase()))).collect();
    gone.reverse();
    let mut gone = gone.into_iter();
    filtered.retain(|_| !gone.next().unwrap_or(false));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An overflow in memory that counts its writes.
    #[derive(Default)]
    struct Memory(Mutex<HashMap<usize, Vec<u8>>>);

    impl Overflow for Memory {
        fn append(&self, part: usize, bytes: &[u8]) -> std::io::Result<()> {
            self.0.lock().unwrap().entry(part).or_default().extend_from_slice(bytes);
            Ok(())
        }
        fn read(&self, part: usize) -> std::io::Result<Vec<u8>> {
            Ok(self.0.lock().unwrap().get(&part).cloned().unwrap_or_default())
        }
    }

    fn candidate(handle: &str, platform: Option<&str>, line: u64) -> Candidate {
        Candidate {
            handle: handle.to_owned(),
            platform: platform.map(str::to_owned),
            line,
            ..Candidate::default()
        }
    }

    /// The index pass reads a record's hash and length without its names: the same
    /// as the full decode, record after record and on every truncation.
    #[test]
    fn heads_decode_as_records_do() {
        let mut bytes = Vec::new();
        let long = "é".repeat(200);
        let names = [(Some("tiktok"), "a"), (None, "b.b"), (Some(""), long.as_str())];
        for (i, (platform, handle)) in names.into_iter().enumerate() {
            encode(&mut bytes, 7 * i as u64, 100 + i as u64, &[0b10, 0b01], platform, handle);
        }
        bytes.push(NO_NAME);
        for cut in 0..=bytes.len() {
            let mut at = 0;
            loop {
                let head = decode_head(&bytes[at..cut], 2);
                let full = decode(&bytes[at..cut], 2).map(|(r, len)| (r.hash, len));
                assert_eq!(head, full, "cut at {cut}, record at {at}");
                let Some((_, len)) = head else { break };
                at += len;
            }
        }
    }

    /// 200,000 accounts seen by two collectors in an order that is not the lines' (enough
    /// to send most records to the overflow), with three repeats: exactly those are found,
    /// each against its lowest line, however the rows were split.
    #[test]
    fn repeats_are_found_through_the_overflow() {
        let shared = SharedAccounts::new(Some(Box::new(Memory::default())));
        let (mut a, mut b) = (Accounts::new(Some(&shared), 1), Accounts::new(Some(&shared), 1));
        let (ranked, filtered) = (&[Some(Outcome::Ranked)], &[Some(Outcome::Filtered)]);
        for i in (0..200_000u64).rev() {
            let row = candidate(&format!("user{i}"), Some("instagram"), i + 2);
            let collector = if i % 2 == 0 { &mut a } else { &mut b };
            collector.see(&row, if i % 3 == 0 { ranked } else { filtered });
        }
        b.see(&candidate("USER7", Some("Instagram"), 300_000), ranked);
        a.see(&candidate("user7", Some("instagram"), 1), filtered);
        a.see(&candidate("user8", None, 300_001), ranked);
        b.see(&candidate("user8", None, 300_002), filtered);
        a.merge(b);
        let (later, failed) = a.later();
        assert!(failed.is_none());
        let mut later = later.into_iter().next().unwrap();
        let overflow = shared.overflow.as_ref().unwrap();
        let spilled: usize = (0..PARTS).map(|p| overflow.read(p).unwrap().len()).sum();
        let kept: usize = (0..PARTS).map(|p| shared.records(p).unwrap().len()).sum();
        assert!(spilled > kept / 2, "most records went to the overflow: {spilled} of {kept}");
        assert!(kept > 200_000 * 16, "every record is kept: {kept} bytes");
        later.sort_by_key(|l| l.line);
        let found: Vec<_> = later.iter().map(|l| (l.line, l.first_line, l.outcome)).collect();
        assert_eq!(
            found,
            [
                (9, 1, Outcome::Filtered),
                (300_000, 1, Outcome::Ranked),
                (300_002, 300_001, Outcome::Filtered)
            ]
        );
        assert_eq!(later[1].handle, "USER7");
        assert_eq!(later[2].platform, None);
    }

    /// One record a row serves several brands: each finds the repeats among the rows it
    /// ranked or filtered, against the first of those (a row a brand could not judge is
    /// not its first).
    #[test]
    fn each_brand_finds_its_own_repeats() {
        let mut accounts = Accounts::new(None, 5);
        let (r, f) = (Some(Outcome::Ranked), Some(Outcome::Filtered));
        accounts.see(&candidate("kim", Some("tiktok"), 2), &[r, None, f, None, None]);
        accounts.see(&candidate("lee", Some("tiktok"), 3), &[None, None, None, None, None]);
        accounts.see(&candidate("Kim", Some("tiktok"), 4), &[f, r, None, None, f]);
        accounts.see(&candidate("lee", Some("tiktok"), 5), &[r, r, r, r, r]);
        accounts.see(&candidate("kim", Some("tiktok"), 6), &[None, f, f, None, r]);
        let (later, failed) = accounts.later();
        assert!(failed.is_none());
        let found: Vec<Vec<_>> = later
            .iter()
            .map(|rows| rows.iter().map(|l| (l.line, l.first_line, l.outcome)).collect())
            .collect();
        assert_eq!(
            found,
            [
                vec![(4, 2, Outcome::Filtered)],
                vec![(6, 4, Outcome::Filtered)],
                vec![(6, 2, Outcome::Filtered)],
                vec![],
                vec![(6, 4, Outcome::Ranked)],
            ]
        );
    }

    /// A name longer than a record keeps is cut at a character boundary and still decodes.
    #[test]
    fn long_names_are_cut_whole() {
        let mut bytes = Vec::new();
        let long = "é".repeat(200);
        let mut bits = Vec::new();
        mask(&[None, Some(Outcome::Filtered), None, None, Some(Outcome::Ranked)], &mut bits);
        assert_eq!(bits, [0b0100, 0b11]);
        encode(&mut bytes, 7, 3, &bits, Some("tiktok"), &long);
        let (record, len) = decode(&bytes, 2).unwrap();
        assert_eq!(len, bytes.len());
        assert_eq!((record.hash, record.line), (7, 3));
        let outcomes: Vec<_> = (0..5).map(|brand| record.outcome(brand)).collect();
        assert_eq!(outcomes, [None, Some(Outcome::Filtered), None, None, Some(Outcome::Ranked)]);
        assert_eq!(record.platform, Some("tiktok"));
        assert_eq!(record.handle, "é".repeat(127));
        assert!(decode(&bytes[..len - 1], 2).is_none(), "a truncated record is not read");
    }
}
