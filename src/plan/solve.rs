//! The exact solver behind `scout plan`: a 0/1 knapsack over the budget with counting
//! constraints (quotas, creator counts) and at most one item per group (one account per
//! creator).
//!
//! # Why a dynamic program
//!
//! Prices are money, so they are integers in cents; dividing every price by their greatest
//! common divisor gives the budget in a few thousand units for real lists (whole-dollar
//! prices and a $10,000 budget are 10,001 columns). A DP over the budget is then exact,
//! needs no floating-point LP tolerances, and runs in `items × budget units × states`
//! steps with a predictable memory bound. A state is the count of each constrained group,
//! capped: a `min`-only quota needs counts up to `min` (more is as good as `min`), a quota
//! with a `max` counts up to `max` and forbids more. An ILP (good_lp with a pure-Rust
//! backend) would handle the same model, but would bring a new dependency and a
//! branch-and-bound whose running time depends on LP degeneracy; the DP's does not.
//!
//! What makes it fast on 10,000 candidates is a *reduction* before the DP, the classic
//! one for knapsacks (Ingargiola and Korsh): a greedy plan that meets every constraint is a
//! lower bound `LB`; for each item, the item's value plus the Dantzig bound (the fractional
//! knapsack, ignoring quotas and groups, so an upper bound) on the rest of the budget is an
//! upper bound on any plan that books it. An item whose bound is below `LB` is in no optimal
//! plan and is dropped. On real lists this leaves a few hundred items; the DP then decides
//! exactly among them. The reduction never changes the answer, only the time (the proptest
//! against brute force runs with it).
//!
//! One table answers several budgets at once: the DP runs to the largest budget asked, and
//! each budget reads its best cell. That is how `scout plan` finds "+$40 adds @x".

/// One thing that can be booked.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Its price in cents.
    pub price: u64,
    /// What booking it adds to the objective.
    pub value: f64,
    /// The counters (indices into [`Problem::counters`]) booking it adds one to.
    pub counters: Vec<usize>,
    /// Items with the same group are alternatives: at most one of them is booked.
    pub group: usize,
}

/// A counting constraint: between `min` and `max` of the items that count toward it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    /// At least this many.
    pub min: u64,
    /// At most this many.
    pub max: Option<u64>,
}

/// A planning problem.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem {
    /// What can be booked.
    pub items: Vec<Item>,
    /// The counting constraints.
    pub counters: Vec<Counter>,
}

/// The best plan for one budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// The booked items, by index, ascending.
    pub chosen: Vec<usize>,
    /// The summed value.
    pub value: f64,
    /// The summed price in cents.
    pub cost: u64,
}

/// Why the solver could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// The DP table would not fit in memory.
    #[error("the plan is too large to solve exactly: {cells} table cells (limit {limit})")]
    TooLarge {
        /// Cells the DP would need.
        cells: u128,
        /// The limit.
        limit: u128,
    },
    /// A creator has more accounts than one step of the DP can tell apart.
    #[error("a creator has {0} accounts; at most 64 can be planned")]
    TooManyAccounts(usize),
}

/// The most choice-table cells (one byte each) the solver allocates.
pub const CELL_LIMIT: u128 = 1 << 30;

/// The counter dimension of a state: how counts are stored.
#[derive(Clone, Copy, Debug)]
struct Dim {
    counter: usize,
    /// The largest stored count.
    cap: u64,
    /// Whether counts past `cap` stay at `cap` (a `min`-only quota) rather than being
    /// forbidden.
    saturates: bool,
    stride: usize,
}

