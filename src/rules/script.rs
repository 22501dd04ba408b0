//! The rhai sandbox: one locked-down engine, the variables a script can read, and the
//! helpers it can call.
//!
//! Scripts come from users, so the engine has hard limits on operations, call depth,
//! expression depth and string, array and map sizes, no module loading and no `eval`. A
//! script that runs away stops with an error; it never hangs the engine.
//!
//! The operation budget and the time bound hold for the whole evaluation of one candidate
//! (every `when`, the scoring script, every closure and nested call they make), not per
//! call: rhai's own operation counter starts afresh in every closure that `map`, `filter`
//! and friends call, so nested closures would multiply it. A [`Budget`] opened by the
//! engine for each candidate counts every operation on this thread through
//! [`Engine::on_progress`] and stops the script when either bound is passed.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use rhai::{
    Dynamic, Engine, EvalAltResult, LexError, Map, OptimizationLevel, ParseError, ParseErrorType,
    Position, Scope, AST,
};

use crate::text::thousands;

use crate::model::Field;

/// The sandbox limits every script runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations the evaluation of one candidate may take, over every script it runs.
    pub max_operations: u64,
    /// Wall-clock time the scripts of one candidate's evaluation may take: a second line
    /// of defence behind the operation budget.
    pub max_duration: Duration,
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
            max_duration: Duration::from_millis(100),
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 4_096,
            max_array_size: 1_024,
            max_map_size: 256,
        }
    }
}

/// The variables that are not candidate fields, with what they hold; in [`VARIABLES`] they
/// follow the fields.
const DERIVED_VARIABLES: [(&str, &str); 23] = [
    ("extra", "every extra column, by header name (map of strings)"),
    ("engagement_rate", "engagement rate on the brand's basis for the platform, a fraction (or ())"),
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
    ("er_basis", "the basis of engagement_rate on this platform: \"followers\" or \"views\""),
    (
        "parent_benchmark",
        "the benchmark of the tier this one is `carved_from` (in its `when`; else of the matched tier's parent, or ())",
    ),
    ("settings", "every knob of the brand (map: filters, engagement, cost, weights, niches)"),
    ("relationship", "component: the relationship with the brand from its history, 0–1 (or ())"),
    ("collaborations", "past collaborations with the brand (0; () when the brand has no history file)"),
    ("last_collaboration_days", "days from the last collaboration to the history's \"as of\" date (or ())"),
    ("delivery_ratio", "mean delivered ER / the ER promised at the time, over past collaborations (or ())"),
    ("history_cpe", "price paid / delivered engagements over past collaborations (or ())"),
    ("return_on_spend", "revenue / price paid where revenue is known (or ())"),
];

/// Every variable a scoring script or tier condition can read, with what it holds: the
/// candidate fields first (named and described by the field table, in canonical order),
/// then the derived variables (metrics, tier, components).
///
/// Numbers are floats; a value the candidate list did not give is `()`, which scripts test
/// with `??` (`cost_per_post ?? 0.0`) or `== ()`.
pub const VARIABLES: &[(&str, &str)] = &{
    let mut all = [("", ""); Field::ALL.len() + DERIVED_VARIABLES.len()];
    let mut i = 0;
    while i < Field::ALL.len() {
        all[i] = (Field::ALL[i].name(), Field::ALL[i].script_doc());
        i += 1;
    }
    while i < all.len() {
        all[i] = DERIVED_VARIABLES[i - Field::ALL.len()];
        i += 1;
    }
    all
};

/// The slot of each variable in [`VARIABLES`], for code that fills them by position: a
/// field's slot is [`slots::field`], the other variables' are constants.
#[allow(missing_docs)]
pub mod slots {
    use crate::model::Field;

    /// The slot of a candidate field's variable.
    pub const fn field(field: Field) -> usize {
        field as usize
    }

