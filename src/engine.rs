//! The pure evaluation of one candidate against one brand: derived metrics, tier, filter
//! verdicts, score components and the scripted score. No I/O, no printing; a script failure
//! is returned as an error for that candidate only.

use std::cell::OnceCell;
use std::sync::Arc;

use rhai::{Dynamic, Scope};
use serde::Serialize;

use crate::model::{Candidate, Field, Kind, PostSample};
use crate::rules::fast::{Inputs, V};
use crate::rules::filters::{Check, CustomFilter, Measure, ReasonPart, Starts};
use crate::rules::history::{self, HistoryMetrics};
use crate::rules::script::{self, map_of, opt_float, opt_str, slots, Reads, ScriptError};
use crate::rules::{Average, Brand, ErBasis, MissingPolicy, RuleSet, Tier};

/// Metrics derived from a candidate's raw figures, on the brand's chosen basis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Likes per post (from samples when the candidate has them).
    pub avg_likes: Option<f64>,
    /// Comments per post.
    pub avg_comments: Option<f64>,
    /// Shares per post.
    pub avg_shares: Option<f64>,
    /// Views per post.
    pub avg_views: Option<f64>,
    /// Likes + comments + shares per post; missing comments or shares count as 0.
    pub engagements_per_post: Option<f64>,
    /// Engagements per post over followers (or views, by the brand's basis).
    pub engagement_rate: Option<f64>,
    /// What `engagement_rate` is measured on: the brand's basis for the row's platform.
    pub basis: ErBasis,
    /// Cost per post over engagements per post.
    pub cost_per_engagement: Option<f64>,
    /// Average views, else average likes × 10 (the usual impressions estimate).
    pub estimated_reach: Option<f64>,
}

/// Derives the metrics of `candidate` as `brand` measures them.
pub fn metrics(brand: &Brand, candidate: &Candidate) -> Metrics {
    let (avg_likes, avg_comments, avg_shares, avg_views) = if candidate.post_samples.is_empty() {
        (candidate.avg_likes, candidate.avg_comments, candidate.avg_shares, candidate.avg_views)
    } else {
        let samples = &candidate.post_samples;
        let average = brand.engagement.average;
        (
            average_of(samples, average, |p| p.likes),
            average_of(samples, average, |p| p.comments),
            average_of(samples, average, |p| p.shares),
            average_of(samples, average, |p| p.views),
        )
    };
    let engagements_per_post =
        avg_likes.map(|likes| likes + avg_comments.unwrap_or(0.0) + avg_shares.unwrap_or(0.0));
    let basis = brand.engagement.basis_for(candidate.platform.as_deref());
    let engagement_rate = engagements_per_post.and_then(|eng| match basis {
        ErBasis::Followers if candidate.followers == 0 => Some(0.0),
        ErBasis::Followers => Some(eng / candidate.followers as f64),
        ErBasis::Views => avg_views.filter(|v| *v > 0.0).map(|views| eng / views),
    });
    let cost_per_engagement = match (candidate.cost_per_post, engagements_per_post) {
        (Some(cost), Some(eng)) if eng > 0.0 => Some(cost / eng),
        _ => None,
    };
    let estimated_reach = avg_views.or(avg_likes.map(|likes| likes * 10.0));
    Metrics {
        avg_likes,
        avg_comments,
        avg_shares,
        avg_views,
        engagements_per_post,
        engagement_rate,
        basis,
        cost_per_engagement,
        estimated_reach,
    }
}

fn average_of(
    samples: &[PostSample],
    average: Average,
    field: impl Fn(&PostSample) -> Option<f64>,
) -> Option<f64> {
    let mut values: Vec<f64> = samples.iter().filter_map(&field).collect();
    if values.is_empty() {
        return None;
    }
    Some(match average {
        Average::Mean => values.iter().sum::<f64>() / values.len() as f64,
        Average::Median => {
            values.sort_by(f64::total_cmp);
            let mid = values.len() / 2;
            if values.len() % 2 == 0 {
                (values[mid - 1] + values[mid]) / 2.0
            } else {
                values[mid]
            }
        }
    })
}

/// The score components, each 0–1, or `None` when the data to judge it is missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Components {
    /// min(ER / benchmark, cap) / cap.
    pub engagement: Option<f64>,
    /// The brand's best weight among the candidate's niches; 0 when none match.
    pub niche_fit: f64,
    /// min(1, target CPE / CPE).
    pub cost_efficiency: Option<f64>,
    /// 1 − fake-follower share.
    pub authenticity: Option<f64>,
    /// The relationship with the brand, from its history; `None` without history (or
    /// without a history file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<f64>,
}

/// Which tier rule matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierMatch {
    /// The tier's name.
    pub name: Arc<str>,
    /// The tier's lowest follower count, inclusive.
    pub min_followers: u64,
    /// The tier's highest follower count, inclusive; `None` is unbounded.
    pub max_followers: Option<u64>,
    /// The `when` condition that also held, if the tier has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Arc<str>>,
    /// The ER benchmark for this platform and tier.
    pub benchmark: Option<f64>,
    /// The tier this one is carved out of, and that tier's benchmark for the row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carved_from: Option<Arc<str>>,
    /// The benchmark of `carved_from` for the row (`parent_benchmark` in scripts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_benchmark: Option<f64>,
}

impl TierMatch {
    /// The bounds as people write them: `2,000–100,000` or `1,000,001+`.
    pub fn bounds_text(&self) -> String {
        crate::rules::tiers::bounds_text(self.min_followers, self.max_followers)
    }
}

pub use crate::rules::filters::Filter;

/// One filter's verdict on one candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The filter.
    pub filter: Filter,
    /// Whether the candidate passed it.
    pub passed: bool,
    /// Whether the value the filter needs was missing (the brand's `when_missing` decided).
    pub missing: bool,
}

/// The full outcome of evaluating one candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Derived metrics.
    pub metrics: Metrics,
    /// The tier.
    pub tier: TierMatch,
    /// Verdicts: every filter the brand sets when explaining, else only the failed ones.
    pub verdicts: Vec<Verdict>,
    /// Score components.
    pub components: Components,
    /// What the brand's history says about the candidate; `None` when the brand has no
    /// history file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryMetrics>,
    /// The 0–100 score, rounded to 4 decimals; `None` when a filter failed.
    pub score: Option<f64>,
    /// The number the script returned, before clamping and rounding.
    #[serde(skip)]
    pub raw_score: Option<f64>,
    /// Whether the rhai interpreter ran the scoring script (rather than the compiled fast
    /// path).
    pub interpreted: bool,
    /// Notes the script emitted with `note(…)` or `print(…)`.
    pub notes: Vec<String>,
    /// The reasons of custom filters, worked out when they fail (or when explaining).
    #[serde(skip)]
    pub custom_reasons: Vec<(Filter, String)>,
}

