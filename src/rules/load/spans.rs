//! Locating things in rule-file text: a rhai line and column as a byte offset.

/// The byte offset of 1-based `line` and `col` (in characters) in `source`.
pub(crate) fn offset_of(source: &str, line: usize, col: usize) -> usize {
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
    fn maps_line_and_column_to_offsets() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    }
}