    pub const EXTRA: usize = Field::ALL.len();
    pub const ENGAGEMENT_RATE: usize = EXTRA + 1;
    pub const ER: usize = EXTRA + 2;
    pub const ENGAGEMENTS_PER_POST: usize = EXTRA + 3;
    pub const COST_PER_ENGAGEMENT: usize = EXTRA + 4;
    pub const ESTIMATED_REACH: usize = EXTRA + 5;
    pub const TIER: usize = EXTRA + 6;
    pub const BENCHMARK: usize = EXTRA + 7;
    pub const ENGAGEMENT: usize = EXTRA + 8;
    pub const NICHE_FIT: usize = EXTRA + 9;
    pub const COST_EFFICIENCY: usize = EXTRA + 10;
    pub const AUTHENTICITY: usize = EXTRA + 11;
    pub const WEIGHTS: usize = EXTRA + 12;
    pub const BRAND: usize = EXTRA + 13;
    pub const ER_BASIS: usize = EXTRA + 14;
    pub const PARENT_BENCHMARK: usize = EXTRA + 15;
    pub const SETTINGS: usize = EXTRA + 16;
    pub const RELATIONSHIP: usize = EXTRA + 17;
    pub const COLLABORATIONS: usize = EXTRA + 18;
    pub const LAST_COLLABORATION_DAYS: usize = EXTRA + 19;
    pub const DELIVERY_RATIO: usize = EXTRA + 20;
    pub const HISTORY_CPE: usize = EXTRA + 21;
    pub const RETURN_ON_SPEND: usize = EXTRA + 22;

    /// What a candidate is judged to be: its tier, the benchmark and the components.
    pub const JUDGED: [usize; 7] =
        [TIER, BENCHMARK, ENGAGEMENT, NICHE_FIT, COST_EFFICIENCY, AUTHENTICITY, RELATIONSHIP];
    /// The history of collaborations with the brand.
    pub const HISTORY: [usize; 5] =
        [COLLABORATIONS, LAST_COLLABORATION_DAYS, DELIVERY_RATIO, HISTORY_CPE, RETURN_ON_SPEND];
}

/// Which of [`VARIABLES`] some compiled scripts can read, a bit per slot, and whether they
/// might change `settings` or `weights`. Scripts compile in strict-variables mode against
/// [`Sandbox::template_scope`], so every variable a script reads is named in its AST (a
/// closure's captures and `${…}` interpolations included); the engine builds a scope with
/// only these. `is_def_var`, which names a variable in a string, makes a script read
/// everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reads {
    vars: u64,
    writes_maps: bool,
}

const _: () = assert!(VARIABLES.len() <= 64, "Reads keeps one bit per variable");

/// The brand's maps, shared by every row when no script can change them.
const MAPS: [&str; 2] = ["settings", "weights"];

impl Reads {
    /// Every variable, and maybe a change to the maps.
    pub const ALL: Reads = Reads { vars: u64::MAX, writes_maps: true };
    /// No variable.
    pub const NONE: Reads = Reads { vars: 0, writes_maps: false };

    /// The variables `ast` names (its functions' bodies included).
    pub fn of(ast: &AST) -> Reads {
        let mut reads = Reads::NONE;
        let mut name = |name: &str| {
            if name == "is_def_var" {
                reads = Reads::ALL;
            } else if let Some(slot) = VARIABLES.iter().position(|(v, _)| *v == name) {
                reads.vars |= 1 << slot;
            }
        };
        let mut writes_maps = false;
        ast.walk(&mut |path: &[rhai::ASTNode]| {
            match path.last() {
                Some(rhai::ASTNode::Expr(expr)) => match expr {
                    rhai::Expr::Variable(var, ..) => {
                        name(&var.1);
                        if MAPS.contains(&var.1.as_str()) && !is_property_read(path) {
                            writes_maps = true;
                        }
                    }
                    rhai::Expr::FnCall(call, _) | rhai::Expr::MethodCall(call, _) => {
                        name(&call.name)
                    }
                    rhai::Expr::StringConstant(text, _) => name(text),
                    _ => {}
                },
                Some(rhai::ASTNode::Stmt(rhai::Stmt::FnCall(call, _))) => name(&call.name),
                Some(rhai::ASTNode::Stmt(rhai::Stmt::Share(shared))) => {
                    for (ident, _) in shared.iter() {
                        name(&ident.name);
                        writes_maps |= MAPS.contains(&ident.name.as_str());
                    }
                }
                _ => {}
            }
            true
        });
        Reads { writes_maps: reads.writes_maps || writes_maps, ..reads }
    }

    /// The variables either reads.
    #[must_use]
    pub fn union(self, other: Reads) -> Reads {
        Reads { vars: self.vars | other.vars, writes_maps: self.writes_maps || other.writes_maps }
    }

    /// The variables `self` reads and `other` does not.
    pub fn without(self, other: Reads) -> Reads {
        Reads { vars: self.vars & !other.vars, writes_maps: false }
    }

    /// Whether no variable is read.
    pub fn is_empty(self) -> bool {
        self.vars == 0
    }

