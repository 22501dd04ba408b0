#![allow(missing_docs)]
//! `scout plan`'s solver on generated lists: time against candidate count and budget, and
//! the greedy baselines' gap to the exact plan. Run with
//! `cargo bench --bench plan` (prints a table; figures go into BENCHMARKS.md).

use std::time::Instant;

use scout::plan::greedy_in_order;
use scout::plan::solve::{solve, Counter, Item, Problem};

struct Rng(u64);
impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` candidates shaped like a real list: tier by followers (nano, micro, mid), price by
/// tier in whole dollars (DOMAIN.md's ranges), score 20–95; three quotas: nano ≥ 3,
/// tiktok ≤ 10, country US ≥ 5; one account per creator (handles repeat across platforms).
fn problem(n: usize, seed: u64) -> Problem {
    let mut rng = Rng(seed);
    let items = (0..n)
        .map(|i| {
            let tier = rng.unit();
            let (lo, hi) = if tier < 0.4 {
                (20.0, 100.0)
            } else if tier < 0.9 {
                (100.0, 500.0)
            } else {
                (500.0, 5000.0)
            };
            let price = (lo + rng.unit() * (hi - lo)).round() as u64 * 100;
            let score = 20.0 + rng.unit() * 75.0;
            let mut counters = Vec::new();
            if tier < 0.4 {
                counters.push(0);
            }
            if rng.unit() < 0.35 {
                counters.push(1);
            }
            if rng.unit() < 0.3 {
                counters.push(2);
            }
            Item { price, value: (score * 100.0).round() / 100.0, counters, group: i * 9 / 10 }
        })
        .collect();
    Problem {
        items,
        counters: vec![
            Counter { min: 3, max: None },
            Counter { min: 0, max: Some(10) },
            Counter { min: 5, max: None },
        ],
    }
}

fn main() {
    println!("| candidates | budget | solve (ms, best of 3) | plan score | greedy by score | greedy by score per $ |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for (n, budget) in
        [(1_000, 10_000u64), (10_000, 1_000), (10_000, 10_000), (10_000, 50_000), (50_000, 10_000)]
    {
        let problem = problem(n, 42);
        let mut best_ms = f64::INFINITY;
        let mut solution = None;
        let mut failed = None;
        for _ in 0..3 {
            let start = Instant::now();
            match solve(&problem, &[budget * 100], true) {
                Ok(mut out) => solution = out.remove(0),
                Err(e) => failed = Some(e),
            }
            best_ms = best_ms.min(start.elapsed().as_secs_f64() * 1e3);
        }
        if let Some(e) = failed {
            println!("| {n} | ${budget} | {best_ms:.1} (fails: {e}) | | | |");
            continue;
        }
        let solution = solution.expect("feasible");
        let items = &problem.items;
        let mut by_score: Vec<usize> = (0..items.len()).collect();
        by_score.sort_by(|&a, &b| items[b].value.total_cmp(&items[a].value));
        let mut by_ratio: Vec<usize> = (0..items.len()).collect();
        by_ratio.sort_by(|&a, &b| {
            (items[b].value / items[b].price as f64)
                .total_cmp(&(items[a].value / items[a].price as f64))
        });
        let gap = |order: &[usize]| {
            let (value, feasible) = greedy_in_order(&problem, budget * 100, order);
            format!(
                "{value:.1} (−{:.1}%{})",
                (solution.value - value) / solution.value * 100.0,
                if feasible { "" } else { ", misses a quota" }
            )
        };
        println!(
            "| {n} | ${budget} | {best_ms:.1} | {:.1} ({} booked) | {} | {} |",
            solution.value,
            solution.chosen.len(),
            gap(&by_score),
            gap(&by_ratio)
        );
    }
}
