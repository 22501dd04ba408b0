//! Output files: every file scout writes goes through here.
//!
//! - A path that resolves to a file the command reads (the candidate list, the mapping
//!   profile, a rule file) is refused before anything is written ([`OutputTarget::new`]):
//!   paths are compared canonically, and on Unix by device and inode too, so symbolic and
//!   hard links are caught.
//! - A regular file or a new path is written atomically: a temp file in the same folder,
//!   renamed over the target, so readers never see half a file. The replaced file's
//!   permissions are kept; a new file gets the default the umask gives (`0666 & !umask`).
//! - Anything else that exists (a character device such as `/dev/null`, a FIFO) is opened
//!   and written in place: it is never replaced by a regular file.
//! - Temp files in flight are registered, so a signal handler can remove them before the
//!   process exits ([`remove_temp_files`]).

use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A file a command reads, which no output may overwrite.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// What the file is to the command, for messages: `candidate list`, `rule file`, ….
    pub role: &'static str,
    /// The path as given, for messages.
    pub path: PathBuf,
    canonical: Option<PathBuf>,
    id: Option<FileId>,
}

/// A file's (device, inode) on Unix; nothing elsewhere.
type FileId = (u64, u64);

impl InputFile {
    /// The input at `path`; a path that does not resolve is kept, and matches nothing.
    pub fn new(role: &'static str, path: &Path) -> Self {
        Self {
            role,
            path: path.to_owned(),
            canonical: fs::canonicalize(path).ok(),
            id: fs::metadata(path).ok().as_ref().and_then(file_id),
        }
    }

    /// Standard input, when it is redirected from a regular file (Unix only): writing over
    /// that file would destroy the input just as surely as naming it.
    pub fn stdin(role: &'static str) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd as _;
            let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
            let metadata = fs::File::from(fd).metadata().ok()?;
            if !metadata.is_file() {
                return None;
            }
            Some(Self { role, path: PathBuf::from("-"), canonical: None, id: file_id(&metadata) })
        }
        #[cfg(not(unix))]
        {
            let _ = role;
            None
        }
    }

    /// Every file under `dir`, recursively, with `role`; linked folders are not followed.
    pub fn all_under(role: &'static str, dir: &Path) -> Vec<Self> {
        let mut files = Vec::new();
        let mut pending = vec![dir.to_owned()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => pending.push(path),
                    Ok(_) => files.push(Self::new(role, &path)),
                    Err(_) => {}
                }
            }
        }
        files
    }

    /// Whether the output at `canonical` (with `id`, when it exists) is this file.
    fn is(&self, canonical: Option<&Path>, id: Option<FileId>) -> bool {
        let same_path = matches!((&self.canonical, canonical), (Some(a), Some(b)) if a == b);
        let same_file = matches!((self.id, id), (Some(a), Some(b)) if a == b);
        same_path || same_file
    }
}

#[cfg(unix)]
fn file_id(metadata: &fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt as _;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &fs::Metadata) -> Option<FileId> {
    None
}

/// Why an output file was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output path resolves to a file the command reads.
    #[error("the output `{}` is the {} `{}`: writing it would destroy the input", output.display(), input.role, input.path.display())]
    IsInput {
        /// The output path, as given.
        output: PathBuf,
        /// The input it resolves to.
        input: InputFile,
    },
    /// Two outputs of one command resolve to the same file.
    #[error("the outputs `{}` and `{}` are the same file", first.display(), second.display())]
    SameOutput {
        /// The first output, as given.
        first: PathBuf,
        /// The second output, as given.
        second: PathBuf,
    },
    /// Writing failed.
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        /// The output path, as given.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

impl OutputError {
    /// A known fix, if any.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::IsInput { .. } => {
                Some("write to another file; scout never writes over a file it reads".to_owned())
            }
            Self::SameOutput { .. } => Some("give each output its own file".to_owned()),
            Self::Io { .. } => None,
        }
    }
}

/// An output path checked against the command's inputs, ready to write.
#[derive(Clone, Debug)]
pub struct OutputTarget {
    path: PathBuf,
    canonical: Option<PathBuf>,
    id: Option<FileId>,
}

impl OutputTarget {
    /// Checks `path` against `inputs`: an output that resolves to one of them is refused.
    pub fn new(path: &Path, inputs: &[InputFile]) -> Result<Self, OutputError> {
        let target = Self {
            path: path.to_owned(),
            canonical: resolve(path),
            id: fs::metadata(path).ok().as_ref().and_then(file_id),
        };
        match inputs.iter().find(|input| input.is(target.canonical.as_deref(), target.id)) {
            Some(input) => {
                Err(OutputError::IsInput { output: path.to_owned(), input: input.clone() })
            }
            None => Ok(target),
        }
    }

