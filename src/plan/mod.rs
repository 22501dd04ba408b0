//! Campaign plans: which candidates to book for a brand within a budget.
//!
//! [`plan`] takes a [`Ranking`] (so candidates pass the brand's filters exactly as `scout
//! rank` judges them, and rows are accounted for the same way), prices every ranked
//! candidate (its `cost_per_post`, else the estimate from `prices.toml`), turns the brand's
//! `[plan]` table into a [`solve::Problem`] and solves it exactly ([`solve`] says how and
//! why). It also explains the notable candidates it left out, finds what a little more
//! budget would add, and measures the spreadsheet baselines (greedy by score, greedy by
//! value per dollar) against the exact plan. Pure: no I/O.

pub mod solve;

use std::collections::HashMap;

use serde::Serialize;

use crate::model::RowError;
use crate::rank::{Counts, Ranked, Ranking};
use crate::rules::plan::{Objective, PlanSettings, Quota, QuotaKey};
use crate::rules::{normalize_niche, RuleSet};

pub use solve::{Counter, Item, Problem, Solution, SolveError};

/// The settings of one run: the brand's `[plan]` with the command line's overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanOptions {
    /// The brand's settings, overrides applied.
    pub settings: PlanSettings,
    /// The budget in dollars.
    pub budget: f64,
    /// How many left-out candidates to explain.
    pub left_out: usize,
}

/// One booked creator.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Booked {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The tier.
    pub tier: String,
    /// The country, when known.
    pub country: Option<String>,
    /// The price per post in dollars.
    pub price: f64,
    /// Whether the price is an estimate from `prices.toml`.
    pub estimated: bool,
    /// The brand's score.
    pub score: f64,
    /// Expected engagements per post.
    pub engagements: Option<f64>,
    /// Estimated reach per post.
    pub reach: Option<f64>,
    /// Price over expected engagements.
    pub cost_per_engagement: Option<f64>,
    /// What it adds to the objective.
    pub value: f64,
    /// Its line in the candidate list.
    pub line: u64,
}

/// A notable candidate the plan does not book, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeftOut {
    /// The handle.
    pub handle: String,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The brand's score.
    pub score: f64,
    /// The price in dollars, when known or estimated.
    pub price: Option<f64>,
    /// Why it is not booked.
    pub reason: String,
}

/// What a little more budget buys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Addition {
    /// Dollars over the budget the better plan spends.
    pub extra: f64,
    /// Handles it books that the plan does not.
    pub adds: Vec<String>,
    /// Handles of the plan it no longer books.
    pub drops: Vec<String>,
    /// What it adds to the objective.
    pub gain: f64,
}

/// A spreadsheet baseline: walk the candidates in one order, book whoever fits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    /// The order: `score` or `value per dollar`.
    pub name: String,
    /// Its objective value.
    pub value: f64,
    /// Whether it meets every quota and creator count.
    pub feasible: bool,
    /// How far below the exact plan it is, as a fraction of the plan's value.
    pub gap: f64,
}

/// A plan for one brand, budget and candidate list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The revision of the rules that made it.
    pub revision: String,
    /// The brand id.
    pub brand: String,
    /// What it maximises.
    pub objective: Objective,
    /// The budget in dollars.
    pub budget: f64,
    /// Where every row went, as in `scout rank`.
    pub counts: Counts,
    /// The booked creators, best score first.
    pub booked: Vec<Booked>,
    /// The summed price in dollars.
    pub spent: f64,
    /// The budget left.
    pub left: f64,
    /// The summed objective.
    pub value: f64,
    /// The summed score.
    pub total_score: f64,
    /// The summed expected engagements.
    pub total_engagements: f64,
    /// The summed estimated reach.
    pub total_reach: f64,
    /// Notable candidates not booked, and why.
    pub left_out: Vec<LeftOut>,
    /// The best plans for a little more budget.
    pub additions: Vec<Addition>,
    /// The greedy baselines.
    pub baselines: Vec<Baseline>,
    /// The quotas the plan met.
    pub quotas: Vec<Quota>,
    /// Unusable rows and script failures, as in `scout rank`.
    #[serde(skip)]
    pub errors: Vec<RowError>,
}

