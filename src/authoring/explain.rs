//! Why one candidate got its score: the tier and the rule that matched, each derived metric
//! with its inputs, each filter with its value, threshold and verdict, each component with
//! its weighted contribution, and the script's result and notes.
//!
//! An [`Explanation`] is built from one [`engine::evaluate`] call with
//! `Options { explain: true, ..Options::default() }`, which records every filter verdict and scores filtered
//! candidates too. Everything else is read off the candidate, the brand and that
//! evaluation, so the engine's path when explaining is off does no extra work.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::{self, EvalError, Evaluation, Filter, Options};
use crate::model::Candidate;
use crate::rules::fast::V;
use crate::rules::filters::Check;
use crate::rules::history::{NoHistory, PastCollaboration, RelationshipParts};
use crate::rules::{Brand, ErBasis, RuleSet};
use crate::text::{printable, printable_lines, thousands};

/// The full explanation of one candidate's evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The candidate's handle.
    pub handle: String,
    /// The candidate's line in its list.
    pub line: u64,
    /// The brand id.
    pub brand: String,
    /// The revision of the rules that made the evaluation.
    pub revision: String,
    /// The platform, when the list gives one.
    pub platform: Option<String>,
    /// The follower count.
    pub followers: u64,
    /// The tier, and the rule that put the candidate there.
    pub tier: TierExplanation,
    /// Each derived metric with its inputs.
    pub metrics: Vec<MetricExplanation>,
    /// Every filter the brand sets, in the brand's filter order.
    pub filters: Vec<FilterExplanation>,
    /// Whether every filter passed, so the candidate is ranked.
    pub passed: bool,
    /// Each component with its weight and weighted contribution.
    pub components: Vec<ComponentExplanation>,
    /// The sum of the contributions of the components that could be judged.
    pub weighted_sum: f64,
    /// The past collaborations behind the `relationship` component; absent when the brand
    /// has no history file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryExplanation>,
    /// The scoring script, its result and its notes.
    pub script: ScriptExplanation,
}

/// The tier, and which rule matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierExplanation {
    /// The tier's name.
    pub name: String,
    /// The tier scheme, relative to the rule folder.
    pub scheme: String,
    /// The platform whose own tier list applied, when not the default list.
    pub platform_list: Option<String>,
    /// The matching bounds, as people write them.
    pub bounds: String,
    /// The `when` condition that also held, when the tier has one.
    pub when: Option<String>,
    /// The rule in words: `bounds 2,000–100,000` or `bounds … and when …`.
    pub rule: String,
    /// The ER benchmark for the platform and tier.
    pub benchmark: Option<f64>,
    /// What the benchmark is for: ER on `followers` or on `views`.
    pub er_basis: &'static str,
    /// The tier this one is carved out of (`carved_from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carved_from: Option<String>,
    /// That tier's benchmark for the row (`parent_benchmark`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_benchmark: Option<f64>,
    /// Earlier tiers whose bounds held but whose `when` condition did not.
    pub passed_over: Vec<PassedOver>,
}

/// A conditional tier tried before the one that matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PassedOver {
    /// The tier's name.
    pub name: String,
    /// Its bounds.
    pub bounds: String,
    /// Its condition, which was false.
    pub when: String,
}

/// One derived metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricExplanation {
    /// The metric's script name.
    pub name: &'static str,
    /// Its value, `None` when an input is missing.
    pub value: Option<f64>,
    /// How it is computed, with the input values filled in.
    pub formula: String,
    /// The inputs, by script name.
    pub inputs: Vec<Input>,
}

/// One named input value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Input {
    /// The input's script name.
    pub name: &'static str,
    /// Its value, `None` when missing.
    pub value: Option<f64>,
}