impl Evaluation {
    /// Whether every filter passed.
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed)
    }

    /// The failed filters' reasons, in filter order.
    pub fn failure_reasons(&self, brand: &Brand, candidate: &Candidate) -> Vec<String> {
        self.verdicts
            .iter()
            .filter(|v| !v.passed)
            .map(|v| v.reason(brand, candidate, self))
            .collect()
    }
}

/// A script failure on one candidate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("script `{script}` failed on `{handle}`: {error}")]
pub struct EvalError {
    /// The script, relative to the rule folder.
    pub script: String,
    /// The candidate's handle.
    pub handle: String,
    /// The tier whose `when` condition failed; `None` for the scoring script.
    pub tier: Option<Arc<str>>,
    /// What went wrong.
    pub error: ScriptError,
}

/// How much detail to compute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Record every filter verdict, not only failures, and score filtered candidates too.
    pub explain: bool,
    /// Run scripts in the rhai interpreter even when a compiled fast path exists (for
    /// differential tests and benchmarks).
    pub interpreted: bool,
}

/// Evaluates `candidate` against `brand`. Pure: same inputs, same output.
pub fn evaluate(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    options: Options,
) -> Result<Evaluation, EvalError> {
    // One operation and time budget for every script this candidate runs.
    let _budget = script::Budget::open();
    // A brand that does not take estimated fake-follower shares judges the row without one.
    let without_estimate;
    let candidate = if !brand.estimated_authenticity && is_estimated(candidate) {
        without_estimate = Candidate { fake_follower_pct: None, ..candidate.clone() };
        &without_estimate
    } else {
        candidate
    };
    let metrics = metrics(brand, candidate);
    let history = history_metrics(brand, candidate, &metrics);
    let mut lazy = ScriptInputs { scope: None, inputs: None };
    let tier = match_tier(rules, brand, candidate, &metrics, history.as_ref(), options, &mut lazy)?;
    let benchmark = benchmark_of(brand, candidate, &metrics, &tier.name);
    let parent_benchmark = tier
        .carved_from
        .as_ref()
        .and_then(|parent| benchmark_of(brand, candidate, &metrics, parent));
    let tier_match = TierMatch {
        name: Arc::clone(&tier.name),
        min_followers: tier.min_followers,
        max_followers: tier.max_followers,
        when: tier.when.as_ref().map(|w| Arc::clone(&w.source)),
        benchmark,
        carved_from: tier.carved_from.clone(),
        parent_benchmark,
    };

    let niche_fit = niche_fit(rules, brand, candidate);
    let components = components(brand, candidate, &metrics, benchmark, niche_fit, history.as_ref());
    let judged = Judged {
        metrics: &metrics,
        components: &components,
        tier: &tier.name,
        benchmark,
        history: history.as_ref(),
    };
    let (verdicts, custom_reasons) =
        filter_verdicts(rules, brand, candidate, &judged, options, &mut lazy)?;
    let mut evaluation = Evaluation {
        metrics,
        tier: tier_match,
        verdicts,
        components,
        // Judged borrows it for the lazily built script inputs; only brands with a
        // history file pay for the copy.
        history: history.clone(),
        score: None,
        raw_score: None,
        interpreted: false,
        notes: Vec::new(),
        custom_reasons,
    };
    if !(evaluation.passed() || options.explain) {
        return Ok(evaluation);
    }
    let Some(score) = script_score(rules, brand, candidate, options, lazy, &mut evaluation)? else {
        return Ok(evaluation);
    };
    let clamped = score.clamp(0.0, 100.0);
    if clamped != score {
        evaluation.notes.push(format!("score {score} clamped to {clamped}"));
    }
    evaluation.raw_score = Some(score);
    evaluation.score = Some(round4(clamped));
    Ok(evaluation)
}

/// What the brand's history says about `candidate`; `None` when the brand has no history.
pub fn history_metrics(
    brand: &Brand,
    candidate: &Candidate,
    metrics: &Metrics,
) -> Option<HistoryMetrics> {
    history::metrics_of(
        &brand.history,
        candidate,
        metrics.engagement_rate,
        metrics.basis == ErBasis::Views,
    )
}

/// The benchmark of `tier` for a row: its platform, its ER basis, its follower count.
fn benchmark_of(
    brand: &Brand,
    candidate: &Candidate,
    metrics: &Metrics,
    tier: &str,
) -> Option<f64> {
    let platform = candidate.platform.as_deref();
    brand.benchmarks.get(platform, metrics.basis, tier, candidate.followers)
}

/// Script inputs for one candidate: built at most once, and only when a script needs them.
struct ScriptInputs<'a> {
    scope: Option<Scope<'static>>,
    inputs: Option<Inputs<'a>>,
}

/// A script error on a candidate, naming the script.
fn script_error(path: &std::path::Path, candidate: &Candidate, error: ScriptError) -> EvalError {
    EvalError {
        script: path.display().to_string(),
        handle: candidate.handle.clone(),
        tier: None,
        error,
    }
}

/// The candidate's tier: the first tier whose bounds hold and whose condition, if any, is
/// true.
fn match_tier<'a>(
    rules: &RuleSet,
    brand: &'a Brand,
    candidate: &'a Candidate,
    metrics: &Metrics,
    history: Option<&HistoryMetrics>,
    options: Options,
    lazy: &mut ScriptInputs<'a>,
) -> Result<&'a Tier, EvalError> {
    let ScriptInputs { scope, inputs } = lazy;
    let tiers = brand.tiers.tiers_for(candidate.platform.as_deref());
    let mut matched: Option<&Tier> = None;
    for tier in tiers {
        if !tier.contains(candidate.followers) {
            continue;
        }
        let Some(condition) = &tier.when else {
            matched = Some(tier);
            break;
        };
        let parent =
            tier.carved_from.as_ref().and_then(|p| benchmark_of(brand, candidate, metrics, p));
        let fast = match (&condition.fast, options.interpreted) {
            (Some(fast), false) => {
                let inputs = inputs_in(inputs, brand, candidate, metrics, history);
                inputs.set_float(slots::PARENT_BENCHMARK, parent);
                fast.eval_bool(inputs)
            }
            _ => None,
        };
        let holds = match fast {
            Some(holds) => holds,
            None => {
                let scope = scope
                    .get_or_insert_with(|| script_scope(rules, brand, candidate, metrics, history));
                scope.set_value("parent_benchmark", opt_float(parent));
                rules.sandbox.eval_condition(&condition.ast, scope).map_err(|e| EvalError {
                    tier: Some(Arc::clone(&tier.name)),
                    ..script_error(&brand.tiers.path, candidate, e)
                })?
            }
        };
        if holds {
            matched = Some(tier);
            break;
        }
    }
    // A valid scheme tiles every count with unconditional tiers, so this always matches.
    Ok(matched.or_else(|| tiers.last()).expect("a valid tier scheme has tiers"))
}

