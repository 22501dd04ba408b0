//! Audience rules (`audience.toml`): judging one account, a follower, as genuine or
//! suspicious from its public profile signals.
//!
//! A file holds weighted `[[signal]]`s, each a rhai `when` condition over the
//! [`VARIABLES`] below, a weight and a reason template; an account's suspicion is the sum
//! of the weights of the signals that fire, clamped to 0–1, and the account is suspicious
//! when it reaches `threshold`. `[[band]]`s name the verdict on an influencer's estimated
//! fake-follower share. The raw types are here; `rules::load` checks and compiles them.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use rhai::{Dynamic, Scope, AST};

use super::script::{Sandbox, ScriptError};

/// The variables an audience `when` condition can read, with what they hold. Numbers are
/// floats, flags booleans; a value the list does not give is `()`, and a signal whose
/// condition reads a missing value is not judged for that account.
pub const VARIABLES: [(&str, &str); 14] = [
    ("followers", "the account's follower count"),
    ("following", "accounts the account follows"),
    ("posts", "posts the account has published"),
    ("following_ratio", "following / followers (followers of 0 count as 1)"),
    ("has_profile_pic", "whether the account has a profile picture (bool)"),
    ("is_private", "whether the account is private (bool)"),
    ("bio_length", "characters in the biography"),
    ("username_length", "characters in the username"),
    ("username_digits", "digits in the username"),
    ("has_external_url", "whether the profile links to a website (bool)"),
    ("highlight_reels", "highlight reels on the profile"),
    ("engagement_rate", "(avg likes + avg comments) / followers (`[estimate]` only)"),
    ("benchmark", "the brand's ER benchmark for the tier, with `--brand` (`[estimate]` only)"),
    ("likes_per_comment", "avg likes / avg comments (`[estimate]` only)"),
];

/// Index of each variable in [`VARIABLES`].
#[allow(missing_docs)]
pub mod var {
    pub const FOLLOWERS: usize = 0;
    pub const FOLLOWING: usize = 1;
    pub const POSTS: usize = 2;
    pub const FOLLOWING_RATIO: usize = 3;
    pub const HAS_PROFILE_PIC: usize = 4;
    pub const IS_PRIVATE: usize = 5;
    pub const BIO_LENGTH: usize = 6;
    pub const USERNAME_LENGTH: usize = 7;
    pub const USERNAME_DIGITS: usize = 8;
    pub const HAS_EXTERNAL_URL: usize = 9;
    pub const HIGHLIGHT_REELS: usize = 10;
    pub const ENGAGEMENT_RATE: usize = 11;
    pub const BENCHMARK: usize = 12;
    pub const LIKES_PER_COMMENT: usize = 13;
}

/// Whether a variable is a flag (true/false) rather than a number.
pub fn is_flag(index: usize) -> bool {
    matches!(index, var::HAS_PROFILE_PIC | var::IS_PRIVATE | var::HAS_EXTERNAL_URL)
}

/// `audience.toml` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAudience {
    /// What the rules are, for people.
    pub description: Option<String>,
    /// An account whose suspicion reaches this (0–1) is counted as suspicious.
    #[schemars(with = "f64")]
    pub threshold: Spanned<f64>,
    /// The weighted signals.
    #[serde(default)]
    pub signal: Vec<RawSignal>,
    /// Verdict bands on an influencer's estimated fake-follower share, in order.
    #[serde(default)]
    pub band: Vec<RawBand>,
    /// The no-sample estimate: a fake-follower share from an influencer's own figures.
    pub estimate: Option<RawEstimate>,
}

/// `[estimate]`: for a candidate with neither a fake-follower figure nor an audit, a share
/// of `base` plus the weights of the signals that fire on the influencer's own figures.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEstimate {
    /// What the estimate is, for people.
    pub description: Option<String>,
    /// The share estimated when no signal fires (0–1).
    #[schemars(with = "f64")]
    pub base: Spanned<f64>,
    /// Signals over the influencer's own figures; weights add to the share.
    #[serde(default)]
    pub signal: Vec<RawSignal>,
}

/// One `[[signal]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSignal {
    /// A short name, unique in the file: `mass_follower`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// A rhai condition over the audience variables: `following > 1500`.
    #[schemars(with = "String")]
    pub when: Spanned<String>,
    /// What the signal adds to the suspicion, −1 to 1 (negative: a sign of a real account).
    #[schemars(with = "f64")]
    pub weight: Spanned<f64>,
    /// Why, for people; `{variable}` shows the account's value.
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
}