    /// The variables in `slots`.
    pub fn of_slots(slots: &[usize]) -> Reads {
        let vars = slots.iter().fold(0u64, |vars, slot| vars | 1 << slot);
        Reads { vars, writes_maps: false }
    }

    /// Whether the variable in `slot` is read.
    pub fn has(self, slot: usize) -> bool {
        self.vars >> slot & 1 == 1
    }

    /// Whether any of the variables in `slots` is read.
    pub fn any(self, slots: &[usize]) -> bool {
        slots.iter().any(|slot| self.has(*slot))
    }

    /// Whether the scripts only ever read `settings` and `weights` through property paths
    /// (`settings.cost.target_cost_per_engagement`), so every row can be handed the
    /// brand's shared maps without a copy. Any other use (an assignment, a method call, an
    /// index, a function argument, a closure capture) gets a private copy each row.
    pub fn shares_maps(self) -> bool {
        !self.writes_maps
    }
}

/// Whether the variable at the end of `path` is the root of a chain of property reads
/// (`v.a.b`) that nothing assigns to.
fn is_property_read(path: &[rhai::ASTNode]) -> bool {
    use rhai::{ASTNode, Expr, Stmt};
    fn properties(expr: &Expr) -> bool {
        match expr {
            Expr::Property(..) => true,
            Expr::Dot(chain, ..) => {
                matches!(chain.lhs, Expr::Property(..)) && properties(&chain.rhs)
            }
            _ => false,
        }
    }
    let [.., grandparent, ASTNode::Expr(parent), ASTNode::Expr(var)] = path else {
        return false;
    };
    let Expr::Dot(chain, ..) = parent else { return false };
    if !std::ptr::eq(&chain.lhs, *var) || !properties(&chain.rhs) {
        return false;
    }
    !matches!(grandparent, ASTNode::Stmt(Stmt::Assignment(assign)) if std::ptr::eq(&assign.1.lhs, *parent))
}

/// The most notes one evaluation keeps.
pub const MAX_NOTES: usize = 16;
/// The most bytes one note keeps; a longer note is cut at a character boundary and ends
/// with `…`.
pub const MAX_NOTE_BYTES: usize = 2_048;

/// The notes of the evaluation running on this thread.
struct Notes {
    kept: Vec<String>,
    /// Notes past [`MAX_NOTES`], counted but not kept.
    more: usize,
}

thread_local! {
    static NOTES: RefCell<Notes> = const { RefCell::new(Notes { kept: Vec::new(), more: 0 }) };
    static METER: Cell<Meter> = const { Cell::new(Meter::IDLE) };
}

/// Takes the notes scripts emitted on this thread since the last call: at most
/// [`MAX_NOTES`], each at most [`MAX_NOTE_BYTES`], then one `… N more notes` line when some
/// were left out.
pub fn take_notes() -> Vec<String> {
    NOTES.with(|notes| {
        let mut notes = notes.borrow_mut();
        let more = std::mem::take(&mut notes.more);
        let mut kept = std::mem::take(&mut notes.kept);
        if more > 0 {
            kept.push(format!("… {more} more {}", if more == 1 { "note" } else { "notes" }));
        }
        kept
    })
}

fn push_note(text: &str) {
    NOTES.with(|notes| {
        let mut notes = notes.borrow_mut();
        if notes.kept.len() >= MAX_NOTES {
            notes.more += 1;
            return;
        }
        let note = if text.len() <= MAX_NOTE_BYTES {
            text.to_owned()
        } else {
            let mut end = MAX_NOTE_BYTES - '…'.len_utf8();
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &text[..end])
        };
        notes.kept.push(note);
    });
}

/// The operations and time spent by the scripts of the evaluation running on this thread.
#[derive(Clone, Copy, Debug)]
struct Meter {
    /// Operations so far, over every script and closure of the evaluation.
    ops: u64,
    /// When the first operation ran.
    started: Option<Instant>,
    /// Whether a [`Budget`] is open: scripts then share it instead of each starting afresh.
    open: bool,
}

impl Meter {
    const IDLE: Meter = Meter { ops: 0, started: None, open: false };
}

/// How often, in operations, the meter looks at the clock.
const CLOCK_EVERY: u64 = 256;

/// Why the meter stopped a script (the token of rhai's `ErrorTerminated`).
const STOPPED_OPERATIONS: i64 = 1;
const STOPPED_TIME: i64 = 2;

