//! One diagnostic type for every problem found in a rule folder, and its rendering.
//!
//! A [`Diagnostic`] points at a file and, where it can, at a byte span in that file's source.
//! Rendering follows rustc: `error: …`, ` --> path:line:col`, the source line with a caret
//! and a `= hint:` line when a fix is known (the word scout's CLI messages use too).

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule folder is unusable until this is fixed.
    Error,
    /// Worth a look; the rule folder still loads.
    Warning,
}

/// A located problem in a rule file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// How serious the problem is.
    pub severity: Severity,
    /// What is wrong, lowercase, values in backticks.
    pub message: String,
    /// The file the problem is in.
    pub path: PathBuf,
    /// The whole text of that file, when it could be read.
    pub source: Option<Arc<str>>,
    /// The byte range of the offending text in `source`.
    pub span: Option<Range<usize>>,
    /// A short note under the caret.
    pub label: Option<String>,
    /// How to fix it, when that is known.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Creates an error about `path` with no location yet.
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            path: path.into(),
            source: None,
            span: None,
            label: None,
            hint: None,
        }
    }

    /// Creates a warning about `path` with no location yet.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(path, message) }
    }

    /// Points the diagnostic at `span` within `source`.
    pub fn at(mut self, source: &Arc<str>, span: Range<usize>) -> Self {
        self.source = Some(Arc::clone(source));
        self.span = Some(span);
        self
    }

    /// Adds a label under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// The 1-based line and column of the start of the span, when there is one.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let source = self.source.as_deref()?;
        let span = visible_span(source, clamp_span(source, self.span.clone()?));
        Some(line_col(source, span.start))
    }

    /// `path:line:col`, or just the path when the problem has no location.
    pub fn location(&self) -> String {
        match self.line_col() {
            Some((line, col)) => format!("{}:{line}:{col}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    /// Renders the diagnostic as text, with ANSI colours when `color` is set.
    pub fn render(&self, color: bool) -> String {
        use annotate_snippets::{Level, Renderer, Snippet};
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let origin = display_path(&self.path);
        let mut out = match (&self.source, &self.span) {
            (Some(source), Some(span)) => {
                let span = visible_span(source, clamp_span(source, span.clone()));
                let label = self.label.as_deref().unwrap_or("");
                let mut message = level.title(&self.message).snippet(
                    Snippet::source(source)
                        .line_start(1)
                        .origin(&origin)
                        .fold(true)
                        .annotation(level.span(span).label(label)),
                );
                let hint = self.hint.as_deref().filter(|hint| !hint.trim().is_empty());
                if let Some(hint) = hint {
                    message = message.footer(Level::Help.title(hint));
                }
                let text = renderer.render(message).to_string();
                match hint {
                    Some(hint) => relabel_help_footer(text, hint),
                    None => text,
                }
            }
            _ => {
                let mut text = renderer.render(level.title(&self.message)).to_string();
                let _ = write!(text, "\n --> {origin}");
                if let Some(hint) = &self.hint {
                    let _ = write!(text, "\n  = hint: {hint}");
                }
                text
            }
        };
        out.push('\n');
        out
    }

    /// A serialisable summary, for `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.line_col().unzip();
        serde_json::json!({
            "severity": self.severity,
            "message": self.message,
            "path": display_path(&self.path),
            "line": line,
            "column": column,
            "snippet": self.snippet(),
            "hint": self.hint,
        })
    }

    /// The offending text, when the diagnostic has a span.
    pub fn snippet(&self) -> Option<&str> {
        let source = self.source.as_deref()?;
        let span = clamp_span(source, self.span.clone()?);
        source.get(span)
    }
}

/// Relabels the `help` footer annotate-snippets rendered for `hint` as `hint`, the word
/// scout's CLI messages use. The library has no footer level of that name, so only the
/// label of the last footer is replaced: it is the last `help` before the hint's first
/// line, which the footer ends with, and both words are four columns wide, so a
/// multi-line hint stays aligned. Colour codes around the label are kept.
fn relabel_help_footer(mut text: String, hint: &str) -> String {
    let first_line = hint.lines().next().unwrap_or(hint);
    let label = text.rfind(first_line).and_then(|footer| text[..footer].rfind("help"));
    if let Some(at) = label {
        text.replace_range(at..at + "help".len(), "hint");
    }
    text
}

/// Renders a path with forward slashes, as users type it on every platform.
pub fn display_path(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// The 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(source: &str, mut offset: usize) -> usize {
    while offset > 0 && !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn clamp_span(source: &str, span: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
    start..end
}

/// A span past the last line (a TOML error at the end of the file) cannot be shown: point at
/// the last character instead.
fn visible_span(source: &str, span: Range<usize>) -> Range<usize> {
    let end = source.trim_end().len();
    if span.start < end || end == 0 {
        return span;
    }
    floor_char_boundary(source, end - 1)..end
}

/// Words that mean the opposite of each other: a candidate that differs from the word
/// only by swapping one for the other is never suggested (`min_cost_per_post` for
/// `max_cost_per_post` would invert the user's intent).
const OPPOSITES: &[(&str, &str)] =
    &[("min", "max"), ("include", "exclude"), ("allow", "deny"), ("pass", "fail")];

/// Whether `a` and `b` are the same words but for one opposite swapped (`min_x`, `max_x`).
fn opposite(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('_').collect(), b.split('_').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .any(|(x, y)| OPPOSITES.iter().any(|(p, q)| (x == p && y == q) || (x == q && y == p)))
        && a.iter().zip(&b).all(|(x, y)| {
            x == y || OPPOSITES.iter().any(|(p, q)| (x == p && y == q) || (x == q && y == p))
        })
}

/// The closest candidate to `word`, for a "did you mean" hint: a few edits away, or very
/// similar by Jaro-Winkler; never one that means the opposite.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    let max_edits = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let lower = candidate.to_lowercase();
            if opposite(&word, &lower) {
                return None;
            }
            let edits = strsim::damerau_levenshtein(&word, &lower);
            let similarity = strsim::jaro_winkler(&word, &lower);
            (edits <= max_edits || similarity > 0.85).then_some((edits, candidate))
        })
        .min_by_key(|(edits, _)| *edits)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé\nx", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé\nx", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé\nx", 8), (3, 1));
    }

    #[test]
    fn shows_an_error_at_the_end_of_the_file_on_the_last_line() {
        let source: Arc<str> = "a = 1\noops = [\n".into();
        let text = Diagnostic::error("x.toml", "invalid TOML: invalid array: expected `]`")
            .at(&source, source.len()..source.len())
            .render(false);
        assert!(text.contains("--> x.toml:2:8"), "{text}");
        assert!(text.contains("2 | oops = ["), "{text}");
    }

    #[test]
    fn labels_the_hint_footer_hint_with_and_without_colour() {
        let source: Arc<str> = "help = 1\n".into();
        let diagnostic = Diagnostic::error("x.toml", "unknown key `help`")
            .at(&source, 0..4)
            .label("help here")
            .hint("remove `help`\nor rename it");
        let plain = diagnostic.render(false);
        assert!(plain.contains("  = hint: remove `help`\n          or rename it"), "{plain}");
        assert!(plain.contains("1 | help = 1"), "{plain}");
        assert!(plain.contains("help here"), "{plain}");
        assert!(!plain.contains("= help"), "{plain}");
        let styled = diagnostic.render(true);
        assert_ne!(styled, plain);
        assert_eq!(without_ansi(&styled), plain);
        let unlocated = Diagnostic::error("x.toml", "oops").hint("do this").render(false);
        assert!(unlocated.contains("  = hint: do this"), "{unlocated}");
    }

    fn without_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                chars.by_ref().find(|&c| c == 'm');
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("wieght", ["weight", "niches"]), Some("weight"));
        assert_eq!(did_you_mean("zzz", ["weight", "niches"]), None);
        assert_eq!(did_you_mean("mdi", ["micro", "mid", "macro"]), Some("mid"));
        assert_eq!(did_you_mean("min_cost_per_post", ["max_cost_per_post"]), None);
        assert_eq!(
            did_you_mean("min_cost_per_pots", ["max_cost_per_post", "min_cost_per_post"]),
            Some("min_cost_per_post")
        );
        assert_eq!(did_you_mean("include_keywords", ["exclude_keywords"]), None);
    }
}
