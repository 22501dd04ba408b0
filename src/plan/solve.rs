//! The exact solver behind `scout plan`: a 0/1 knapsack over the budget with counting
//! constraints (quotas, creator counts) and at most one item per group (one account per
//! creator). Two exact methods, chosen by size: a dynamic program for small tables, a
//! branch and bound with a Lagrangian bound for the rest.
//!
//! # The dynamic program, for small problems
//!
//! Prices are money, so they are integers in cents; dividing every price by their greatest
//! common divisor gives the budget in a few thousand units for real lists (whole-dollar
//! prices and a $10,000 budget are 10,001 columns). A DP over the budget is then exact and
//! runs in `items × budget units × states` steps, a state being the count of each
//! constrained group, capped: a `min`-only quota needs counts up to `min`, a quota with a
//! `max` counts up to `max` and forbids more. Before it, a *reduction* (Ingargiola and
//! Korsh): a greedy plan that meets every constraint is a lower bound `LB`, and an item
//! whose value plus the Dantzig bound (the fractional knapsack) on the rest of the budget is
//! below `LB` is in no optimal plan and is dropped. One table answers several budgets at
//! once. [`solve`] keeps the DP while its table has at most 2^24 cells.
//!
//! # Branch and bound, for large problems
//!
//! The DP's table is the product of items, budget units and quota states: 10,000
//! candidates, a $10,000 budget and three quotas are billions of cells even after the
//! reduction, because the plain Dantzig bound ignores the quotas (a `tiktok ≤ 10` quota
//! binds hard when a third of the cheap creators are on TikTok) and so keeps thousands of
//! items. [`search`] instead:
//!
//! 1. Prices the constraints into the values (Lagrangian relaxation): a multiplier `y_c`
//!    per counter, positive for a binding `max`, negative for a binding `min`; booking an
//!    item is worth `v_i − Σ y_c` and the bound gains `y_c·max_c` (or `y_c·min_c`). For any
//!    `y` of the right signs, the fractional knapsack over the adjusted values plus that
//!    constant bounds every plan that meets the quotas. The multipliers come from a
//!    projected subgradient descent with Polyak steps toward the incumbent (about a hundred
//!    fractional knapsacks, each a sort). This bound is as strong as the LP relaxation with
//!    the quota rows, and far stronger than Dantzig's on quota-bound lists; the
//!    one-account-per-creator rule stays relaxed in the bound and exact in the search.
//! 2. Takes the best of greedy plans (by value per dollar, by value, by adjusted value per
//!    dollar) as the incumbent; if the bound meets it, it is optimal and the search stops.
//! 3. Drops every item whose own bound (its adjusted value plus the bound on the rest of
//!    the budget) is below the incumbent: most of a long list.
//! 4. Searches depth first over the rest in adjusted-density order, booking first (the
//!    Horowitz–Sahni order, so good plans come early), pruning a node when its bound
//!    (adjusted value booked + constant + Dantzig over the remaining items, by binary
//!    search on prefix sums) cannot beat the incumbent, or when the items left cannot meet a
//!    `min`. Booking respects the budget, the `max` counts and one account per creator.
//!
//! It is exact: every pruned node is bounded by a valid upper bound, and a leaf is a plan
//! that meets every constraint. The running time depends on how close the bound is to the
//! optimum, so it is capped: past [`NODE_LIMIT`] nodes the search fails with
//! [`SolveError::SearchTooLarge`], which says what would make the problem solvable, rather
//! than hang. A MILP crate (good_lp with a pure-Rust backend) would solve the same model,
//! but as a general LP-based branch and bound; this one's bound costs a binary search per
//! node, and it needs no new dependency. The proptests in `tests/it/plan.rs` check both
//! methods against brute force, including binding quotas and creators with many accounts.

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
    /// The branch and bound passed its node limit.
    #[error(
        "the plan is too large to solve exactly: the search passed {nodes} nodes on {kept} of \
         {candidates} candidates without proving the best plan; fewer candidates (a stricter \
         filter or `min_score`), fewer or looser quotas, or a smaller budget would make it \
         solvable"
    )]
    SearchTooLarge {
        /// Nodes visited.
        nodes: u64,
        /// Candidates in the problem.
        candidates: usize,
        /// Candidates left after the reduction.
        kept: usize,
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
/// plan fits (some constraint cannot hold). `reduce` turns the bound-based reduction on and
/// lets a large problem go to [`search`]; it never changes the answer. Without it, this is
/// the plain DP, the reference.
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
    if reduce && cells > DP_PREFERRED {
        return search(problem, budgets);
    }
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
    greedy_plan(problem, budget, order).map(|plan| plan.1)
}

