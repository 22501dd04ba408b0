//! Parsing the numbers people write in exports: `12.5K`, `475.8m`, `29.0b`, `1,234`,
//! ` 1 234 `, `1.39%`, `$1,200`, and the many spellings of "no value" (`N/A`, `NaN`,
//! `#VALOR!`, empty).
//!
//! A missing value parses to `None`; it is never coerced to zero. Parsing never panics, on
//! any string.

/// Spellings of "no value" found in real exports, compared case-insensitively.
const MISSING: &[&str] = &[
    "", "n/a", "n.a.", "na", "nan", "nan%", "null", "none", "nil", "-", "--", "—", "–", "#valor!",
    "#value!", "#n/a", "#div/0!", "#ref!", "#num!", "#name?", "#null!", "?",
];

/// Currency symbols that may lead or trail a price; they are dropped.
const CURRENCY: &[char] = &['$', '€', '£', '¥', '₹', '₩', '₽', '₺', '₫', '₱'];

/// Quote marks a marker may be wrapped in or trail by mistake (`N/A'`, `"NA"`, `‘-’`).
const STRAY_QUOTES: &[char] = &['\'', '"', '`', '‘', '’', '“', '”'];

/// The largest count, average or price scout takes: 2^53, about 9 × 10^15.
///
/// Values above it are refused at import as bad cells. No real follower count, per-post
/// average or price comes near it; every whole number up to it is exact in an `f64`, so a
/// count read as a float is the count written; and sums and products of a few such values
/// stay finite, so no metric computed from accepted values is `inf` or `NaN`.
pub const MAX_VALUE: f64 = 9_007_199_254_740_992.0;

/// Whether a cell means "no value".
pub fn is_missing(text: &str) -> bool {
    is_missing_trimmed(text.trim())
}

/// [`is_missing`] for a cell already trimmed.
///
/// A marker padded with stray quote marks or spaces (`N/A'`, `'n/a'`, `" - "`) is missing
/// too, and so is a cell of quote marks alone; a quoted value (`'12'`) is not.
#[inline]
pub fn is_missing_trimmed(text: &str) -> bool {
    // Every marker is short and starts with one of a few characters: most cells are
    // rejected by that alone.
    match text.as_bytes().first() {
        None => true,
        Some(b'n' | b'N' | b'-' | b'#' | b'?' | b'\'' | b'"' | b'`' | 0xE2) if text.len() <= 16 => {
            is_marker(text) || {
                let unquoted =
                    text.trim_matches(|c: char| STRAY_QUOTES.contains(&c) || c.is_whitespace());
                unquoted.len() < text.len() && (unquoted.is_empty() || is_marker(unquoted))
            }
        }
        _ => false,
    }
}

/// Whether `text` is exactly one of the [`MISSING`] markers, ignoring ASCII case.
fn is_marker(text: &str) -> bool {
    text.len() <= 7 && MISSING.iter().any(|m| m.eq_ignore_ascii_case(text))
}

/// The message for a value above [`MAX_VALUE`], as the cell gave it: "`1e16` is too large".
pub fn too_large(cell: &str) -> String {
    format!("`{}` is too large (the largest value scout takes is 2^53)", shorten(cell.trim()))
}

/// A text cell, or `None` when it is empty or a missing-value marker.
pub fn text(cell: &str) -> Option<&str> {
    let cell = cell.trim();
    (!is_missing_trimmed(cell)).then_some(cell)
}

/// How a file writes the decimal point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Decimal {
    /// `1,234.5`: a point for decimals; commas, spaces, `_` and `'` group thousands.
    #[default]
    Point,
    /// `1.234,5`: a comma for decimals; points, spaces, `_` and `'` group thousands.
    Comma,
}

/// A parsed number and how precisely the cell gave it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    /// The value: `12.5K` is 12,500; `1.39%` is 0.0139.
    pub value: f64,
    /// Half a unit of the last digit shown, in the value's scale: `12.5K` is ±50,
    /// `1.39%` is ±0.00005, `221700` is ±0.5. The true figure lies within `value ± half_unit`.
    pub half_unit: f64,
    /// Whether the cell was a plain number: digits with an optional sign and decimal point,
    /// no suffix, grouping, currency or percent sign (the "raw" form of a duplicated column).
    pub plain: bool,
    /// Whether the cell carried a `%` sign (the value is already a fraction).
    pub percent: bool,
}

