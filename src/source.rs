//! Rule-folder files as read from disk, and what every file kind shares: TOML errors as
//! located diagnostics, and telling an editor's temporary file from a rule file.
//! A leaf over [`crate::diagnostic`]: rule loading, mapping profiles, rule tests and reload
//! all build on it.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{did_you_mean, Diagnostic};

/// One rule file, read.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path relative to the rule folder, with `/` separators.
    pub rel: String,
    /// The path as the user would type it: the rule folder joined with `rel`.
    pub path: PathBuf,
    /// The file's text.
    pub text: Arc<str>,
}

impl SourceFile {
    /// An error located at `span` of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.path, message).at(&self.text, span)
    }

    /// An error about the file as a whole.
    pub fn whole(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.path, message)
    }
}

/// Whether a file name is an editor's temporary or backup file, never a rule file.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.ends_with(".orig")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Turns a TOML error into a located diagnostic, with "did you mean" for unknown keys.
pub fn toml_diagnostic(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().trim_end_matches('.').replace('\n', ": ");
    let span = err.span().unwrap_or(0..0);
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    for (prefix, what) in [("unknown field", "key"), ("unknown variant", "value")] {
        if let (true, Some((bad, expected))) = (message.starts_with(prefix), ticked.split_first()) {
            let label = match did_you_mean(bad, expected.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("unknown {what}"),
            };
            let span = if what == "key" { key_at(&file.text, span, bad) } else { span };
            return file.error(span, format!("unknown {what} `{bad}`")).label(label).hint(format!(
                "expected one of {}",
                expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let diag = file.error(span.clone(), format!("invalid TOML: {message}")).label("here");
    if message.contains("invalid type: integer") && message.contains("expected f64") {
        return diag.hint("write a decimal point: `1.0`, not `1`");
    }
    if message.contains("invalid type: floating point") && message.contains("u64") {
        return diag.hint("this value must be a whole number");
    }
    diag
}

/// Narrows a table span to the unknown key inside it, when the parsed document has that
/// key there (toml reports the table, not the key).
fn key_at(source: &str, span: Range<usize>, key: &str) -> Range<usize> {
    let Ok(document) = toml_edit::ImDocument::parse(source) else { return span };
    let mut found = None;
    find_key(document.as_table(), key, &span, &mut found);
    found.unwrap_or(span)
}

/// The span of the first key named `key` inside `within`, in `table` or any table under it.
fn find_key(
    table: &dyn toml_edit::TableLike,
    key: &str,
    within: &Range<usize>,
    found: &mut Option<Range<usize>>,
) {
    for (name, item) in table.iter() {
        if found.is_some() {
            return;
        }
        if name == key {
            if let Some(at) = table.key(name).and_then(toml_edit::Key::span) {
                if within.start <= at.start && at.end <= within.end {
                    *found = Some(at);
                    return;
                }
            }
        }
        find_in_item(item, key, within, found);
    }
}

fn find_in_item(
    item: &toml_edit::Item,
    key: &str,
    within: &Range<usize>,
    found: &mut Option<Range<usize>>,
) {
    match item {
        toml_edit::Item::Table(table) => find_key(table, key, within, found),
        toml_edit::Item::ArrayOfTables(tables) => {
            for table in tables.iter() {
                find_key(table, key, within, found);
            }
        }
        toml_edit::Item::Value(value) => find_in_value(value, key, within, found),
        toml_edit::Item::None => {}
    }
}

fn find_in_value(
    value: &toml_edit::Value,
    key: &str,
    within: &Range<usize>,
    found: &mut Option<Range<usize>>,
) {
    match value {
        toml_edit::Value::InlineTable(table) => find_key(table, key, within, found),
        toml_edit::Value::Array(values) => {
            for value in values.iter() {
                find_in_value(value, key, within, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_editor_temp_files() {
        for name in [".#tiers.toml", "tiers.toml~", ".tiers.toml.swp", "4913", "#x#"] {
            assert!(is_editor_temp(name), "{name}");
        }
        assert!(!is_editor_temp("tiers.toml"));
    }
}