/// The scripted score, on the fast path when it can decide, else in the interpreter (whose
/// notes go into `evaluation`). `None` when explaining a filtered candidate the script
/// cannot score.
fn script_score<'a>(
    rules: &RuleSet,
    brand: &'a Brand,
    candidate: &'a Candidate,
    options: Options,
    lazy: ScriptInputs<'a>,
    evaluation: &mut Evaluation,
) -> Result<Option<f64>, EvalError> {
    let ScriptInputs { scope, inputs } = lazy;
    let fast_score = match (&brand.fast_script, options.interpreted) {
        (Ok(fast), false) => {
            let mut inputs =
                inputs.unwrap_or_else(|| fast_inputs_for(brand, candidate, evaluation));
            fill_scored_inputs(&mut inputs, evaluation);
            fast.eval_number(&inputs)
        }
        _ => None,
    };
    let score = match fast_score {
        Some(score) => score,
        None => {
            evaluation.interpreted = true;
            let mut scope =
                scope.unwrap_or_else(|| script_scope_of(rules, brand, candidate, evaluation));
            fill_scored_scope(&mut scope, evaluation);
            let _ = script::take_notes();
            let result = rules.sandbox.eval_score(&brand.script.ast, &mut scope);
            evaluation.notes = script::take_notes();
            match result {
                Ok(score) => score,
                // Explaining a filtered candidate: its score is extra information, and a
                // formula need not cope with the values the filters turn away.
                Err(error) if !evaluation.passed() => {
                    evaluation.notes.push(format!("no score for a filtered candidate: {error}"));
                    return Ok(None);
                }
                Err(error) => return Err(script_error(&brand.script.path, candidate, error)),
            }
        }
    };
    Ok(Some(score))
}

/// What a row is to every brand that judges it, worked out by the first brand that asks
/// and reused by the others of a read ([`crate::rank::Collectors`]): its niches' ids, and
/// whether an excluded keyword of any of the read's brands may occur in its handle or
/// niches.
pub struct Facts<'a> {
    /// The row.
    pub candidate: &'a Candidate,
    /// The starts of every excluded keyword of the brands that will judge the row.
    screen: &'a Starts,
    niche_ids: OnceCell<Option<NicheIds>>,
    keywords_may_start: OnceCell<bool>,
}

/// The ids of a row's known niches, held inline (a row names a few niches).
struct NicheIds {
    ids: [usize; NicheIds::INLINE],
    len: usize,
}

impl NicheIds {
    const INLINE: usize = 8;

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.ids[..self.len].iter().copied()
    }
}

impl<'a> Facts<'a> {
    /// The facts of `candidate`, for brands whose excluded keywords all start as `screen`
    /// holds (a brand's own [`Keywords::starts`](crate::rules::filters::Keywords::starts),
    /// or the [`Starts::union`] of several brands').
    pub fn new(candidate: &'a Candidate, screen: &'a Starts) -> Self {
        Self { candidate, screen, niche_ids: OnceCell::new(), keywords_may_start: OnceCell::new() }
    }

    /// The ids of the row's niches the taxonomy knows; `None` when the row names more
    /// labels than are held inline.
    fn niche_ids(&self, rules: &RuleSet) -> Option<&NicheIds> {
        let resolve = || {
            let labels = &self.candidate.niches;
            (labels.len() <= NicheIds::INLINE).then(|| {
                let mut ids = NicheIds { ids: [0; NicheIds::INLINE], len: 0 };
                for id in labels.iter().filter_map(|label| rules.taxonomy.resolve(label)) {
                    ids.ids[ids.len] = id;
                    ids.len += 1;
                }
                ids
            })
        };
        self.niche_ids.get_or_init(resolve).as_ref()
    }

    /// Whether an excluded keyword of the screened brands may occur in the handle or the
    /// niches (lowercased).
    fn keywords_may_start(&self) -> bool {
        *self.keywords_may_start.get_or_init(|| {
            common_texts(self.candidate)
                .any(|(_, text)| self.screen.first_in(&crate::text::lowercase(text)).is_some())
        })
    }
}

/// How a row fares, when that is all a ranking needs of it: most rows, which are filtered
/// without being shown or scored below the cut. The same verdict and score as [`evaluate`]
/// (a test holds them equal) without building an [`Evaluation`]; [`Quick::Full`] when
/// only `evaluate` can tell, because a script would have to run in the interpreter (a
/// formula, `when` or custom filter the fast path cannot take) or the row's fake-follower
/// share is an estimate the brand does not take.
pub fn quick(rules: &RuleSet, brand: &Brand, facts: &Facts) -> Quick {
    debug_assert!(
        facts.screen.covers(brand.filters.exclude_keywords.starts()),
        "the row's facts were screened for other brands than `{}`",
        brand.id
    );
    let candidate = facts.candidate;
    let Ok(fast) = &brand.fast_script else { return Quick::Full };
    if !brand.quick || (!brand.estimated_authenticity && is_estimated(candidate)) {
        return Quick::Full;
    }
    let metrics = metrics(brand, candidate);
    // Most rows are filtered, and the built-in filters read only metrics, tier, niche fit
    // and (some) history: benchmarks, components and the history itself are worked out
    // when something reads them.
    let history = OnceCell::new();
    let history_of = || history.get_or_init(|| history_metrics(brand, candidate, &metrics));
    // One set of inputs through every script, built when the first script needs it and
    // changed in the order `evaluate` changes its own (a custom filter sees the
    // `parent_benchmark` the last `when` set).
    let mut inputs = LazyInputs {
        made: None,
        filled: Reads::NONE,
        brand,
        candidate,
        metrics: &metrics,
        history: &history_of,
    };
    let Some(tier) = quick_tier(brand, candidate, &metrics, &mut inputs) else {
        return Quick::Full;
    };
    let niche_fit = match facts.niche_ids(rules) {
        Some(ids) => best_weight(brand, ids.iter()),
        None => niche_fit(rules, brand, candidate),
    };
    let judge = || {
        let benchmark = benchmark_of(brand, candidate, &metrics, &tier.name);
        let history = history_of().as_ref();
        (benchmark, components(brand, candidate, &metrics, benchmark, niche_fit, history))
    };
    let judged_once = OnceCell::new();
    let mut failed = 0u64;
    for (i, spec) in brand.filters.specs.iter().enumerate() {
        let outcome = match &spec.check {
            Check::Custom(custom) => {
                // A condition on the row's own numbers (`following / followers`) does
                // without the benchmark and the components.
                let judged = custom.reads.any(&slots::JUDGED).then(|| {
                    let (benchmark, components) = judged_once.get_or_init(judge);
                    Judged {
                        metrics: &metrics,
                        components,
                        tier: &tier.name,
                        benchmark: *benchmark,
                        history: history_of().as_ref(),
                    }
                });
                match quick_custom(custom, &mut inputs, judged.as_ref()) {
                    Some(outcome) => outcome,
                    None => return Quick::Full,
                }
            }
            check => {
                let history = if check.reads_history() { history_of().as_ref() } else { None };
                // Screened once a row for every brand of the read.
                let keywords_in_common =
                    matches!(check, Check::ExcludeKeywords) && facts.keywords_may_start();
                let basics = Basics {
                    metrics: &metrics,
                    niche_fit,
                    tier: &tier.name,
                    history,
                    keywords_in_common,
                };
                builtin_outcome(check, brand, candidate, &basics)
            }
        };
        if !outcome.unwrap_or(spec.when_missing == MissingPolicy::Pass) {
            failed |= 1 << i;
        }
    }
    if failed != 0 {
        return Quick::Filtered(failed);
    }
    let (benchmark, components) = judged_once.get_or_init(judge);
    let parent_benchmark = tier
        .carved_from
        .as_ref()
        .and_then(|parent| benchmark_of(brand, candidate, &metrics, parent));
    let inputs = inputs.get(brand.reads);
    inputs.set_str(slots::TIER, Some(&tier.name));
    inputs.set_float(slots::BENCHMARK, *benchmark);
    inputs.set_float(slots::PARENT_BENCHMARK, parent_benchmark);
    fill_component_inputs(inputs, components);
    match fast.eval_number(inputs) {
        Some(score) => Quick::Scored(round4(score.clamp(0.0, 100.0))),
        None => Quick::Full,
    }
}

