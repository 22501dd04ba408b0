//! Every TOML problem in a rule file, not only the first: serde stops at the first unknown
//! key or wrong type, so after each such error the entry at fault is blanked out (its
//! bytes replaced by spaces, newlines kept, so every later span still points into the
//! original text) and the file is read again, until it reads or the next problem is not
//! one a blanked entry can get past (a syntax error, a missing key).

use std::ops::Range;

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::source::{toml_diagnostic, SourceFile};

/// More problems than this in one file are not worth listing one by one.
const MAX_PROBLEMS: usize = 50;

/// The diagnostics of `file`, which failed to read as `T` with `first`: that one, then
/// every further unknown key and wrong type, each located in the original text.
pub fn toml_diagnostics<T: DeserializeOwned>(
    file: &SourceFile,
    first: &toml::de::Error,
) -> Vec<Diagnostic> {
    let mut diagnostics = vec![toml_diagnostic(file, first)];
    let mut text = file.text.to_string();
    let mut error = first.clone();
    while diagnostics.len() < MAX_PROBLEMS {
        let Some(ranges) = at_fault(&text, &error) else { break };
        let before = text.clone();
        for range in ranges {
            blank(&mut text, range);
        }
        if text == before {
            break;
        }
        match toml::from_str::<T>(&text) {
            Ok(_) => break,
            Err(next) if can_get_past(&next) => {
                diagnostics.push(toml_diagnostic(file, &next));
                error = next;
            }
            Err(_) => break,
        }
    }
    diagnostics
}

/// Whether an error is about one entry's key or value, which blanking it gets past.
fn can_get_past(error: &toml::de::Error) -> bool {
    let message = error.message();
    ["unknown field", "invalid type", "invalid value", "unknown variant", "invalid length"]
        .iter()
        .any(|prefix| message.starts_with(prefix))
}

/// One `key = value` entry, or one `[table]` with everything in it.
struct Entry {
    key: String,
    key_span: Range<usize>,
    /// The value's span, for a `key = value` entry.
    value_span: Option<Range<usize>>,
    /// What to blank to remove it.
    blank: Vec<Range<usize>>,
}

/// The byte ranges to blank to get past `error` in `text`.
fn at_fault(text: &str, error: &toml::de::Error) -> Option<Vec<Range<usize>>> {
    if !can_get_past(error) {
        return None;
    }
    let span = error.span()?;
    let document = toml_edit::ImDocument::parse(text).ok()?;
    let mut entries = Vec::new();
    collect(document.as_table(), &mut entries);
    let message = error.message();
    if message.starts_with("unknown field") {
        let bad = message.split('`').nth(1)?;
        if let Some(entry) = entries
            .iter()
            .find(|e| e.key == bad && span.start <= e.key_span.start && e.key_span.end <= span.end)
        {
            return Some(entry.blank.clone());
        }
    }
    // The innermost `key = value` whose value holds the error.
    entries
        .iter()
        .filter_map(|e| e.value_span.as_ref().map(|v| (v, e)))
        .filter(|(v, _)| v.start <= span.start && span.end <= v.end)
        .min_by_key(|(v, _)| v.end - v.start)
        .map(|(_, e)| e.blank.clone())
}

/// Every entry of `table` and the tables under it, in document order.
fn collect(table: &dyn toml_edit::TableLike, entries: &mut Vec<Entry>) {
    for (name, item) in table.iter() {
        let Some(key_span) = table.key(name).and_then(toml_edit::Key::span) else { continue };
        match item {
            toml_edit::Item::Value(value) => {
                let value_span = value.span();
                let end = value_span.as_ref().map_or(key_span.end, |v| v.end);
                entries.push(Entry {
                    key: name.to_owned(),
                    key_span: key_span.clone(),
                    value_span,
                    blank: std::iter::once(key_span.start..end).collect(),
                });
            }
            toml_edit::Item::Table(inner) => {
                let mut within = Vec::new();
                collect(inner, &mut within);
                let mut blank: Vec<Range<usize>> = inner.span().into_iter().collect();
                blank.extend(within.iter().flat_map(|e| e.blank.iter().cloned()));
                entries.push(Entry { key: name.to_owned(), key_span, value_span: None, blank });
                entries.extend(within);
            }
            toml_edit::Item::ArrayOfTables(tables) => {
                let mut blank = Vec::new();
                for inner in tables.iter() {
                    let mut within = Vec::new();
                    collect(inner, &mut within);
                    blank.extend(inner.span());
                    blank.extend(within.iter().flat_map(|e| e.blank.iter().cloned()));
                    entries.extend(within);
                }
                entries.push(Entry { key: name.to_owned(), key_span, value_span: None, blank });
            }
            toml_edit::Item::None => {}
        }
    }
}

/// Replaces the bytes of `range` with spaces, keeping newlines (and so every line and
/// column after it).
fn blank(text: &mut String, range: Range<usize>) {
    let Some(part) = text.get(range.clone()) else { return };
    let spaces: String = part.chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    // Multi-byte characters become one space each: pad to keep the byte length.
    let spaces = format!("{spaces:width$}", width = range.len());
    text.replace_range(range, &spaces);
}

#[cfg(test)]
mod tests {
    use super::blank;

    #[test]
    fn blanking_keeps_lines_and_byte_offsets() {
        let mut text = "a = \"é\"\nb = [1,\n2]\nc = 3\n".to_owned();
        let len = text.len();
        blank(&mut text, 8..18);
        assert_eq!(text.len(), len);
        assert_eq!(text.lines().count(), 4);
        assert!(text.ends_with("c = 3\n"));
    }
}