/// One filter's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilterExplanation {
    /// The filter, as its key under `[filters]`.
    pub filter: Filter,
    /// The candidate's value the filter judged (`null` when missing).
    pub value: Value,
    /// How the value is compared: `in`, `>=`, `<=`, `none of`.
    pub test: &'static str,
    /// The brand's threshold or list.
    pub threshold: Value,
    /// Whether the candidate passed.
    pub passed: bool,
    /// Whether the value was missing, so `when_missing` decided.
    pub missing: bool,
    /// The verdict in words, as `scout rank` reports it.
    pub reason: String,
}

/// One score component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentExplanation {
    /// The component's script name.
    pub name: &'static str,
    /// Its value, 0–1, `None` when the data to judge it is missing.
    pub value: Option<f64>,
    /// The brand's weight for it.
    pub weight: f64,
    /// weight × value.
    pub contribution: Option<f64>,
    /// How the value was reached, with numbers.
    pub formula: String,
}

/// The brand's history of the candidate, and how the `relationship` component follows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryExplanation {
    /// The history file, relative to the rule folder.
    pub file: String,
    /// The day "days since" counts to (`[history] as_of`, else the newest row's date).
    pub as_of: String,
    /// How many past collaborations match the candidate.
    pub collaborations: u32,
    /// Each of them, oldest first, with its line in the history file.
    pub past: Vec<PastCollaboration>,
    /// Days from the last collaboration to `as_of`.
    pub last_collaboration_days: Option<f64>,
    /// The mean delivery ratio.
    pub delivery_ratio: Option<f64>,
    /// Collaborations whose delivery ratio fell below `under_delivery_ratio`.
    pub under_deliveries: u32,
    /// The brand's under-delivery threshold.
    pub under_delivery_ratio: f64,
    /// Total price over total delivered engagements.
    pub history_cpe: Option<f64>,
    /// Revenue over the price paid, where revenue is known.
    pub return_on_spend: Option<f64>,
    /// The brand's recency half-life, in days.
    pub half_life_days: f64,
    /// The collaborations that make an established relationship.
    pub established: f64,
    /// What a candidate without history scores: `neutral` or `zero`.
    pub no_history: NoHistory,
    /// min(collaborations / established, 1); `None` without collaborations.
    pub maturity: Option<f64>,
    /// 0.5^(days since the last / half_life_days); `None` without collaborations.
    pub recency: Option<f64>,
    /// The `relationship` component, 0–1; `None` when neutral.
    pub relationship: Option<f64>,
    /// How the component was computed, with numbers.
    pub formula: String,
}

/// The scoring script's part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScriptExplanation {
    /// The script, relative to the rule folder.
    pub path: String,
    /// The score it gave, clamped to 0–100 and rounded to 4 decimals.
    pub score: Option<f64>,
    /// Lines the script added with `note(…)` or `print(…)`.
    pub notes: Vec<String>,
}

/// Evaluates `candidate` with explaining on and explains the outcome.
pub fn explain(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
) -> Result<Explanation, EvalError> {
    let evaluation =
        engine::evaluate(rules, brand, candidate, Options { explain: true, ..Options::default() })?;
    Ok(explanation(rules, brand, candidate, &evaluation))
}

/// Explains an evaluation made with `Options { explain: true, ..Options::default() }`.
pub fn explanation(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
) -> Explanation {
    let components = components(rules, brand, candidate, evaluation);
    let weighted_sum = components.iter().filter_map(|c| c.contribution).sum();
    Explanation {
        handle: candidate.handle.clone(),
        line: candidate.line,
        brand: brand.id.clone(),
        revision: rules.revision.clone(),
        platform: candidate.platform.clone(),
        followers: candidate.followers,
        tier: tier(brand, candidate, evaluation),
        metrics: metrics(brand, candidate, evaluation),
        filters: filters(brand, candidate, evaluation),
        passed: evaluation.passed(),
        components,
        weighted_sum,
        history: history(brand, evaluation),
        script: ScriptExplanation {
            path: brand.script.path.display().to_string(),
            score: evaluation.score,
            notes: evaluation.notes.clone(),
        },
    }
}

