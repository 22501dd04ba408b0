//! The rhai sandbox: one locked-down engine, the variables a script can read, and the
//! helpers it can call.
//!
//! Scripts come from users, so the engine has hard limits on operations, call depth,
//! expression depth and string, array and map sizes, no module loading and no `eval`. A
//! script that runs away stops with an error; it never hangs the engine.

use std::cell::RefCell;

use rhai::{
    Dynamic, Engine, EvalAltResult, Map, OptimizationLevel, ParseErrorType, Position, Scope, AST,
};

/// The sandbox limits every script runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations one evaluation may take.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Nested expressions.
    pub max_expr_depth: usize,
    /// Characters in one string.
    pub max_string_size: usize,
    /// Items in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 100_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 4_096,
            max_array_size: 1_024,
            max_map_size: 256,
        }
    }
}

/// Every variable a scoring script or tier condition can read, with what it holds.
///
/// Numbers are floats; a value the candidate list did not give is `()`, which scripts test
/// with `??` (`cost_per_post ?? 0.0`) or `== ()`.
pub const VARIABLES: &[(&str, &str)] = &[
    ("handle", "the account handle (string)"),
    ("platform", "the platform, lowercased (string or ())"),
    ("followers", "the follower count"),
    ("following", "accounts followed (or ())"),
    ("posts", "posts published (or ())"),
    ("avg_likes", "average likes per post (or ())"),
    ("avg_comments", "average comments per post (or ())"),
    ("avg_shares", "average shares per post (or ())"),
    ("avg_views", "average views per post (or ())"),
    ("niches", "the candidate's niches, mapped onto the taxonomy (array of strings)"),
    ("country", "the country code (string or ())"),
    ("fake_follower_pct", "the fake-follower share, 0–1 (or ())"),
    ("cost_per_post", "the price of one post (or ())"),
    ("extra", "every extra column, by header name (map of strings)"),
    ("engagement_rate", "engagement rate on the brand's basis, a fraction (or ())"),
    ("er", "the same as engagement_rate"),
    ("engagements_per_post", "likes + comments + shares per post (or ())"),
    ("cost_per_engagement", "cost_per_post / engagements_per_post (or ())"),
    ("estimated_reach", "average views, else average likes × 10 (or ())"),
    ("tier", "the tier name (() inside a tier's `when` condition)"),
    ("benchmark", "the ER benchmark for the platform and tier (() inside `when`)"),
    ("engagement", "component: engagement vs the benchmark, 0–1 (() inside `when`)"),
    ("niche_fit", "component: the best niche weight, 0–1 (() inside `when`)"),
    ("cost_efficiency", "component: target CPE / actual CPE, capped at 1 (or ())"),
    ("authenticity", "component: 1 − fake_follower_pct (or ())"),
    ("weights", "the brand's component weights (map: engagement, niche_fit, …)"),
    ("brand", "the brand's file name, without `.toml`"),
];

/// The slot of each variable in [`VARIABLES`], for code that fills them by position.
#[allow(missing_docs)]
pub mod slots {
    pub const HANDLE: usize = 0;
    pub const PLATFORM: usize = 1;
    pub const FOLLOWERS: usize = 2;
    pub const FOLLOWING: usize = 3;
    pub const POSTS: usize = 4;
    pub const AVG_LIKES: usize = 5;
    pub const AVG_COMMENTS: usize = 6;
    pub const AVG_SHARES: usize = 7;
    pub const AVG_VIEWS: usize = 8;
    pub const NICHES: usize = 9;
    pub const COUNTRY: usize = 10;
    pub const FAKE_FOLLOWER_PCT: usize = 11;
    pub const COST_PER_POST: usize = 12;
    pub const EXTRA: usize = 13;
    pub const ENGAGEMENT_RATE: usize = 14;
    pub const ER: usize = 15;
    pub const ENGAGEMENTS_PER_POST: usize = 16;
    pub const COST_PER_ENGAGEMENT: usize = 17;
    pub const ESTIMATED_REACH: usize = 18;
    pub const TIER: usize = 19;
    pub const BENCHMARK: usize = 20;
    pub const ENGAGEMENT: usize = 21;
    pub const NICHE_FIT: usize = 22;
    pub const COST_EFFICIENCY: usize = 23;
    pub const AUTHENTICITY: usize = 24;
    pub const WEIGHTS: usize = 25;
    pub const BRAND: usize = 26;
}

