//! Small text helpers every layer shares: numbers as people read them, plurals, handles,
//! and [`printable`], which makes data safe to show on a terminal.
//! A leaf module: it imports nothing from scout.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Formats a count with thousands separators: `12,300`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `text` lowercased, without a copy when it already is (most handles and labels are).
pub fn lowercase(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// `1 problem`, `2 problems`: the word, with an `s` unless `n` is 1.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// Rounds to 4 decimals: scores and weights are compared and shown at this precision.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// A handle as people compare them: trimmed, without a leading `@`, lowercased.
pub fn normalize_handle(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}

/// Whether `ch` must not reach a terminal as it is: C0 controls (U+0000–001F, tab and line
/// feed included), DEL, C1 controls (U+0080–009F), and the bidirectional overrides and
/// isolates (U+202A–202E, U+2066–2069) that reorder what follows them.
pub fn is_unprintable(ch: char) -> bool {
    matches!(ch, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Data as it may be shown to people on a terminal: every [`is_unprintable`] character is
/// written as a visible Rust-style escape, `\u{1b}` for ESC, `\u{7}` for BEL, `\u{a}` for a
/// line break, `\u{202e}` for a right-to-left override; everything else is kept. Borrows
/// when there is nothing to escape, which is nearly always.
///
/// A cell from a candidate list (`ok\x1b[2J`) would otherwise clear the screen, set the
/// window title or reorder the line it is printed on. Every text for people renders data
/// through this (tables, reports, `error:` and `warning:` lines); machine formats (CSV,
/// JSON, NDJSON) keep data verbatim. The escape is not reversible: a cell that really
/// contains the six characters `\u{1b}` shows the same.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// [`printable`] for a rendered multi-line report: line breaks are kept, every other
/// unprintable character is escaped. Data that may hold a line break of its own (a quoted
/// CSV cell) should go through [`printable`] before it is put in the report.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |ch: char| is_unprintable(ch) && !(keep_newlines && ch == '\n');
    let Some(at) = text.find(unsafe_char) else { return Cow::Borrowed(text) };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..at]);
    for ch in text[at..].chars() {
        if unsafe_char(ch) {
            let _ = write!(out, "\\u{{{:x}}}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_terminal_controls() {
        assert!(matches!(printable("mara.skin ünïcode ✓"), Cow::Borrowed(_)));
        assert_eq!(printable("ok\x1b[2J"), "ok\\u{1b}[2J");
        assert_eq!(printable("\x1b]0;pwned\x07"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(printable("a\tb\nc\rd\0"), "a\\u{9}b\\u{a}c\\u{d}d\\u{0}");
        assert_eq!(printable("del\x7f c1\u{9b}"), "del\\u{7f} c1\\u{9b}");
        assert_eq!(printable("\u{202e}txt.exe\u{2066}"), "\\u{202e}txt.exe\\u{2066}");
        assert_eq!(printable("\u{a0}\u{2069}\u{206a}"), "\u{a0}\\u{2069}\u{206a}");
        assert_eq!(printable_lines("a\nb\x1b"), "a\nb\\u{1b}");
        // Escaping twice changes nothing more.
        let once = printable("x\x1by").into_owned();
        assert_eq!(printable(&once), once);
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn handles_compare_without_at_and_case() {
        assert_eq!(normalize_handle(" @Mara.Skin "), "mara.skin");
    }
}
