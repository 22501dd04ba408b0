//! Country names as exports write them (`United States`, `South Korea`, `USA`, `uk`,
//! `CÃ´te d'Ivoire`), turned into the ISO 3166-1 alpha-2 codes brand filters list (`US`,
//! `KR`, `GB`, `CI`). A value that names no country is kept as written.

use std::borrow::Cow;
use std::str::FromStr;

/// The alpha-2 code a country cell means, if it names a country.
pub fn code(text: &str) -> Option<&'static str> {
    let text = unmangle(text.trim());
    let key: String = text
        .chars()
        .filter_map(fold)
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    // Numeric ISO codes (`840`) are not what a country column holds.
    if key.is_empty() || key.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    match key.as_str() {
        "uk" | "greatbritain" | "britain" => return Some("GB"),
        "usa" | "us" | "america" | "unitedstatesofamerica" => return Some("US"),
        "uae" => return Some("AE"),
        _ => {}
    }
    celes::Country::from_str(&key).ok().map(|country| country.alpha2)
}

/// The alpha-2 code when the text names a country, else the text as written.
pub fn normalize(text: &str) -> String {
    code(text).map_or_else(|| text.trim().to_owned(), str::to_owned)
}

/// Undoes UTF-8 that was decoded as Latin-1 once (`CÃ´te` → `Côte`), when that is what
/// happened: every character fits in a byte and the bytes are valid UTF-8.
pub fn unmangle(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| matches!(c, 'Ã' | 'Â' | 'Å' | 'Ä')) {
        return text.into();
    }
    let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
    match bytes.and_then(|b| String::from_utf8(b).ok()) {
        Some(fixed) => fixed.into(),
        None => text.into(),
    }
}

/// Latin letters without their accents; other characters as they are.
fn fold(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes() {
        let cases = [
            ("United States", Some("US")),
            ("US", Some("US")),
            ("usa", Some("US")),
            ("United Kingdom", Some("GB")),
            ("UK", Some("GB")),
            ("South Korea", Some("KR")),
            ("Russia", Some("RU")),
            ("Turkey", Some("TR")),
            ("Czech Republic", Some("CZ")),
            ("British Virgin Islands", Some("VG")),
            ("United Arab Emirates", Some("AE")),
            ("Côte d'Ivoire", Some("CI")),
            ("CÃ´te d'Ivoire", Some("CI")),
            ("Puerto Rico", Some("PR")),
            ("840", None),
            ("Atlantis", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(code(text), expected, "{text}");
        }
        assert_eq!(normalize(" Atlantis "), "Atlantis");
    }
}