/// A custom filter's outcome on the fast path, as [`builtin_outcome`] gives a built-in's
/// (`None` inside: a value it needs is missing); `None` when only the interpreter can tell.
fn quick_custom<'a>(
    custom: &CustomFilter,
    inputs: &mut LazyInputs<'a, '_>,
    judged: Option<&Judged<'a>>,
) -> Option<Option<bool>> {
    let inputs = inputs.get(custom.reads);
    if let Some(judged) = judged {
        fill_judged_inputs(inputs, judged);
    }
    if custom.needs.iter().any(|slot| inputs.get(*slot) == V::Unit) {
        return Some(None);
    }
    let reject = custom.fast.as_ref()?.eval_bool(inputs)?;
    Some(Some(!reject))
}

/// The fast path's inputs for one candidate, built when the first script asks and filled
/// with the variables each script reads as it asks (most rows are turned away by a filter
/// that reads two or three).
struct LazyInputs<'a, 'h> {
    made: Option<Inputs<'a>>,
    /// The variables filled so far.
    filled: Reads,
    brand: &'a Brand,
    candidate: &'a Candidate,
    metrics: &'a Metrics,
    history: &'h dyn Fn() -> &'h Option<HistoryMetrics>,
}

impl<'a> LazyInputs<'a, '_> {
    /// The inputs, with (at least) the variables in `reads` filled.
    fn get(&mut self, reads: Reads) -> &mut Inputs<'a> {
        let Self { made, filled, brand, candidate, metrics, history } = self;
        // A row `quick` judges is not shown: nobody reads its notes.
        let inputs = made.get_or_insert_with(|| Inputs::new(true));
        let missing = reads.without(*filled);
        if !missing.is_empty() {
            let history = if missing.any(&slots::HISTORY) { history().as_ref() } else { None };
            fill_fast_inputs(inputs, brand, candidate, metrics, history, missing);
            *filled = filled.union(missing);
        }
        inputs
    }
}

/// [`match_tier`] on the fast path only: `None` when a `when` needs the interpreter.
fn quick_tier<'a>(
    brand: &'a Brand,
    candidate: &Candidate,
    metrics: &Metrics,
    inputs: &mut LazyInputs<'_, '_>,
) -> Option<&'a Tier> {
    let tiers = brand.tiers.tiers_for(candidate.platform.as_deref());
    for tier in tiers.iter().filter(|tier| tier.contains(candidate.followers)) {
        let Some(condition) = &tier.when else { return Some(tier) };
        let parent =
            tier.carved_from.as_ref().and_then(|p| benchmark_of(brand, candidate, metrics, p));
        let inputs = inputs.get(brand.reads);
        inputs.set_float(slots::PARENT_BENCHMARK, parent);
        if condition.fast.as_ref()?.eval_bool(inputs)? {
            return Some(tier);
        }
    }
    tiers.last()
}

/// What [`quick`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quick {
    /// Filters failed: bit `i` for the brand's filter `i` (`brand.filters.specs`).
    Filtered(u64),
    /// Every filter passed, with this score.
    Scored(f64),
    /// Only [`evaluate`] can tell.
    Full,
}

/// The inputs a scoring script sees on the fast path, for an evaluated candidate (for
/// benchmarks and tools that run a script on its own).
pub fn script_inputs<'a>(
    brand: &'a Brand,
    candidate: &'a Candidate,
    evaluation: &'a Evaluation,
) -> Inputs<'a> {
    let mut inputs = fast_inputs_for(brand, candidate, evaluation);
    fill_scored_inputs(&mut inputs, evaluation);
    inputs
}

/// The scope a scoring script sees in the interpreter, for an evaluated candidate.
pub fn script_scope_for(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
) -> Scope<'static> {
    let mut scope = script_scope_of(rules, brand, candidate, evaluation);
    fill_scored_scope(&mut scope, evaluation);
    scope
}

fn fast_inputs_for<'a>(
    brand: &'a Brand,
    candidate: &'a Candidate,
    evaluation: &Evaluation,
) -> Inputs<'a> {
    fast_inputs(brand, candidate, &evaluation.metrics, evaluation.history.as_ref())
}

fn script_scope_of(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
) -> Scope<'static> {
    script_scope(rules, brand, candidate, &evaluation.metrics, evaluation.history.as_ref())
}

/// The history variables' values by slot: collaborations (0 without history when the brand
/// has a history file), days since the last, delivery ratio, history CPE, return on spend.
fn history_values(history: Option<&HistoryMetrics>) -> [(usize, Option<f64>); 5] {
    let values = [
        history.map(|h| f64::from(h.collaborations)),
        history.and_then(|h| h.last_collaboration_days),
        history.and_then(|h| h.delivery_ratio),
        history.and_then(|h| h.history_cpe),
        history.and_then(|h| h.return_on_spend),
    ];
    std::array::from_fn(|i| (slots::HISTORY[i], values[i]))
}