/// Parses a number with an optional `k`/`m`/`b` suffix, thousands separators, a currency
/// symbol or a `%`.
///
/// `1.39%` gives `0.0139`. Errors say what is wrong in a phrase that follows the column name:
/// "`abc` is not a number".
pub fn parse_number(cell: &str) -> Result<Option<f64>, String> {
    // Most cells are plain numbers: take them without the checks below.
    if let Some(value) = plain_decimal(cell.as_bytes()) {
        return Ok(Some(value));
    }
    Ok(parse(cell, Decimal::Point)?.map(|n| n.value))
}

/// Parses a number as [`parse_number`] does, keeping its precision, with the given decimal
/// mark.
pub fn parse(cell: &str, decimal: Decimal) -> Result<Option<Number>, String> {
    let trimmed = cell.trim();
    if is_missing(trimmed) {
        return Ok(None);
    }
    let not_a_number = || {
        let hint = match decimal {
            Decimal::Point if looks_like_decimal_comma(trimmed) => {
                " (if this file writes decimals with a comma, set `decimal = \",\"` in the mapping)"
            }
            _ => "",
        };
        format!("`{}` is not a number{hint}", shorten(trimmed))
    };
    let mut plain = true;
    let mut body = trimmed;
    if let Some(rest) = body.strip_prefix(CURRENCY).or_else(|| body.strip_suffix(CURRENCY)) {
        body = rest.trim();
        plain = false;
    }
    let (body, percent) = match body.strip_suffix('%') {
        Some(body) => (body.trim_end(), true),
        None => (body, false),
    };
    let (body, power) = if percent { (body, -2) } else { split_suffix(body) };
    plain &= !percent && power == 0;
    let (body, exponent) = split_exponent(body.trim());
    let normalized = normalize_digits(body, decimal).ok_or_else(not_a_number)?;
    plain &= normalized.len() == body.len() && decimal == Decimal::Point && exponent.is_none();
    let mantissa: &str = &normalized;
    let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    if !unsigned.bytes().any(|b| b.is_ascii_digit())
        || !unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || unsigned.matches('.').count() > 1
    {
        // f64's own parser also takes `inf` and `NaN`; exports never mean those.
        return Err(not_a_number());
    }
    // The value is the mantissa's digits × 10^shift: computed that way, `16.1B` is exactly
    // 16,100,000,000 and `1.39%` the closest float to 0.0139.
    let decimals = mantissa.split_once('.').map_or(0, |(_, frac)| frac.len()) as i64;
    let shift = (exponent.unwrap_or(0) + power - decimals).clamp(-400, 400) as i32;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let magnitude = match digits.trim_start_matches('0') {
        "" => 0.0,
        significant if significant.len() <= 18 => {
            let int = significant.parse::<u64>().map_err(|_| not_a_number())? as f64;
            if shift >= 0 {
                int * 10f64.powi(shift)
            } else {
                int / 10f64.powi(-shift)
            }
        }
        significant => format!("{significant}e{shift}").parse().map_err(|_| not_a_number())?,
    };
    let value = if mantissa.starts_with('-') { -magnitude } else { magnitude };
    if !value.is_finite() {
        return Err(not_a_number());
    }
    let half_unit = 10f64.powi(shift) / 2.0;
    Ok(Some(Number { value, half_unit, plain, percent }))
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

/// Parses a whole, non-negative count (`12.5K` is fine: it is 12,500) of at most
/// [`MAX_VALUE`].
pub fn parse_count(cell: &str) -> Result<Option<u64>, String> {
    // Most counts are plain digits: take them without the round trip through a float.
    if let Some(count) = plain_count(cell.as_bytes()) {
        return Ok(Some(count));
    }
    let Some(value) = parse_number(cell)? else { return Ok(None) };
    if value < 0.0 {
        return Err(format!("`{}` is negative", shorten(cell.trim())));
    }
    if value > MAX_VALUE {
        return Err(too_large(cell));
    }
    let rounded = value.round();
    if (value - rounded).abs() > 1e-6 {
        return Err(format!("`{}` is not a whole number", shorten(cell.trim())));
    }
    Ok(Some(rounded as u64))
}

/// A count written as 1 to 15 plain digits (below [`MAX_VALUE`]), as [`parse_count`]
/// would read it.
fn plain_count(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    bytes.iter().try_fold(0u64, |count, &byte| {
        let digit = byte.wrapping_sub(b'0');
        (digit < 10).then(|| count * 10 + u64::from(digit))
    })
}

/// Splits a magnitude suffix off, as a power of ten: `12.5K`, `475.8m`, `29.0b`, `1.2bn`,
/// `3.4mn`, `2 mio`.
fn split_suffix(body: &str) -> (&str, i64) {
    let lower = body.to_ascii_lowercase();
    for (suffix, power) in [("bn", 9), ("mn", 6), ("mio", 6), ("k", 3), ("m", 6), ("b", 9)] {
        if lower.ends_with(suffix) && body.len() > suffix.len() {
            let at = body.len() - suffix.len();
            if body.is_char_boundary(at) {
                return (&body[..at], power);
            }
        }
    }
    (body, 0)
}

/// Splits a scientific exponent off (`1.2E+07`, as spreadsheets write wide numbers).
fn split_exponent(body: &str) -> (&str, Option<i64>) {
    if let Some(at) = body.rfind(['e', 'E']) {
        let (mantissa, exponent) = (&body[..at], &body[at + 1..]);
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if !mantissa.is_empty()
            && !digits.is_empty()
            && digits.len() <= 4
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            if let Ok(exponent) = exponent.parse::<i64>() {
                return (mantissa.trim_end(), Some(exponent));
            }
        }
    }
    (body, None)
}