/// [`greedy`]'s plan: the items it books and their value.
fn greedy_plan(problem: &Problem, budget: u64, order: &[usize]) -> Option<(Vec<usize>, f64)> {
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
    ok.then(|| ((0..items.len()).filter(|&i| taken[i]).collect(), value))
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

/// The most search nodes [`search`] visits per budget before it gives up with
/// [`SolveError::SearchTooLarge`].
pub const NODE_LIMIT: u64 = 40_000_000;

/// The DP table size under which [`solve`] with `reduce` keeps the DP rather than the search:
/// small tables fill in milliseconds and need no bound.
const DP_PREFERRED: u128 = 1 << 24;

/// The allowed sign of a counter's multiplier: positive prices a `max`, negative rewards a
/// `min`.
#[derive(Clone, Copy)]
struct Side {
    counter: usize,
    min: u64,
    max: Option<u64>,
}

/// The Lagrangian bound for multipliers `y` (one per constrained counter in `sides`): the
/// constant part and the fractional knapsack over the adjusted values. Returns the bound and
/// the subgradient.
fn lagrangian(
    items: &[Item],
    member: &[Vec<usize>],
    sides: &[Side],
    y: &[f64],
    capacity: u64,
    order: &mut Vec<(f64, usize)>,
) -> (f64, Vec<f64>) {
    let constant = lagrange_constant(sides, y);
    order.clear();
    for (i, item) in items.iter().enumerate() {
        let v = adjusted(item, &member[i], y);
        if v > 0.0 {
            order.push((density(v, item.price), i));
        }
    }
    order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut counts = vec![0.0; sides.len()];
    let mut left = capacity;
    let mut bound = constant;
    for &(_, i) in order.iter() {
        let item = &items[i];
        let fraction = if item.price <= left {
            left -= item.price;
            1.0
        } else {
            left as f64 / item.price as f64
        };
        bound += fraction * adjusted(item, &member[i], y);
        for &s in &member[i] {
            counts[s] += fraction;
        }
        if fraction < 1.0 {
            break;
        }
    }
    let gradient = sides
        .iter()
        .enumerate()
        .map(|(s, side)| {
            let over = side.max.map_or(0.0, |m| m as f64 - counts[s]);
            let under = side.min as f64 - counts[s];
            if y[s] > 0.0 || (y[s] == 0.0 && over < 0.0) {
                over
            } else if y[s] < 0.0 || under > 0.0 {
                under
            } else {
                0.0
            }
        })
        .collect();
    (bound, gradient)
}

/// An item's value less its multipliers (`member`: the sides it counts toward).
fn adjusted(item: &Item, member: &[usize], y: &[f64]) -> f64 {
    item.value - member.iter().map(|&s| y[s]).sum::<f64>()
}

/// Value per cent; free items with value first.
fn density(value: f64, price: u64) -> f64 {
    if price == 0 {
        f64::INFINITY
    } else {
        value / price as f64
    }
}

/// Multipliers that make the Lagrangian bound small: projected subgradient with Polyak
/// steps toward the incumbent `lower`. Returns them and the bound.
fn multipliers(
    items: &[Item],
    member: &[Vec<usize>],
    sides: &[Side],
    capacity: u64,
    lower: Option<f64>,
) -> (Vec<f64>, f64) {
    let mut order = Vec::with_capacity(items.len());
    let mut y = vec![0.0; sides.len()];
    let (first, mut g) = lagrangian(items, member, sides, &y, capacity, &mut order);
    let (mut best_y, mut best) = (y.clone(), first);
    let mut theta = 1.0;
    let mut stale = 0;
    for _ in 0..120 {
        let norm: f64 = g.iter().map(|x| x * x).sum();
        let target = lower.unwrap_or(best - 0.05 * best.abs().max(1.0));
        if norm < 1e-12 || best - target <= 1e-9 * best.abs().max(1.0) {
            break;
        }
        let step = theta * (best - target).max(1e-6) / norm;
        for (s, side) in sides.iter().enumerate() {
            let mut next = y[s] - step * g[s];
            if next > 0.0 && side.max.is_none() || next < 0.0 && side.min == 0 {
                next = 0.0;
            }
            y[s] = next;
        }
        let (bound, gradient) = lagrangian(items, member, sides, &y, capacity, &mut order);
        g = gradient;
        if bound < best - 1e-12 * best.abs().max(1.0) {
            best = bound;
            best_y.clone_from(&y);
            stale = 0;
        } else {
            stale += 1;
            if stale >= 4 {
                theta /= 2.0;
                stale = 0;
                if theta < 1e-4 {
                    break;
                }
                y.clone_from(&best_y);
                g = lagrangian(items, member, sides, &y, capacity, &mut order).1;
            }
        }
    }
    (best_y, best)
}

/// Solves `problem` for each budget by branch and bound (see the module doc); exact like
/// [`solve`], for problems whose DP table would be too large.
pub fn search(problem: &Problem, budgets: &[u64]) -> Result<Vec<Option<Solution>>, SolveError> {
    let mut out: Vec<Option<Solution>> = Vec::with_capacity(budgets.len());
    for &budget in budgets {
        // A plan for a smaller budget is a plan for this one.
        let seed = out
            .iter()
            .flatten()
            .filter(|s| s.cost <= budget)
            .max_by(|a, b| a.value.total_cmp(&b.value))
            .cloned();
        out.push(search_one(problem, budget, seed)?);
    }
    Ok(out)
}

fn search_one(
    problem: &Problem,
    budget: u64,
    seed: Option<Solution>,
) -> Result<Option<Solution>, SolveError> {
    let items = &problem.items;
    let sides: Vec<Side> = problem
        .counters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.min > 0 || c.max.is_some())
        .map(|(counter, c)| Side { counter, min: c.min, max: c.max })
        .collect();
    let side_of: Vec<Option<usize>> =
        (0..problem.counters.len()).map(|c| sides.iter().position(|s| s.counter == c)).collect();
    let member: Vec<Vec<usize>> = items
        .iter()
        .map(|item| {
            let mut m: Vec<usize> = item.counters.iter().filter_map(|&c| side_of[c]).collect();
            m.sort_unstable();
            m.dedup();
            m
        })
        .collect();

    // The incumbent: the best of the seed and the greedy plans.
    let mut incumbent: Option<(Vec<usize>, f64)> = seed.map(|s| (s.chosen, s.value));
    let consider = |plan: Option<(Vec<usize>, f64)>, incumbent: &mut Option<(Vec<usize>, f64)>| {
        if let Some(plan) = plan {
            if incumbent.as_ref().is_none_or(|best| plan.1 > best.1) {
                *incumbent = Some(plan);
            }
        }
    };
    let by_ratio = |a: &usize, b: &usize| ratio(&items[*b]).total_cmp(&ratio(&items[*a]));
    let by_value = |a: &usize, b: &usize| items[*b].value.total_cmp(&items[*a].value);
    for order in [&by_ratio as &dyn Fn(&usize, &usize) -> std::cmp::Ordering, &by_value] {
        let mut sorted: Vec<usize> = (0..items.len()).collect();
        sorted.sort_by(order);
        consider(greedy_plan(problem, budget, &sorted), &mut incumbent);
    }
    let (y, upper) =
        multipliers(items, &member, &sides, budget, incumbent.as_ref().map(|best| best.1));
    let value_of = |i: usize| adjusted(&items[i], &member[i], &y);
    {
        let mut sorted: Vec<usize> = (0..items.len()).collect();
        sorted.sort_by(|&a, &b| {
            density(value_of(b), items[b].price).total_cmp(&density(value_of(a), items[a].price))
        });
        consider(greedy_plan(problem, budget, &sorted), &mut incumbent);
    }
    let eps = |x: f64| 1e-9 * x.abs().max(1.0);
    if let Some((chosen, value)) = &incumbent {
        if upper <= value + eps(*value) {
            return Ok(Some(finish(problem, chosen.clone(), *value)));
        }
    }
    let constant = lagrange_constant(&sides, &y);

    // The order: positive adjusted values by density, then the rest by adjusted value.
    let mut order: Vec<usize> = (0..items.len()).filter(|&i| items[i].price <= budget).collect();
    let key = |i: usize| {
        let v = value_of(i);
        if v > 0.0 {
            (1, density(v, items[i].price))
        } else {
            (0, v)
        }
    };
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
    // Reduction: an item whose best plan is bounded below the incumbent is out.
    if let Some((_, lower)) = &incumbent {
        let lower = *lower;
        let (full, _) = knapsack_prefix(items, &order, &value_of);
        let positive = full.0.len() - 1;
        let all: Vec<usize> = order.clone();
        let dantzig_all = |left: u64| dantzig_at(items, &all, &full, positive, &value_of, 0, left);
        order.retain(|&i| {
            constant + value_of(i) + dantzig_all(budget - items[i].price) + eps(lower) > lower
        });
    }
    let (prefix, positive) = knapsack_prefix(items, &order, &value_of);
    let dantzig =
        |k: usize, left: u64| dantzig_at(items, &order, &prefix, positive, &value_of, k, left);
    let n = order.len();
    // suffix[s][k]: items at positions k.. counting toward side s.
    let mut suffix = vec![vec![0u64; n + 1]; sides.len()];
    for k in (0..n).rev() {
        for column in suffix.iter_mut() {
            column[k] = column[k + 1];
        }
        for &s in &member[order[k]] {
            suffix[s][k] += 1;
        }
    }
    let mut group_id = std::collections::HashMap::new();
    let group: Vec<usize> = order
        .iter()
        .map(|&i| {
            let next = group_id.len();
            *group_id.entry(items[i].group).or_insert(next)
        })
        .collect();
    let mut taken = vec![false; group_id.len()];
    let mut counts = vec![0u64; sides.len()];
    let mut left = budget;
    let (mut adjusted_sum, mut value_sum) = (0f64, 0f64);
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut best_value = incumbent.as_ref().map_or(f64::NEG_INFINITY, |b| b.1);
    let mut best_plan: Option<Vec<usize>> = None;
    let mut nodes = 0u64;
    let mut k = 0usize;
    loop {
        nodes += 1;
        if nodes > NODE_LIMIT {
            return Err(SolveError::SearchTooLarge {
                nodes: NODE_LIMIT,
                candidates: items.len(),
                kept: n,
            });
        }
        let bound = constant + adjusted_sum + dantzig(k, left);
        let threshold =
            if best_value.is_finite() { best_value + eps(best_value) } else { f64::NEG_INFINITY };
        let mut advance = bound > threshold
            && sides.iter().enumerate().all(|(s, side)| counts[s] + suffix[s][k] >= side.min);
        if advance && k == n {
            if value_sum > best_value {
                best_value = value_sum;
                best_plan = Some(stack.iter().filter(|e| e.1).map(|e| order[e.0]).collect());
            }
            advance = false;
        }
        if advance {
            let i = order[k];
            let fits = items[i].price <= left
                && !taken[group[k]]
                && member[i].iter().all(|&s| sides[s].max.is_none_or(|m| counts[s] < m));
            if fits {
                left -= items[i].price;
                adjusted_sum += value_of(i);
                value_sum += items[i].value;
                taken[group[k]] = true;
                for &s in &member[i] {
                    counts[s] += 1;
                }
            }
            stack.push((k, fits));
            k += 1;
            continue;
        }
        // Backtrack to the last inclusion and exclude it instead.
        loop {
            let Some((at, included)) = stack.pop() else {
                let solution = match best_plan {
                    Some(chosen) => Some(finish(problem, chosen, best_value)),
                    None => incumbent.map(|(chosen, value)| finish(problem, chosen, value)),
                };
                return Ok(solution);
            };
            if included {
                let i = order[at];
                left += items[i].price;
                adjusted_sum -= value_of(i);
                value_sum -= items[i].value;
                taken[group[at]] = false;
                for &s in &member[i] {
                    counts[s] -= 1;
                }
                stack.push((at, false));
                k = at + 1;
                break;
            }
        }
    }
}