/// The fast path's inputs: candidate fields and metrics; tier-dependent values `()`.
fn fast_inputs<'a>(
    brand: &'a Brand,
    candidate: &'a Candidate,
    metrics: &Metrics,
    history: Option<&HistoryMetrics>,
) -> Inputs<'a> {
    let mut inputs = Inputs::default();
    fill_fast_inputs(&mut inputs, brand, candidate, metrics, history, brand.reads);
    inputs
}

/// [`fast_inputs`] in `made`, if not there yet. (The inputs are a kilobyte or more: made
/// in place, not moved there.)
fn inputs_in<'m, 'a>(
    made: &'m mut Option<Inputs<'a>>,
    brand: &'a Brand,
    candidate: &'a Candidate,
    metrics: &Metrics,
    history: Option<&HistoryMetrics>,
) -> &'m mut Inputs<'a> {
    if made.is_none() {
        let inputs = made.insert(Inputs::default());
        fill_fast_inputs(inputs, brand, candidate, metrics, history, brand.reads);
    }
    made.as_mut().expect("made above")
}

/// Fills the variables in `reads` (of those the brand's scripts name) with the candidate's
/// fields and metrics; the rest stay as they are (`()` in fresh inputs, unread).
fn fill_fast_inputs<'a>(
    inputs: &mut Inputs<'a>,
    brand: &'a Brand,
    candidate: &'a Candidate,
    metrics: &Metrics,
    history: Option<&HistoryMetrics>,
    reads: Reads,
) {
    for field in Field::ALL.into_iter().filter(|field| reads.has(slots::field(*field))) {
        match field.kind() {
            Kind::Text => inputs.set_str(slots::field(field), candidate.text(field)),
            // Lists (the niches) are arrays, which compiled scripts do not read.
            Kind::List => {}
            _ => inputs.set_float(slots::field(field), script_number(candidate, metrics, field)),
        }
    }
    let numbers = [
        (slots::ENGAGEMENT_RATE, metrics.engagement_rate),
        (slots::ER, metrics.engagement_rate),
        (slots::ENGAGEMENTS_PER_POST, metrics.engagements_per_post),
        (slots::COST_PER_ENGAGEMENT, metrics.cost_per_engagement),
        (slots::ESTIMATED_REACH, metrics.estimated_reach),
    ];
    for (slot, value) in numbers.into_iter().chain(history_values(history)) {
        if reads.has(slot) {
            inputs.set_float(slot, value);
        }
    }
    for (slot, text) in [(slots::BRAND, brand.id.as_str()), (slots::ER_BASIS, metrics.basis.name())]
    {
        if reads.has(slot) {
            inputs.set_str(slot, Some(text));
        }
    }
}

/// Fills the tier and components into the fast path's inputs, for custom filters.
fn fill_judged_inputs<'a>(inputs: &mut Inputs<'a>, judged: &Judged<'a>) {
    let c = judged.components;
    inputs.set_str(slots::TIER, Some(&**judged.tier));
    inputs.set_float(slots::BENCHMARK, judged.benchmark);
    fill_component_inputs(inputs, c);
}

/// The components, into the fast path's inputs.
fn fill_component_inputs(inputs: &mut Inputs<'_>, c: &Components) {
    inputs.set_float(slots::ENGAGEMENT, c.engagement);
    inputs.set_float(slots::NICHE_FIT, Some(c.niche_fit));
    inputs.set_float(slots::COST_EFFICIENCY, c.cost_efficiency);
    inputs.set_float(slots::AUTHENTICITY, c.authenticity);
    inputs.set_float(slots::RELATIONSHIP, c.relationship);
}

/// The interpreter's scope for a custom filter: built once, with the tier and components.
fn judged_scope(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    judged: &Judged,
    scope: &mut Option<Scope<'static>>,
) {
    let scope = scope.get_or_insert_with(|| {
        script_scope(rules, brand, candidate, judged.metrics, judged.history)
    });
    fill_judged_scope(scope, judged);
}

/// Fills the tier and components into the interpreter's scope, for custom filters.
fn fill_judged_scope(scope: &mut Scope, judged: &Judged) {
    let c = judged.components;
    scope.set_value("tier", judged.tier.to_string());
    scope.set_value("benchmark", opt_float(judged.benchmark));
    scope.set_value("engagement", opt_float(c.engagement));
    scope.set_value("niche_fit", Dynamic::from_float(c.niche_fit));
    scope.set_value("cost_efficiency", opt_float(c.cost_efficiency));
    scope.set_value("authenticity", opt_float(c.authenticity));
    scope.set_value("relationship", opt_float(c.relationship));
}

fn fill_scored_inputs<'a>(inputs: &mut Inputs<'a>, evaluation: &'a Evaluation) {
    let c = &evaluation.components;
    inputs.set_str(slots::TIER, Some(&evaluation.tier.name));
    inputs.set_float(slots::BENCHMARK, evaluation.tier.benchmark);
    inputs.set_float(slots::PARENT_BENCHMARK, evaluation.tier.parent_benchmark);
    fill_component_inputs(inputs, c);
}

pub use crate::text::round4;

/// The score components: engagement against the tier's `benchmark`, niche fit, cost
/// efficiency, authenticity, and the relationship its `history` shows.
fn components(
    brand: &Brand,
    candidate: &Candidate,
    metrics: &Metrics,
    benchmark: Option<f64>,
    niche_fit: f64,
    history: Option<&HistoryMetrics>,
) -> Components {
    let cap = brand.engagement.cap;
    let engagement = match (metrics.engagement_rate, benchmark) {
        (Some(er), Some(benchmark)) => Some((er / benchmark).min(cap) / cap),
        _ => None,
    };
    // Free posts are perfectly efficient; paid posts nobody engages with are worthless.
    let cost_efficiency = match (candidate.cost_per_post, metrics.engagements_per_post) {
        (Some(cost), Some(eng)) => Some(if cost <= 0.0 {
            1.0
        } else if eng <= 0.0 {
            0.0
        } else {
            (brand.target_cost_per_engagement * eng / cost).min(1.0)
        }),
        _ => None,
    };
    let authenticity = candidate.fake_follower_pct.map(|fake| 1.0 - fake);
    let relationship = history::relationship(&brand.history, history);
    Components { engagement, niche_fit, cost_efficiency, authenticity, relationship }
}

/// The niche-fit component: the best weight among the candidate's niches, 0 without one.
fn niche_fit(rules: &RuleSet, brand: &Brand, candidate: &Candidate) -> f64 {
    best_weight(brand, candidate.niches.iter().filter_map(|label| rules.taxonomy.resolve(label)))
}

