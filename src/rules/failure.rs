//! Rule errors: a scoring script or a tier's `when` condition that fails on a candidate
//! because of how the rule is written (it multiplies a value the candidate does not have,
//! it returns text, it runs past the sandbox's budget), not because the row is bad.
//!
//! A rule error is reported once per place in the rules, located at the script or the
//! `when` and worded for the person who wrote the rule, with how many rows it hit. Pure:
//! it reads only the rule files the [`RuleSet`] was loaded from.

use std::ops::Range;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::rules::script::{ScriptError, VARIABLES};
use crate::rules::RuleSet;
use crate::source::SourceFile;

/// Where in the rules a script failed and why: what groups failures into one rule error.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Site {
    /// The script or tier-scheme file, relative to the rule folder.
    pub script: String,
    /// The tier whose `when` failed; `None` for a scoring script.
    pub tier: Option<String>,
    /// The error message, without its position.
    pub message: String,
    /// The 1-based line and column in the script or condition, when rhai knows them.
    pub position: Option<(usize, usize)>,
}

impl Site {
    /// The site of a script error.
    pub fn new(script: &str, tier: Option<&str>, error: &ScriptError) -> Self {
        Self {
            script: script.to_owned(),
            tier: tier.map(str::to_owned),
            message: error.message.clone(),
            position: error.position,
        }
    }
}

/// A located diagnostic for a rule error at `site` that hit `rows` rows, the first of them
/// `first` (`(line, handle)`).
pub fn diagnostic(rules: &RuleSet, site: &Site, rows: usize, first: (u64, &str)) -> Diagnostic {
    let (line, handle) = first;
    let rows_text = if rows == 1 { "1 row".to_owned() } else { format!("{rows} rows") };
    located(rules, site, &rows_text, format!("first on line {line} (`{handle}`)"))
}

/// A located diagnostic for a rule error at `site` that `hit` (`"40 rows"`, `"a candidate
/// with no `avg_likes`"`), with `label` under the caret.
pub fn located(rules: &RuleSet, site: &Site, hit: &str, label: String) -> Diagnostic {
    let file = rules.sources.iter().find(|f| f.rel == site.script);
    let (what, span) = match &site.tier {
        Some(tier) => (
            format!("the `when` of tier `{tier}`"),
            file.and_then(|f| when_span(f, rules, site, tier)),
        ),
        None => (format!("the script `{}`", site.script), file.and_then(|f| script_span(f, site))),
    };
    let (plain, hint) = plain_words(site, file.map(|f| &*f.text), span.clone());
    let message = format!("{what} fails on {hit}: {plain}");
    let diag = match (file, span) {
        (Some(file), Some(span)) => file.error(span, message),
        (Some(file), None) => file.whole(message),
        (None, _) => Diagnostic::error(rules.root.join(&site.script), message),
    };
    diag.label(label).maybe_hint(hint)
}

/// The span of the failing text in a scoring script.
fn script_span(file: &SourceFile, site: &Site) -> Option<Range<usize>> {
    let (line, col) = site.position?;
    let at = crate::rules::load::offset_of(&file.text, line, col);
    Some(at..token_end(&file.text, at))
}

/// The span of the failing text inside the tier's `when` string in its scheme file.
fn when_span(file: &SourceFile, rules: &RuleSet, site: &Site, tier: &str) -> Option<Range<usize>> {
    let scheme = rules.schemes.get(Path::new(&site.script))?;
    let lists = std::iter::once(&scheme.default).chain(scheme.platforms.iter().map(|(_, t)| t));
    let when = lists.flatten().find(|t| &*t.name == tier)?.when.as_ref()?;
    let start = file.text.find(&*when.source)?;
    let at = match site.position {
        Some((1, col)) => {
            start + when.source.char_indices().nth(col.saturating_sub(1)).map_or(0, |(i, _)| i)
        }
        _ => start,
    };
    let end = token_end(&file.text, at);
    Some(if end > at { at..end } else { start..start + when.source.len() })
}

/// The end of the operator, name or quoted string at `at`.
fn token_end(text: &str, at: usize) -> usize {
    let rest = &text[at.min(text.len())..];
    if let Some(quoted) = rest.strip_prefix('"') {
        if let Some(close) = quoted.find(['"', '\n']) {
            return at + close + 2;
        }
    }
    let word = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    if word > 0 {
        return at + word;
    }
    let op = rest.find(|c: char| !"+-*/%<>=!&|^".contains(c)).unwrap_or(rest.len());
    at + op.max(rest.chars().next().map_or(0, char::len_utf8))
}

/// What went wrong in words a rule author acts on, and how to fix it when that is known.
fn plain_words(
    site: &Site,
    text: Option<&str>,
    span: Option<Range<usize>>,
) -> (String, Option<String>) {
    let message = &site.message;
    if let Some(key) = message.strip_prefix("Property not found: ") {
        return (
            format!("the row has no `{key}` column, so `extra[\"{key}\"]` is not there"),
            Some(format!("test for it first: `\"{key}\" in extra && …`")),
        );
    }
    let Some(args) = message.strip_prefix("Function not found: ") else {
        return (message.clone(), None);
    };
    let types: Vec<&str> = args
        .split_once(" (")
        .map(|(_, types)| types.trim_end_matches(')').split(", ").collect())
        .unwrap_or_default();
    let Some(missing) = types.iter().position(|t| *t == "()") else {
        return (message.clone(), None);
    };
    let variable =
        text.zip(span).and_then(|(text, span)| missing_variable(text, span, missing == 0));
    match variable {
        Some(name) => (
            format!(
                "`{name}` has no value for this candidate (it is `()`), and `{}` cannot use it",
                operator(args)
            ),
            Some(format!("guard it: `{name} != () && …`, or give a default: `({name} ?? 0.0)`")),
        ),
        None => (
            format!(
                "a value is missing for this candidate (it is `()`), and `{}` cannot use it",
                operator(args)
            ),
            Some(
                "guard optional values: `x != () && …`, or give a default: `(x ?? 0.0)`".to_owned(),
            ),
        ),
    }
}

/// The operator or function of rhai's `Function not found: * (f64, ())`.
fn operator(args: &str) -> &str {
    args.split(" (").next().unwrap_or(args).trim()
}

/// The script variable on the side of the failing operator that is `()` (`left` or not):
/// the nearest name there, on the same line.
fn missing_variable(text: &str, span: Range<usize>, left: bool) -> Option<&'static str> {
    let at = span.start.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let names = |part: &str, offset: usize| -> Vec<(usize, &'static str)> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < part.len() {
            let rest = &part[i..];
            let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if len == 0 {
                i += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let after_dot = part[..i].ends_with('.');
            if let Some((name, _)) = VARIABLES.iter().find(|(n, _)| *n == &rest[..len]) {
                if !after_dot {
                    found.push((offset + i, *name));
                }
            }
            i += len;
        }
        found
    };
    if left {
        names(&text[line_start..at], line_start).last().map(|(_, name)| *name)
    } else {
        let from = span.end.min(line_end).max(at);
        names(&text[from..line_end], from).first().map(|(_, name)| *name)
    }
}