/// One candidate's evaluation: until it drops, every script run on this thread — each
/// `when`, the scoring script, and every closure and function they call — draws on one
/// budget of [`Limits::max_operations`] operations and [`Limits::max_duration`].
///
/// Scripts run outside a `Budget` get a fresh budget each.
#[must_use = "the budget closes when dropped"]
pub struct Budget {
    previous: Meter,
    /// A budget belongs to its thread.
    _thread: PhantomData<*const ()>,
}

impl Budget {
    /// Opens a fresh budget for one evaluation on this thread, and drops any notes left
    /// over.
    pub fn open() -> Self {
        let previous = METER.with(|meter| meter.replace(Meter { open: true, ..Meter::IDLE }));
        let _ = take_notes();
        Self { previous, _thread: PhantomData }
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        METER.with(|meter| meter.set(self.previous));
    }
}

/// Counts one operation against the open budget; `Some` stops the script.
fn tick(limits: &Limits) -> Option<Dynamic> {
    METER.with(|cell| {
        let mut meter = cell.get();
        meter.ops += 1;
        let stop = if meter.ops > limits.max_operations {
            Some(STOPPED_OPERATIONS)
        } else if meter.ops % CLOCK_EVERY == 1 {
            let started = *meter.started.get_or_insert_with(Instant::now);
            (started.elapsed() > limits.max_duration).then_some(STOPPED_TIME)
        } else {
            None
        };
        cell.set(meter);
        stop.map(Dynamic::from_int)
    })
}

/// Starts a fresh budget for a script run outside any [`Budget`].
fn meter_standalone_run() {
    METER.with(|cell| {
        if !cell.get().open {
            cell.set(Meter::IDLE);
        }
    });
}

/// Keywords the sandbox turns off, with why and what to write instead. Scripts using them
/// do not compile, so `scout check` reports them where they are written.
pub const DISABLED: &[(&str, &str)] = &[
    ("import", "scripts cannot load modules: define helper functions with `fn` in the same script"),
    ("export", "scripts are not modules, so there is nothing to export: remove `export`"),
    ("eval", "scripts cannot run code built from strings: write the expression itself"),
];

/// A script error, with the position rhai reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// What went wrong, in plain words, without the position.
    pub message: String,
    /// 1-based line and column, when rhai knows them.
    pub position: Option<(usize, usize)>,
    /// The text at the position the error is about (a disabled keyword), when known.
    pub token: Option<String>,
    /// What to do about it, when there is a clear fix.
    pub hint: Option<String>,
    /// The variable the script reads but may not, when that is the error (from rhai's
    /// structured error, not its message).
    pub undefined_variable: Option<String>,
}

