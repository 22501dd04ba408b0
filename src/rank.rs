//! Ranking a batch: evaluate every candidate row against one brand, in parallel, with one
//! snapshot of the rules, and account for every row: `read = ranked + filtered + invalid +
//! rule_errors`. A bad row is invalid; a row a script or `when` failed on hit a rule error,
//! which is kept once per place in the rules ([`RuleError`]), not once per row.
//!
//! A [`Collector`] takes rows one at a time and keeps only what the output needs: with
//! `--top N` a bounded heap of the best N, filtered rows' reasons only when asked for.
//! Threads each fill their own collector; collectors merge. [`rank`] takes any row iterator,
//! [`rank_csv`] the byte ranges of a CSV file that [`crate::input`] reads on every thread at once.
//! This module does no I/O of its own.

mod accounts;
pub mod row;

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::engine::{self, Evaluation, Facts, Options};
use crate::input::{CsvFile, InputError, RowSink};
use crate::model::{Candidate, RowError};
use crate::rules::failure::{self, Site};
use crate::rules::filters::Starts;
use crate::rules::{Brand, RuleSet};

use accounts::{Accounts, Outcome};
pub use accounts::{Duplicate, MakeOverflow, Overflow, SharedAccounts};

/// With `top`, how many results beyond it each collector keeps, so that rows found to be
/// duplicates when collectors merge leave the best `top` whole (exact unless more than
/// this many duplicates rank among them).
const DUPLICATE_SLACK: usize = 64;

/// How many rows ended where.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows read.
    pub read: usize,
    /// Rows that passed every filter and were scored.
    pub ranked: usize,
    /// Rows a filter turned away.
    pub filtered: usize,
    /// Rows that could not be used: bad values.
    pub invalid: usize,
    /// Rows a scoring script or a tier's `when` failed on: the rules' fault, not the row's.
    pub rule_errors: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.read += other.read;
        self.ranked += other.ranked;
        self.filtered += other.filtered;
        self.invalid += other.invalid;
        self.rule_errors += other.rule_errors;
    }
}

/// A scored candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: usize,
    /// The candidate.
    pub candidate: Candidate,
    /// Its evaluation.
    pub evaluation: Evaluation,
}

impl Ranked {
    /// The score (always present for a ranked candidate).
    pub fn score(&self) -> f64 {
        self.evaluation.score.unwrap_or(0.0)
    }

    /// What [`order`] ranks it by.
    pub fn key(&self) -> RankKey<'_> {
        RankKey::of(&self.candidate, self.score())
    }
}

/// A candidate a filter turned away.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Filtered {
    /// The handle.
    pub handle: String,
    /// The source line.
    pub line: u64,
    /// Why, one reason per failed filter.
    pub reasons: Vec<String>,
    /// The failed filters, in the brand's filter order, one per reason (what the report's
    /// filter funnel counts).
    #[serde(skip)]
    pub filters: Vec<crate::engine::Filter>,
}

/// The outcome of ranking one batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    /// The revision of the rules that made it.
    pub revision: String,
    /// The brand id.
    pub brand: String,
    /// Where every row went.
    pub counts: Counts,
    /// Scored candidates, best first, cut to `top` when set.
    pub results: Vec<Ranked>,
    /// Filtered candidates, in source order (empty unless `keep_filtered`).
    pub filtered: Vec<Filtered>,
    /// Unusable rows, in source order.
    pub errors: Vec<RowError>,
    /// Rule errors, once per place in the rules, by the first line they hit.
    pub rule_errors: Vec<RuleError>,
    /// Rows that repeat an account (platform and handle) of an earlier row, by line: each
    /// is also an unusable row in `errors`.
    pub duplicates: Vec<Duplicate>,
    /// How many rows each filter turned away, by filter name, as evaluated (a row that
    /// fails several filters counts for each; a row later found to repeat an account still
    /// counts, as it is still in `--filtered`'s file).
    pub filter_counts: std::collections::BTreeMap<String, usize>,
    /// What the run could not vouch for, for people (the CLI prints them as warnings).
    pub warnings: Vec<String>,
}

/// Receives filtered rows as they are evaluated, in batches (from several threads at
/// once): what `--filtered FILE` writes. Batches follow the reader's chunks, so rows come
/// in source order within a batch, not across batches.
pub trait FilteredSink: Sync {
    /// Takes a batch of filtered rows.
    fn take(&self, rows: &[Filtered]);
}

/// What a run does with the rows it does not rank, beyond [`RankOptions`].
#[derive(Clone, Copy, Default)]
pub struct Spill<'s> {
    /// Keep only the first `n` filtered rows and the first `n` unusable rows, by line
    /// (counts still count every row), so memory does not grow with the list.
    pub sample: Option<usize>,
    /// Keep every unusable row even with a sample (`--rejects` needs all their lines).
    pub all_errors: bool,
    /// Receives every filtered row, with its reasons, as it is evaluated.
    pub filtered: Option<&'s dyn FilteredSink>,
    /// The run's account records, shared by all its collectors; without it each collector
    /// keeps its own in memory.
    pub accounts: Option<&'s SharedAccounts>,
    /// Where a run's account records go beyond a few MiB (without it, they stay in memory).
    pub overflow: Option<MakeOverflow>,
}

