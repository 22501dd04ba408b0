#![allow(missing_docs)]
//! Parsing throughput: CSV text to candidates, with the csv crate alone as the baseline.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scout::input::columns::ColumnPlan;
use scout::model::Candidate;

mod common;

fn parse(c: &mut Criterion) {
    const ROWS: usize = 100_000;
    let text = common::csv(ROWS);
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("csv_records_only", ROWS), |b| {
        b.iter(|| {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let mut record = csv::StringRecord::new();
            let mut n = 0;
            while reader.read_record(&mut record).unwrap() {
                n += record.len();
            }
            n
        })
    });
    group.bench_function(BenchmarkId::new("candidates", ROWS), |b| {
        b.iter(|| {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers = reader.headers().unwrap().clone();
            let plan = ColumnPlan::from_headers("bench", headers.iter(), None).unwrap();
            let mut record = csv::StringRecord::new();
            let mut candidate = Candidate::default();
            let mut n = 0;
            while reader.read_record(&mut record).unwrap() {
                plan.fill(&mut candidate, 0, record.len(), record.iter()).unwrap();
                n += candidate.followers as usize;
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