/// The brand's best weight among niches `ids`, 0 without one.
fn best_weight(brand: &Brand, ids: impl IntoIterator<Item = usize>) -> f64 {
    ids.into_iter().map(|id| brand.niche_weights[id]).fold(0.0, f64::max)
}

/// Whether the row's fake-follower share is an estimate from its own numbers (the
/// `fake_follower_source` column `scout audit --into … --estimate` writes), not a measured one.
pub fn is_estimated(candidate: &Candidate) -> bool {
    candidate.fake_follower_pct.is_some()
        && candidate
            .extra
            .iter()
            .any(|(name, value)| &**name == "fake_follower_source" && value == "estimated")
}

/// Custom filters' reasons, by filter.
type CustomReasons = Vec<(Filter, String)>;

/// What the filters judge besides the candidate: its metrics, components and tier.
struct Judged<'a> {
    metrics: &'a Metrics,
    components: &'a Components,
    tier: &'a Arc<str>,
    benchmark: Option<f64>,
    history: Option<&'a HistoryMetrics>,
}

impl<'a> Judged<'a> {
    fn basics(&self) -> Basics<'a> {
        Basics {
            metrics: self.metrics,
            niche_fit: self.components.niche_fit,
            tier: self.tier,
            history: self.history,
            keywords_in_common: true,
        }
    }
}

/// What the built-in filters read besides the candidate: less than [`Judged`], so
/// [`quick`] can judge them before working out benchmarks and components. `history` is
/// `None` when no history measure is read (as well as when there is no history).
struct Basics<'a> {
    metrics: &'a Metrics,
    niche_fit: f64,
    tier: &'a Arc<str>,
    history: Option<&'a HistoryMetrics>,
    /// Whether an excluded keyword may occur in the handle or niches: `false` when
    /// [`Facts`] screened them for every brand of the read and found no keyword's start.
    keywords_in_common: bool,
}

/// The value of `measure` for a candidate; `None` when missing.
fn measure_value(measure: Measure, candidate: &Candidate, judged: &Basics) -> Option<f64> {
    let m = judged.metrics;
    match measure {
        Measure::Field(field) => script_number(candidate, m, field),
        Measure::EngagementRate => m.engagement_rate,
        Measure::EngagementsPerPost => m.engagements_per_post,
        Measure::CostPerEngagement => m.cost_per_engagement,
        Measure::EstimatedReach => m.estimated_reach,
        Measure::NicheFit => Some(judged.niche_fit),
        Measure::Collaborations => judged.history.map(|h| f64::from(h.collaborations)),
        Measure::UnderDeliveries => judged.history.map(|h| f64::from(h.under_deliveries)),
        Measure::DeliveryRatio => judged.history.and_then(|h| h.delivery_ratio),
        Measure::LastCollaborationDays => judged.history.and_then(|h| h.last_collaboration_days),
        Measure::HistoryCpe => judged.history.and_then(|h| h.history_cpe),
        Measure::ReturnOnSpend => judged.history.and_then(|h| h.return_on_spend),
    }
}

/// The value of `measure` for an evaluated candidate; `None` when missing.
pub fn measure_of(measure: Measure, candidate: &Candidate, evaluation: &Evaluation) -> Option<f64> {
    let judged = Judged {
        metrics: &evaluation.metrics,
        components: &evaluation.components,
        tier: &evaluation.tier.name,
        benchmark: evaluation.tier.benchmark,
        history: evaluation.history.as_ref(),
    };
    measure_value(measure, candidate, &judged.basics())
}

/// Every filter's verdict (only the failed ones unless explaining), and the reasons of the
/// custom filters that failed.
fn filter_verdicts<'a>(
    rules: &RuleSet,
    brand: &'a Brand,
    candidate: &'a Candidate,
    judged: &Judged<'a>,
    options: Options,
    lazy: &mut ScriptInputs<'a>,
) -> Result<(Vec<Verdict>, CustomReasons), EvalError> {
    let mut verdicts = Vec::new();
    let mut custom_reasons = Vec::new();
    for spec in &brand.filters.specs {
        let outcome = match &spec.check {
            Check::Custom(custom) => {
                let (outcome, reason) =
                    custom_verdict(rules, brand, candidate, judged, options, lazy, custom, spec)?;
                if let Some(reason) = reason {
                    custom_reasons.push((spec.filter.clone(), reason));
                }
                outcome
            }
            check => builtin_outcome(check, brand, candidate, &judged.basics()),
        };
        let passed = outcome.unwrap_or(spec.when_missing == MissingPolicy::Pass);
        if options.explain || !passed {
            verdicts.push(Verdict {
                filter: spec.filter.clone(),
                passed,
                missing: outcome.is_none(),
            });
        }
    }
    Ok((verdicts, custom_reasons))
}

/// A built-in filter's outcome: whether the candidate passes, `None` when the value it
/// needs is missing. (Custom filters run scripts: [`custom_verdict`].)
fn builtin_outcome(
    check: &Check,
    brand: &Brand,
    candidate: &Candidate,
    judged: &Basics,
) -> Option<bool> {
    match check {
        Check::Platforms(platforms) => candidate.platform.as_ref().map(|p| platforms.contains(p)),
        Check::Tiers(tiers) => Some(tiers.iter().any(|t| **t == **judged.tier)),
        Check::Min(measure, min) => measure_value(*measure, candidate, judged).map(|v| v >= *min),
        Check::Max(measure, max) => measure_value(*measure, candidate, judged).map(|v| v <= *max),
        Check::Countries(countries) => {
            candidate.country.as_ref().map(|c| countries.iter().any(|k| k.eq_ignore_ascii_case(c)))
        }
        Check::ExcludeKeywords => {
            Some(excluded_in(brand, candidate, judged.keywords_in_common).is_none())
        }
        Check::Custom(_) => None,
    }
}