impl std::fmt::Debug for Spill<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spill")
            .field("sample", &self.sample)
            .field("filtered", &self.filtered.is_some())
            .finish()
    }
}

/// How many filtered rows a collector buffers before it hands them to the sink.
const SINK_BATCH: usize = 1_024;

/// Keeps the `cap` lowest-line items of `rows` once it holds twice as many: returns the
/// highest line kept when full, past which no row can enter.
fn compact<T>(rows: &mut Vec<T>, cap: Option<usize>, line: impl Fn(&T) -> u64) -> Option<u64> {
    let cap = cap?;
    if rows.len() < cap.max(1) * 2 {
        return None;
    }
    rows.sort_by_key(&line);
    rows.truncate(cap);
    rows.last().map(line)
}

/// A script or `when` that failed on some rows: one place in the rules, however many rows.
#[derive(Clone, Debug)]
pub struct RuleError {
    /// Where and why it failed.
    pub site: Site,
    /// How many rows it failed on.
    pub rows: usize,
    /// The first row it failed on: its line.
    pub first_line: u64,
    /// The first row it failed on: its handle.
    pub first_handle: String,
    /// The located diagnostic, in words for the rule's author.
    pub diagnostic: Diagnostic,
}

impl PartialEq for RuleError {
    fn eq(&self, other: &Self) -> bool {
        (&self.site, self.rows, self.first_line, &self.first_handle)
            == (&other.site, other.rows, other.first_line, &other.first_handle)
    }
}

/// Options for one ranking run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankOptions {
    /// Keep only the best `top` results.
    pub top: Option<usize>,
    /// Keep each filtered row with its reasons (JSON output lists them).
    pub keep_filtered: bool,
    /// Keep the script notes of the best `notes` results only, the ones an output shows;
    /// every other row's notes are dropped as soon as it is evaluated. 0 keeps none.
    pub notes: usize,
    /// Write out each kept filtered row's reasons, the most expensive part of a filtered row.
    /// Without, [`Filtered::reasons`] is empty for the rows the filters turned away, and a
    /// caller that shows a few of them works those out (`scout watch`, through
    /// [`crate::changes::compare_with`]).
    pub reasons: bool,
}

impl Default for RankOptions {
    fn default() -> Self {
        Self { top: None, keep_filtered: true, notes: 0, reasons: true }
    }
}

/// What the ranking order looks at in one scored row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankKey<'a> {
    /// The score, rounded as the engine gives it.
    pub score: f64,
    /// The handle.
    pub handle: &'a str,
    /// The platform, when known.
    pub platform: Option<&'a str>,
    /// The line in the candidate list.
    pub line: u64,
}

impl<'a> RankKey<'a> {
    /// The key of `candidate` scored `score`.
    pub fn of(candidate: &'a Candidate, score: f64) -> Self {
        Self {
            score,
            handle: &candidate.handle,
            platform: candidate.platform.as_deref(),
            line: candidate.line,
        }
    }
}

/// The one ranking order, best first: score descending, then handle, then platform (none
/// first), then line, all ascending. Two rows of one list never compare equal, so the order
/// does not depend on how threads split and merged the rows. `scout rank`, `scout diff`,
/// `scout watch` and rule tests' `outranks` all order by it.
pub fn order(a: RankKey<'_>, b: RankKey<'_>) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.handle.cmp(b.handle))
        .then_with(|| a.platform.cmp(&b.platform))
        .then_with(|| a.line.cmp(&b.line))
}

/// [`order`] over two ranked candidates.
pub fn by_rank(a: &Ranked, b: &Ranked) -> Ordering {
    order(a.key(), b.key())
}

/// Sorts results best first ([`by_rank`]). A [`Ranked`] is most of a kilobyte and a sort
/// moves each element about log n times: the keys are sorted instead, and each result then
/// moves along its cycle of the permutation.
fn sort_results(results: &mut [Ranked]) {
    let mut keys: Vec<(RankKey<'_>, usize)> = results.iter().map(Ranked::key).zip(0..).collect();
    keys.par_sort_unstable_by(|a, b| order(a.0, b.0));
    let mut from: Vec<usize> = keys.into_iter().map(|(_, at)| at).collect();
    permute(results, &mut from);
}

/// Puts `items[from[k]]` at `k` for every `k` (`from` a permutation), by swaps along the
/// permutation's cycles; leaves `from` the identity.
fn permute<T>(items: &mut [T], from: &mut [usize]) {
    for start in 0..from.len() {
        let mut at = start;
        while from[at] != at {
            let next = std::mem::replace(&mut from[at], at);
            if next == start {
                break;
            }
            items.swap(at, next);
            at = next;
        }
    }
}

/// A heap entry whose greatest element is the worst-ranked.
struct Worst(Ranked);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        by_rank(&self.0, &other.0) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        by_rank(&self.0, &other.0)
    }
}