/// Why no plan could be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The budget is zero, negative or not a number.
    #[error("the budget must be above $0, not {0}")]
    BadBudget(String),
    /// No brand budget and no `--budget`.
    #[error("no budget: the brand's `[plan]` sets none")]
    NoBudget,
    /// Nothing passed the filters with a price.
    #[error("no candidate can be booked: {0}")]
    NoCandidates(String),
    /// Every candidate costs more than the budget.
    #[error("the budget ${budget} is below the cheapest candidate, `@{handle}` at ${cheapest}")]
    BelowCheapest {
        /// The budget.
        budget: String,
        /// The cheapest price.
        cheapest: String,
        /// Who it is.
        handle: String,
    },
    /// Quotas or creator counts that cannot all hold.
    #[error("constraints that cannot all hold: {0}")]
    Conflict(String),
    /// The solver could not run.
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// A priced, ranked candidate.
struct Priced<'a> {
    ranked: &'a Ranked,
    price: Option<(u64, bool)>,
    niches: Vec<String>,
}

/// Cents from dollars.
fn cents(dollars: f64) -> u64 {
    (dollars * 100.0).round().max(0.0) as u64
}

fn dollars(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// Dollars as people read them: `$1,250` or `$35.50`.
pub fn money(value: f64) -> String {
    let whole = value.trunc() as u64;
    let frac = ((value - value.trunc()) * 100.0).round() as u64;
    if frac == 0 {
        format!("${}", crate::text::thousands(whole))
    } else {
        format!("${}.{frac:02}", crate::text::thousands(whole))
    }
}

/// What booking `ranked` adds to `objective`.
pub fn objective_value(objective: Objective, ranked: &Ranked) -> f64 {
    let m = &ranked.evaluation.metrics;
    match objective {
        Objective::Score => ranked.score(),
        Objective::Engagements => m.engagements_per_post.unwrap_or(0.0),
        Objective::Reach => m.estimated_reach.unwrap_or(0.0),
    }
}

fn matches(quota: &Quota, p: &Priced<'_>) -> bool {
    let c = &p.ranked.candidate;
    match quota.key {
        QuotaKey::Tier => *p.ranked.evaluation.tier.name == *quota.value,
        QuotaKey::Platform => {
            c.platform.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&quota.value))
        }
        QuotaKey::Country => {
            c.country.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&quota.value))
        }
        QuotaKey::Niche => p.niches.contains(&quota.value),
    }
}

