//! Scripts (`scoring.rhai`, brand scripts) and tier `when` conditions: compiled in the
//! sandbox, a compile error located in the file with a hint for an unknown variable.

use std::path::PathBuf;

use toml::Spanned;

use super::spans::offset_of;
use super::Loader;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::rules::script::ScriptError;
use crate::rules::Script;
use crate::source::SourceFile;

impl Loader<'_> {
    pub(super) fn script(&mut self, file: &SourceFile) -> Option<Script> {
        match self.sandbox.compile_script(&file.text) {
            Ok(ast) => Some(Script { path: PathBuf::from(&file.rel), ast }),
            Err(err) => {
                let span = err
                    .position
                    .map(|(line, col)| offset_of(&file.text, line, col))
                    .map_or(0..0, |at| at..token_end(&file.text, at, &err));
                self.diags.push(
                    file.error(span, format!("rhai script does not compile: {}", err.message))
                        .label(script_label(&err))
                        .maybe_hint(script_hint(&err)),
                );
                None
            }
        }
    }
}

/// The end of the token at `at`: the whole name for an undefined variable or a disabled
/// keyword, else one character.
fn token_end(source: &str, at: usize, err: &ScriptError) -> usize {
    match err.token.as_deref().or(err.undefined_variable.as_deref()) {
        Some(name) if source[at..].starts_with(name) => at + name.len(),
        _ => next_char(source, at),
    }
}

fn next_char(source: &str, at: usize) -> usize {
    source[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

pub(super) fn condition_diagnostic(
    file: &SourceFile,
    when: &Spanned<String>,
    err: &ScriptError,
) -> Diagnostic {
    let span = when.span();
    if let Some(statement) = statement_in(&file.text, span.clone()) {
        let what = if file.text[statement.clone()].starts_with("let") { "`let`" } else { "`;`" };
        return file
            .error(
                statement,
                format!("a `when` condition is a single expression, and this one has a {what}"),
            )
            .label("a statement, not part of an expression")
            .hint(
                "write the condition as one expression (`er != () && er > 0.05`), inlining any \
                 `let` value; computations belong in the scoring script",
            );
    }
    expression_diagnostic(file, when.span().start + 1, err, "`when` condition")
}

/// A compile error in a one-line rhai expression written inside a TOML string, whose text
/// starts at byte `start` of the file: located at the column rhai reports.
pub(super) fn expression_diagnostic(
    file: &SourceFile,
    start: usize,
    err: &ScriptError,
    what: &str,
) -> Diagnostic {
    let start = start.min(file.text.len());
    let at = match err.position {
        Some((1, col)) => {
            let line_end = file.text[start..].find('\n').map_or(file.text.len(), |i| start + i);
            let inner = &file.text[start..line_end];
            start + inner.char_indices().nth(col.saturating_sub(1)).map_or(0, |(i, _)| i)
        }
        _ => start,
    };
    let end = token_end(&file.text, at.min(file.text.len()), err);
    file.error(at..end, format!("{what} does not compile: {}", err.message))
        .label(script_label(err))
        .maybe_hint(script_hint(err))
}

/// The first `let` keyword or `;` inside the `when` string at `span` of `text`: what makes
/// a condition more than one expression.
fn statement_in(text: &str, span: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    let inner = text.get(span.clone())?;
    let word = |at: usize, len: usize| {
        let before = inner[..at].chars().next_back();
        let after = inner[at + len..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        boundary(before) && boundary(after)
    };
    let keyword = inner.match_indices("let").find(|(at, _)| word(*at, 3)).map(|(at, _)| at..at + 3);
    let semicolon = inner.find(';').map(|at| at..at + 1);
    let first = match (keyword, semicolon) {
        (Some(k), Some(s)) => Some(if k.start < s.start { k } else { s }),
        (k, s) => k.or(s),
    }?;
    Some(span.start + first.start..span.start + first.end)
}

fn script_label(err: &ScriptError) -> String {
    if err.token.is_some() {
        "disabled in the script sandbox".to_owned()
    } else if err.undefined_variable.is_some() {
        "not a variable scripts can read".to_owned()
    } else {
        "here".to_owned()
    }
}

fn script_hint(err: &ScriptError) -> Option<String> {
    if let Some(hint) = &err.hint {
        return Some(hint.clone());
    }
    let name = err.undefined_variable.as_deref()?;
    let names = crate::rules::script::VARIABLES.iter().map(|(n, _)| *n);
    Some(match did_you_mean(name, names) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            "see the script API in rules/README.md for the variables scripts can read".to_owned()
        }
    })
}