/// A result in `Collector::all` that keeps its notes, ordered so the greatest is the worst.
struct Noted {
    score: f64,
    handle: String,
    platform: Option<String>,
    line: u64,
    /// Its index in `Collector::all`.
    index: usize,
}

impl Noted {
    fn of(ranked: &Ranked, index: usize) -> Self {
        let c = &ranked.candidate;
        Self {
            score: ranked.score(),
            handle: c.handle.clone(),
            platform: c.platform.clone(),
            line: c.line,
            index,
        }
    }

    fn key(&self) -> RankKey<'_> {
        RankKey {
            score: self.score,
            handle: &self.handle,
            platform: self.platform.as_deref(),
            line: self.line,
        }
    }
}

impl PartialEq for Noted {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Noted {}
impl PartialOrd for Noted {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Noted {
    fn cmp(&self, other: &Self) -> Ordering {
        order(self.key(), other.key())
    }
}

/// Evaluates rows one at a time and keeps what the ranking needs.
pub struct Collector<'r> {
    rules: &'r RuleSet,
    brand: &'r Brand,
    options: RankOptions,
    counts: Counts,
    best: BinaryHeap<Worst>,
    all: Vec<Ranked>,
    /// Without `top`: the best `notes` results of `all` that have notes, the only ones
    /// that keep them.
    noted: BinaryHeap<Noted>,
    filtered: Vec<Filtered>,
    errors: Vec<RowError>,
    /// Rule errors by site: rows hit and the first `(line, handle)`.
    rule_errors: std::collections::HashMap<Site, (usize, u64, String)>,
    /// Every ranked or filtered account, to find rows that repeat one; `None` in a set of
    /// [`Collectors`], which keeps one record a row for every brand.
    accounts: Option<Accounts<'r>>,
    /// In a set of [`Collectors`]: what the collector made of the row it last took.
    seen: Option<Outcome>,
    /// The `top` asked for; `options.top` is cleared when the brand ranks one account per
    /// creator, which needs every result until the end.
    cut: Option<usize>,
    spill: Spill<'r>,
    /// Filtered rows waiting for the sink.
    pending: Vec<Filtered>,
    /// How many filtered rows each filter turned away, in the order first seen (a brand has
    /// a handful of filters: a scan by pointer beats hashing the name).
    filter_counts: Vec<(crate::engine::Filter, usize)>,
    /// Rows turned away by each of the brand's filters, by position, for rows judged by
    /// [`engine::quick`]; folded into `filter_counts` at the end.
    quick_counts: Vec<usize>,
    /// With a sample: the highest line the full sample of filtered rows keeps.
    filtered_floor: Option<u64>,
    /// With a sample: the highest line the full sample of errors keeps.
    errors_floor: Option<u64>,
}

impl<'r> Collector<'r> {
    /// An empty collector.
    pub fn new(rules: &'r RuleSet, brand: &'r Brand, options: RankOptions) -> Self {
        Self::spilling(rules, brand, options, Spill::default())
    }

    /// An empty collector that samples or streams what it does not rank (see [`Spill`]).
    pub fn spilling(
        rules: &'r RuleSet,
        brand: &'r Brand,
        options: RankOptions,
        spill: Spill<'r>,
    ) -> Self {
        let cut = options.top;
        let top = if brand.one_account_per_creator { None } else { options.top };
        Self {
            rules,
            brand,
            options: RankOptions { top, ..options },
            accounts: Some(Accounts::new(spill.accounts, 1)),
            seen: None,
            cut,
            counts: Counts::default(),
            best: BinaryHeap::new(),
            all: Vec::new(),
            noted: BinaryHeap::new(),
            filtered: Vec::new(),
            errors: Vec::new(),
            rule_errors: std::collections::HashMap::new(),
            spill,
            pending: Vec::new(),
            filter_counts: Vec::new(),
            quick_counts: vec![0; brand.filters.specs.len()],
            filtered_floor: None,
            errors_floor: None,
        }
    }

    fn errors_sample(&self) -> Option<usize> {
        self.spill.sample.filter(|_| !self.spill.all_errors)
    }

    /// Hands the pending filtered rows to the sink.
    fn flush(&mut self) {
        if let Some(sink) = self.spill.filtered {
            if !self.pending.is_empty() {
                sink.take(&self.pending);
                self.pending.clear();
            }
        }
    }

    /// Takes one row.
    pub fn push(&mut self, row: Result<Candidate, RowError>) {
        match row {
            Ok(mut candidate) => self.push_in_place(&mut candidate),
            Err(error) => self.push_error(error),
        }
    }

