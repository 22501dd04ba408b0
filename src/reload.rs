//! Hot reload: rebuild the rule set off to the side when its files change, and swap it in
//! atomically only when all of it is valid.
//!
//! A [`Reloader`] owns the active [`RuleSet`] of one rule folder, behind an
//! [`arc_swap::ArcSwap`]. Callers take a [`Reloader::snapshot`] and evaluate a whole batch
//! with it, so a batch never mixes versions, and every result carries the snapshot's
//! revision.
//!
//! The reload logic knows nothing about file-system watchers. It takes batches of
//! [`Change`]s (paths and what happened to them) through [`Reloader::apply`] or
//! [`Reloader::follow`], decides whether anything relevant changed, and if so reads the
//! whole folder, loads, checks and compiles it, runs every [`Validator`], and only then
//! swaps. On failure the last good rule set keeps serving and the diagnostics are kept in
//! the [`Status`]. Tests drive it with synthetic changes; [`watcher`] turns notify's
//! debounced events into the same changes.

pub mod watcher;

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;

use crate::diagnostic::Diagnostic;
use crate::rules::load::{read_folder, revision_of};
use crate::rules::RuleSet;
use crate::source::{is_editor_temp, SourceFile};

/// What happened to a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The path was created.
    Created,
    /// The file's content or metadata changed.
    Modified,
    /// The path was removed.
    Removed,
    /// The path was renamed; the change lists the old and the new name when both are known.
    Renamed,
    /// Events were lost (a watcher queue overflowed): anything may have changed.
    Rescan,
}

/// One file-system change, as the reload logic sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// The paths involved: one, or the old and the new name of a rename.
    pub paths: Vec<PathBuf>,
}

impl Change {
    /// A change to one path.
    pub fn new(kind: ChangeKind, path: impl Into<PathBuf>) -> Self {
        Self { kind, paths: vec![path.into()] }
    }

    /// A rename from `from` to `to`.
    pub fn renamed(from: impl Into<PathBuf>, to: impl Into<PathBuf>) -> Self {
        Self { kind: ChangeKind::Renamed, paths: vec![from.into(), to.into()] }
    }
}

/// An extra check a new rule set must pass before it is activated, such as the brands' own
/// rule tests. It sees the compiled rule set and the exact files it was built from (the
/// same snapshot, so test files and rules always agree), and vetoes the reload by returning
/// diagnostics.
pub type Validator =
    Box<dyn Fn(&RuleSet, &[SourceFile]) -> Result<(), Vec<Diagnostic>> + Send + Sync>;

/// Why the last reload failed.
#[derive(Clone, Debug)]
pub struct LastError {
    /// When the reload was attempted.
    pub at: SystemTime,
    /// The revision of the files that failed, when they could be read.
    pub revision: Option<String>,
    /// Every problem found, located as `scout check` reports it.
    pub diagnostics: Vec<Diagnostic>,
}

/// The reload status, as OPA reports bundle activation.
#[derive(Clone, Debug)]
pub struct Status {
    /// The revision of the active rule set.
    pub revision: String,
    /// When the active rule set was activated.
    pub activated_at: SystemTime,
    /// How many reloads activated a new rule set (the initial load not counted).
    pub activations: u64,
    /// How many reloads were rejected.
    pub rejections: u64,
    /// The last failed reload, cleared when the folder is valid again.
    pub last_error: Option<LastError>,
}

/// A rule set that replaced the previous one.
#[derive(Clone, Debug)]
pub struct Activation {
    /// The rule set that was active before.
    pub previous: Arc<RuleSet>,
    /// The rule set now active.
    pub current: Arc<RuleSet>,
    /// How long the reload took in all: settling, reading, loading, compiling, validating.
    pub took: Duration,
    /// How much of that was spent waiting for the files to settle.
    pub settling: Duration,
}

/// A reload that failed; the previous rule set is still active.
#[derive(Clone, Debug)]
pub struct Rejection {
    /// The revision of the files that failed, when they could be read.
    pub revision: Option<String>,
    /// The revision still serving.
    pub active: String,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
    /// How long the attempt took in all.
    pub took: Duration,
    /// How much of that was spent waiting for the files to settle.
    pub settling: Duration,
}

/// What one batch of changes did.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// No change touched a rule file: nothing was reloaded.
    Ignored,
    /// The folder was re-read and its content is the active revision's.
    Unchanged {
        /// The active revision.
        revision: String,
        /// The previous reload had failed: the folder is back to the active content.
        recovered: bool,
    },
    /// A new rule set is active.
    Activated(Activation),
    /// The new files are invalid; the previous rule set keeps serving.
    Rejected(Rejection),
}

impl Outcome {
    /// Whether the folder was read: anything but [`Outcome::Ignored`].
    pub fn reloaded(&self) -> bool {
        !matches!(self, Self::Ignored)
    }
}