    /// Refuses `other` when it resolves to the same file as this target.
    pub fn distinct_from(&self, other: &OutputTarget) -> Result<(), OutputError> {
        let same_path = matches!((&self.canonical, &other.canonical), (Some(a), Some(b)) if a == b);
        let same_file = matches!((self.id, other.id), (Some(a), Some(b)) if a == b);
        if same_path || same_file {
            return Err(OutputError::SameOutput {
                first: self.path.clone(),
                second: other.path.clone(),
            });
        }
        Ok(())
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the target: a regular file or a new path atomically, keeping an existing
    /// file's permissions; anything else that exists (a device, a FIFO) in place.
    pub fn write(
        &self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        let written = match fs::metadata(&self.path) {
            Ok(metadata) if metadata.is_file() => {
                write_replacing(&self.path, Some(metadata.permissions()), write)
            }
            Ok(_) => write_in_place(&self.path, write),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                write_replacing(&self.path, None, write)
            }
            Err(err) => Err(err),
        };
        written.map_err(|source| OutputError::Io { path: self.path.clone(), source })
    }
}

/// Checks `path` against `inputs`, then writes it (see [`OutputTarget::write`]).
pub fn write_output(
    path: &Path,
    inputs: &[InputFile],
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    OutputTarget::new(path, inputs)?.write(write)
}

/// Writes `path` for a command that reads no files: atomically for a regular file or a
/// new path, in place for anything else (see [`OutputTarget::write`]).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write_output(path, &[], write).map_err(|err| match err {
        OutputError::Io { source, .. } => source,
        other => io::Error::other(other.to_string()),
    })
}

/// Writes a new file atomically and never over an existing one (which is an
/// [`io::ErrorKind::AlreadyExists`] error), with the permissions the umask gives.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = InFlight::create(folder_of(path), None)?;
    temp.file().write_all(bytes)?;
    temp.file().sync_all()?;
    temp.persist(path, true)
}

/// Removes every temp file still being written, for a signal handler about to end the
/// process. The registry stays locked afterwards, so no write can finish meanwhile and
/// leave a half-registered file: call it only right before exiting.
pub fn remove_temp_files() {
    let registry = registry();
    for path in registry.iter() {
        let _ = fs::remove_file(path);
    }
    std::mem::forget(registry);
}

/// The canonical form of an output path: the path itself when it exists, else its
/// canonical folder joined with its file name.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(canonical) = fs::canonicalize(path) {
        return Some(canonical);
    }
    let name = path.file_name()?;
    Some(fs::canonicalize(folder_of(path)).ok()?.join(name))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Writes a temp file beside `path` and renames it over `path`; with the permissions of
/// the file it replaces, if any.
fn write_replacing(
    path: &Path,
    keep: Option<Permissions>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut temp = InFlight::create(folder_of(path), keep.as_ref())?;
    {
        let mut buffered = io::BufWriter::new(temp.file());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    if let Some(permissions) = keep {
        temp.file().set_permissions(permissions)?;
    }
    temp.file().sync_all()?;
    temp.persist(path, false)
}

/// Streams into an existing file that is not a regular one, without replacing it.
fn write_in_place(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let file = fs::OpenOptions::new().write(true).open(path)?;
    let mut buffered = io::BufWriter::new(file);
    write(&mut buffered)?;
    buffered.flush()
}

/// Gives the temp file the permissions a new file gets: `0666 & !umask`, as the system
/// applies the umask when the file is created.
#[cfg(unix)]
fn as_new_file(builder: &mut tempfile::Builder<'_, '_>) {
    use std::os::unix::fs::PermissionsExt as _;
    builder.permissions(Permissions::from_mode(0o666));
}

/// Elsewhere, the temp file's defaults are a new file's.
#[cfg(not(unix))]
fn as_new_file(_: &mut tempfile::Builder<'_, '_>) {}

/// The paths of the temp files being written, for [`remove_temp_files`].
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A registered temp file: removed and unregistered together when dropped unpersisted,
/// renamed and unregistered together when persisted, all under the registry's lock.
struct InFlight {
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl InFlight {
    /// A new temp file in `dir`: private when it is to take `existing` permissions later,
    /// else with the permissions a new file gets (`0666 & !umask` on Unix).
    fn create(dir: &Path, existing: Option<&Permissions>) -> io::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".scout-").suffix(".tmp");
        if existing.is_none() {
            as_new_file(&mut builder);
        }
        // Registered under the lock it was created under: a signal handler sees it at once.
        let mut registry = registry();
        let file = builder.tempfile_in(dir)?;
        let path = file.path().to_owned();
        registry.push(path.clone());
        Ok(Self { file: Some(file), path })
    }

    fn file(&mut self) -> &mut fs::File {
        self.file.as_mut().expect("an in-flight temp file is open until persisted").as_file_mut()
    }

    /// Renames the temp file to `path` (refusing an existing `path` when `noclobber`).
    fn persist(mut self, path: &Path, noclobber: bool) -> io::Result<()> {
        let mut registry = registry();
        let file = self.file.take().expect("an in-flight temp file is persisted once");
        let persisted = if noclobber { file.persist_noclobber(path) } else { file.persist(path) };
        // On failure the temp file is dropped, and so removed, while the lock is held.
        let result = persisted.map(drop).map_err(|err| err.error);
        registry.retain(|p| p != &self.path);
        result
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let mut registry = registry();
            drop(file);
            registry.retain(|p| p != &self.path);
        }
    }
}
