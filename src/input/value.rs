//! Parsing the numbers people write in exports: `12.5K`, `475.8m`, `29.0b`, `1,234`,
//! ` 1 234 `, `1.39%`, and the many spellings of "no value" (`N/A`, `NaN`, `#VALOR!`, empty).
//!
//! A missing value parses to `None`; it is never coerced to zero.

/// Spellings of "no value" found in real exports, compared case-insensitively.
const MISSING: &[&str] = &[
    "", "n/a", "na", "nan", "nan%", "null", "none", "-", "--", "—", "#valor!", "#value!", "#n/a",
    "#div/0!", "#ref!", "#num!", "#name?", "?",
];

/// Whether a cell means "no value".
pub fn is_missing(text: &str) -> bool {
    let text = text.trim();
    // Every marker is short and starts with one of a few characters: most cells are
    // rejected by that alone.
    match text.as_bytes().first() {
        None => true,
        Some(b'n' | b'N' | b'-' | b'#' | b'?' | 0xE2) if text.len() <= 7 => {
            MISSING.iter().any(|m| m.eq_ignore_ascii_case(text))
        }
        _ => false,
    }
}

/// A text cell, or `None` when it is empty or a missing-value marker.
pub fn text(cell: &str) -> Option<&str> {
    let cell = cell.trim();
    (!is_missing(cell)).then_some(cell)
}

/// Parses a number with an optional `k`/`m`/`b` suffix, thousands separators or a `%`.
///
/// `1.39%` gives `0.0139`. Errors say what is wrong in a phrase that follows the column name:
/// "`abc` is not a number".
pub fn parse_number(cell: &str) -> Result<Option<f64>, String> {
    // Most cells are plain numbers: take them without the checks below.
    if let Some(value) = plain_decimal(cell.as_bytes()) {
        return Ok(Some(value));
    }
    if let Ok(value) = cell.parse::<f64>() {
        if value.is_finite() && !cell.starts_with('+') {
            return Ok(Some(value));
        }
    }
    let trimmed = cell.trim();
    if is_missing(trimmed) {
        return Ok(None);
    }
    let not_a_number = || format!("`{trimmed}` is not a number");
    let (body, percent) = match trimmed.strip_suffix('%') {
        Some(body) => (body.trim_end(), true),
        None => (trimmed, false),
    };
    let (body, scale) = match body.char_indices().last() {
        Some((at, c)) if !percent => match c.to_ascii_lowercase() {
            'k' => (&body[..at], 1e3),
            'm' => (&body[..at], 1e6),
            'b' => (&body[..at], 1e9),
            _ => (body, 1.0),
        },
        _ => (body, 1.0),
    };
    let body = body.trim();
    let digits = strip_grouping(body).ok_or_else(not_a_number)?;
    let value: f64 = digits.parse().map_err(|_| not_a_number())?;
    if !value.is_finite() {
        return Err(not_a_number());
    }
    let value = if percent { value / 100.0 } else { value * scale };
    // Suffixed figures like `221.7K` are exact to the shown precision; drop float noise.
    let value = if scale > 1.0 { (value * 1e6).round() / 1e6 } else { value };
    Ok(Some(value))
}

/// A plain decimal like `1876.3` or `42`, parsed exactly: up to 15 significant digits and
/// 15 decimals, so digits / 10^decimals is one correctly rounded IEEE division (Clinger's
/// fast path), the same value `str::parse` gives. Anything else is left to the full parser.
fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut dot = usize::MAX;
    for (i, &byte) in bytes.iter().enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if byte == b'.' && dot == usize::MAX {
            dot = i;
        } else {
            return None;
        }
    }
    let (digits, decimals) = match dot {
        usize::MAX => (bytes.len(), 0),
        at => (bytes.len() - 1, bytes.len() - 1 - at),
    };
    if digits == 0 || digits > 15 {
        return None;
    }
    Some(mantissa as f64 / POW10[decimals])
}

/// Parses a whole, non-negative count (`12.5K` is fine: it is 12,500).
pub fn parse_count(cell: &str) -> Result<Option<u64>, String> {
    let Some(value) = parse_number(cell)? else { return Ok(None) };
    if value < 0.0 {
        return Err(format!("`{}` is negative", cell.trim()));
    }
    let rounded = value.round();
    if (value - rounded).abs() > 1e-6 || rounded > u64::MAX as f64 {
        return Err(format!("`{}` is not a whole number", cell.trim()));
    }
    Ok(Some(rounded as u64))
}

/// Removes thousands separators (`,`, spaces, `_`, apostrophes) when they group digits by
/// three; returns `None` when separators appear anywhere else.
fn strip_grouping(body: &str) -> Option<std::borrow::Cow<'_, str>> {
    let is_sep = |c: char| matches!(c, ',' | ' ' | '_' | '\'' | '\u{a0}' | '\u{202f}');
    if !body.chars().any(is_sep) {
        return Some(body.into());
    }
    let (sign, unsigned) = match body.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", body),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let groups: Vec<&str> = int.split(is_sep).collect();
    let valid = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3)
        && frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return None;
    }
    let mut out = String::from(sign);
    out.extend(groups);
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    Some(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_numbers() {
        let cases = [
            ("12.5K", 12_500.0),
            ("475.8m", 475_800_000.0),
            ("29.0b", 29_000_000_000.0),
            ("1,234", 1_234.0),
            (" 1 234 ", 1_234.0),
            ("1.39%", 0.0139),
            ("221700", 221_700.0),
            ("0.89k", 890.0),
            ("1,234,567.5", 1_234_567.5),
        ];
        for (text, expected) in cases {
            let got = parse_number(text).unwrap().unwrap();
            assert!((got - expected).abs() < 1e-9, "{text}: {got} != {expected}");
        }
    }

    #[test]
    fn plain_decimals_match_the_standard_parser() {
        for text in [
            "0",
            "42",
            "1876.3",
            "0.054",
            "67.08",
            "123456789012345",
            "0.1",
            "9.999999999999",
            "5.",
        ] {
            assert_eq!(
                plain_decimal(text.as_bytes()),
                Some(text.parse::<f64>().unwrap()),
                "{text}"
            );
        }
        for text in ["", ".", "1e5", "-1", "1,2", "12345678901234567"] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn missing_values_stay_missing() {
        for text in ["", "N/A", "NaN", "NaN%", "#VALOR!", "  "] {
            assert_eq!(parse_number(text), Ok(None), "{text}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for text in ["abc", "1,23", "12.5.5", "1e400", "k"] {
            assert!(parse_number(text).is_err(), "{text}");
        }
        assert!(parse_count("12.5").is_err());
        assert_eq!(parse_count("12.5K"), Ok(Some(12_500)));
    }
}