/// Turns grouped digits into what `f64::from_str` reads: drops thousands separators when they
/// group digits by three and turns a decimal comma into a point; `None` when separators appear
/// anywhere else.
fn normalize_digits(body: &str, decimal: Decimal) -> Option<std::borrow::Cow<'_, str>> {
    let (point, groupers): (char, &[char]) = match decimal {
        Decimal::Point => ('.', &[',', ' ', '_', '\'', '\u{a0}', '\u{202f}']),
        Decimal::Comma => (',', &['.', ' ', '_', '\'', '\u{a0}', '\u{202f}']),
    };
    let body = body.trim();
    let (sign, unsigned) = match body.strip_prefix(['-', '−']) {
        Some(rest) => ("-", rest),
        None => ("", body.strip_prefix('+').unwrap_or(body)),
    };
    if !unsigned.contains(groupers) && point == '.' && sign.is_empty() {
        return Some(body.into());
    }
    let (int, frac) = match unsigned.split_once(point) {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let groups: Vec<&str> = int.split(groupers).collect();
    let valid = (groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3)))
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
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

/// `1,5` or `12,75%`: a comma followed by fewer or more than three digits.
fn looks_like_decimal_comma(text: &str) -> bool {
    let text = text.trim_end_matches(|c: char| c == '%' || c.is_alphabetic() || c == ' ');
    match text.rsplit_once(',') {
        Some((int, frac)) => {
            !int.is_empty()
                && int.chars().all(|c| c.is_ascii_digit() || c == '.')
                && !frac.is_empty()
                && frac.len() != 3
                && frac.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Cuts long cells for messages.
fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        return text.into();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…").into()
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
            ("1.39 %", 0.0139),
            ("221700", 221_700.0),
            ("0.89k", 890.0),
            ("1,234,567.5", 1_234_567.5),
            ("1.2bn", 1_200_000_000.0),
            ("3.4 mn", 3_400_000.0),
            ("$1,200", 1_200.0),
            ("450 €", 450.0),
            ("+12", 12.0),
            ("−3", -3.0),
            ("-1,000", -1_000.0),
            (".5", 0.5),
            ("12.", 12.0),
            ("1.2E+07", 12_000_000.0),
            ("5e3", 5_000.0),
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

    proptest::proptest! {
        /// Plain digits are read without the float round trip, to the same count.
        #[test]
        fn plain_counts_are_the_full_parsers(digits in "[0-9]{1,17}") {
            let slow = parse_number(&digits).unwrap().map(|value| value.round() as u64);
            let fast = plain_count(digits.as_bytes());
            if digits.len() <= 15 {
                proptest::prop_assert_eq!(fast, slow);
            } else {
                proptest::prop_assert_eq!(fast, None);
            }
            proptest::prop_assert_eq!(parse_count(&digits).ok().flatten(), slow.filter(|n| *n as f64 <= MAX_VALUE));
        }
    }

    #[test]
    fn decimal_comma() {
        let cases = [("1,5", 1.5), ("1.234,5", 1_234.5), ("12,5K", 12_500.0), ("1,39%", 0.0139)];
        for (text, expected) in cases {
            let got = parse(text, Decimal::Comma).unwrap().unwrap().value;
            assert!((got - expected).abs() < 1e-9, "{text}: {got} != {expected}");
        }
        let err = parse_number("1,5").unwrap_err();
        assert!(err.contains("decimal = \",\""), "{err}");
        assert!(!parse_number("1,23,456").unwrap_err().contains("decimal"), "not a comma decimal");
    }

    #[test]
    fn keeps_precision() {
        let n = parse("12.5K", Decimal::Point).unwrap().unwrap();
        assert_eq!((n.value, n.half_unit, n.plain), (12_500.0, 50.0, false));
        let n = parse("221700", Decimal::Point).unwrap().unwrap();
        assert_eq!((n.value, n.half_unit, n.plain), (221_700.0, 0.5, true));
        let n = parse("1.39%", Decimal::Point).unwrap().unwrap();
        assert!((n.half_unit - 0.00005).abs() < 1e-12);
        assert!(!n.plain);
        assert!(!parse("1,234", Decimal::Point).unwrap().unwrap().plain);
        assert!(parse("477900000.00", Decimal::Point).unwrap().unwrap().plain);
        let n = parse("1.2E+07", Decimal::Point).unwrap().unwrap();
        assert_eq!((n.value, n.half_unit, n.plain), (12_000_000.0, 500_000.0, false));
    }

    #[test]
    fn missing_values_stay_missing() {
        for text in ["", "N/A", "NaN", "NaN%", "#VALOR!", "  ", "#value!", "null", "-", "—"] {
            assert_eq!(parse_number(text), Ok(None), "{text}");
        }
    }

    #[test]
    fn missing_markers_with_stray_quotes_are_missing() {
        for text in
            ["N/A'", "'N/A", "'n/a'", "\"NA\"", "` - `", "none\"", "‘—’", "''", "\" null \""]
        {
            assert!(is_missing(text), "{text}");
            assert_eq!(parse_number(text), Ok(None), "{text}");
            assert_eq!(parse_count(text), Ok(None), "{text}");
        }
        for text in ["'12'", "'nana'", "nano'", "N/A'x", "\"-5\""] {
            assert!(!is_missing(text), "{text}");
        }
    }

    #[test]
    fn counts_that_do_not_fit_are_too_large() {
        let err = parse_count("18446744073709551616").unwrap_err();
        assert!(err.starts_with("`18446744073709551616` is too large"), "{err}");
        assert!(parse_count("1e16").unwrap_err().contains("too large"));
        assert!(parse_count("10,000,000,000,000,000").unwrap_err().contains("too large"));
        assert_eq!(parse_count("9007199254740992"), Ok(Some(9_007_199_254_740_992)));
        assert_eq!(parse_count("1e15"), Ok(Some(1_000_000_000_000_000)));
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "abc", "1,23", "12.5.5", "1e400", "e5", "k", "inf", "Infinity", "%", "$", "1,2,3",
            "0x10",
        ] {
            assert!(parse_number(text).is_err(), "{text}");
        }
        assert!(parse_count("12.5").is_err());
        assert!(parse_count("-3").is_err());
        assert_eq!(parse_count("12.5K"), Ok(Some(12_500)));
    }

    #[test]
    fn long_cells_are_shortened_in_messages() {
        let err = parse_number(&"x".repeat(100)).unwrap_err();
        assert!(err.chars().count() < 64, "{err}");
    }
}