    /// Takes a row that could not be used.
    pub fn push_error(&mut self, error: RowError) {
        self.counts.read += 1;
        self.counts.invalid += 1;
        if self.errors_floor.is_some_and(|floor| error.line > floor) {
            return;
        }
        self.errors.push(error);
        let sample = self.errors_sample();
        if let Some(floor) = compact(&mut self.errors, sample, |e| e.line) {
            self.errors_floor = Some(floor);
        }
    }

    /// Takes one borrowed candidate, cloning it only when it enters the results.
    pub fn push_ref(&mut self, candidate: &Candidate) {
        self.push_facts(&self.facts(candidate));
    }

    /// [`Collector::push_ref`], with the row's facts shared by the brands of a read.
    fn push_facts(&mut self, facts: &Facts) {
        if !self.quick_account(facts) {
            self.push_full(facts.candidate, Candidate::clone);
        }
    }

    /// Takes one candidate without moving it: the collector takes it out of `candidate`
    /// only when it keeps it, so a reader can reuse one candidate's buffers for every row.
    pub fn push_in_place(&mut self, candidate: &mut Candidate) {
        if !self.quick_account(&self.facts(candidate)) {
            self.push_full(candidate, std::mem::take);
        }
    }

    /// The facts of a row this collector's brand alone judges.
    fn facts<'c>(&self, candidate: &'c Candidate) -> Facts<'c>
    where
        'r: 'c,
    {
        Facts::new(candidate, self.brand.filters.exclude_keywords.starts())
    }

    /// Evaluates a row [`engine::quick`] could not account for.
    fn push_full<C>(&mut self, candidate: C, keep: impl FnOnce(C) -> Candidate)
    where
        C: std::ops::Deref<Target = Candidate>,
    {
        self.counts.read += 1;
        let evaluated = engine::evaluate(self.rules, self.brand, &candidate, Options::default());
        self.account(candidate, evaluated, keep);
    }

    fn account<C>(
        &mut self,
        candidate: C,
        evaluated: Result<Evaluation, engine::EvalError>,
        keep: impl FnOnce(C) -> Candidate,
    ) where
        C: std::ops::Deref<Target = Candidate>,
    {
        match row::classify(evaluated) {
            row::Classified::Ranked(mut evaluation) => {
                self.counts.ranked += 1;
                self.see(&candidate, Outcome::Ranked);
                if self.makes_the_cut(&candidate, evaluation.score.unwrap_or(0.0)) {
                    if self.options.notes == 0 {
                        evaluation.notes = Vec::new();
                    }
                    let candidate = keep(candidate);
                    self.offer(Ranked { rank: 0, candidate, evaluation });
                }
            }
            row::Classified::Filtered(evaluation) => {
                self.counts.filtered += 1;
                for verdict in evaluation.verdicts.iter().filter(|v| !v.passed) {
                    count_filter(&mut self.filter_counts, &verdict.filter, 1);
                }
                self.see(&candidate, Outcome::Filtered);
                let sampled = self.samples(&candidate);
                if sampled || self.spill.filtered.is_some() {
                    let row = Filtered {
                        reasons: if self.options.reasons || self.spill.filtered.is_some() {
                            evaluation.failure_reasons(self.brand, &candidate)
                        } else {
                            Vec::new()
                        },
                        filters: evaluation
                            .verdicts
                            .iter()
                            .filter(|v| !v.passed)
                            .map(|v| v.filter.clone())
                            .collect(),
                        handle: candidate.handle.clone(),
                        line: candidate.line,
                    };
                    if self.spill.filtered.is_some() {
                        self.pending.push(row.clone());
                        if self.pending.len() >= SINK_BATCH {
                            self.flush();
                        }
                    }
                    if sampled {
                        self.filtered.push(row);
                        if let Some(floor) =
                            compact(&mut self.filtered, self.spill.sample, |f| f.line)
                        {
                            self.filtered_floor = Some(floor);
                        }
                    }
                }
            }
            row::Classified::RuleError(error) => {
                self.counts.rule_errors += 1;
                let site = Site::new(&error.script, error.tier.as_deref(), &error.error);
                self.rule_error(site, 1, candidate.line, &candidate.handle);
            }
        }
    }

    /// Notes a ranked or filtered row's account.
    fn see(&mut self, candidate: &Candidate, outcome: Outcome) {
        match &mut self.accounts {
            Some(accounts) => accounts.see(candidate, &[Some(outcome)]),
            None => self.seen = Some(outcome),
        }
    }

    fn rule_error(&mut self, site: Site, rows: usize, line: u64, handle: &str) {
        let entry = self.rule_errors.entry(site).or_insert((0, line, handle.to_owned()));
        entry.0 += rows;
        if line < entry.1 {
            entry.1 = line;
            handle.clone_into(&mut entry.2);
        }
    }

