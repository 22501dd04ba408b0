//! The file-system watcher: notify with notify-debouncer-full, turning debounced events
//! into batches of [`Change`]s for the reload logic.
//!
//! Folders are watched recursively, never single files, because editors save by writing a
//! temporary file and renaming it over the original, or by deleting and recreating it; a
//! watch on the file itself would be lost with the old inode. A single file (a candidate
//! list) is watched through its parent folder, and callers filter by name. `--poll` mode
//! uses notify's `PollWatcher`, for network file systems and containers where inotify and
//! its kin see nothing; it hashes every watched file on each poll, because modification
//! times alone (whole seconds there) miss quick saves.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notify::event::{EventKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};

use super::{Change, ChangeKind};

/// How to watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchOptions {
    /// How long a path must be quiet before its events are delivered.
    pub debounce: Duration,
    /// Poll every this often instead of using the platform's notifications.
    pub poll_interval: Option<Duration>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self { debounce: Duration::from_millis(100), poll_interval: None }
    }
}

/// Debounced changes, delivered together.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The changes, in the order the debouncer delivered them.
    pub changes: Vec<Change>,
    /// When the earliest of the underlying events was seen.
    pub first_event: Instant,
    /// When the batch was delivered.
    pub delivered: Instant,
}

impl Batch {
    /// How long the debouncer held the earliest event back.
    pub fn debounce(&self) -> Duration {
        self.delivered.saturating_duration_since(self.first_event)
    }
}

/// What the watcher reports: a batch of changes, or the watcher's own errors.
pub type WatchEvent = Result<Batch, Vec<notify::Error>>;

/// The change a notify event means to scout, if any. Access events (opens, closes) and
/// events on no path mean nothing; lost events mean a rescan.
pub fn change_of(event: &notify::Event) -> Option<Change> {
    let kind = if event.need_rescan() {
        ChangeKind::Rescan
    } else {
        match event.kind {
            EventKind::Access(_) => return None,
            EventKind::Create(_) => ChangeKind::Created,
            EventKind::Remove(_) => ChangeKind::Removed,
            EventKind::Modify(ModifyKind::Name(_)) => ChangeKind::Renamed,
            EventKind::Modify(_) | EventKind::Any | EventKind::Other => ChangeKind::Modified,
        }
    };
    if event.paths.is_empty() && kind != ChangeKind::Rescan {
        return None;
    }
    Some(Change { kind, paths: event.paths.clone() })
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// A running watcher. Dropping it stops watching.
pub struct Watcher {
    inner: Inner,
    folders: Vec<PathBuf>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("polling", &self.polling())
            .field("folders", &self.folders)
            .finish_non_exhaustive()
    }
}

impl Watcher {
    /// Starts a watcher that calls `on_event` from its own thread with every debounced
    /// batch. It watches nothing until [`Watcher::watch_folder`] or
    /// [`Watcher::watch_file`] is called.
    pub fn new(
        options: WatchOptions,
        mut on_event: impl FnMut(WatchEvent) + Send + 'static,
    ) -> notify::Result<Self> {
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let delivered = Instant::now();
                let first_event = events.iter().map(|e| e.time).min().unwrap_or(delivered);
                let changes: Vec<Change> = events.iter().filter_map(|e| change_of(e)).collect();
                if !changes.is_empty() {
                    on_event(Ok(Batch { changes, first_event, delivered }));
                }
            }
            Err(errors) => on_event(Err(errors)),
        };
        let inner = match options.poll_interval {
            None => Inner::Native(new_debouncer_opt(
                options.debounce,
                None,
                handler,
                RecommendedCache::new(),
                notify::Config::default(),
            )?),
            Some(interval) => Inner::Poll(new_debouncer_opt(
                options.debounce,
                None,
                handler,
                NoCache::new(),
                // notify's poller compares modification times in whole seconds: without
                // hashing contents it misses a same-size save within a second.
                notify::Config::default().with_poll_interval(interval).with_compare_contents(true),
            )?),
        };
        Ok(Self { inner, folders: Vec::new() })
    }

    /// Whether this watcher polls.
    pub fn polling(&self) -> bool {
        matches!(self.inner, Inner::Poll(_))
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.inner {
            Inner::Native(debouncer) => debouncer.watch(path, mode),
            Inner::Poll(debouncer) => debouncer.watch(path, mode),
        }
    }

    /// Watches `dir` and everything below it. Returns the canonical path that events
    /// under it will carry.
    pub fn watch_folder(&mut self, dir: &Path) -> notify::Result<PathBuf> {
        let dir = dir.canonicalize().map_err(|err| notify::Error::io(err).add_path(dir.into()))?;
        self.watch(&dir, RecursiveMode::Recursive)?;
        self.folders.push(dir.clone());
        Ok(dir)
    }

    /// Watches one file, surviving rename-over saves and delete-then-create: through its
    /// parent folder (events for its siblings arrive too, so filter by the returned path),
    /// or, when polling, the path itself. Returns the path that events for the file will
    /// carry.
    pub fn watch_file(&mut self, file: &Path) -> notify::Result<PathBuf> {
        let parent = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let parent =
            parent.canonicalize().map_err(|err| notify::Error::io(err).add_path(parent.into()))?;
        let name = file
            .file_name()
            .ok_or_else(|| notify::Error::generic("not a file name").add_path(file.to_owned()))?;
        let path = parent.join(name);
        if self.folders.iter().any(|folder| parent.starts_with(folder)) {
            // Already seen through a recursive watch.
            return Ok(path);
        }
        if self.polling() {
            // Polling a whole folder would stat every sibling on each tick.
            self.watch(&path, RecursiveMode::NonRecursive)?;
        } else {
            self.watch(&parent, RecursiveMode::NonRecursive)?;
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, Flag, RemoveKind, RenameMode};

    #[test]
    fn converts_notify_events() {
        let event = |kind| notify::Event::new(kind).add_path("rules/tiers.toml".into());
        assert_eq!(
            change_of(&event(EventKind::Create(CreateKind::File))).unwrap().kind,
            ChangeKind::Created
        );
        assert_eq!(
            change_of(&event(EventKind::Remove(RemoveKind::Any))).unwrap().kind,
            ChangeKind::Removed
        );
        let rename = notify::Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path("rules/.tiers.toml.tmp".into())
            .add_path("rules/tiers.toml".into());
        let change = change_of(&rename).unwrap();
        assert_eq!(change.kind, ChangeKind::Renamed);
        assert_eq!(change.paths.len(), 2);
        assert_eq!(change_of(&event(EventKind::Access(AccessKind::Any))), None);
        let overflow = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(change_of(&overflow).unwrap().kind, ChangeKind::Rescan);
    }
}
