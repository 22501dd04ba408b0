//! Locating things in rule-file text: the key of a `key = value` line, and a rhai
//! line and column as a byte offset.

use std::ops::Range;

/// The span of the key on the line where `value` starts, for `key = value` lines.
pub(super) fn key_span(source: &str, value: Range<usize>) -> Range<usize> {
    let start = value.start.min(source.len());
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = &source[line_start..start];
    match line.find('=') {
        Some(eq) => {
            let key = &line[..eq];
            let lead = key.len() - key.trim_start().len();
            let key = key.trim();
            let key_start = line_start + lead;
            key_start..key_start + key.len()
        }
        None => value,
    }
}

/// The byte offset of 1-based `line` and `col` (in characters) in `source`.
pub(super) fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, text) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + text
                    .char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(text.trim_end().len(), |(at, _)| at);
        }
        offset += text.len();
    }
    source.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_key_spans() {
        let src = "[niches]\n  beauty = 1.0\n";
        let value = src.find("1.0").unwrap();
        assert_eq!(&src[key_span(src, value..value + 3)], "beauty");
    }

    #[test]
    fn maps_line_and_column_to_offsets() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    }
}
