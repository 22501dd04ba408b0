//! `scout plan`: the table, error cases, estimated prices, and the solver's optimality
//! against brute force.

use proptest::prelude::*;
use scout::plan::solve::{search, solve, Counter, Item, Problem, Solution};

use crate::{json, rules_fixture, scout_in, write_rule, GLOWSKIN_NICHES, GLOWSKIN_WEIGHTS};

const CANDIDATES: &str = "rules/fixtures/candidates.csv";

const PRICES: &str = "[default]\nnano = 20\nmicro = 250\nmid = 2000\nmacro = 7500\nmega = 10000\n";

/// The fixture's glowskin with `plan` appended as its `[plan]` section.
fn with_plan(plan: &str) -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    let brand = crate::glowskin_toml(GLOWSKIN_NICHES, GLOWSKIN_WEIGHTS);
    write_rule(&tmp, "brands/glowskin.toml", &format!("{brand}\n{plan}"));
    write_rule(&tmp, "prices.toml", PRICES);
    tmp
}

fn plan(tmp: &tempfile::TempDir, extra: &[&str]) -> crate::Run {
    let mut args = vec!["plan", CANDIDATES, "--brand", "glowskin"];
    args.extend_from_slice(extra);
    scout_in(tmp.path(), &args, None)
}

#[test]
fn table_output() {
    let tmp = with_plan("[plan]\nbudget = 600\n\n[[plan.quota]]\ntier = \"nano\"\nmin = 1\n");
    let run = plan(&tmp, &["--format", "table"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("plan_table", run.stdout);
}

#[test]
fn json_accounts_for_every_row_and_respects_the_budget() {
    let tmp = with_plan("[plan]\nmax_creators = 3\n");
    let run = plan(&tmp, &["--budget", "500", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let c = &doc["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    assert_eq!(n("read"), n("ranked") + n("filtered") + n("invalid"));
    let booked = doc["booked"].as_array().unwrap();
    assert!(!booked.is_empty() && booked.len() <= 3);
    let spent: f64 = booked.iter().map(|b| b["price"].as_f64().unwrap()).sum();
    assert!(spent <= 500.0);
    assert!(doc["revision"].is_string());
}

#[test]
fn a_brand_can_refuse_estimated_prices() {
    let tmp = with_plan("[plan]\nestimated_prices = false\n");
    let run = plan(&tmp, &["--budget", "100000", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    assert!(doc["booked"].as_array().unwrap().iter().all(|b| b["estimated"] == false));
}

#[test]
fn bad_budgets_are_fatal() {
    let tmp = with_plan("");
    for budget in ["0", "-5"] {
        let run = plan(&tmp, &["--budget", budget]);
        assert_eq!(run.code, 2, "{budget}: {}", run.stderr);
        assert!(run.stderr.contains("the budget must be above $0"), "{}", run.stderr);
    }
    let run = plan(&tmp, &["--budget", "1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("below the cheapest candidate"), "{}", run.stderr);
}

#[test]
fn conflicting_quotas_are_named() {
    let tmp = with_plan(
        "[plan]\nmax_creators = 3\n\n[[plan.quota]]\ntier = \"nano\"\nmin = 2\n\n[[plan.quota]]\ntier = \"micro\"\nmin = 2\n",
    );
    let run = plan(&tmp, &["--budget", "5000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`tier nano ≥ 2` and `tier micro ≥ 2` need 4 creators"),
        "{}",
        run.stderr
    );
}

#[test]
fn plan_table_errors_are_located() {
    let tmp =
        with_plan("[plan]\nobjective = \"fame\"\n\n[[plan.quota]]\ntier = \"nanoo\"\nmin = 1\n");
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown objective `fame`"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown tier `nanoo` in a quota"), "{}", run.stderr);
    assert!(run.stderr.contains("brands/glowskin.toml:"), "{}", run.stderr);
}

/// The best value by trying every subset.
fn brute_force(problem: &Problem, budget: u64) -> Option<f64> {
    let n = problem.items.len();
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << n) {
        let chosen: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        let cost: u64 = chosen.iter().map(|&i| problem.items[i].price).sum();
        if cost > budget {
            continue;
        }
        let mut groups: Vec<usize> = chosen.iter().map(|&i| problem.items[i].group).collect();
        groups.sort_unstable();
        groups.dedup();
        if groups.len() < chosen.len() {
            continue;
        }
        let ok = problem.counters.iter().enumerate().all(|(c, counter)| {
            let n =
                chosen.iter().filter(|&&i| problem.items[i].counters.contains(&c)).count() as u64;
            n >= counter.min && counter.max.is_none_or(|m| n <= m)
        });
        if ok {
            let value: f64 = chosen.iter().map(|&i| problem.items[i].value).sum();
            best = Some(best.map_or(value, |b: f64| b.max(value)));
        }
    }
    best
}

fn problems() -> impl Strategy<Value = (Problem, u64)> {
    let counter = (0u64..3, prop::option::of(0u64..4))
        .prop_map(|(min, max)| Counter { min, max: max.map(|m| m.max(min)) });
    (prop::collection::vec(counter, 0..4), 1usize..=18).prop_flat_map(|(counters, n)| {
        let k = counters.len();
        let item = (1u64..60, 0.0f64..100.0, prop::collection::vec(any::<bool>(), k), 0usize..n)
            .prop_map(|(price, value, member, group)| Item {
                price: price * 100,
                value: (value * 100.0).round() / 100.0,
                counters: member.iter().enumerate().filter(|(_, m)| **m).map(|(c, _)| c).collect(),
                group,
            });
        (prop::collection::vec(item, n), 20u64..400).prop_map(move |(items, budget)| {
            (Problem { items, counters: counters.clone() }, budget * 100)
        })
    })
}

/// Checks `got` against brute force: same value, within budget, the chosen set adds up and
/// meets every constraint.
fn check(problem: &Problem, budget: u64, got: &Option<Solution>) -> Result<(), TestCaseError> {
    let expected = brute_force(problem, budget);
    match (got, expected) {
        (None, None) => {}
        (Some(solution), Some(best)) => {
            prop_assert!(
                (solution.value - best).abs() < 1e-6,
                "got {} want {best}",
                solution.value
            );
            prop_assert!(solution.cost <= budget);
            let value: f64 = solution.chosen.iter().map(|&i| problem.items[i].value).sum();
            prop_assert!((value - solution.value).abs() < 1e-6);
            let alone = Problem {
                items: solution.chosen.iter().map(|&i| problem.items[i].clone()).collect(),
                counters: problem.counters.clone(),
            };
            prop_assert_eq!(
                brute_force(&alone, budget).map(|v| (v - value).abs() < 1e-6),
                Some(true)
            );
        }
        _ => prop_assert!(false, "got {got:?}, brute force {expected:?}"),
    }
    Ok(())
}

/// Problems where the quotas bind and creators have several accounts: up to 5 counters
/// with minimums up to 4 and maximums as low as 0, most items in some counter, a few
/// creators for all the items, values that correlate with prices (hard knapsacks).
fn tight_problems() -> impl Strategy<Value = (Problem, Vec<u64>)> {
    let counter = (0u64..5, prop::option::of(0u64..5))
        .prop_map(|(min, max)| Counter { min, max: max.map(|m| m.max(min)) });
    (prop::collection::vec(counter, 1..6), 4usize..=16, 1usize..6).prop_flat_map(
        |(counters, n, creators)| {
            let k = counters.len();
            let item = (1u64..40, 0.0f64..20.0, prop::collection::vec(0u8..3, k), 0..creators)
                .prop_map(|(price, noise, member, group)| Item {
                    price: price * 100,
                    value: ((price as f64 * 2.0 + noise) * 100.0).round() / 100.0,
                    counters: member
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| **m > 0)
                        .map(|(c, _)| c)
                        .collect(),
                    group,
                });
            (prop::collection::vec(item, n), prop::collection::vec(10u64..300, 1..4)).prop_map(
                move |(items, budgets)| {
                    let budgets = budgets.into_iter().map(|b| b * 100).collect();
                    (Problem { items, counters: counters.clone() }, budgets)
                },
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_plan_is_optimal((problem, budget) in problems()) {
        for reduce in [true, false] {
            let got = solve(&problem, &[budget], reduce).unwrap().remove(0);
            check(&problem, budget, &got)?;
        }
        let got = search(&problem, &[budget]).unwrap().remove(0);
        check(&problem, budget, &got)?;
    }

    #[test]
    fn the_search_is_optimal_under_tight_quotas_and_shared_creators(
        (problem, budgets) in tight_problems()
    ) {
        let searched = search(&problem, &budgets).unwrap();
        let dp = solve(&problem, &budgets, false).unwrap();
        for ((got, dp), &budget) in searched.iter().zip(&dp).zip(&budgets) {
            check(&problem, budget, got)?;
            check(&problem, budget, dp)?;
        }
    }
}