impl ScriptError {
    /// An error with a message and nothing else.
    pub fn new(message: impl Into<String>, position: Option<(usize, usize)>) -> Self {
        Self {
            message: message.into(),
            position,
            token: None,
            hint: None,
            undefined_variable: None,
        }
    }
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
            // rhai's own counter restarts in every closure; [`Budget`] covers the rest.
            .set_max_operations(limits.max_operations)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            .set_max_modules(0)
            // The interner is one lock for every thread, and rhai sleeps 10 ms when it finds
            // it taken: two threads running scripts would take turns.
            .set_max_strings_interned(0)
            .set_strict_variables(true)
            .set_fail_on_invalid_map_property(true)
            .set_optimization_level(OptimizationLevel::Simple)
            .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
        for (keyword, _) in DISABLED {
            engine.disable_symbol(*keyword);
        }
        engine.on_progress(move |_| tick(&limits));
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
        self.engine
            .compile_with_scope(&Self::template_scope(), source)
            .map_err(|err| self.compile_error(&err))
    }

    /// Compiles a tier's `when` condition, which must be a single expression.
    pub fn compile_condition(&self, source: &str) -> Result<AST, ScriptError> {
        self.engine
            .compile_expression_with_scope(&Self::template_scope(), source)
            .map_err(|err| self.compile_error(&err))
    }

    /// Compiles a condition against another set of variables (`scope`), such as the
    /// audience rules' account variables.
    pub fn compile_condition_in(&self, scope: &Scope, source: &str) -> Result<AST, ScriptError> {
        self.engine
            .compile_expression_with_scope(scope, source)
            .map_err(|err| self.compile_error(&err))
    }

    fn compile_error(&self, err: &ParseError) -> ScriptError {
        let position = position_of(err.position());
        let disabled = match err.err_type() {
            ParseErrorType::Reserved(word) => Some(word.as_str()),
            ParseErrorType::BadInput(LexError::ImproperSymbol(word, _)) => Some(word.as_str()),
            _ => None,
        }
        .and_then(|word| DISABLED.iter().find(|(keyword, _)| *keyword == word));
        if let Some((keyword, hint)) = disabled {
            return ScriptError {
                message: format!("`{keyword}` is not allowed in scout scripts"),
                position,
                token: Some((*keyword).to_owned()),
                hint: Some((*hint).to_owned()),
                undefined_variable: None,
            };
        }
        let message = match err.err_type() {
            ParseErrorType::ExprTooDeep => format!(
                "the script nests expressions deeper than {} levels, the sandbox limit",
                self.limits.max_expr_depth
            ),
            other => other.to_string(),
        };
        let undefined_variable = match err.err_type() {
            ParseErrorType::VariableUndefined(name) => Some(name.clone()),
            _ => None,
        };
        ScriptError { undefined_variable, ..ScriptError::new(message, position) }
    }

    /// Runs a compiled script or condition under the budget.
    fn run(&self, ast: &AST, scope: &mut Scope) -> Result<Dynamic, ScriptError> {
        meter_standalone_run();
        self.engine.eval_ast_with_scope::<Dynamic>(scope, ast).map_err(|err| self.error(&err))
    }

    /// Runs a scoring script and returns its number.
    pub fn eval_score(&self, ast: &AST, scope: &mut Scope) -> Result<f64, ScriptError> {
        let value = self.run(ast, scope)?;
        let score = if let Ok(float) = value.as_float() {
            float
        } else if let Ok(int) = value.as_int() {
            int as f64
        } else {
            return Err(ScriptError::new(
                format!("the script returned a {}, not a number", value.type_name()),
                None,
            ));
        };
        if !score.is_finite() {
            return Err(ScriptError::new(
                format!("the script returned {score}, not a finite number"),
                None,
            ));
        }
        Ok(score)
    }

    /// Runs an expression (a reason placeholder) and returns its value.
    pub fn eval_value(&self, ast: &AST, scope: &mut Scope) -> Result<Dynamic, ScriptError> {
        self.run(ast, scope)
    }

    /// Runs a tier condition and returns its verdict.
    pub fn eval_condition(&self, ast: &AST, scope: &mut Scope) -> Result<bool, ScriptError> {
        let value = self.run(ast, scope)?;
        value.as_bool().map_err(|found| {
            ScriptError::new(
                format!("a `when` condition must give true or false, not a {found}"),
                None,
            )
        })
    }

    /// The error in plain words. A sandbox limit hit inside a function or a closure is
    /// reported as the limit, not as the call it happened in.
    fn error(&self, err: &EvalAltResult) -> ScriptError {
        let limits = &self.limits;
        let mut cause = err;
        while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = cause {
            cause = inner;
        }
        let ops = || thousands(limits.max_operations);
        let limit = match cause {
            EvalAltResult::ErrorTooManyOperations(_) => Some(format!(
                "it ran past its budget of {} operations for one candidate and was stopped \
                 (a loop that never ends, or too much work per candidate?)",
                ops()
            )),
            EvalAltResult::ErrorTerminated(token, _) => Some(match token.as_int() {
                Ok(STOPPED_TIME) => format!(
                    "it ran longer than its budget of {} ms for one candidate and was stopped \
                     (too much work per candidate?)",
                    limits.max_duration.as_millis()
                ),
                _ => format!(
                    "it ran past its budget of {} operations for one candidate and was stopped \
                     (a loop that never ends, or too much work per candidate?)",
                    ops()
                ),
            }),
            EvalAltResult::ErrorStackOverflow(_) => Some(format!(
                "it nested function calls deeper than {} levels, the sandbox limit, and was \
                 stopped (runaway recursion?)",
                limits.max_call_levels
            )),
            EvalAltResult::ErrorDataTooLarge(what, _) => Some(if what.contains("string") {
                format!(
                    "it built a string longer than {} characters, the sandbox limit, and was \
                     stopped",
                    thousands(limits.max_string_size as u64)
                )
            } else if what.contains("array") {
                format!(
                    "it built an array of more than {} items, the sandbox limit, and was stopped",
                    thousands(limits.max_array_size as u64)
                )
            } else if what.contains("map") {
                format!(
                    "it built an object map of more than {} entries, the sandbox limit, and was \
                     stopped",
                    thousands(limits.max_map_size as u64)
                )
            } else {
                format!("it built a value over the sandbox limit ({what}) and was stopped")
            }),
            _ => None,
        };
        match limit {
            Some(message) => {
                let position =
                    position_of(cause.position()).or_else(|| position_of(err.position()));
                ScriptError::new(message, position)
            }
            None => {
                let text = err.to_string();
                // rhai appends " (line 3, position 5)"; we report the position ourselves.
                let message = match text.rfind(" (line ") {
                    Some(at) if text.ends_with(')') => text[..at].to_owned(),
                    _ => text,
                };
                let undefined_variable = match err {
                    EvalAltResult::ErrorVariableNotFound(name, _) => Some(name.clone()),
                    _ => None,
                };
                ScriptError {
                    undefined_variable,
                    ..ScriptError::new(message, position_of(err.position()))
                }
            }
        }
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
            (slots::field(Field::Handle), "handle"),
            (slots::field(Field::Platform), "platform"),
            (slots::field(Field::Followers), "followers"),
            (slots::field(Field::Following), "following"),
            (slots::field(Field::Posts), "posts"),
            (slots::field(Field::AvgLikes), "avg_likes"),
            (slots::field(Field::AvgComments), "avg_comments"),
            (slots::field(Field::AvgShares), "avg_shares"),
            (slots::field(Field::AvgViews), "avg_views"),
            (slots::field(Field::Niches), "niches"),
            (slots::field(Field::Country), "country"),
            (slots::field(Field::FakeFollowerPct), "fake_follower_pct"),
            (slots::field(Field::CostPerPost), "cost_per_post"),
            (slots::field(Field::CreatorId), "creator_id"),
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
            (slots::ER_BASIS, "er_basis"),
            (slots::PARENT_BENCHMARK, "parent_benchmark"),
            (slots::SETTINGS, "settings"),
            (slots::RELATIONSHIP, "relationship"),
            (slots::COLLABORATIONS, "collaborations"),
            (slots::LAST_COLLABORATION_DAYS, "last_collaboration_days"),
            (slots::DELIVERY_RATIO, "delivery_ratio"),
            (slots::HISTORY_CPE, "history_cpe"),
            (slots::RETURN_ON_SPEND, "return_on_spend"),
        ];
        assert_eq!(expected.len(), VARIABLES.len());
        for (slot, name) in expected {
            assert_eq!(VARIABLES[slot].0, name);
        }
    }

    fn reads(source: &str) -> Reads {
        Reads::of(&Sandbox::new(Limits::default()).compile_script(source).unwrap())
    }

    fn slot(name: &str) -> usize {
        VARIABLES.iter().position(|(v, _)| *v == name).unwrap()
    }

    #[test]
    fn reads_are_the_variables_a_script_names() {
        let r = reads(
            "fn f(x) { x.len() }\nlet n = f(niches);\nnote(`${followers}`);\n\
             posts * weights.engagement + settings.cost.target_cost_per_engagement",
        );
        for name in ["niches", "followers", "posts", "weights", "settings"] {
            assert!(r.has(slot(name)), "{name}");
        }
        for name in ["handle", "er", "extra", "tier"] {
            assert!(!r.has(slot(name)), "{name}");
        }
        assert!(r.shares_maps());
        assert_eq!(reads("let v = \"po\" + \"sts\"; is_def_var(v)"), Reads::ALL);
        assert!(reads("let f = || posts; f.call()").has(slot("posts")));
    }

    #[test]
    fn only_property_reads_share_the_brand_maps() {
        for source in [
            "settings.cost.target_cost_per_engagement",
            "weights.engagement * settings.filters.max_followers",
            "let s = settings.cost; s.x = 1; 1",
        ] {
            assert!(reads(source).shares_maps(), "{source}");
        }
        for source in [
            "settings.cost.x = 1; 1",
            "settings.cost.x += 1; 1",
            "weights = #{}; 1",
            "weights[\"engagement\"]",
            "settings.filters.countries.len()",
            "clear(weights); 1",
            "let s = settings; 1",
            "let f = || settings.cost; 1",
        ] {
            assert!(!reads(source).shares_maps(), "{source}");
        }
    }

    #[test]
    fn every_field_is_a_variable_in_its_slot() {
        for field in crate::model::Field::ALL {
            let slot = slots::field(field);
            assert_eq!(VARIABLES[slot].0, field.name(), "{field:?}");
            assert_eq!(VARIABLES[slot].1, field.script_doc());
        }
    }
}