/// The constant part of the Lagrangian bound for multipliers `y`.
fn lagrange_constant(sides: &[Side], y: &[f64]) -> f64 {
    sides
        .iter()
        .zip(y)
        .map(|(side, &y)| {
            if y > 0.0 {
                y * side.max.unwrap_or(0) as f64
            } else if y < 0.0 {
                y * side.min as f64
            } else {
                0.0
            }
        })
        .sum()
}

/// Prefix sums of price and adjusted value over the leading positive-value items of
/// `order`, and how many those are.
fn knapsack_prefix(
    items: &[Item],
    order: &[usize],
    value_of: &dyn Fn(usize) -> f64,
) -> ((Vec<u64>, Vec<f64>), usize) {
    let positive = order.iter().take_while(|&&i| value_of(i) > 0.0).count();
    let mut prefix_price = vec![0u64; positive + 1];
    let mut prefix_value = vec![0f64; positive + 1];
    for k in 0..positive {
        prefix_price[k + 1] = prefix_price[k] + items[order[k]].price;
        prefix_value[k + 1] = prefix_value[k] + value_of(order[k]);
    }
    ((prefix_price, prefix_value), positive)
}

/// The fractional knapsack (Dantzig bound) over positions `k..` of `order` with `left`
/// cents, from [`knapsack_prefix`]'s sums.
fn dantzig_at(
    items: &[Item],
    order: &[usize],
    (prefix_price, prefix_value): &(Vec<u64>, Vec<f64>),
    positive: usize,
    value_of: &dyn Fn(usize) -> f64,
    k: usize,
    left: u64,
) -> f64 {
    if k >= positive {
        return 0.0;
    }
    let reach = prefix_price[k] + left;
    let j = k + prefix_price[k + 1..=positive].partition_point(|&q| q <= reach);
    let mut bound = prefix_value[j] - prefix_value[k];
    if j < positive {
        let next = order[j];
        bound += (reach - prefix_price[j]) as f64 * density(value_of(next), items[next].price);
    }
    bound
}

/// A solution from the chosen items, summed in index order.
fn finish(problem: &Problem, mut chosen: Vec<usize>, _value: f64) -> Solution {
    chosen.sort_unstable();
    let value = chosen.iter().map(|&i| problem.items[i].value).sum();
    let cost = chosen.iter().map(|&i| problem.items[i].price).sum();
    Solution { chosen, value, cost }
}