    /// How many results the bounded heap keeps, if bounded: `top` and some slack.
    fn capacity(&self) -> Option<usize> {
        self.options.top.map(|top| top.saturating_add(DUPLICATE_SLACK))
    }

    /// Whether a candidate scored `score` would enter the results.
    fn makes_the_cut(&self, candidate: &Candidate, score: f64) -> bool {
        let Some(top) = self.capacity() else { return true };
        if self.best.len() < top {
            return true;
        }
        self.best.peek().is_some_and(|worst| {
            order(RankKey::of(candidate, score), worst.0.key()) == Ordering::Less
        })
    }

    /// Whether a filtered candidate goes into the sample of filtered rows.
    fn samples(&self, candidate: &Candidate) -> bool {
        self.options.keep_filtered
            && self.filtered_floor.is_none_or(|floor| candidate.line <= floor)
    }

    /// Takes a row on [`engine::quick`]'s word when that is all it needs: filtered and
    /// neither sampled nor streamed, or scored below the cut of a bounded ranking. Whether
    /// it did; the row is evaluated in full otherwise.
    fn quick_account(&mut self, facts: &Facts) -> bool {
        if self.capacity().is_none() {
            return false;
        }
        let candidate = facts.candidate;
        match engine::quick(self.rules, self.brand, facts) {
            engine::Quick::Filtered(failed)
                if !self.samples(candidate) && self.spill.filtered.is_none() =>
            {
                self.counts.filtered += 1;
                for (i, count) in self.quick_counts.iter_mut().enumerate() {
                    *count += usize::from(failed >> i & 1 == 1);
                }
                self.see(candidate, Outcome::Filtered);
            }
            engine::Quick::Scored(score) if !self.makes_the_cut(candidate, score) => {
                self.counts.ranked += 1;
                self.see(candidate, Outcome::Ranked);
            }
            _ => return false,
        }
        self.counts.read += 1;
        true
    }

    fn offer(&mut self, ranked: Ranked) {
        let Some(top) = self.capacity() else {
            self.push_all(ranked);
            return;
        };
        if self.best.len() < top {
            self.best.push(Worst(ranked));
        } else if self.best.peek().is_some_and(|worst| by_rank(&ranked, &worst.0) == Ordering::Less)
        {
            self.best.pop();
            self.best.push(Worst(ranked));
        }
    }

    /// Keeps a result without `top`, and its notes only while it is among the best
    /// `notes` results that have any.
    fn push_all(&mut self, mut ranked: Ranked) {
        if !ranked.evaluation.notes.is_empty() {
            let noted = Noted::of(&ranked, self.all.len());
            if !self.note(noted) {
                ranked.evaluation.notes = Vec::new();
            }
        }
        self.all.push(ranked);
    }

    /// Offers a result of `all` a place among the noted; drops the notes of the one it
    /// pushes out. Whether it got a place.
    fn note(&mut self, noted: Noted) -> bool {
        if self.noted.len() < self.options.notes {
            self.noted.push(noted);
            return true;
        }
        if self.noted.peek().is_some_and(|worst| noted < *worst) {
            let out = self.noted.pop().expect("the heap is full");
            self.all[out.index].evaluation.notes = Vec::new();
            self.noted.push(noted);
            return true;
        }
        false
    }

    /// Folds another collector's rows into this one.
    pub fn merge(mut self, mut other: Collector<'r>) -> Self {
        other.flush();
        for (filter, n) in std::mem::take(&mut other.filter_counts) {
            count_filter(&mut self.filter_counts, &filter, n);
        }
        for (mine, theirs) in self.quick_counts.iter_mut().zip(&other.quick_counts) {
            *mine += theirs;
        }
        self.counts.add(other.counts);
        if let (Some(mine), Some(theirs)) = (&mut self.accounts, other.accounts) {
            mine.merge(theirs);
        }
        for (site, (rows, line, handle)) in other.rule_errors {
            self.rule_error(site, rows, line, &handle);
        }
        self.filtered.extend(other.filtered);
        self.errors.extend(other.errors);
        let sample = self.spill.sample;
        if let Some(cap) = sample {
            if self.filtered.len() > cap {
                self.filtered.sort_by_key(|f| f.line);
                self.filtered.truncate(cap);
                self.filtered_floor = self.filtered.last().map(|f| f.line);
            }
            if self.errors.len() > cap && !self.spill.all_errors {
                self.errors.sort_by_key(|e| e.line);
                self.errors.truncate(cap);
                self.errors_floor = self.errors.last().map(|e| e.line);
            }
        }
        // The shorter list joins the longer, so a row moves about once, not once a level
        // of the merge tree (the order of `all` does not matter: it is sorted at the end).
        if self.all.len() < other.all.len() {
            std::mem::swap(&mut self.all, &mut other.all);
            std::mem::swap(&mut self.noted, &mut other.noted);
        }
        let offset = self.all.len();
        self.all.extend(other.all);
        for noted in other.noted {
            let index = noted.index + offset;
            if !self.note(Noted { index, ..noted }) {
                self.all[index].evaluation.notes = Vec::new();
            }
        }
        for Worst(ranked) in other.best {
            self.offer(ranked);
        }
        self
    }