fn tier(brand: &Brand, candidate: &Candidate, evaluation: &Evaluation) -> TierExplanation {
    let platform = candidate.platform.as_deref();
    let list = brand.tiers.tiers_for(platform);
    let platform_list = platform
        .filter(|p| brand.tiers.platforms.iter().any(|(name, _)| name == p))
        .map(str::to_owned);
    let passed_over = list
        .iter()
        .take_while(|t| t.name != evaluation.tier.name)
        .filter(|t| t.contains(candidate.followers))
        .filter_map(|t| {
            let when = t.when.as_ref()?;
            Some(PassedOver {
                name: t.name.to_string(),
                bounds: t.bounds_text(),
                when: when.source.to_string(),
            })
        })
        .collect();
    let m = &evaluation.tier;
    let bounds = m.bounds_text();
    let rule = match &m.when {
        Some(when) => format!("bounds {bounds} and `when` {when}"),
        None => format!("bounds {bounds}"),
    };
    TierExplanation {
        name: m.name.to_string(),
        scheme: brand.tiers.path.display().to_string(),
        platform_list,
        bounds,
        when: m.when.as_deref().map(str::to_owned),
        rule,
        benchmark: m.benchmark,
        er_basis: evaluation.metrics.basis.name(),
        carved_from: m.carved_from.as_deref().map(str::to_owned),
        parent_benchmark: m.parent_benchmark,
        passed_over,
    }
}

fn metrics(
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
) -> Vec<MetricExplanation> {
    let m = &evaluation.metrics;
    let input = |name, value| Input { name, value };
    let followers = candidate.followers as f64;
    let mut out = Vec::new();
    let sampled = if candidate.post_samples.is_empty() {
        String::new()
    } else {
        let average = match brand.engagement.average {
            crate::rules::Average::Mean => "mean",
            crate::rules::Average::Median => "median",
        };
        format!("; averages are the {average} of {} post samples", candidate.post_samples.len())
    };
    out.push(MetricExplanation {
        name: "engagements_per_post",
        value: m.engagements_per_post,
        formula: format!(
            "avg_likes {} + avg_comments {} + avg_shares {}{}{sampled}",
            num(m.avg_likes),
            num(m.avg_comments),
            num(m.avg_shares),
            if m.avg_comments.is_none() || m.avg_shares.is_none() {
                " (missing counts as 0)"
            } else {
                ""
            }
        ),
        inputs: vec![
            input("avg_likes", m.avg_likes),
            input("avg_comments", m.avg_comments),
            input("avg_shares", m.avg_shares),
        ],
    });
    let (formula, inputs) = match m.basis {
        ErBasis::Followers => (
            format!(
                "engagements_per_post {} / followers {}",
                num(m.engagements_per_post),
                thousands(candidate.followers)
            ),
            vec![
                input("engagements_per_post", m.engagements_per_post),
                input("followers", Some(followers)),
            ],
        ),
        ErBasis::Views => (
            format!(
                "engagements_per_post {} / avg_views {} (basis = \"views\")",
                num(m.engagements_per_post),
                num(m.avg_views)
            ),
            vec![
                input("engagements_per_post", m.engagements_per_post),
                input("avg_views", m.avg_views),
            ],
        ),
    };
    out.push(MetricExplanation {
        name: "engagement_rate",
        value: m.engagement_rate,
        formula,
        inputs,
    });
    out.push(MetricExplanation {
        name: "cost_per_engagement",
        value: m.cost_per_engagement,
        formula: format!(
            "cost_per_post {} / engagements_per_post {}",
            num(candidate.cost_per_post),
            num(m.engagements_per_post)
        ),
        inputs: vec![
            input("cost_per_post", candidate.cost_per_post),
            input("engagements_per_post", m.engagements_per_post),
        ],
    });
    out.push(estimated_reach(evaluation));
    out
}

