#![allow(missing_docs)]
//! Formula throughput: each bundled formula on the compiled fast path, in the rhai
//! interpreter, and (for the benchmark formula) as hand-written Rust; plus whole
//! evaluations (metrics, tier, filters, components, score) both ways.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scout::engine::{self, evaluate, Options};

mod common;

/// The benchmark formula, written by hand: the native baseline.
fn native(followers: f64, er: f64, benchmark: f64, niche: f64, cost: f64, fake: f64) -> f64 {
    100.0
        * (0.4 * (er / benchmark).min(2.0) / 2.0
            + 0.3 * niche
            + 0.2 * (followers * er / (cost * 50.0)).min(1.0)
            + 0.1 * (1.0 - fake))
}

fn formulas(c: &mut Criterion) {
    let rules = scout::rules::load(std::path::Path::new("rules")).expect("the bundled rules load");
    let candidates = common::candidates(1_000);
    for brand_id in ["bench", "glowskin"] {
        let brand = rules.brand(brand_id).unwrap();
        let evaluated: Vec<_> = candidates
            .iter()
            .map(|c| {
                (
                    c,
                    evaluate(&rules, brand, c, Options { explain: true, interpreted: false })
                        .unwrap(),
                )
            })
            .collect();
        let mut group = c.benchmark_group(format!("formula/{brand_id}"));
        group.throughput(Throughput::Elements(evaluated.len() as u64));
        let fast = brand.fast_script.as_ref().expect("compiled");
        // The script's inputs are built once, as the scopes are for the interpreter: this
        // measures the formula itself.
        let inputs: Vec<_> =
            evaluated.iter().map(|(c, e)| engine::script_inputs(brand, c, e)).collect();
        group.bench_function(BenchmarkId::new("fast_path", evaluated.len()), |b| {
            b.iter(|| {
                let mut sum = 0.0;
                for inputs in &inputs {
                    sum += fast.eval_number(black_box(inputs)).unwrap();
                }
                sum
            })
        });
        let scopes: Vec<_> =
            evaluated.iter().map(|(c, e)| engine::script_scope_for(&rules, brand, c, e)).collect();
        group.bench_function(BenchmarkId::new("interpreter", evaluated.len()), |b| {
            b.iter(|| {
                let mut sum = 0.0;
                for scope in &scopes {
                    let mut scope = scope.clone();
                    sum +=
                        rules.sandbox.eval_score(&brand.script.ast, black_box(&mut scope)).unwrap();
                }
                sum
            })
        });
        if brand_id == "bench" {
            group.bench_function(BenchmarkId::new("native", evaluated.len()), |b| {
                b.iter(|| {
                    let mut sum = 0.0;
                    for (c, e) in &evaluated {
                        sum += native(
                            black_box(c.followers as f64),
                            e.metrics.engagement_rate.unwrap(),
                            e.tier.benchmark.unwrap(),
                            e.components.niche_fit,
                            c.cost_per_post.unwrap(),
                            c.fake_follower_pct.unwrap(),
                        );
                    }
                    sum
                })
            });
        }
        group.finish();
    }
}

fn evaluations(c: &mut Criterion) {
    let rules = scout::rules::load(std::path::Path::new("rules")).expect("the bundled rules load");
    let candidates = common::candidates(1_000);
    let brand = rules.brand("bench").unwrap();
    let mut group = c.benchmark_group("evaluate/bench");
    group.throughput(Throughput::Elements(candidates.len() as u64));
    for (name, interpreted) in [("fast_path", false), ("interpreter", true)] {
        group.bench_function(BenchmarkId::new(name, candidates.len()), |b| {
            b.iter(|| {
                candidates
                    .iter()
                    .filter_map(|c| {
                        evaluate(&rules, brand, c, Options { explain: false, interpreted })
                            .unwrap()
                            .score
                    })
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, formulas, evaluations);
criterion_main!(benches);