/// Solves `problem` for each budget in `budgets` (cents), exactly. `None` for a budget no
/// plan fits (some constraint cannot hold). `reduce` turns the bound-based reduction on; it
/// never changes the answer.
pub fn solve(
    problem: &Problem,
    budgets: &[u64],
    reduce: bool,
) -> Result<Vec<Option<Solution>>, SolveError> {
    let Some(&main_budget) = budgets.first() else { return Ok(Vec::new()) };
    let top = budgets.iter().copied().max().unwrap_or(0);
    let items = &problem.items;
    let unit = items.iter().fold(0u64, |g, i| gcd(g, i.price)).max(1);
    let keep: Vec<usize> = if reduce {
        reduced(problem, main_budget, top)
    } else {
        (0..items.len()).filter(|&i| items[i].price <= top).collect()
    };

    // State dimensions: only counters that constrain anything.
    let mut dims = Vec::new();
    let mut states = 1usize;
    for (index, counter) in problem.counters.iter().enumerate() {
        let (cap, saturates) = match counter.max {
            Some(max) => (max, false),
            None if counter.min > 0 => (counter.min, true),
            None => continue,
        };
        let cap = cap.min(keep.len() as u64);
        dims.push(Dim { counter: index, cap, saturates, stride: states });
        states = states.saturating_mul(cap as usize + 1);
    }
    let width = (top / unit) as usize + 1;

    // Steps: one per group of the kept items, in first-item order.
    let mut steps: Vec<Vec<usize>> = Vec::new();
    let mut step_of_group = std::collections::HashMap::new();
    for &i in &keep {
        let step = *step_of_group.entry(items[i].group).or_insert_with(|| {
            steps.push(Vec::new());
            steps.len() - 1
        });
        steps[step].push(i);
    }
    let cells = steps.len() as u128 * states as u128 * width as u128;
    if cells > CELL_LIMIT {
        return Err(SolveError::TooLarge { cells, limit: CELL_LIMIT });
    }
    if let Some(step) = steps.iter().find(|s| s.len() > 64) {
        return Err(SolveError::TooManyAccounts(step.len()));
    }

    // A move: (item, source state) per target; the code says which item and, per
    // saturating dimension the item counts toward, whether the source was already at cap.
    let dim_of: Vec<Option<usize>> =
        (0..problem.counters.len()).map(|c| dims.iter().position(|d| d.counter == c)).collect();
    let digit = |state: usize, d: &Dim| (state / d.stride) % (d.cap as usize + 1);
    let neg = f64::NEG_INFINITY;
    let mut value = vec![neg; states * width];
    value[..width].fill(0.0);
    let mut choices: Vec<Vec<u8>> = Vec::with_capacity(steps.len());
    // Per step: the moves, as (item, mask) by code − 1.
    let mut moves_of: Vec<Vec<(usize, u32)>> = Vec::with_capacity(steps.len());
    let mut scratch = Vec::new();
    for step in &steps {
        let mut moves: Vec<(usize, u32)> = Vec::new();
        // transitions[k][source] = (target, code)
        let mut transitions: Vec<Vec<Option<(usize, u8)>>> = Vec::with_capacity(step.len());
        for &i in step {
            let item_dims: Vec<usize> =
                items[i].counters.iter().filter_map(|&c| dim_of[c]).collect();
            let mut row = Vec::with_capacity(states);
            for source in 0..states {
                let mut target = source;
                let mut mask = 0u32;
                let mut ok = true;
                for (bit, &d) in item_dims.iter().enumerate() {
                    let dim = &dims[d];
                    let c = digit(source, dim) as u64;
                    if c < dim.cap {
                        target += dim.stride;
                    } else if dim.saturates {
                        mask |= 1 << bit;
                    } else {
                        ok = false;
                    }
                }
                if !ok {
                    row.push(None);
                    continue;
                }
                let code = match moves.iter().position(|&m| m == (i, mask)) {
                    Some(p) => p,
                    None => {
                        moves.push((i, mask));
                        moves.len() - 1
                    }
                };
                if code >= 255 {
                    return Err(SolveError::TooManyAccounts(step.len()));
                }
                row.push(Some((target, code as u8 + 1)));
            }
            transitions.push(row);
        }
        let mut choice = vec![0u8; states * width];
        if step.len() == 1 {
            // In place: sources in descending state order, budgets descending; a target is
            // never below its source, so every source is read before it is written.
            let i = step[0];
            let p = (items[i].price / unit) as usize;
            let v = items[i].value;
            for source in (0..states).rev() {
                let Some((target, code)) = transitions[0][source] else { continue };
                for b in (p..width).rev() {
                    let from = value[source * width + b - p];
                    if from == neg {
                        continue;
                    }
                    let cell = target * width + b;
                    if from + v > value[cell] {
                        value[cell] = from + v;
                        choice[cell] = code;
                    }
                }
            }
        } else {
            scratch.clone_from(&value);
            for (k, &i) in step.iter().enumerate() {
                let p = (items[i].price / unit) as usize;
                let v = items[i].value;
                for source in 0..states {
                    let Some((target, code)) = transitions[k][source] else { continue };
                    for b in p..width {
                        let from = scratch[source * width + b - p];
                        if from == neg {
                            continue;
                        }
                        let cell = target * width + b;
                        if from + v > value[cell] {
                            value[cell] = from + v;
                            choice[cell] = code;
                        }
                    }
                }
            }
        }
        choices.push(choice);
        moves_of.push(moves);
    }

    let feasible = |state: usize| {
        dims.iter().all(|d| digit(state, d) as u64 >= problem.counters[d.counter].min)
    };
    // Counters that constrain nothing still need their `min`... which is 0 by construction.
    let mut out = Vec::with_capacity(budgets.len());
    for &budget in budgets {
        let b = (budget / unit) as usize;
        let best = (0..states)
            .filter(|&s| feasible(s))
            .map(|s| (s, value[s * width + b]))
            .filter(|(_, v)| *v > neg)
            .fold(None::<(usize, f64)>, |best, (s, v)| match best {
                Some((_, bv)) if bv >= v => best,
                _ => Some((s, v)),
            });
        let Some((mut state, total)) = best else {
            out.push(None);
            continue;
        };
        let mut b = b;
        let mut chosen = Vec::new();
        for (t, step) in steps.iter().enumerate().rev() {
            let _ = step;
            let code = choices[t][state * width + b];
            if code == 0 {
                continue;
            }
            let (i, mask) = moves_of[t][code as usize - 1];
            chosen.push(i);
            b -= (items[i].price / unit) as usize;
            let item_dims = items[i].counters.iter().filter_map(|&c| dim_of[c]);
            for (bit, d) in item_dims.enumerate() {
                if mask & (1 << bit) == 0 {
                    state -= dims[d].stride;
                }
            }
        }
        chosen.sort_unstable();
        let cost = chosen.iter().map(|&i| items[i].price).sum();
        out.push(Some(Solution { chosen, value: total, cost }));
    }
    Ok(out)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The items that can be in an optimal plan for `budget` or more, up to `top`: drops
/// every item whose upper bound is below a greedy plan's value (see the module doc).
fn reduced(problem: &Problem, budget: u64, top: u64) -> Vec<usize> {
    let items = &problem.items;
    let all: Vec<usize> = (0..items.len()).filter(|&i| items[i].price <= top).collect();
    let Some(lower) = greedy_lower_bound(problem, budget) else { return all };
    // Dantzig bound: positive-value items by value per cent, descending; free items first.
    let mut order: Vec<usize> = all.iter().copied().filter(|&i| items[i].value > 0.0).collect();
    order.sort_by(|&a, &b| ratio(&items[b]).total_cmp(&ratio(&items[a])));
    let mut prefix_price = Vec::with_capacity(order.len() + 1);
    let mut prefix_value = Vec::with_capacity(order.len() + 1);
    let (mut p, mut v) = (0u64, 0f64);
    prefix_price.push(0);
    prefix_value.push(0.0);
    for &i in &order {
        p += items[i].price;
        v += items[i].value;
        prefix_price.push(p);
        prefix_value.push(v);
    }
    let dantzig = |capacity: u64| -> f64 {
        // The most whole items that fit, then a fraction of the next.
        let k = prefix_price.partition_point(|&q| q <= capacity) - 1;
        let mut bound = prefix_value[k];
        if let Some(&next) = order.get(k) {
            bound += (capacity - prefix_price[k]) as f64 * ratio(&items[next]);
        }
        bound
    };
    let slack = 1e-9 * lower.abs().max(1.0);
    all.into_iter()
        .filter(|&i| items[i].value + dantzig(top - items[i].price) + slack >= lower)
        .collect()
}

fn ratio(item: &Item) -> f64 {
    if item.price == 0 {
        f64::INFINITY
    } else {
        item.value / item.price as f64
    }
}

/// A plan that meets every constraint, found greedily, and its value; `None` when the
/// greedy passes find none.
fn greedy_lower_bound(problem: &Problem, budget: u64) -> Option<f64> {
    let items = &problem.items;
    let by_ratio = |a: &usize, b: &usize| ratio(&items[*b]).total_cmp(&ratio(&items[*a]));
    let by_value = |a: &usize, b: &usize| items[*b].value.total_cmp(&items[*a].value);
    let mut best: Option<f64> = None;
    for order in [&by_ratio as &dyn Fn(&usize, &usize) -> std::cmp::Ordering, &by_value] {
        let mut sorted: Vec<usize> = (0..items.len()).collect();
        sorted.sort_by(order);
        if let Some(value) = greedy(problem, budget, &sorted) {
            best = Some(best.map_or(value, |b: f64| b.max(value)));
        }
    }
    best
}

/// One greedy pass in `order`: first the counters' minimums, then every item that adds
/// value and fits.
fn greedy(problem: &Problem, budget: u64, order: &[usize]) -> Option<f64> {
    let items = &problem.items;
    let mut counts = vec![0u64; problem.counters.len()];
    let mut groups = std::collections::HashSet::new();
    let mut taken = vec![false; items.len()];
    let (mut cost, mut value) = (0u64, 0f64);
    let mut take = |i: usize, counts: &mut Vec<u64>| -> bool {
        let item = &items[i];
        let fits = !taken[i]
            && cost + item.price <= budget
            && !groups.contains(&item.group)
            && item.counters.iter().all(|&c| problem.counters[c].max.is_none_or(|m| counts[c] < m));
        if fits {
            taken[i] = true;
            cost += item.price;
            value += item.value;
            groups.insert(item.group);
            for &c in &item.counters {
                counts[c] += 1;
            }
        }
        fits
    };
    for (c, counter) in problem.counters.iter().enumerate() {
        for &i in order {
            if counts[c] >= counter.min {
                break;
            }
            if items[i].counters.contains(&c) {
                take(i, &mut counts);
            }
        }
    }
    for &i in order {
        if items[i].value > 0.0 {
            take(i, &mut counts);
        }
    }
    let ok = problem.counters.iter().zip(&counts).all(|(c, &n)| n >= c.min);
    ok.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(price: u64, value: f64, counters: Vec<usize>, group: usize) -> Item {
        Item { price, value, counters, group }
    }

    #[test]
    fn a_plain_knapsack() {
        let problem = Problem {
            items: vec![
                item(500, 10.0, vec![], 0),
                item(400, 7.0, vec![], 1),
                item(300, 6.0, vec![], 2),
            ],
            counters: vec![],
        };
        let out = solve(&problem, &[700, 1200], true).unwrap();
        assert_eq!(out[0].as_ref().unwrap().chosen, vec![1, 2]);
        assert_eq!(out[1].as_ref().unwrap().chosen, vec![0, 1, 2]);
    }

    #[test]
    fn a_min_quota_forces_a_worse_item() {
        let problem = Problem {
            items: vec![item(500, 10.0, vec![], 0), item(500, 1.0, vec![0], 1)],
            counters: vec![Counter { min: 1, max: None }],
        };
        let out = solve(&problem, &[500, 1000], true).unwrap();
        assert_eq!(out[0].as_ref().unwrap().chosen, vec![1]);
        assert_eq!(out[1].as_ref().unwrap().chosen, vec![0, 1]);
    }

    #[test]
    fn one_account_per_group_and_infeasible_counts() {
        let problem = Problem {
            items: vec![item(100, 5.0, vec![0], 0), item(100, 6.0, vec![0], 0)],
            counters: vec![Counter { min: 2, max: None }],
        };
        assert_eq!(solve(&problem, &[1000], true).unwrap(), vec![None]);
    }
}