    /// The ranking: best first, rows in source order.
    pub fn finish(mut self) -> Ranking {
        let (later, unchecked) = match self.accounts.take() {
            Some(accounts) => accounts.later(),
            None => (Vec::new(), None),
        };
        self.finish_with(later.into_iter().next().unwrap_or_default(), unchecked)
    }

    /// The ranking, with the rows found to repeat an account and why some could not be
    /// looked for.
    fn finish_with(mut self, later: Vec<accounts::Later>, unchecked: Option<String>) -> Ranking {
        self.flush();
        let mut filter_counts = std::mem::take(&mut self.filter_counts);
        for (spec, n) in self.brand.filters.specs.iter().zip(&self.quick_counts) {
            if *n > 0 {
                count_filter(&mut filter_counts, &spec.filter, *n);
            }
        }
        let mut results = if self.options.top.is_some() {
            self.best.into_iter().map(|w| w.0).collect()
        } else {
            self.all
        };
        let mut counts = self.counts;
        let mut filtered = self.filtered;
        let mut errors = self.errors;
        let duplicates =
            accounts::resolve(later, &mut counts, &mut results, &mut filtered, &mut errors);
        sort_results(&mut results);
        if self.brand.one_account_per_creator {
            let mut others = Vec::new();
            accounts::one_per_creator(
                &mut counts,
                &mut results,
                &mut others,
                self.options.keep_filtered || self.spill.filtered.is_some(),
            );
            for row in &others {
                for filter in &row.filters {
                    count_filter(&mut filter_counts, filter, 1);
                }
            }
            if let Some(sink) = self.spill.filtered {
                if !others.is_empty() {
                    sink.take(&others);
                }
            }
            if self.options.keep_filtered {
                filtered.extend(others);
            }
        }
        if let Some(top) = self.cut {
            results.truncate(top);
        }
        for (i, ranked) in results.iter_mut().enumerate() {
            ranked.rank = i + 1;
            if i >= self.options.notes && !ranked.evaluation.notes.is_empty() {
                ranked.evaluation.notes = Vec::new();
            }
        }
        filtered.sort_by_key(|f| f.line);
        errors.sort_by_key(|e| e.line);
        if let Some(cap) = self.spill.sample {
            filtered.truncate(cap);
            if !self.spill.all_errors {
                errors.truncate(cap);
            }
        }
        let mut rule_errors: Vec<RuleError> = self
            .rule_errors
            .into_iter()
            .map(|(site, (rows, first_line, first_handle))| RuleError {
                diagnostic: failure::diagnostic(
                    self.rules,
                    &site,
                    rows,
                    (first_line, &first_handle),
                ),
                site,
                rows,
                first_line,
                first_handle,
            })
            .collect();
        rule_errors
            .sort_by(|a, b| a.first_line.cmp(&b.first_line).then_with(|| a.site.cmp(&b.site)));
        Ranking {
            revision: self.rules.revision.clone(),
            brand: self.brand.id.clone(),
            counts,
            results,
            filtered,
            errors,
            rule_errors,
            duplicates,
            filter_counts: filter_counts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(filter, n)| (filter.as_str().to_owned(), n))
                .collect(),
            warnings: unchecked.into_iter().collect(),
        }
    }
}

/// Evaluates every row against `brand` and ranks the ones that pass.
///
/// Rows are evaluated in parallel batches; the result does not depend on thread timing.
pub fn rank(
    rules: &RuleSet,
    brand: &Brand,
    rows: impl Iterator<Item = Result<Candidate, RowError>>,
    options: RankOptions,
) -> Ranking {
    rank_spilled(rules, brand, rows, options, Spill::default())
}

/// [`rank`], sampling or streaming the rows it does not rank as `spill` says.
pub fn rank_spilled(
    rules: &RuleSet,
    brand: &Brand,
    rows: impl Iterator<Item = Result<Candidate, RowError>>,
    options: RankOptions,
    spill: Spill<'_>,
) -> Ranking {
    const BATCH: usize = 8_192;
    let shared = SharedAccounts::new(spill.overflow.map(|make| make()));
    let spill = Spill { accounts: Some(spill.accounts.unwrap_or(&shared)), ..spill };
    let mut collector = Collector::spilling(rules, brand, options, spill);
    let mut rows = rows.peekable();
    let mut batch = Vec::with_capacity(BATCH);
    while rows.peek().is_some() {
        batch.extend(rows.by_ref().take(BATCH));
        let part = batch
            .par_drain(..)
            .fold(
                || Collector::spilling(rules, brand, options, spill),
                |mut c, row| {
                    c.push(row);
                    c
                },
            )
            .reduce(|| Collector::spilling(rules, brand, options, spill), Collector::merge);
        collector = collector.merge(part);
    }
    collector.finish()
}

