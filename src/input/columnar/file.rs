//! A Parquet or Arrow IPC file opened for reading: its footer read, its schema compiled
//! into an [`ArrowPlan`], then its rows decoded on every thread (Parquet: one row group
//! per task; Arrow IPC: each batch in slices) or streamed batch by batch.

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_ipc::reader::FileReader;
use arrow_schema::ArrowError;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use super::{batch_rows, ArrowPlan};
use crate::input::{Format, InputError, ReadOptions, RowSink, Rows};
use crate::model::{Candidate, RowError};

/// Rows decoded at a time: a batch's columns stay small whatever the row groups' size.
const BATCH_ROWS: usize = 8_192;

/// A columnar file opened for ranking.
pub struct ColumnarFile {
    path: PathBuf,
    plan: ArrowPlan,
    layout: Layout,
}

/// What each format needs to read the file again on any thread.
enum Layout {
    Parquet {
        metadata: ArrowReaderMetadata,
        mask: ProjectionMask,
        /// Each row group's 1-based first row and compressed size.
        groups: Vec<(u64, u64)>,
    },
    Ipc,
}

/// Batches as a reader yields them.
type Batches = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + Send>;

impl ColumnarFile {
    /// Opens `path` as `format` (Parquet or Arrow IPC): reads its footer and schema and
    /// compiles the schema into the file's plan. Nothing of the rows is decoded yet.
    pub fn open(path: &Path, format: Format, options: &ReadOptions) -> Result<Self, InputError> {
        let name = path.display().to_string();
        let broken = |err: &dyn std::fmt::Display| InputError::Columnar {
            name: name.clone(),
            format,
            message: err.to_string(),
        };
        let file =
            File::open(path).map_err(|source| InputError::Io { name: name.clone(), source })?;
        let (plan, layout) = match format {
            Format::Parquet => {
                let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
                    .map_err(|err| broken(&err))?;
                let plan = ArrowPlan::compile(&name, format, metadata.schema(), options)?;
                let descriptor = metadata.metadata().file_metadata().schema_descr();
                let mask = ProjectionMask::roots(descriptor, plan.projection().iter().copied());
                let mut first = 1u64;
                let groups = (metadata.metadata().row_groups().iter())
                    .map(|group| {
                        let at = first;
                        first = first.saturating_add(group.num_rows().max(0) as u64);
                        (at, group.compressed_size().max(0) as u64)
                    })
                    .collect();
                (plan, Layout::Parquet { metadata, mask, groups })
            }
            _ => {
                let reader =
                    FileReader::try_new_buffered(file, None).map_err(|err| broken(&err))?;
                (ArrowPlan::compile(&name, format, &reader.schema(), options)?, Layout::Ipc)
            }
        };
        Ok(Self { path: path.to_owned(), plan, layout })
    }

    /// The plan the file's rows are built with.
    pub fn plan(&self) -> &ArrowPlan {
        &self.plan
    }

    /// Reads every row on the rayon pool, into sinks from `new_sink` that come back in
    /// file order. `progress` is called with each Parquet row group's compressed size when
    /// it is done.
    pub fn read<S: RowSink + Send>(
        &self,
        new_sink: impl Fn() -> S + Sync,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<S>, InputError> {
        match &self.layout {
            Layout::Parquet { groups, .. } => (0..groups.len())
                .into_par_iter()
                .map(|g| {
                    let mut sink = new_sink();
                    let mut row = groups[g].0;
                    for batch in self.batches(Some(g))? {
                        let batch = batch.map_err(|err| self.plan.error(err))?;
                        batch_rows(&self.plan, &batch, row, &mut sink)?;
                        row += batch.num_rows() as u64;
                    }
                    progress(groups[g].1);
                    Ok(sink)
                })
                .collect(),
            Layout::Ipc => self.read_sliced(new_sink),
        }
    }

    /// Reads the batches in order, each split into one slice per thread.
    fn read_sliced<S: RowSink + Send>(
        &self,
        new_sink: impl Fn() -> S + Sync,
    ) -> Result<Vec<S>, InputError> {
        let threads = rayon::current_num_threads().max(1);
        let mut sinks = Vec::new();
        let mut first = 1u64;
        for batch in self.batches(None)? {
            let batch = batch.map_err(|err| self.plan.error(err))?;
            let step = batch.num_rows().div_ceil(threads).max(1);
            let parts: Result<Vec<S>, InputError> = (0..batch.num_rows())
                .step_by(step)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|start| {
                    let mut sink = new_sink();
                    let slice = batch.slice(start, step.min(batch.num_rows() - start));
                    batch_rows(&self.plan, &slice, first + start as u64, &mut sink)?;
                    Ok(sink)
                })
                .collect();
            sinks.extend(parts?);
            first += batch.num_rows() as u64;
        }
        Ok(sinks)
    }

    /// The file's batches, of the plan's columns only: one Parquet row group's, or all.
    fn batches(&self, group: Option<usize>) -> Result<Batches, InputError> {
        let file = File::open(&self.path)
            .map_err(|source| InputError::Io { name: self.plan.name.clone(), source })?;
        match &self.layout {
            Layout::Parquet { metadata, mask, .. } => {
                let builder =
                    ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone())
                        .with_projection(mask.clone())
                        .with_batch_size(BATCH_ROWS);
                let builder = match group {
                    Some(g) => builder.with_row_groups(vec![g]),
                    None => builder,
                };
                Ok(Box::new(builder.build().map_err(|err| self.plan.error(err))?))
            }
            Layout::Ipc => {
                let projection = self.plan.projection().to_vec();
                let reader = FileReader::try_new_buffered(file, Some(projection))
                    .map_err(|err| self.plan.error(err))?;
                Ok(Box::new(reader))
            }
        }
    }

    /// Streams the rows, one batch decoded at a time. A file that breaks off part way
    /// (a corrupt page) ends the stream with one unusable row saying so.
    pub fn rows(self) -> Result<Rows, InputError> {
        let batches = self.batches(None)?;
        Ok(Box::new(Stream { plan: self.plan, batches, ready: VecDeque::new(), next: 1 }))
    }
}

/// The rows of a file, batch by batch.
struct Stream {
    plan: ArrowPlan,
    batches: Batches,
    ready: VecDeque<Result<Candidate, RowError>>,
    /// The 1-based number of the next batch's first row; 0 once the stream has ended.
    next: u64,
}

impl RowSink for VecDeque<Result<Candidate, RowError>> {
    fn take(&mut self, candidate: &mut Candidate) {
        self.push_back(Ok(std::mem::take(candidate)));
    }

    fn reject(&mut self, error: RowError) {
        self.push_back(Err(error));
    }
}

impl Iterator for Stream {
    type Item = Result<Candidate, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.ready.is_empty() && self.next > 0 {
            let Some(batch) = self.batches.next() else {
                self.next = 0;
                break;
            };
            let read = batch.map_err(|err| self.plan.error(err)).and_then(|batch| {
                batch_rows(&self.plan, &batch, self.next, &mut self.ready)
                    .map(|()| batch.num_rows() as u64)
            });
            match read {
                Ok(rows) => self.next += rows,
                Err(err) => {
                    self.ready.push_back(Err(RowError {
                        line: self.next,
                        handle: None,
                        column: None,
                        message: format!("the rows from here on cannot be read: {err}"),
                        record: None,
                    }));
                    self.next = 0;
                }
            }
        }
        self.ready.pop_front()
    }
}