/// The active rule set of one rule folder, and the logic that replaces it.
///
/// A `Reloader` that exists always serves a valid rule set: construction fails when the
/// folder is invalid, and later reloads only ever swap in a rule set that loaded, compiled
/// and passed every validator.
pub struct Reloader {
    root: PathBuf,
    settle: Duration,
    /// `root`, canonicalised, to match watcher paths against.
    canonical_root: PathBuf,
    current: ArcSwap<RuleSet>,
    status: Mutex<Status>,
    validators: Vec<Validator>,
    /// Serialises reloads, so swaps happen in the order the folder was read.
    reloading: Mutex<()>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader")
            .field("root", &self.root)
            .field("revision", &self.current.load().revision)
            .field("validators", &self.validators.len())
            .finish_non_exhaustive()
    }
}

/// Sets up a [`Reloader`]: its rule folder and its validators.
pub struct ReloaderBuilder {
    root: PathBuf,
    validators: Vec<Validator>,
    settle: Duration,
}

impl ReloaderBuilder {
    /// Adds a check every rule set must pass, at the first load and at every reload.
    /// Validators run in the order they were added; all of them run, and their
    /// diagnostics are reported together.
    pub fn validator(
        mut self,
        validator: impl Fn(&RuleSet, &[SourceFile]) -> Result<(), Vec<Diagnostic>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.validators.push(Box::new(validator));
        self
    }

    /// Guards against reading a file while it is being saved in place (truncated, then
    /// written): each reload reads the folder, waits `settle`, and reads it again, until two
    /// reads agree (at most [`MAX_SETTLE_READS`] times). Zero, the default, reads once: a
    /// debouncing watcher already waits for quiet, and tests stay free of sleeps.
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// Loads the folder for the first time. Fails with every diagnostic when it is invalid.
    pub fn build(self) -> Result<Reloader, Vec<Diagnostic>> {
        let canonical_root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let (files, revision) = read(&self.root).map_err(|failed| failed.1)?;
        let rules =
            check(&self.root, &files, &revision, &self.validators).map_err(|failed| failed.1)?;
        let status = Status {
            revision: rules.revision.clone(),
            activated_at: SystemTime::now(),
            activations: 0,
            rejections: 0,
            last_error: None,
        };
        Ok(Reloader {
            root: self.root,
            settle: self.settle,
            canonical_root,
            current: ArcSwap::from_pointee(rules),
            status: Mutex::new(status),
            validators: self.validators,
            reloading: Mutex::new(()),
        })
    }
}

/// How many times a reload reads the folder, at most, waiting for two reads to agree.
pub const MAX_SETTLE_READS: usize = 10;

/// A reload that failed: the revision of the files, when they could be read, and why.
type Failure = (Option<String>, Vec<Diagnostic>);

/// Reads every rule file and hashes them.
fn read(root: &Path) -> Result<(Vec<SourceFile>, String), Failure> {
    let files = read_folder(root).map_err(|d| (None, vec![d]))?;
    let revision = revision_of(&files);
    Ok((files, revision))
}

/// Loads, checks and compiles files already read, then runs every validator. A folder with
/// an empty rule file is refused before loading.
fn check(
    root: &Path,
    files: &[SourceFile],
    revision: &str,
    validators: &[Validator],
) -> Result<RuleSet, Failure> {
    // An in-place save truncates the file, then writes it: a reload that reads in between
    // sees an empty file, which for a brand would even load (every key has a default).
    let empty: Vec<Diagnostic> = files
        .iter()
        .filter(|f| f.text.trim().is_empty())
        .map(|f| {
            Diagnostic::error(&f.path, format!("`{}` is empty", f.rel))
                .hint("a save may be in progress; the previous rules stay until it has content")
        })
        .collect();
    if !empty.is_empty() {
        return Err((Some(revision.to_owned()), empty));
    }
    // The one meaning of valid: loads, copes with the probes, passes its rule tests.
    let rules =
        crate::valid::validate_files(root, files).map_err(|d| (Some(revision.to_owned()), d))?;
    let vetoes: Vec<Diagnostic> =
        validators.iter().filter_map(|v| v(&rules, files).err()).flatten().collect();
    if vetoes.is_empty() {
        Ok(rules)
    } else {
        Err((Some(revision.to_owned()), vetoes))
    }
}

impl Reloader {
    /// Starts setting up a reloader for the rule folder at `root`.
    pub fn builder(root: impl Into<PathBuf>) -> ReloaderBuilder {
        ReloaderBuilder { root: root.into(), validators: Vec::new(), settle: Duration::ZERO }
    }

