//! What explaining costs: `engine::evaluate` with `Options::default()` (the path
//! `scout rank` takes) against `explain: true`, and the full `scout explain` trace, on the
//! bundled example candidates for each bundled brand.
//!
//! Run: `cargo bench --bench explain`. Figures are recorded in BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_main, Criterion, Throughput};
use scout::engine::{evaluate, Options};
use scout::input::{self, Format, Source};
use scout::model::Candidate;

fn candidates() -> Vec<Candidate> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/candidates.csv");
    let rows = input::read(&Source::File(path), Format::Csv).expect("the examples read");
    rows.map(|row| row.expect("the examples are valid")).collect()
}

fn explain_overhead(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let rules = scout::rules::load(&root).expect("the bundled rules load");
    let candidates = candidates();
    for brand in rules.brands.values() {
        let mut group = c.benchmark_group(format!("evaluate/{}", brand.id));
        group.throughput(Throughput::Elements(candidates.len() as u64));
        for (name, explain) in [("explain_off", false), ("explain_on", true)] {
            group.bench_function(name, |b| {
                b.iter(|| {
                    for candidate in &candidates {
                        let _ = black_box(evaluate(
                            &rules,
                            brand,
                            black_box(candidate),
                            Options { explain, ..Options::default() },
                        ));
                    }
                })
            });
        }
        group.bench_function("explain_trace", |b| {
            b.iter(|| {
                for candidate in &candidates {
                    let _ = black_box(scout::authoring::explain::explain(
                        &rules,
                        brand,
                        black_box(candidate),
                    ));
                }
            })
        });
        group.finish();
    }
}

// The macro's function has no doc comment of its own.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::explain_overhead);
}
criterion_main!(group::benches);