/// Ranks rows already in memory, in parallel, cloning only the candidates that make the
/// results (what `scout watch` re-ranks after each reload).
pub fn rank_slice(
    rules: &RuleSet,
    brand: &Brand,
    rows: &[Result<Candidate, RowError>],
    options: RankOptions,
) -> Ranking {
    rows.par_iter()
        .fold(
            || Collector::new(rules, brand, options),
            |mut c, row| {
                match row {
                    Ok(candidate) => c.push_ref(candidate),
                    Err(error) => c.push_error(error.clone()),
                }
                c
            },
        )
        .reduce(|| Collector::new(rules, brand, options), Collector::merge)
        .finish()
}

/// Like [`rank_slice`], but in batches, looking at `stop` between them: `None` when it
/// was set before the last batch was done. What `scout watch` uses, so a stop request is
/// seen within one batch however long the list.
pub fn rank_slice_until(
    rules: &RuleSet,
    brand: &Brand,
    rows: &[Result<Candidate, RowError>],
    options: RankOptions,
    stop: &std::sync::atomic::AtomicBool,
) -> Option<Ranking> {
    const BATCH: usize = 8_192;
    let mut collector = Collector::new(rules, brand, options);
    for batch in rows.chunks(BATCH) {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        let part = batch
            .par_iter()
            .fold(
                || Collector::new(rules, brand, options),
                |mut c, row| {
                    match row {
                        Ok(candidate) => c.push_ref(candidate),
                        Err(error) => c.push_error(error.clone()),
                    }
                    c
                },
            )
            .reduce(|| Collector::new(rules, brand, options), Collector::merge);
        collector = collector.merge(part);
    }
    Some(collector.finish())
}

/// Ranks a file opened by [`crate::input::open_file`]: a CSV file split into byte ranges is
/// read and evaluated on every thread at once, each range into its own collector (a
/// Parquet file each row group, an Arrow IPC file slices of each batch); a file that cannot
/// be split streams through [`rank`]. `progress` is called now and then with
/// the number of bytes just processed.
pub fn rank_csv(
    rules: &RuleSet,
    brand: &Brand,
    file: CsvFile,
    options: RankOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Ranking, InputError> {
    rank_csv_spilled(rules, brand, file, options, Spill::default(), progress)
}

/// [`rank_csv`], sampling or streaming the rows it does not rank as `spill` says.
pub fn rank_csv_spilled(
    rules: &RuleSet,
    brand: &Brand,
    file: CsvFile,
    options: RankOptions,
    spill: Spill<'_>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Ranking, InputError> {
    let shared = SharedAccounts::new(spill.overflow.map(|make| make()));
    let spill = Spill { accounts: Some(spill.accounts.unwrap_or(&shared)), ..spill };
    let new = || Collector::spilling(rules, brand, options, spill);
    match file {
        CsvFile::Sequential(rows) => Ok(rank_spilled(rules, brand, rows, options, spill)),
        CsvFile::Split(split) => Ok(split.read(new, Collector::merge, progress)?.finish()),
        #[cfg(feature = "arrow")]
        CsvFile::Columnar(file) => Ok(file.read(new, Collector::merge, progress)?.finish()),
    }
}

/// Adds `n` rows turned away by `filter`.
fn count_filter(
    counts: &mut Vec<(crate::engine::Filter, usize)>,
    filter: &crate::engine::Filter,
    n: usize,
) {
    let same = |(f, _): &&mut (crate::engine::Filter, usize)| {
        std::sync::Arc::ptr_eq(&f.0, &filter.0) || f == filter
    };
    match counts.iter_mut().find(same) {
        Some((_, count)) => *count += n,
        None => counts.push((filter.clone(), n)),
    }
}

impl RowSink for Collector<'_> {
    fn take(&mut self, candidate: &mut Candidate) {
        self.push_in_place(candidate);
    }

    fn reject(&mut self, error: RowError) {
        self.push_error(error);
    }

    fn pause(&mut self) {
        self.flush();
        if let Some(accounts) = &mut self.accounts {
            accounts.pause();
        }
    }
}

/// One collector per brand over a single read of the rows: each row is parsed once and
/// evaluated for every brand (what `scout rank --brand a --brand b` uses), and its account
/// recorded once for all of them.
pub struct Collectors<'r> {
    collectors: Vec<Collector<'r>>,
    accounts: Accounts<'r>,
    outcomes: Vec<Option<Outcome>>,
    /// Every brand's excluded keywords' starts, to screen a row's handle and niches once.
    screen: Starts,
}