/// Plans a campaign from `ranking` (made with every result kept, `top: None`).
pub fn plan(rules: &RuleSet, ranking: &Ranking, options: &PlanOptions) -> Result<Plan, PlanError> {
    let settings = &options.settings;
    let objective = settings.objective;
    if !(options.budget > 0.0 && options.budget.is_finite()) {
        return Err(PlanError::BadBudget(options.budget.to_string()));
    }
    let budget = cents(options.budget);
    let share_cap = settings.max_share.map(|s| (budget as f64 * s).floor() as u64);
    let priced: Vec<Priced<'_>> = ranking
        .results
        .iter()
        .map(|ranked| {
            let c = &ranked.candidate;
            let price = match c.cost_per_post {
                Some(p) => Some((cents(p), false)),
                None if settings.estimated_prices => rules
                    .prices
                    .get(c.platform.as_deref(), &ranked.evaluation.tier.name)
                    .map(|p| (cents(p), true)),
                None => None,
            };
            let niches = c
                .niches
                .iter()
                .filter_map(|n| rules.taxonomy.resolve(n))
                .map(|id| normalize_niche(rules.taxonomy.name(id)))
                .collect();
            Priced { ranked, price, niches }
        })
        .collect();
    // Who can be booked at all.
    let bookable: Vec<usize> = (0..priced.len())
        .filter(|&i| priced[i].price.is_some_and(|(p, _)| share_cap.is_none_or(|cap| p <= cap)))
        .collect();
    if bookable.is_empty() {
        let why = if ranking.results.is_empty() {
            "none passed the brand's filters".to_owned()
        } else if priced.iter().all(|p| p.price.is_none()) {
            "none has a price, and no estimate applies".to_owned()
        } else {
            "every price is over `max_share` of the budget".to_owned()
        };
        return Err(PlanError::NoCandidates(why));
    }
    let cheapest =
        bookable.iter().copied().min_by_key(|&i| priced[i].price.map(|p| p.0)).unwrap_or(0);
    let cheapest_price = priced[cheapest].price.map_or(0, |p| p.0);
    if cheapest_price > budget {
        return Err(PlanError::BelowCheapest {
            budget: money(dollars(budget)).trim_start_matches('$').to_owned(),
            cheapest: money(dollars(cheapest_price)).trim_start_matches('$').to_owned(),
            handle: priced[cheapest].ranked.candidate.handle.clone(),
        });
    }

    // The problem: quotas first, then the creator count.
    let mut counters: Vec<Counter> =
        settings.quotas.iter().map(|q| Counter { min: q.min, max: q.max }).collect();
    let creators = counters.len();
    counters.push(Counter { min: settings.min_creators.unwrap_or(0), max: settings.max_creators });
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let items: Vec<Item> = bookable
        .iter()
        .map(|&i| {
            let p = &priced[i];
            let handle = p.ranked.candidate.handle.to_lowercase();
            let next = group_of.len();
            let group = *group_of.entry(handle).or_insert(next);
            let mut item_counters: Vec<usize> = settings
                .quotas
                .iter()
                .enumerate()
                .filter(|(_, q)| matches(q, p))
                .map(|(c, _)| c)
                .collect();
            item_counters.push(creators);
            Item {
                price: p.price.map_or(0, |x| x.0),
                value: objective_value(objective, p.ranked),
                counters: item_counters,
                group,
            }
        })
        .collect();
    let problem = Problem { items, counters };
    check_conflicts(&problem, settings, budget)?;

    let ladder: Vec<u64> = [0.01, 0.025, 0.05, 0.10]
        .iter()
        .map(|f| budget + ((budget as f64 * f / 100.0).ceil() as u64 * 100).max(500))
        .collect();
    let budgets: Vec<u64> = std::iter::once(budget).chain(ladder).collect();
    let solutions = solve::solve(&problem, &budgets, true)?;
    let Some(best) = solutions[0].clone() else {
        return Err(PlanError::Conflict(infeasible_reason(&problem, settings, budget)));
    };

    let booked_set: std::collections::HashSet<usize> = best.chosen.iter().copied().collect();
    let mut booked: Vec<Booked> = best
        .chosen
        .iter()
        .map(|&k| {
            let p = &priced[bookable[k]];
            let (price, estimated) = p.price.unwrap_or((0, false));
            let c = &p.ranked.candidate;
            let m = &p.ranked.evaluation.metrics;
            Booked {
                handle: c.handle.clone(),
                platform: c.platform.clone(),
                tier: p.ranked.evaluation.tier.name.to_string(),
                country: c.country.clone(),
                price: dollars(price),
                estimated,
                score: p.ranked.score(),
                engagements: m.engagements_per_post,
                reach: m.estimated_reach,
                cost_per_engagement: m
                    .engagements_per_post
                    .filter(|e| *e > 0.0)
                    .map(|e| dollars(price) / e),
                value: problem.items[k].value,
                line: c.line,
            }
        })
        .collect();
    booked.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| a.handle.cmp(&b.handle)).then(a.line.cmp(&b.line))
    });

    let handle_of = |k: usize| priced[bookable[k]].ranked.candidate.handle.clone();
    let mut additions: Vec<Addition> = Vec::new();
    for solution in solutions[1..].iter().flatten() {
        if solution.value <= best.value + 1e-9 || solution.cost <= budget {
            continue;
        }
        if additions.iter().any(|a| (a.gain - (solution.value - best.value)).abs() < 1e-9) {
            continue;
        }
        let adds = solution
            .chosen
            .iter()
            .filter(|k| !booked_set.contains(k))
            .map(|&k| handle_of(k))
            .collect();
        let drops = best
            .chosen
            .iter()
            .filter(|k| !solution.chosen.contains(k))
            .map(|&k| handle_of(k))
            .collect();
        additions.push(Addition {
            extra: dollars(solution.cost - budget),
            adds,
            drops,
            gain: solution.value - best.value,
        });
    }

    let left_out = left_out(
        &priced,
        &bookable,
        &booked_set,
        &problem,
        settings,
        &best,
        budget,
        share_cap,
        options.left_out,
    );
    let baselines = baselines(&problem, &priced, &bookable, budget, best.value);
    let spent = dollars(best.cost);
    Ok(Plan {
        revision: ranking.revision.clone(),
        brand: ranking.brand.clone(),
        objective,
        budget: dollars(budget),
        counts: ranking.counts,
        total_score: booked.iter().map(|b| b.score).sum(),
        total_engagements: booked.iter().filter_map(|b| b.engagements).sum(),
        total_reach: booked.iter().filter_map(|b| b.reach).sum(),
        booked,
        spent,
        left: dollars(budget - best.cost),
        value: best.value,
        left_out,
        additions,
        baselines,
        quotas: settings.quotas.clone(),
        errors: ranking.errors.clone(),
    })
}