/// `estimated_reach`: the average views, else the usual estimate from likes.
fn estimated_reach(evaluation: &Evaluation) -> MetricExplanation {
    let m = &evaluation.metrics;
    let input = |name, value| Input { name, value };
    let (formula, inputs) = match m.avg_views {
        Some(views) => {
            (format!("avg_views {}", num(Some(views))), vec![input("avg_views", Some(views))])
        }
        None => (
            format!(
                "avg_likes {} × 10 (no views: the usual impressions estimate)",
                num(m.avg_likes)
            ),
            vec![input("avg_likes", m.avg_likes)],
        ),
    };
    MetricExplanation { name: "estimated_reach", value: m.estimated_reach, formula, inputs }
}

fn filters(
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
) -> Vec<FilterExplanation> {
    let f = &brand.filters;
    let c = candidate;
    evaluation
        .verdicts
        .iter()
        .map(|verdict| {
            let spec = f.get(verdict.filter.as_str());
            let (value, test, threshold) = match spec.map(|s| &s.check) {
                Some(Check::Platforms(platforms)) => (json!(c.platform), "in", json!(platforms)),
                Some(Check::Tiers(tiers)) => (json!(evaluation.tier.name), "in", json!(tiers)),
                Some(Check::Min(measure, min)) => {
                    let value = engine::measure_of(*measure, c, evaluation);
                    (measure_json(*measure, value), ">=", measure_json(*measure, Some(*min)))
                }
                Some(Check::Max(measure, max)) => {
                    let value = engine::measure_of(*measure, c, evaluation);
                    (measure_json(*measure, value), "<=", measure_json(*measure, Some(*max)))
                }
                Some(Check::Countries(countries)) => (json!(c.country), "in", json!(countries)),
                Some(Check::ExcludeKeywords) => (
                    json!(engine::excluded_keyword(brand, c).map(|(k, _)| k)),
                    "none of",
                    json!(f.exclude_keywords),
                ),
                Some(Check::Custom(custom)) => (
                    custom_values(brand, c, evaluation, &custom.needs),
                    "reject when",
                    json!(&*custom.source),
                ),
                None => (Value::Null, "", Value::Null),
            };
            FilterExplanation {
                filter: verdict.filter.clone(),
                value,
                test,
                threshold,
                passed: verdict.passed,
                missing: verdict.missing,
                reason: verdict.reason(brand, c, evaluation),
            }
        })
        .collect()
}

/// A measure's value in JSON: counts as whole numbers.
fn measure_json(measure: crate::rules::filters::Measure, value: Option<f64>) -> Value {
    use crate::rules::filters::Range;
    match value {
        Some(v) if measure.range() == Range::Count && v.fract() == 0.0 && v >= 0.0 => {
            json!(v as u64)
        }
        other => json!(other),
    }
}

/// The values a custom filter needs, by variable name (`null` when missing).
fn custom_values(
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
    needs: &[usize],
) -> Value {
    let inputs = engine::script_inputs(brand, candidate, evaluation);
    let values = needs.iter().map(|&slot| {
        let value = match inputs.get(slot) {
            V::Float(x) => json!(x),
            V::Int(i) => json!(i),
            V::Bool(b) => json!(b),
            V::Str(_) => json!(inputs.strings[slot]),
            V::Unit => Value::Null,
        };
        (crate::rules::script::VARIABLES[slot].0.to_owned(), value)
    });
    Value::Object(values.collect())
}