/// A custom filter's verdict (`None`: a value it needs is missing) and, when it fails or
/// when explaining, its reason.
#[allow(clippy::too_many_arguments)]
fn custom_verdict<'a>(
    rules: &RuleSet,
    brand: &'a Brand,
    candidate: &'a Candidate,
    judged: &Judged<'a>,
    options: Options,
    lazy: &mut ScriptInputs<'a>,
    custom: &CustomFilter,
    spec: &crate::rules::filters::FilterSpec,
) -> Result<(Option<bool>, Option<String>), EvalError> {
    let error = |e| script_error(&brand.path, candidate, e);
    let inputs = inputs_in(&mut lazy.inputs, brand, candidate, judged.metrics, judged.history);
    fill_judged_inputs(inputs, judged);
    let missing: Vec<&str> = custom
        .needs
        .iter()
        .filter(|slot| inputs.get(**slot) == V::Unit)
        .map(|slot| script::VARIABLES[*slot].0)
        .collect();
    if !missing.is_empty() {
        let passes = spec.when_missing == MissingPolicy::Pass;
        let reason = format!(
            "{} missing ({}: when_missing = \"{}\")",
            missing.join(", "),
            if passes { "passes" } else { "fails" },
            if passes { "pass" } else { "fail" }
        );
        return Ok((None, (options.explain || !passes).then_some(reason)));
    }
    let fast = match (&custom.fast, options.interpreted) {
        (Some(fast), false) => fast.eval_bool(inputs),
        _ => None,
    };
    let scope_for = |lazy: &mut ScriptInputs<'a>| {
        judged_scope(rules, brand, candidate, judged, &mut lazy.scope);
    };
    let reject = match fast {
        Some(reject) => reject,
        None => {
            scope_for(lazy);
            let scope = lazy.scope.as_mut().expect("filled above");
            rules.sandbox.eval_condition(&custom.ast, scope).map_err(error)?
        }
    };
    if !(reject || options.explain) {
        return Ok((Some(true), None));
    }
    let mut reason = String::new();
    for part in &custom.reason {
        match part {
            ReasonPart::Text(text) => reason.push_str(text),
            ReasonPart::Value(ast, decimals) => {
                scope_for(lazy);
                let scope = lazy.scope.as_mut().expect("filled above");
                let value = rules.sandbox.eval_value(ast, scope).map_err(error)?;
                reason.push_str(&crate::rules::filters::reason_text(&value, *decimals));
            }
        }
    }
    Ok((Some(!reject), Some(reason)))
}

/// The first excluded keyword found in the candidate's handle, niches or text columns.
pub fn excluded_keyword<'a>(brand: &'a Brand, candidate: &Candidate) -> Option<(&'a str, String)> {
    excluded_in(brand, candidate, true)
}

/// The texts every brand's excluded keywords are searched in, by column: the handle and
/// the niches.
fn common_texts(candidate: &Candidate) -> impl Iterator<Item = (&str, &str)> {
    std::iter::once(("handle", candidate.handle.as_str()))
        .chain(candidate.niches.iter().map(|n| ("niches", n.as_str())))
}

/// [`excluded_keyword`], searching the handle and niches only when `in_common` (the brand's
/// own `keyword_columns` always).
fn excluded_in<'a>(
    brand: &'a Brand,
    candidate: &Candidate,
    in_common: bool,
) -> Option<(&'a str, String)> {
    let common = in_common.then_some(common_texts(candidate)).into_iter().flatten();
    let texts = common.chain(
        candidate
            .extra
            .iter()
            .filter(|(key, _)| {
                brand.filters.keyword_columns.iter().any(|c| c.eq_ignore_ascii_case(key))
            })
            .map(|(key, value)| (&**key, value.as_str())),
    );
    let keywords = &brand.filters.exclude_keywords;
    for (column, text) in texts {
        let lower = crate::text::lowercase(text);
        if let Some(keyword) = keywords.find(&lower, brand.filters.keyword_match) {
            return Some((keyword, column.to_owned()));
        }
    }
    None
}

impl Verdict {
    /// The verdict in words: value, threshold and outcome, e.g.
    /// `fake_follower_pct 0.41 > max 0.30`, or a custom filter's own reason.
    pub fn reason(&self, brand: &Brand, candidate: &Candidate, evaluation: &Evaluation) -> String {
        let Some(spec) = brand.filters.get(self.filter.as_str()) else {
            return format!("filter `{}`", self.filter);
        };
        let missing = |what: &str| {
            let policy = if self.passed { "passes" } else { "fails" };
            format!(
                "{what} missing ({policy}: when_missing = \"{}\")",
                if self.passed { "pass" } else { "fail" }
            )
        };
        let ok = if self.passed { "in" } else { "not in" };
        match &spec.check {
            Check::Custom(_) => evaluation
                .custom_reasons
                .iter()
                .find(|(filter, _)| *filter == self.filter)
                .map_or_else(|| format!("{} passes", self.filter), |(_, r)| r.clone()),
            Check::Platforms(_) if self.missing => missing("platform"),
            Check::Countries(_) if self.missing => missing("country"),
            Check::Min(m, _) | Check::Max(m, _) if self.missing => missing(m.name()),
            _ if self.missing => missing("value"),
            Check::Platforms(platforms) => format!(
                "platform `{}` {ok} [{}]",
                candidate.platform.as_deref().unwrap_or(""),
                platforms.join(", ")
            ),
            Check::Tiers(tiers) => {
                format!("tier `{}` {ok} [{}]", evaluation.tier.name, tiers.join(", "))
            }
            Check::Min(measure, bound) | Check::Max(measure, bound) => {
                let is_min = matches!(spec.check, Check::Min(..));
                let value = measure_of(*measure, candidate, evaluation).unwrap_or(0.0);
                let op = match (is_min, self.passed) {
                    (true, true) => ">=",
                    (true, false) => "<",
                    (false, true) => "<=",
                    (false, false) => ">",
                };
                let niches = match measure {
                    Measure::NicheFit if candidate.niches.is_empty() => {
                        " (no niches given)".to_owned()
                    }
                    Measure::NicheFit => format!(" (niches: {})", candidate.niches.join(", ")),
                    Measure::UnderDeliveries => under_delivery_text(brand, evaluation),
                    _ => String::new(),
                };
                format!(
                    "{} {} {op} {} {}{niches}",
                    measure.name(),
                    measure.format(value),
                    if is_min { "min" } else { "max" },
                    measure.format(*bound)
                )
            }
            Check::Countries(countries) => format!(
                "country `{}` {ok} [{}]",
                candidate.country.as_deref().unwrap_or(""),
                countries.join(", ")
            ),
            Check::ExcludeKeywords => match excluded_keyword(brand, candidate) {
                Some((keyword, column)) => format!("excluded keyword `{keyword}` in {column}"),
                None => "no excluded keyword found".to_owned(),
            },
        }
    }
}

/// The under-deliveries in words: the threshold and the dates, for the filter's reason.
fn under_delivery_text(brand: &Brand, evaluation: &Evaluation) -> String {
    let ratio = brand.history.under_delivery_ratio;
    let dates: Vec<String> = evaluation
        .history
        .iter()
        .flat_map(|h| &h.past)
        .filter(|p| p.delivery_ratio.is_some_and(|r| r < ratio))
        .map(|p| format!("{} ({:.0}%)", p.date, p.delivery_ratio.unwrap_or(0.0) * 100.0))
        .collect();
    if dates.is_empty() {
        return String::new();
    }
    format!(
        ": delivered under {:.0}% of the promised engagement rate on {}",
        ratio * 100.0,
        dates.join(", ")
    )
}

