//! The floor under target 4 of the speed issue: how long arrow-rs takes only to decode a
//! Parquet file into Arrow batches, row groups two at a time (one a core), with nothing
//! else done (no rows built, nothing judged). BENCHMARKS.md compares it with polars running
//! the whole benchmark query on the same file.
//!
//! ```text
//! cargo run --release --example parquet_decode -- FILE.parquet [COLUMN ...]
//! ```
//!
//! With columns, only those are decoded (the projection a query reading them would ask
//! for); without, every column (what scout reads, since it checks every cell).

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: parquet_decode FILE.parquet [COLUMN ...]")?;
    let wanted: Vec<String> = args.collect();
    let started = std::time::Instant::now();
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path)?)?;
    let groups = builder.metadata().num_row_groups();
    let schema = builder.parquet_schema();
    let leaves: Vec<usize> = (0..schema.num_columns())
        .filter(|&i| wanted.is_empty() || wanted.iter().any(|w| w == schema.column(i).name()))
        .collect();
    let decode = |group: usize| -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path)?)?;
        let mask = ProjectionMask::leaves(builder.parquet_schema(), leaves.iter().copied());
        let reader = builder.with_row_groups(vec![group]).with_projection(mask).build()?;
        reader.map(|batch| Ok(batch?.num_rows())).sum()
    };
    let rows = (0..groups).into_par_iter().map(decode).sum::<Result<usize, _>>()?;
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("{rows} rows, {groups} row groups, {} columns decoded: {elapsed:.3} s", leaves.len());
    Ok(())
}