/// Conflicts visible before solving: a group with fewer candidates than its minimum, and
/// minimums of one kind that need more creators than `max_creators` allows.
fn check_conflicts(
    problem: &Problem,
    settings: &PlanSettings,
    budget: u64,
) -> Result<(), PlanError> {
    let _ = budget;
    let mut problems = Vec::new();
    for (c, quota) in settings.quotas.iter().enumerate() {
        let groups: std::collections::HashSet<usize> =
            problem.items.iter().filter(|i| i.counters.contains(&c)).map(|i| i.group).collect();
        if groups.len() < quota.min as usize {
            problems.push(format!(
                "`{}` needs {} but only {} bookable {} qualify",
                quota.describe(),
                quota.min,
                groups.len(),
                crate::text::plural(groups.len(), "candidate")
            ));
        }
    }
    if let Some(max) = settings.max_creators {
        for key in [QuotaKey::Tier, QuotaKey::Platform, QuotaKey::Country] {
            let of_kind: Vec<&Quota> =
                settings.quotas.iter().filter(|q| q.key == key && q.min > 0).collect();
            let need: u64 = of_kind.iter().map(|q| q.min).sum();
            if need > max && of_kind.len() > 1 {
                let names: Vec<String> =
                    of_kind.iter().map(|q| format!("`{}`", q.describe())).collect();
                problems.push(format!(
                    "{} need {need} creators, but max_creators is {max}",
                    names.join(" and ")
                ));
            }
            if let [only] = of_kind[..] {
                if only.min > max {
                    problems
                        .push(format!("`{}` needs more than max_creators {max}", only.describe()));
                }
            }
        }
    }
    if let Some(min) = settings.min_creators {
        let groups: std::collections::HashSet<usize> =
            problem.items.iter().map(|i| i.group).collect();
        if (groups.len() as u64) < min {
            problems.push(format!(
                "min_creators {min}, but only {} creators can be booked",
                groups.len()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PlanError::Conflict(problems.join("; ")))
    }
}

/// Why the solver found no plan: the quotas that cannot be met within the budget even
/// alone, else the ones that cannot all be met together.
fn infeasible_reason(problem: &Problem, settings: &PlanSettings, budget: u64) -> String {
    let mut alone = Vec::new();
    for (c, quota) in settings.quotas.iter().enumerate().filter(|(_, q)| q.min > 0) {
        let mut prices: Vec<u64> =
            problem.items.iter().filter(|i| i.counters.contains(&c)).map(|i| i.price).collect();
        prices.sort_unstable();
        let need: u64 = prices.iter().take(quota.min as usize).sum();
        if need > budget {
            alone.push(format!(
                "`{}` alone costs at least {}",
                quota.describe(),
                money(dollars(need))
            ));
        }
    }
    if !alone.is_empty() {
        return format!("{} (budget {})", alone.join("; "), money(dollars(budget)));
    }
    let mut names: Vec<String> = settings
        .quotas
        .iter()
        .filter(|q| q.min > 0 || q.max.is_some())
        .map(|q| format!("`{}`", q.describe()))
        .collect();
    if settings.min_creators.is_some() || settings.max_creators.is_some() {
        names.push(format!(
            "creators {}–{}",
            settings.min_creators.unwrap_or(0),
            settings.max_creators.map_or("any".to_owned(), |m| m.to_string())
        ));
    }
    format!("{} cannot all hold within {}", names.join(", "), money(dollars(budget)))
}

/// The best-scored candidates the plan does not book, and why.
#[allow(clippy::too_many_arguments)]
fn left_out(
    priced: &[Priced<'_>],
    bookable: &[usize],
    booked: &std::collections::HashSet<usize>,
    problem: &Problem,
    settings: &PlanSettings,
    best: &Solution,
    budget: u64,
    share_cap: Option<u64>,
    limit: usize,
) -> Vec<LeftOut> {
    let item_of: HashMap<usize, usize> =
        bookable.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut counts = vec![0u64; problem.counters.len()];
    let mut groups = std::collections::HashSet::new();
    for &k in &best.chosen {
        for &c in &problem.items[k].counters {
            counts[c] += 1;
        }
        groups.insert(problem.items[k].group);
    }
    let left = budget - best.cost;
    let mut out = Vec::new();
    // `ranking.results` is best first.
    for (i, p) in priced.iter().enumerate() {
        if out.len() >= limit {
            break;
        }
        let k = item_of.get(&i).copied();
        if k.is_some_and(|k| booked.contains(&k)) {
            continue;
        }
        let c = &p.ranked.candidate;
        let price = p.price.map(|x| x.0);
        let reason = match (p.price, k) {
            (None, _) if !settings.estimated_prices && c.cost_per_post.is_none() => {
                "no price, and the brand refuses estimated prices".to_owned()
            }
            (None, _) => {
                "no price, and `prices.toml` has no estimate for its platform and tier".to_owned()
            }
            (Some((price, _)), None) => format!(
                "price {} is over max_share of the budget ({})",
                money(dollars(price)),
                money(dollars(share_cap.unwrap_or(0)))
            ),
            (Some((price, _)), Some(k)) => {
                let item = &problem.items[k];
                if price > budget {
                    format!("price {} is over the whole budget", money(dollars(price)))
                } else if groups.contains(&item.group) {
                    "another account of the creator is booked".to_owned()
                } else if let Some(c) = item
                    .counters
                    .iter()
                    .copied()
                    .find(|&c| problem.counters[c].max.is_some_and(|m| counts[c] >= m))
                {
                    match settings.quotas.get(c) {
                        Some(q) => format!("quota `{}` is full", q.describe()),
                        None => "max_creators is reached".to_owned(),
                    }
                } else if price > left {
                    format!(
                        "a better combination: its price {} is over the {} left, and no swap gains",
                        money(dollars(price)),
                        money(dollars(left))
                    )
                } else {
                    "a better combination: booking it would not raise the objective".to_owned()
                }
            }
        };
        out.push(LeftOut {
            handle: c.handle.clone(),
            platform: c.platform.clone(),
            score: p.ranked.score(),
            price: price.map(dollars),
            reason,
        });
    }
    out
}

/// Greedy by score and by value per dollar: book in that order whoever fits the budget,
/// the quota maximums and one account per creator.
fn baselines(
    problem: &Problem,
    priced: &[Priced<'_>],
    bookable: &[usize],
    budget: u64,
    best: f64,
) -> Vec<Baseline> {
    let items = &problem.items;
    let score = |k: usize| priced[bookable[k]].ranked.score();
    let per_dollar = |k: usize| items[k].value / (items[k].price.max(1) as f64);
    let mut by_score: Vec<usize> = (0..items.len()).collect();
    by_score.sort_by(|&a, &b| score(b).total_cmp(&score(a)));
    let mut by_ratio: Vec<usize> = (0..items.len()).collect();
    by_ratio.sort_by(|&a, &b| per_dollar(b).total_cmp(&per_dollar(a)));
    [("score", by_score), ("value per dollar", by_ratio)]
        .into_iter()
        .map(|(name, order)| {
            let (value, feasible) = greedy_in_order(problem, budget, &order);
            Baseline {
                name: name.to_owned(),
                value,
                feasible,
                gap: if best > 0.0 { (best - value) / best } else { 0.0 },
            }
        })
        .collect()
}

/// Books `order` greedily; the value and whether every minimum holds.
pub fn greedy_in_order(problem: &Problem, budget: u64, order: &[usize]) -> (f64, bool) {
    let mut counts = vec![0u64; problem.counters.len()];
    let mut groups = std::collections::HashSet::new();
    let (mut cost, mut value) = (0u64, 0f64);
    for &k in order {
        let item = &problem.items[k];
        let fits = cost + item.price <= budget
            && !groups.contains(&item.group)
            && item.counters.iter().all(|&c| problem.counters[c].max.is_none_or(|m| counts[c] < m));
        if fits {
            cost += item.price;
            value += item.value;
            groups.insert(item.group);
            for &c in &item.counters {
                counts[c] += 1;
            }
        }
    }
    let feasible = problem.counters.iter().zip(&counts).all(|(c, &n)| n >= c.min);
    (value, feasible)
}