/// The scope a tier condition sees: candidate fields and metrics; tier-dependent values `()`.
/// Only the variables the brand's scripts read ([`Brand::reads`]) are built; `weights` and
/// `settings` are the brand's shared maps, handed over without a copy when the scripts only
/// read properties of them ([`script::Reads::shares_maps`]), else copied for this row.
fn script_scope(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    metrics: &Metrics,
    history: Option<&HistoryMetrics>,
) -> Scope<'static> {
    let reads = brand.reads;
    let mut scope = Scope::new();
    for field in Field::ALL {
        if !reads.has(slots::field(field)) {
            continue;
        }
        let value = match field.kind() {
            Kind::Text => opt_str(candidate.text(field)),
            Kind::List if field == Field::Niches => Dynamic::from_array(
                candidate
                    .niches
                    .iter()
                    .filter_map(|label| rules.taxonomy.resolve(label))
                    .map(|id| Dynamic::from(rules.taxonomy.name(id).to_owned()))
                    .collect(),
            ),
            Kind::List => Dynamic::from_array(
                candidate
                    .list(field)
                    .unwrap_or_default()
                    .iter()
                    .cloned()
                    .map(Dynamic::from)
                    .collect(),
            ),
            _ => opt_float(script_number(candidate, metrics, field)),
        };
        scope.push_dynamic(field.name(), value);
    }
    let mut push = |slot: usize, value: &dyn Fn() -> Dynamic| {
        if reads.has(slot) {
            scope.push_dynamic(script::VARIABLES[slot].0, value());
        }
    };
    push(slots::EXTRA, &|| {
        Dynamic::from_map(map_of(
            candidate.extra.iter().map(|(k, v)| (&**k, Dynamic::from(v.clone()))),
        ))
    });
    push(slots::ENGAGEMENT_RATE, &|| opt_float(metrics.engagement_rate));
    push(slots::ER, &|| opt_float(metrics.engagement_rate));
    push(slots::ENGAGEMENTS_PER_POST, &|| opt_float(metrics.engagements_per_post));
    push(slots::COST_PER_ENGAGEMENT, &|| opt_float(metrics.cost_per_engagement));
    push(slots::ESTIMATED_REACH, &|| opt_float(metrics.estimated_reach));
    for slot in [
        slots::TIER,
        slots::BENCHMARK,
        slots::ENGAGEMENT,
        slots::NICHE_FIT,
        slots::COST_EFFICIENCY,
        slots::AUTHENTICITY,
    ] {
        push(slot, &|| Dynamic::UNIT);
    }
    push(slots::BRAND, &|| Dynamic::from(brand.id.clone()));
    push(slots::ER_BASIS, &|| Dynamic::from(metrics.basis.name().to_owned()));
    push(slots::PARENT_BENCHMARK, &|| Dynamic::UNIT);
    push(slots::RELATIONSHIP, &|| Dynamic::UNIT);
    for (slot, value) in history_values(history) {
        push(slot, &|| opt_float(value));
    }
    let maps = [(slots::WEIGHTS, &brand.weights_map), (slots::SETTINGS, &brand.settings)];
    if !reads.shares_maps() {
        for (slot, map) in maps.into_iter().filter(|(slot, _)| reads.has(*slot)) {
            scope.push_dynamic(script::VARIABLES[slot].0, map.clone());
        }
    } else if maps.iter().any(|(slot, _)| reads.has(*slot)) {
        let [weights, settings] = shared_maps(brand);
        for (slot, map) in [(slots::WEIGHTS, weights), (slots::SETTINGS, settings)] {
            if reads.has(slot) {
                scope.push_constant_dynamic(script::VARIABLES[slot].0, map);
            }
        }
    }
    scope
}

thread_local! {
    /// This thread's shared copies of recent brands' `weights` and `settings` maps, by
    /// [`Brand::maps_id`], newest last.
    static SHARED_MAPS: std::cell::RefCell<Vec<(u64, [Dynamic; 2])>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The brand's `weights` and `settings` as shared maps, for scripts that only read their
/// properties: a handle per row instead of a deep copy. Each thread has its own copies,
/// because rhai locks a shared value on every access and sleeps 10 ms when another thread
/// holds the lock.
fn shared_maps(brand: &Brand) -> [Dynamic; 2] {
    const KEPT: usize = 8;
    SHARED_MAPS.with_borrow_mut(|kept| {
        if let Some((_, maps)) = kept.iter().find(|(id, _)| *id == brand.maps_id) {
            return maps.clone();
        }
        if kept.len() == KEPT {
            drop(kept.remove(0));
        }
        let maps = [brand.weights_map.clone().into_shared(), brand.settings.clone().into_shared()];
        kept.push((brand.maps_id, maps.clone()));
        maps
    })
}

/// The number a script sees for a numeric field: the averages come from the metrics (which
/// average per-post samples when the row has them), the rest straight from the candidate.
fn script_number(candidate: &Candidate, metrics: &Metrics, field: Field) -> Option<f64> {
    match field {
        Field::AvgLikes => metrics.avg_likes,
        Field::AvgComments => metrics.avg_comments,
        Field::AvgShares => metrics.avg_shares,
        Field::AvgViews => metrics.avg_views,
        _ => candidate.number(field),
    }
}

fn fill_scored_scope(scope: &mut Scope, evaluation: &Evaluation) {
    let c = &evaluation.components;
    scope.set_value("tier", evaluation.tier.name.to_string());
    scope.set_value("benchmark", opt_float(evaluation.tier.benchmark));
    scope.set_value("parent_benchmark", opt_float(evaluation.tier.parent_benchmark));
    scope.set_value("engagement", opt_float(c.engagement));
    scope.set_value("niche_fit", Dynamic::from_float(c.niche_fit));
    scope.set_value("cost_efficiency", opt_float(c.cost_efficiency));
    scope.set_value("authenticity", opt_float(c.authenticity));
    scope.set_value("relationship", opt_float(c.relationship));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd_samples() {
        let s = |likes| PostSample { likes: Some(likes), ..Default::default() };
        let odd = [s(1.0), s(9.0), s(3.0)];
        assert_eq!(average_of(&odd, Average::Median, |p| p.likes), Some(3.0));
        let even = [s(1.0), s(9.0), s(3.0), s(5.0)];
        assert_eq!(average_of(&even, Average::Median, |p| p.likes), Some(4.0));
        assert_eq!(average_of(&even, Average::Mean, |p| p.likes), Some(4.5));
        assert_eq!(average_of(&even, Average::Mean, |p| p.views), None);
    }

    #[test]
    fn scores_round_to_four_decimals() {
        assert_eq!(round4(87.123_456), 87.1235);
    }
}