    /// Loads `root` with no extra validators.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, Vec<Diagnostic>> {
        Self::builder(root).build()
    }

    /// The rule folder, as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The active rule set. Hold on to it for a whole batch: it never changes underneath.
    pub fn snapshot(&self) -> Arc<RuleSet> {
        self.current.load_full()
    }

    /// The revision of the active rule set.
    pub fn revision(&self) -> String {
        self.current.load().revision.clone()
    }

    /// The reload status: the active revision, when it was activated, and the last error.
    pub fn status(&self) -> Status {
        self.lock_status().clone()
    }

    fn lock_status(&self) -> MutexGuard<'_, Status> {
        // A panic while holding the lock cannot leave the status half-written: every
        // update assigns whole fields.
        self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a change to `path` can affect the rule set: a path under the rule folder
    /// that is not an editor's temporary or backup file (nor inside a hidden folder), and
    /// is a `.toml` or `.rhai` file, a history file, or may be a folder.
    pub fn is_relevant(&self, path: &Path) -> bool {
        let rel = match path.strip_prefix(&self.canonical_root) {
            Ok(rel) => rel,
            Err(_) => match path.strip_prefix(&self.root) {
                Ok(rel) => rel,
                Err(_) => return false,
            },
        };
        let mut names = rel.components().map(|c| c.as_os_str().to_string_lossy());
        if names.any(|name| is_editor_temp(&name)) {
            return false;
        }
        match rel.extension().and_then(|e| e.to_str()) {
            Some("toml" | "rhai") => true,
            Some("csv" | "ndjson" | "jsonl") => rel.starts_with(crate::rules::load::HISTORY_DIR),
            // No extension: a folder was created, removed or renamed, or a file scout ignores.
            // A spurious reload is cheap: it reads the folder and finds nothing new.
            None => true,
            Some(_) => false,
        }
    }

    /// Whether any change in `changes` can affect the rule set.
    pub fn any_relevant(&self, changes: &[Change]) -> bool {
        changes.iter().any(|change| {
            change.kind == ChangeKind::Rescan || change.paths.iter().any(|p| self.is_relevant(p))
        })
    }

    /// Handles one batch of changes: reloads once if any of them is relevant.
    pub fn apply(&self, changes: &[Change]) -> Outcome {
        if self.any_relevant(changes) {
            self.reload()
        } else {
            Outcome::Ignored
        }
    }

    /// Reloads until `batches` closes, calling `on_outcome` after every reload. Each
    /// wake-up takes every batch already queued, so a burst of events costs one reload.
    pub fn follow(&self, batches: &Receiver<Vec<Change>>, mut on_outcome: impl FnMut(Outcome)) {
        while let Ok(mut changes) = batches.recv() {
            while let Ok(more) = batches.try_recv() {
                changes.extend(more);
            }
            let outcome = self.apply(&changes);
            if outcome.reloaded() {
                on_outcome(outcome);
            }
        }
    }

    /// Reads the folder until two reads `settle` apart agree, or [`MAX_SETTLE_READS`] reads;
    /// adds the time spent waiting to `settling`.
    fn read_settled(&self, settling: &mut Duration) -> Result<(Vec<SourceFile>, String), Failure> {
        let mut last = read(&self.root)?;
        if self.settle.is_zero() {
            return Ok(last);
        }
        for _ in 1..MAX_SETTLE_READS {
            let waiting = Instant::now();
            std::thread::sleep(self.settle);
            *settling += waiting.elapsed();
            let again = read(&self.root)?;
            let stable = again.1 == last.1;
            last = again;
            if stable {
                break;
            }
        }
        Ok(last)
    }

    /// Reads the whole folder and activates it if all of it is valid; otherwise keeps the
    /// active rule set and records the diagnostics.
    pub fn reload(&self) -> Outcome {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let active = self.current.load_full();
        let mut settling = Duration::ZERO;
        let built = self.read_settled(&mut settling).and_then(|(files, revision)| {
            if revision == active.revision {
                Ok(None)
            } else {
                check(&self.root, &files, &revision, &self.validators).map(Some)
            }
        });
        let took = started.elapsed();
        let mut status = self.lock_status();
        match built {
            Ok(None) => {
                let recovered = status.last_error.take().is_some();
                Outcome::Unchanged { revision: active.revision.clone(), recovered }
            }
            Ok(Some(rules)) => {
                let current = Arc::new(rules);
                self.current.store(Arc::clone(&current));
                status.revision = current.revision.clone();
                status.activated_at = SystemTime::now();
                status.activations += 1;
                status.last_error = None;
                Outcome::Activated(Activation { previous: active, current, took, settling })
            }
            Err((revision, diagnostics)) => {
                status.rejections += 1;
                status.last_error = Some(LastError {
                    at: SystemTime::now(),
                    revision: revision.clone(),
                    diagnostics: diagnostics.clone(),
                });
                Outcome::Rejected(Rejection {
                    revision,
                    active: active.revision.clone(),
                    diagnostics,
                    took,
                    settling,
                })
            }
        }
    }
}