thread_local! {
    static NOTES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Takes the notes scripts emitted on this thread since the last call.
pub fn take_notes() -> Vec<String> {
    NOTES.with(|notes| std::mem::take(&mut *notes.borrow_mut()))
}

fn push_note(text: &str) {
    NOTES.with(|notes| {
        let mut notes = notes.borrow_mut();
        if notes.len() < 64 {
            notes.push(text.to_owned());
        }
    });
}

/// A script error, with the position rhai reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// rhai's message, without the position.
    pub message: String,
    /// 1-based line and column, when rhai knows them.
    pub position: Option<(usize, usize)>,
    /// The variable the script reads but may not, when that is the error (from rhai's
    /// structured error, not its message).
    pub undefined_variable: Option<String>,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some((line, col)) = self.position {
            write!(f, " (script line {line}, column {col})")?;
        }
        Ok(())
    }
}

fn position_of(position: Position) -> Option<(usize, usize)> {
    Some((position.line()?, position.position().unwrap_or(1)))
}

/// The locked-down rhai engine every script of a rule set runs in.
pub struct Sandbox {
    engine: Engine,
    limits: Limits,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl Sandbox {
    /// Builds an engine with `limits`, strict variables, no modules and no `eval`.
    pub fn new(limits: Limits) -> Self {
        let mut engine = Engine::new();
        engine
            .set_max_operations(limits.max_operations)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            .set_max_modules(0)
            .set_strict_variables(true)
            .set_fail_on_invalid_map_property(true)
            .set_optimization_level(OptimizationLevel::Simple)
            .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
        engine.disable_symbol("eval");
        engine.on_print(push_note);
        engine.on_debug(|text, _, _| push_note(text));
        engine.register_fn("note", |text: &str| push_note(text));
        engine.register_fn("clamp", clamp);
        engine.register_fn("ratio", ratio);
        engine.register_fn("has", |value: Dynamic| !value.is_unit());
        Self { engine, limits }
    }

    /// The limits this sandbox enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A scope holding every variable of [`VARIABLES`], all `()`: what scripts compile against.
    pub fn template_scope() -> Scope<'static> {
        let mut scope = Scope::new();
        for (name, _) in VARIABLES {
            scope.push_dynamic(*name, Dynamic::UNIT);
        }
        scope
    }

    /// Compiles a scoring script.
    pub fn compile_script(&self, source: &str) -> Result<AST, ScriptError> {
        self.engine.compile_with_scope(&Self::template_scope(), source).map_err(|err| ScriptError {
            message: err.err_type().to_string(),
            position: position_of(err.position()),
            undefined_variable: undefined_in_parse(err.err_type()),
        })
    }

    /// Compiles a tier's `when` condition, which must be a single expression.
    pub fn compile_condition(&self, source: &str) -> Result<AST, ScriptError> {
        self.engine.compile_expression_with_scope(&Self::template_scope(), source).map_err(|err| {
            ScriptError {
                message: err.err_type().to_string(),
                position: position_of(err.position()),
                undefined_variable: undefined_in_parse(err.err_type()),
            }
        })
    }

    /// Runs a scoring script and returns its number.
    pub fn eval_score(&self, ast: &AST, scope: &mut Scope) -> Result<f64, ScriptError> {
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(scope, ast)
            .map_err(|err| self.error(&err))?;
        let score = if let Ok(float) = value.as_float() {
            float
        } else if let Ok(int) = value.as_int() {
            int as f64
        } else {
            return Err(ScriptError {
                message: format!("the script returned a {}, not a number", value.type_name()),
                position: None,
                undefined_variable: None,
            });
        };
        if !score.is_finite() {
            return Err(ScriptError {
                message: format!("the script returned {score}, not a finite number"),
                position: None,
                undefined_variable: None,
            });
        }
        Ok(score)
    }