fn components(
    rules: &RuleSet,
    brand: &Brand,
    candidate: &Candidate,
    evaluation: &Evaluation,
) -> Vec<ComponentExplanation> {
    let c = &evaluation.components;
    let m = &evaluation.metrics;
    let w = &brand.weights;
    let cap = brand.engagement.cap;
    let engagement = match (m.engagement_rate, evaluation.tier.benchmark) {
        (Some(er), Some(benchmark)) => format!(
            "min(ER {} / benchmark {}, cap {}) / cap",
            pct(er),
            pct(benchmark),
            num(Some(cap))
        ),
        (None, _) => "no engagement rate (no likes, or no views on a views basis)".to_owned(),
        (Some(_), None) => format!(
            "no benchmark for `{}` on `{}`",
            evaluation.tier.name,
            candidate.platform.as_deref().unwrap_or("default")
        ),
    };
    let labels: Vec<String> = candidate
        .niches
        .iter()
        .map(|label| match rules.taxonomy.resolve(label) {
            Some(id) => {
                let name = rules.taxonomy.name(id);
                let weight = brand.niche_weights[id];
                if crate::rules::normalize_niche(label) == name {
                    format!("{name} {weight:.2}")
                } else {
                    format!("{label} → {name} {weight:.2}")
                }
            }
            None => format!("{label} (not in niches.toml)"),
        })
        .collect();
    let niche_fit = if labels.is_empty() {
        "no niches given".to_owned()
    } else {
        format!("best niche weight of: {}", labels.join(", "))
    };
    let cost = match (candidate.cost_per_post, m.engagements_per_post, m.cost_per_engagement) {
        (None, _, _) => "no price".to_owned(),
        (Some(_), None, _) => "no likes to judge the price by".to_owned(),
        (Some(price), _, _) if price <= 0.0 => "a free post".to_owned(),
        (Some(_), Some(_), None) => "a paid post nobody engages with".to_owned(),
        (Some(_), Some(_), Some(cpe)) => format!(
            "min(1, target CPE {} / CPE {})",
            num(Some(brand.target_cost_per_engagement)),
            num(Some(cpe))
        ),
    };
    let authenticity = match candidate.fake_follower_pct {
        Some(fake) if engine::is_estimated(candidate) && brand.estimated_authenticity => {
            format!("1 − fake_follower_pct {} (estimated from its own numbers)", num(Some(fake)))
        }
        Some(_) if engine::is_estimated(candidate) => {
            "an estimated fake-follower figure, which the brand does not use".to_owned()
        }
        Some(fake) => format!("1 − fake_follower_pct {}", num(Some(fake))),
        None => "no fake-follower figure".to_owned(),
    };
    let line = |name, value: Option<f64>, weight: f64, formula| ComponentExplanation {
        name,
        value,
        weight,
        contribution: value.map(|v| weight * v),
        formula,
    };
    let mut out = vec![
        line("engagement", c.engagement, w.engagement, engagement),
        line("niche_fit", Some(c.niche_fit), w.niche_fit, niche_fit),
        line("cost_efficiency", c.cost_efficiency, w.cost_efficiency, cost),
        line("authenticity", c.authenticity, w.authenticity, authenticity),
    ];
    if brand.history.history.is_some() || w.relationship != 0.0 {
        let formula = relationship_formula(brand, evaluation);
        out.push(line("relationship", c.relationship, w.relationship, formula));
    }
    out
}

/// How the `relationship` component was reached, with numbers.
fn relationship_formula(brand: &Brand, evaluation: &Evaluation) -> String {
    let settings = &brand.history;
    let no_history = match settings.no_history {
        NoHistory::Neutral => "no past collaboration: neutral (no_history = \"neutral\")",
        NoHistory::Zero => "no past collaboration: 0 (no_history = \"zero\")",
    };
    match &evaluation.history {
        None => "no history file (`[history] file`)".to_owned(),
        Some(m) if m.collaborations == 0 => no_history.to_owned(),
        Some(m) => {
            let parts = RelationshipParts::of(settings, m);
            let delivery = match m.delivery_ratio {
                Some(r) => format!("min(delivery ratio {r:.4}, 1)"),
                None => "delivery 1 (no delivery ratio)".to_owned(),
            };
            format!(
                "{delivery} × (0.5 + 0.5 × maturity {:.4} × recency {:.4})",
                parts.maturity, parts.recency
            )
        }
    }
}