/// One `[[band]]`: the verdict for fake-follower shares up to `max_fake_share`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    /// The verdict: `genuine`, `watch`, `suspicious`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The highest estimated fake share (0–1) in the band, inclusive; the last band
    /// leaves it out.
    #[schemars(with = "Option<f64>")]
    pub max_fake_share: Option<Spanned<f64>>,
}

/// Valid audience rules.
#[derive(Debug)]
pub struct Audience {
    /// The file, relative to the rule folder.
    pub path: std::path::PathBuf,
    /// Suspicion at or above this makes an account suspicious.
    pub threshold: f64,
    /// The signals, in file order.
    pub signals: Vec<Signal>,
    /// The verdict bands, by ascending `max_fake_share`; the last has none.
    pub bands: Vec<Band>,
    /// The no-sample estimate, if the file has one.
    pub estimate: Option<Estimator>,
}

/// The no-sample estimate, compiled.
#[derive(Debug)]
pub struct Estimator {
    /// The share when no signal fires.
    pub base: f64,
    /// The signals.
    pub signals: Vec<Signal>,
}

/// A no-sample estimate of one influencer.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimated {
    /// The estimated fake-follower share, 0–1.
    pub share: f64,
    /// Names of the signals that fired.
    pub fired: Vec<String>,
}

impl Estimator {
    /// Estimates one influencer's fake-follower share from its own values.
    pub fn estimate(&self, sandbox: &Sandbox, values: &Values) -> Result<Estimated, String> {
        let (total, fired, _) = run_signals(&self.signals, sandbox, values)?;
        Ok(Estimated {
            share: (self.base + total).clamp(0.0, 1.0),
            fired: fired.into_iter().map(|i| self.signals[i].name.clone()).collect(),
        })
    }
}

/// Runs `signals` on one set of values: the sum of the fired weights, the fired indexes,
/// and how many could not be judged.
fn run_signals(
    signals: &[Signal],
    sandbox: &Sandbox,
    values: &Values,
) -> Result<(f64, Vec<usize>, usize), String> {
    let mut total = 0.0;
    let mut fired = Vec::new();
    let mut unjudged = 0;
    let mut scope: Option<Scope> = None;
    for (i, signal) in signals.iter().enumerate() {
        if signal.reads.iter().any(|&v| values[v].is_none()) {
            unjudged += 1;
            continue;
        }
        let hit = match &signal.test {
            Test::Compare { var, op, value } => values[*var].is_some_and(|x| op.apply(x, *value)),
            Test::Script(ast) => {
                let scope = scope.get_or_insert_with(|| scope_of(values));
                sandbox.eval_condition(ast, scope).map_err(|err: ScriptError| {
                    format!("signal `{}` failed: {}", signal.name, err.message)
                })?
            }
        };
        if hit {
            total += signal.weight;
            fired.push(i);
        }
    }
    Ok((total, fired, unjudged))
}

/// One compiled signal.
#[derive(Debug)]
pub struct Signal {
    /// The name.
    pub name: String,
    /// The condition as written.
    pub when: String,
    /// The weight.
    pub weight: f64,
    /// The reason template.
    pub reason: String,
    /// The variables the condition reads (indexes into [`VARIABLES`]).
    pub reads: Vec<usize>,
    /// How the condition runs.
    pub test: Test,
}

/// How a signal's condition runs.
#[derive(Debug)]
pub enum Test {
    /// `variable OP number` or a flag (`is_private`, `!has_profile_pic`), natively.
    Compare {
        /// The variable.
        var: usize,
        /// The comparison.
        op: Op,
        /// The number compared with (1 for a flag, 0 for a negated flag).
        value: f64,
    },
    /// Anything else, in the rhai sandbox.
    Script(AST),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    fn apply(self, a: f64, b: f64) -> bool {
        match self {
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }
}

/// A verdict band.
#[derive(Clone, Debug)]
pub struct Band {
    /// The verdict.
    pub name: String,
    /// The highest fake share in the band; `None` for the last.
    pub max_fake_share: Option<f64>,
}

/// One account's values, by [`VARIABLES`] index; flags are 1 or 0.
pub type Values = [Option<f64>; VARIABLES.len()];

/// One account judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// Sum of the fired signals' weights, clamped to 0–1.
    pub suspicion: f64,
    /// Whether `suspicion` reaches the threshold.
    pub suspicious: bool,
    /// Indexes of the signals that fired, in file order.
    pub fired: Vec<usize>,
    /// Signals that could not be judged for want of a value.
    pub unjudged: usize,
}