impl<'r> Collectors<'r> {
    /// Empty collectors, one per brand, in `brands`' order; account records go to
    /// `accounts`, one set for all the brands.
    pub fn new(
        rules: &'r RuleSet,
        brands: &[&'r Brand],
        options: RankOptions,
        spill: Spill<'r>,
        accounts: &'r SharedAccounts,
    ) -> Self {
        let collectors = brands
            .iter()
            .map(|brand| Collector {
                accounts: None,
                ..Collector::spilling(rules, brand, options, spill)
            })
            .collect();
        Self {
            collectors,
            accounts: Accounts::new(Some(accounts), brands.len()),
            outcomes: Vec::with_capacity(brands.len()),
            screen: Starts::union(brands.iter().map(|brand| &brand.filters.exclude_keywords)),
        }
    }

    /// Takes one row, for every brand.
    pub fn push(&mut self, row: Result<Candidate, RowError>) {
        match row {
            Ok(mut candidate) => self.take(&mut candidate),
            Err(error) => self.reject(error),
        }
    }

    /// Folds another thread's collectors into these, brand by brand.
    pub fn merge(mut self, other: Collectors<'r>) -> Self {
        self.accounts.merge(other.accounts);
        let collectors = self.collectors.into_iter().zip(other.collectors);
        Self { collectors: collectors.map(|(a, b)| a.merge(b)).collect(), ..self }
    }

    /// The rankings, one per brand, in the brands' order.
    pub fn finish(self) -> Vec<Ranking> {
        let (later, unchecked) = self.accounts.later();
        self.collectors
            .into_iter()
            .zip(later)
            .map(|(collector, later)| collector.finish_with(later, unchecked.clone()))
            .collect()
    }
}

impl RowSink for Collectors<'_> {
    fn take(&mut self, candidate: &mut Candidate) {
        // Every collector borrows the row (cloning it only into its results), so it is
        // still whole for its account record.
        self.outcomes.clear();
        let facts = Facts::new(candidate, &self.screen);
        for collector in &mut self.collectors {
            collector.push_facts(&facts);
            self.outcomes.push(collector.seen.take());
        }
        self.accounts.see(candidate, &self.outcomes);
    }

    fn reject(&mut self, error: RowError) {
        if let Some((last, others)) = self.collectors.split_last_mut() {
            for collector in others {
                collector.push_error(error.clone());
            }
            last.push_error(error);
        }
    }

    fn pause(&mut self) {
        for collector in &mut self.collectors {
            collector.pause();
        }
        self.accounts.pause();
    }
}

/// Ranks rows for several brands in one read: [`rank_spilled`] for each brand, parsing
/// each row once. The rankings are in `brands`' order.
pub fn rank_many(
    rules: &RuleSet,
    brands: &[&Brand],
    rows: impl Iterator<Item = Result<Candidate, RowError>>,
    options: RankOptions,
    spill: Spill<'_>,
) -> Vec<Ranking> {
    const BATCH: usize = 8_192;
    let accounts = SharedAccounts::new(spill.overflow.map(|make| make()));
    let new = || Collectors::new(rules, brands, options, spill, &accounts);
    let mut collectors = new();
    let mut rows = rows.peekable();
    let mut batch = Vec::with_capacity(BATCH);
    while rows.peek().is_some() {
        batch.extend(rows.by_ref().take(BATCH));
        let part = batch
            .par_drain(..)
            .fold(new, |mut c, row| {
                c.push(row);
                c
            })
            .reduce(new, Collectors::merge);
        collectors = collectors.merge(part);
    }
    collectors.finish()
}

/// [`rank_csv_spilled`] for several brands in one read of the file.
pub fn rank_csv_many(
    rules: &RuleSet,
    brands: &[&Brand],
    file: CsvFile,
    options: RankOptions,
    spill: Spill<'_>,
) -> Result<Vec<Ranking>, InputError> {
    let accounts = SharedAccounts::new(spill.overflow.map(|make| make()));
    let new = || Collectors::new(rules, brands, options, spill, &accounts);
    match file {
        CsvFile::Sequential(rows) => Ok(rank_many(rules, brands, rows, options, spill)),
        CsvFile::Split(split) => Ok(split.read(new, Collectors::merge, &|_| {})?.finish()),
        #[cfg(feature = "arrow")]
        CsvFile::Columnar(file) => Ok(file.read(new, Collectors::merge, &|_| {})?.finish()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Moving items along a permutation's cycles puts each where the permutation says,
        /// and leaves the permutation the identity.
        #[test]
        fn permute_puts_each_item_where_from_says(
            from in (0usize..60).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        ) {
            let items: Vec<usize> = (0..from.len()).map(|k| 1000 + k).collect();
            let expected: Vec<usize> = from.iter().map(|&k| items[k]).collect();
            let (mut items, mut from) = (items, from);
            super::permute(&mut items, &mut from);
            prop_assert_eq!(items, expected);
            prop_assert!(from.iter().enumerate().all(|(k, &at)| k == at));
        }
    }
}