/// The candidate's history with the brand, when the brand has a history file.
fn history(brand: &Brand, evaluation: &Evaluation) -> Option<HistoryExplanation> {
    let settings = &brand.history;
    let file = settings.history.as_ref()?;
    let m = evaluation.history.as_ref()?;
    let parts = (m.collaborations > 0).then(|| RelationshipParts::of(settings, m));
    Some(HistoryExplanation {
        file: file.path.display().to_string(),
        as_of: crate::rules::history::date_text(file.as_of),
        collaborations: m.collaborations,
        past: m.past.clone(),
        last_collaboration_days: m.last_collaboration_days,
        delivery_ratio: m.delivery_ratio,
        under_deliveries: m.under_deliveries,
        under_delivery_ratio: settings.under_delivery_ratio,
        history_cpe: m.history_cpe,
        return_on_spend: m.return_on_spend,
        half_life_days: settings.half_life_days,
        established: settings.established,
        no_history: settings.no_history,
        maturity: parts.map(|p| p.maturity),
        recency: parts.map(|p| p.recency),
        relationship: evaluation.components.relationship,
        formula: relationship_formula(brand, evaluation),
    })
}

/// A number as people read it: thousands separators for whole numbers, at most 4 decimals
/// otherwise, `–` when missing or not finite (never `inf` or `NaN`).
pub fn num(value: Option<f64>) -> String {
    let Some(x) = value.filter(|x| x.is_finite()) else { return "–".to_owned() };
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let digits = thousands(x.abs() as u64);
        return if x < 0.0 { format!("-{digits}") } else { digits };
    }
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if x.abs() >= 1_000.0 {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = thousands(whole.trim_start_matches('-').parse().unwrap_or(0));
        let sign = if x < 0.0 { "-" } else { "" };
        return if fraction.is_empty() {
            format!("{sign}{digits}")
        } else {
            format!("{sign}{digits}.{fraction}")
        };
    }
    text.to_owned()
}

/// A fraction as a percentage with 2 decimals; `–` when not finite.
pub fn pct(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    format!("{:.2}%", x * 100.0)
}