/// Parses `var OP number`, `flag` or `!flag`.
pub fn simple_test(when: &str) -> Option<Test> {
    let text = when.trim();
    let index = |name: &str| VARIABLES.iter().position(|(n, _)| *n == name.trim());
    if let Some(name) = text.strip_prefix('!') {
        let var = index(name).filter(|&i| is_flag(i))?;
        return Some(Test::Compare { var, op: Op::Eq, value: 0.0 });
    }
    if let Some(var) = index(text).filter(|&i| is_flag(i)) {
        return Some(Test::Compare { var, op: Op::Eq, value: 1.0 });
    }
    for (symbol, op) in [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        (">", Op::Gt),
        ("<", Op::Lt),
    ] {
        if let Some((left, right)) = text.split_once(symbol) {
            let var = index(left).filter(|&i| !is_flag(i))?;
            let value: f64 = right.trim().replace('_', "").parse().ok()?;
            return value.is_finite().then_some(Test::Compare { var, op, value });
        }
    }
    None
}

/// The variables a condition mentions, as whole identifiers.
pub fn reads(when: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for word in when.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if let Some(i) = VARIABLES.iter().position(|(n, _)| *n == word) {
            if !found.contains(&i) {
                found.push(i);
            }
        }
    }
    found
}

/// A scope holding every audience variable, all `()`: what conditions compile against.
pub fn template_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    for (name, _) in VARIABLES {
        scope.push_dynamic(name, Dynamic::UNIT);
    }
    scope
}

impl Audience {
    /// Judges one account. A condition that fails at run time is an error naming the signal.
    pub fn judge(&self, sandbox: &Sandbox, values: &Values) -> Result<Judgement, String> {
        let (total, fired, unjudged) = run_signals(&self.signals, sandbox, values)?;
        let suspicion = total.clamp(0.0, 1.0);
        Ok(Judgement { suspicion, suspicious: suspicion >= self.threshold, fired, unjudged })
    }

    /// The reason of signal `i` with the account's values filled in.
    pub fn reason(&self, i: usize, values: &Values) -> String {
        let mut text = self.signals[i].reason.clone();
        for (v, (name, _)) in VARIABLES.iter().enumerate() {
            let key = format!("{{{name}}}");
            if text.contains(&key) {
                let shown = match values[v] {
                    None => "?".to_owned(),
                    Some(x) if is_flag(v) => (x != 0.0).to_string(),
                    Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => {
                        crate::text::thousands(x as u64)
                    }
                    Some(x) => format!("{x:.1}"),
                };
                text = text.replace(&key, &shown);
            }
        }
        text
    }

    /// The verdict band for a fake-follower share.
    pub fn band(&self, share: f64) -> &str {
        self.bands
            .iter()
            .find(|b| b.max_fake_share.is_none_or(|max| share <= max))
            .map_or("", |b| b.name.as_str())
    }
}

fn scope_of(values: &Values) -> Scope<'static> {
    let mut scope = Scope::new();
    for (i, (name, _)) in VARIABLES.iter().enumerate() {
        let value = match values[i] {
            None => Dynamic::UNIT,
            Some(x) if is_flag(i) => Dynamic::from_bool(x != 0.0),
            Some(x) => Dynamic::from_float(x),
        };
        scope.push_dynamic(*name, value);
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_conditions_run_natively() {
        assert!(matches!(
            simple_test("following > 1_500"),
            Some(Test::Compare { var: var::FOLLOWING, op: Op::Gt, value }) if value == 1500.0
        ));
        assert!(matches!(
            simple_test("!has_profile_pic"),
            Some(Test::Compare { var: var::HAS_PROFILE_PIC, op: Op::Eq, value }) if value == 0.0
        ));
        assert!(simple_test("following > 3 * followers").is_none());
        assert_eq!(reads("following > 3 * followers"), vec![var::FOLLOWING, var::FOLLOWERS]);
    }
}