    /// Runs a tier condition and returns its verdict.
    pub fn eval_condition(&self, ast: &AST, scope: &mut Scope) -> Result<bool, ScriptError> {
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(scope, ast)
            .map_err(|err| self.error(&err))?;
        value.as_bool().map_err(|found| ScriptError {
            message: format!("a `when` condition must give true or false, not a {found}"),
            position: None,
            undefined_variable: None,
        })
    }

    fn error(&self, err: &EvalAltResult) -> ScriptError {
        let message = match err {
            EvalAltResult::ErrorTooManyOperations(_) => format!(
                "the script ran more than {} operations and was stopped (a loop that never ends?)",
                self.limits.max_operations
            ),
            EvalAltResult::ErrorStackOverflow(_) => format!(
                "the script nested calls deeper than {} and was stopped (runaway recursion?)",
                self.limits.max_call_levels
            ),
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                format!("the script built a {what} over the sandbox limit and was stopped")
            }
            other => {
                let text = other.to_string();
                // rhai appends " (line 3, position 5)"; we report the position ourselves.
                match text.rfind(" (line ") {
                    Some(at) if text.ends_with(')') => text[..at].to_owned(),
                    _ => text,
                }
            }
        };
        let undefined_variable = match err {
            EvalAltResult::ErrorVariableNotFound(name, _) => Some(name.clone()),
            _ => None,
        };
        ScriptError { message, position: position_of(err.position()), undefined_variable }
    }
}

/// The variable a compile error says the script may not read, if that is the error.
fn undefined_in_parse(kind: &ParseErrorType) -> Option<String> {
    match kind {
        ParseErrorType::VariableUndefined(name) => Some(name.clone()),
        _ => None,
    }
}

/// The `clamp(x, lo, hi)` helper: `lo` below it, `hi` above it (never panics, even on NaN).
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// The `ratio(a, b)` helper: `a / b`, or 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// Builds an object map for scripts from `(key, value)` pairs.
pub fn map_of<'a>(entries: impl IntoIterator<Item = (&'a str, Dynamic)>) -> Map {
    entries.into_iter().map(|(key, value)| (key.into(), value)).collect()
}

/// A float, or `()` when absent.
pub fn opt_float(value: Option<f64>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Dynamic::from_float)
}

/// A string, or `()` when absent.
pub fn opt_str(value: Option<&str>) -> Dynamic {
    value.map_or(Dynamic::UNIT, |text| Dynamic::from(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_the_variable_list() {
        let expected = [
            (slots::HANDLE, "handle"),
            (slots::PLATFORM, "platform"),
            (slots::FOLLOWERS, "followers"),
            (slots::FOLLOWING, "following"),
            (slots::POSTS, "posts"),
            (slots::AVG_LIKES, "avg_likes"),
            (slots::AVG_COMMENTS, "avg_comments"),
            (slots::AVG_SHARES, "avg_shares"),
            (slots::AVG_VIEWS, "avg_views"),
            (slots::NICHES, "niches"),
            (slots::COUNTRY, "country"),
            (slots::FAKE_FOLLOWER_PCT, "fake_follower_pct"),
            (slots::COST_PER_POST, "cost_per_post"),
            (slots::EXTRA, "extra"),
            (slots::ENGAGEMENT_RATE, "engagement_rate"),
            (slots::ER, "er"),
            (slots::ENGAGEMENTS_PER_POST, "engagements_per_post"),
            (slots::COST_PER_ENGAGEMENT, "cost_per_engagement"),
            (slots::ESTIMATED_REACH, "estimated_reach"),
            (slots::TIER, "tier"),
            (slots::BENCHMARK, "benchmark"),
            (slots::ENGAGEMENT, "engagement"),
            (slots::NICHE_FIT, "niche_fit"),
            (slots::COST_EFFICIENCY, "cost_efficiency"),
            (slots::AUTHENTICITY, "authenticity"),
            (slots::WEIGHTS, "weights"),
            (slots::BRAND, "brand"),
        ];
        assert_eq!(expected.len(), VARIABLES.len());
        for (slot, name) in expected {
            assert_eq!(VARIABLES[slot].0, name);
        }
    }
}