fn json_text(value: &Value) -> String {
    match value {
        Value::Null => "–".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => num(n.as_f64()),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(json_text).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

/// Rounds every float in a JSON document to 6 decimals, as `scout rank` prints numbers.
pub fn round_floats(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(rounded) =
                n.as_f64().map(|x| (x * 1e6).round() / 1e6).and_then(serde_json::Number::from_f64)
            {
                *n = rounded;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(round_floats),
        Value::Object(map) => map.values_mut().for_each(round_floats),
        _ => {}
    }
}

impl Explanation {
    /// The explanation as a JSON trace, floats rounded to 6 decimals.
    pub fn to_json(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        round_floats(&mut value);
        value
    }

    /// The explanation as text for people.
    ///
    /// Data in it (the handle, the platform, filter values, script notes) is made
    /// [`printable`]: control characters show as escapes, never reach the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let platform = printable(self.platform.as_deref().unwrap_or("no platform"));
        self.render_header(&mut out, &platform);
        self.render_tier(&mut out, &platform);
        self.render_metrics(&mut out);
        self.render_filters(&mut out);
        self.render_history(&mut out);
        self.render_components(&mut out);
        self.render_script(&mut out);
        printable_lines(&out).into_owned()
    }

    /// The candidate and the rules: handle, platform, followers, line, brand, revision.
    fn render_header(&self, out: &mut String, platform: &str) {
        let _ = writeln!(
            out,
            "@{} · {platform} · {} followers · line {}",
            printable(&self.handle),
            thousands(self.followers),
            self.line
        );
        let _ = writeln!(out, "brand `{}` · revision {}", self.brand, self.revision);
    }

    /// The tier, the rule that matched it, any passed over, and its benchmarks.
    fn render_tier(&self, out: &mut String, platform: &str) {
        let t = &self.tier;
        let list = t.platform_list.as_ref().map(|p| format!(", `{p}` list")).unwrap_or_default();
        let _ = writeln!(out, "\ntier {} ({}{list}): {}", t.name, t.scheme, t.rule);
        for skipped in &t.passed_over {
            let _ = writeln!(
                out,
                "  passed over {} ({}): `when` {} was false",
                skipped.name, skipped.bounds, skipped.when
            );
        }
        let benchmark = t.benchmark.map_or_else(|| "none".to_owned(), pct);
        let _ = writeln!(
            out,
            "  ER benchmark for {} on {platform} (ER on {}): {benchmark}",
            t.name, t.er_basis
        );
        if let Some(parent) = &t.carved_from {
            let parent_benchmark = t.parent_benchmark.map_or_else(|| "none".to_owned(), pct);
            let _ = writeln!(out, "  carved from {parent}: parent_benchmark {parent_benchmark}");
        }
    }

    /// Each derived metric with its inputs.
    fn render_metrics(&self, out: &mut String) {
        let _ = writeln!(out, "\nmetrics");
        let width = self.metrics.iter().map(|m| m.name.len()).max().unwrap_or(0);
        for m in &self.metrics {
            let value = match m.name {
                "engagement_rate" => m.value.map_or_else(|| "–".to_owned(), pct),
                _ => num(m.value),
            };
            let _ = writeln!(out, "  {:width$}  {value:>9}  = {}", m.name, m.formula);
        }
    }

    /// Each filter: the value, the threshold and the verdict, in aligned columns.
    fn render_filters(&self, out: &mut String) {
        let _ = writeln!(out, "\nfilters");
        if self.filters.is_empty() {
            let _ = writeln!(out, "  (the brand sets none)");
        }
        let rows: Vec<[String; 4]> = self
            .filters
            .iter()
            .map(|f| {
                let name = f.filter.to_string();
                let value = if f.missing { "missing".to_owned() } else { json_text(&f.value) };
                let threshold = format!("{} {}", f.test, json_text(&f.threshold));
                let verdict = match (f.passed, f.missing) {
                    (true, false) => "pass".to_owned(),
                    (false, false) => format!("FAIL: {}", f.reason),
                    (_, true) => {
                        format!("{}: {}", if f.passed { "pass" } else { "FAIL" }, f.reason)
                    }
                };
                [name, printable(&value).into_owned(), threshold, printable(&verdict).into_owned()]
            })
            .collect();
        let widths: Vec<usize> =
            (0..3).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        for [name, value, threshold, verdict] in &rows {
            let _ = writeln!(
                out,
                "  {name:w0$}  {value:w1$}  {threshold:w2$}  {verdict}",
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
        }
    }

    /// The past collaborations, days since the last, and how `relationship` follows.
    fn render_history(&self, out: &mut String) {
        let Some(h) = &self.history else { return };
        let _ = writeln!(out, "\nhistory ({}, as of {})", h.file, h.as_of);
        if h.past.is_empty() {
            let _ = writeln!(out, "  {}", h.formula);
            return;
        }
        let header = ["date", "platform", "price", "delivered ER", "promised ER", "ratio", "line"];
        let mut rows: Vec<[String; 7]> = vec![header.map(str::to_owned)];
        let mut notes = Vec::new();
        for p in &h.past {
            let ratio = match p.delivery_ratio {
                Some(r) if r < h.under_delivery_ratio => format!("{r:.2} under"),
                Some(r) => format!("{r:.2}"),
                None => "–".to_owned(),
            };
            rows.push([
                p.date.clone(),
                printable(p.platform.as_deref().unwrap_or("any")).into_owned(),
                num(p.price),
                p.delivered_er.map_or_else(|| "–".to_owned(), pct),
                p.promised_er.map_or_else(|| "–".to_owned(), pct),
                ratio,
                p.line.to_string(),
            ]);
            notes.push(p.note.as_deref().map(printable).unwrap_or_default().into_owned());
        }
        let widths: Vec<usize> =
            (0..7).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        for (i, r) in rows.iter().enumerate() {
            let note = if i == 0 { "note" } else { notes[i - 1].as_str() };
            let text = format!(
                "  {:w0$}  {:w1$}  {:>w2$}  {:>w3$}  {:>w4$}  {:w5$}  {:>w6$}  {note}",
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
                w4 = widths[4],
                w5 = widths[5],
                w6 = widths[6],
            );
            let _ = writeln!(out, "{}", text.trim_end());
        }
        let days = h.last_collaboration_days.map_or_else(|| "–".to_owned(), |d| num(Some(d)));
        let ratio = h.delivery_ratio.map_or_else(|| "–".to_owned(), |r| format!("{r:.4}"));
        let _ = writeln!(
            out,
            "  {} collaboration{} · last {days} days before {} · mean delivery ratio {ratio} · \
             {} under a ratio of {}",
            h.collaborations,
            if h.collaborations == 1 { "" } else { "s" },
            h.as_of,
            h.under_deliveries,
            num(Some(h.under_delivery_ratio)),
        );
        let _ = writeln!(
            out,
            "  history CPE {} · return on spend {}",
            num(h.history_cpe),
            num(h.return_on_spend)
        );
        if let (Some(maturity), Some(recency)) = (h.maturity, h.recency) {
            let _ = writeln!(
                out,
                "  recency 0.5^({days} / half_life_days {}) = {recency:.4} · \
                 maturity min({} / established {}, 1) = {maturity:.4}",
                num(Some(h.half_life_days)),
                h.collaborations,
                num(Some(h.established)),
            );
        }
        let value = h.relationship.map_or_else(|| "–".to_owned(), |v| format!("{v:.4}"));
        let _ = writeln!(out, "  relationship = {} = {value}", h.formula);
    }

    /// Each component's weighted contribution, and their sum.
    fn render_components(&self, out: &mut String) {
        let _ = writeln!(out, "\ncomponents (value × weight = contribution)");
        let width = self.components.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &self.components {
            let value = c.value.map_or_else(|| "–".to_owned(), |v| format!("{v:.4}"));
            let contribution = c.contribution.map_or_else(|| "–".to_owned(), |v| format!("{v:.4}"));
            let _ = writeln!(
                out,
                "  {:width$}  {value:>6} × {:.2} = {contribution:>6}   {}",
                c.name, c.weight, c.formula
            );
        }
        let _ = writeln!(
            out,
            "  {:width$}  {:>6}          {:>6}   sum of the components that could be judged",
            "",
            "",
            format!("{:.4}", self.weighted_sum)
        );
    }

    /// The script's score and notes, and whether the candidate is ranked.
    fn render_script(&self, out: &mut String) {
        let score = self.script.score.map_or_else(|| "–".to_owned(), |s| format!("{s}"));
        let _ = writeln!(out, "\nscript {} → {score}", self.script.path);
        for note in &self.script.notes {
            let _ = writeln!(out, "  note: {}", printable(note));
        }
        let failed: Vec<String> =
            self.filters.iter().filter(|f| !f.passed).map(|f| f.filter.to_string()).collect();
        if self.passed {
            let _ = writeln!(out, "\nscore {score} · ranked: passes every filter");
        } else {
            let _ = writeln!(
                out,
                "\nnot ranked: filtered by {} (it would score {score})",
                failed.join(", ")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_people_write_them() {
        assert_eq!(num(Some(2_000.0)), "2,000");
        assert_eq!(num(Some(119.6)), "119.6");
        assert_eq!(num(Some(0.039_512)), "0.0395");
        assert_eq!(num(Some(12_612.9)), "12,612.9");
        assert_eq!(num(None), "–");
        assert_eq!(pct(0.0395), "3.95%");
        assert_eq!(num(Some(f64::INFINITY)), "–");
        assert_eq!(num(Some(f64::NAN)), "–");
        assert_eq!(pct(f64::INFINITY), "–");
    }
}
