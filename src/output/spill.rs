//! Temporary storage for a run's account records ([`crate::rank::Overflow`]): one
//! anonymous temporary file a partition, created when first needed and unlinked from the
//! start, so nothing is left behind whatever way the process ends.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use crate::rank::Overflow;

/// Anonymous temporary files, one a partition, in the system's temporary folder.
#[derive(Default)]
pub struct TempFiles {
    files: Mutex<Vec<Option<File>>>,
}

/// A run's overflow: what the CLI hands `rank::Spill::overflow`.
pub fn temp_files() -> Box<dyn Overflow> {
    Box::new(TempFiles::default())
}

impl TempFiles {
    fn with_file<T>(
        &self,
        part: usize,
        create: bool,
        f: impl FnOnce(&mut File) -> std::io::Result<T>,
    ) -> std::io::Result<Option<T>> {
        let mut files = self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if files.len() <= part {
            files.resize_with(part + 1, || None);
        }
        if files[part].is_none() && create {
            files[part] = Some(tempfile::tempfile()?);
        }
        files[part].as_mut().map(f).transpose()
    }
}

impl Overflow for TempFiles {
    fn append(&self, part: usize, bytes: &[u8]) -> std::io::Result<()> {
        self.with_file(part, true, |file| file.write_all(bytes)).map(|_| ())
    }

    fn read(&self, part: usize) -> std::io::Result<Vec<u8>> {
        let read = |file: &mut File| {
            let end = file.stream_position()?;
            file.seek(SeekFrom::Start(0))?;
            let mut bytes = Vec::with_capacity(usize::try_from(end).unwrap_or(0));
            file.read_to_end(&mut bytes)?;
            Ok(bytes)
        };
        Ok(self.with_file(part, false, read)?.unwrap_or_default())
    }
}
