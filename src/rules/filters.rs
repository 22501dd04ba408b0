//! A brand's hard filters, validated: one [`FilterSpec`] per filter the brand file sets, in
//! the order it writes them, each with its own `when_missing`.
//!
//! The numeric bounds (`min_<measure>` / `max_<measure>`) come from one table, [`Measure`]:
//! every numeric candidate field of the field table, then the derived metrics. A new
//! numeric field gets its bounds, its schema keys and its reasons without further code.

use std::sync::{Arc, LazyLock};

use rhai::AST;
use serde::Serialize;

use super::fast::FastScript;
use super::raw::MissingPolicy;
use crate::model::{Field, Kind};

/// A number a bound can be set on: a numeric candidate field or a derived metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// A numeric candidate field (`followers`, `cost_per_post`, …).
    Field(Field),
    /// The engagement rate on the brand's basis.
    EngagementRate,
    /// Likes + comments + shares per post.
    EngagementsPerPost,
    /// Cost per post over engagements per post.
    CostPerEngagement,
    /// Average views, else average likes × 10.
    EstimatedReach,
    /// The niche-fit component, 0–1.
    NicheFit,
    /// Past collaborations with the brand (`[history]`).
    Collaborations,
    /// Past collaborations that delivered under `[history] under_delivery_ratio`.
    UnderDeliveries,
    /// Mean delivered ER / promised ER over past collaborations.
    DeliveryRatio,
    /// Days since the last collaboration.
    LastCollaborationDays,
    /// Price paid / delivered engagements over past collaborations.
    HistoryCpe,
    /// Revenue / price paid, where revenue is known.
    ReturnOnSpend,
}

/// What values a measure takes, for checking its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// A whole number, 0 or more.
    Count,
    /// A number, 0 or more.
    NonNegative,
    /// A fraction, 0–1 (inclusive of 1 when `true`).
    Fraction(bool),
}

impl Measure {
    /// Whether the measure comes from the brand's `[history]` of collaborations.
    pub fn reads_history(self) -> bool {
        matches!(
            self,
            Measure::Collaborations
                | Measure::UnderDeliveries
                | Measure::DeliveryRatio
                | Measure::LastCollaborationDays
                | Measure::HistoryCpe
                | Measure::ReturnOnSpend
        )
    }

    /// Every measure, in order: the numeric fields of the field table, then the metrics.
    pub fn all() -> impl Iterator<Item = Measure> {
        Field::ALL.into_iter().filter(|f| f.kind().is_numeric()).map(Measure::Field).chain([
            Measure::EngagementRate,
            Measure::EngagementsPerPost,
            Measure::CostPerEngagement,
            Measure::EstimatedReach,
            Measure::NicheFit,
            Measure::Collaborations,
            Measure::UnderDeliveries,
            Measure::DeliveryRatio,
            Measure::LastCollaborationDays,
            Measure::HistoryCpe,
            Measure::ReturnOnSpend,
        ])
    }

    /// The measure's name, as scripts and bound keys spell it.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Field(field) => field.name(),
            Measure::EngagementRate => "engagement_rate",
            Measure::EngagementsPerPost => "engagements_per_post",
            Measure::CostPerEngagement => "cost_per_engagement",
            Measure::EstimatedReach => "estimated_reach",
            Measure::NicheFit => "niche_fit",
            Measure::Collaborations => "collaborations",
            Measure::UnderDeliveries => "under_deliveries",
            Measure::DeliveryRatio => "delivery_ratio",
            Measure::LastCollaborationDays => "last_collaboration_days",
            Measure::HistoryCpe => "history_cpe",
            Measure::ReturnOnSpend => "return_on_spend",
        }
    }

    /// The measure a bound key (`min_followers`, `max_cost_per_post`) sets, and whether
    /// the key is a lower bound.
    pub fn of_key(key: &str) -> Option<(Measure, bool)> {
        let (is_min, name) = match key.split_at_checked(4)? {
            ("min_", name) => (true, name),
            ("max_", name) => (false, name),
            _ => return None,
        };
        Measure::all().find(|m| m.name() == name).map(|m| (m, is_min))
    }

    /// What values the measure takes.
    pub fn range(self) -> Range {
        match self {
            Measure::Field(field) => match field.kind() {
                Kind::Count => Range::Count,
                Kind::Fraction => Range::Fraction(true),
                _ => Range::NonNegative,
            },
            Measure::EngagementRate => Range::Fraction(false),
            Measure::NicheFit => Range::Fraction(true),
            Measure::Collaborations | Measure::UnderDeliveries => Range::Count,
            _ => Range::NonNegative,
        }
    }

    /// The value as reasons show it: counts with thousands separators, rates with 4
    /// decimals, other fractions with 2, other numbers as written.
    pub fn format(self, value: f64) -> String {
        match (self, self.range()) {
            (_, Range::Count) if value.fract() == 0.0 && value >= 0.0 => {
                crate::text::thousands(value as u64)
            }
            (Measure::EngagementRate, _) => format!("{value:.4}"),
            (_, Range::Fraction(_)) => format!("{value:.2}"),
            _ => format!("{value}"),
        }
    }
}

/// Every key `[filters]` takes: the fixed ones, then a `min_` and a `max_` key per
/// [`Measure`].
pub fn filter_keys() -> &'static [&'static str] {
    static KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let mut keys = vec!["platforms", "tiers", "countries"];
        for measure in Measure::all() {
            for prefix in ["min_", "max_"] {
                keys.push(Box::leak(format!("{prefix}{}", measure.name()).into_boxed_str()));
            }
        }
        keys.extend([
            "exclude_keywords",
            "keyword_columns",
            "keyword_match",
            "when_missing",
            "custom",
        ]);
        keys
    });
    KEYS.as_slice()
}

/// How an excluded keyword matches text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum KeywordMatch {
    /// As a whole word (or words): `casino` matches "#casino" and "casino_kid", not
    /// "casinos".
    #[default]
    Word,
    /// At the start of a word: `crypto` matches "cryptocurrency", not "nocrypto".
    Prefix,
    /// Anywhere: `crypto` matches "cryptocurrency" and "nocrypto".
    Substring,
}

impl KeywordMatch {
    /// Whether `keyword` occurs in `text` (both lowercased) in this mode.
    pub fn matches(self, text: &str, keyword: &str) -> bool {
        self.matches_with(text, keyword, &memchr::memmem::Finder::new(keyword))
    }

    /// [`KeywordMatch::matches`] with the keyword's searcher built once ([`Keywords`]).
    fn matches_with(self, text: &str, keyword: &str, finder: &memchr::memmem::Finder<'_>) -> bool {
        if keyword.is_empty() {
            return false;
        }
        let found = |at: usize| self.occurs_at(text, keyword, at);
        let (text_bytes, keyword) = (text.as_bytes(), keyword.as_bytes());
        if text_bytes.len() > SHORT_TEXT {
            return finder.find_iter(text_bytes).any(found);
        }
        // Handles and niches are short: a plain scan beats setting up the searcher. The
        // same non-overlapping occurrences, left to right.
        let mut at = 0;
        while at + keyword.len() <= text_bytes.len() {
            if text_bytes[at] == keyword[0] && text_bytes[at..].starts_with(keyword) {
                if found(at) {
                    return true;
                }
                at += keyword.len();
            } else {
                at += 1;
            }
        }
        false
    }

    /// Whether the occurrence of `keyword` at byte `at` of `text` counts in this mode.
    fn occurs_at(self, text: &str, keyword: &str, at: usize) -> bool {
        let before = text[..at].chars().next_back();
        let after = text[at + keyword.len()..].chars().next();
        let starts_word = !before.is_some_and(char::is_alphanumeric);
        match self {
            KeywordMatch::Word => starts_word && !after.is_some_and(char::is_alphanumeric),
            KeywordMatch::Prefix => starts_word,
            KeywordMatch::Substring => true,
        }
    }
}

/// The longest text [`KeywordMatch::matches_with`] scans byte by byte.
const SHORT_TEXT: usize = 64;

/// A brand's excluded keywords, lowercased, each with its searcher built once at load time
/// (building one per row and keyword was a tenth of a ranking's time). Reads as a slice of
/// the keywords.
#[derive(Clone, Debug, Default)]
pub struct Keywords {
    words: Vec<String>,
    finders: Vec<memchr::memmem::Finder<'static>>,
    starts: Starts,
}

/// The pairs of bytes some keywords start with, as bits (a one-byte keyword's byte
/// followed by any byte or by the end, written 0): where a text holds none, none of the
/// keywords occurs in it.
#[derive(Clone, Debug)]
pub struct Starts(Box<[u64; 1 << 10]>);

impl Default for Starts {
    fn default() -> Self {
        Self(Box::new([0; 1 << 10]))
    }
}

impl Starts {
    /// The starts of every keyword of `sets` (several brands' keywords, screened at once).
    pub fn union<'k>(sets: impl IntoIterator<Item = &'k Keywords>) -> Self {
        let mut union = Self::default();
        for set in sets {
            union.0.iter_mut().zip(set.starts.0.iter()).for_each(|(bits, more)| *bits |= more);
        }
        union
    }

    /// Whether every pair `other` holds is here too (a screen built for `other`'s brand).
    pub fn covers(&self, other: &Starts) -> bool {
        self.0.iter().zip(other.0.iter()).all(|(mine, theirs)| theirs & !mine == 0)
    }

    fn add(&mut self, word: &str) {
        let mut set = |pair: usize| self.0[pair / 64] |= 1 << (pair % 64);
        match *word.as_bytes() {
            [] => {}
            [only] => (0..=255).for_each(|next| set(usize::from(only) << 8 | next)),
            [first, second, ..] => set(usize::from(first) << 8 | usize::from(second)),
        }
    }

    /// Whether a keyword may start at byte `at` of `bytes`.
    fn at(&self, bytes: &[u8], at: usize) -> bool {
        let pair = usize::from(bytes[at]) << 8 | usize::from(*bytes.get(at + 1).unwrap_or(&0));
        self.0[pair / 64] >> (pair % 64) & 1 == 1
    }

    /// The first byte of `text` (lowercased) where a keyword may start; `None`: no keyword
    /// occurs in it.
    pub fn first_in(&self, text: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        (0..bytes.len()).find(|&at| self.at(bytes, at))
    }
}

impl Keywords {
    /// The keywords, lowercased.
    pub fn new(words: impl IntoIterator<Item = String>) -> Self {
        let words: Vec<String> = words.into_iter().map(|w| w.to_lowercase()).collect();
        let finders =
            words.iter().map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned()).collect();
        let mut starts = Starts::default();
        words.iter().for_each(|word| starts.add(word));
        Self { words, finders, starts }
    }

    /// The pairs of bytes the keywords start with.
    pub fn starts(&self) -> &Starts {
        &self.starts
    }

    /// The first keyword found in `text` (lowercased) in `mode`.
    pub fn find(&self, text: &str, mode: KeywordMatch) -> Option<&str> {
        if text.len() <= SHORT_TEXT && self.words.len() <= 64 {
            return self.find_short(text, mode);
        }
        self.words
            .iter()
            .zip(&self.finders)
            .find(|(word, finder)| mode.matches_with(text, word, finder))
            .map(|(word, _)| word.as_str())
    }

    /// [`Keywords::find`] for a short text (handles and niches), in one pass over it
    /// instead of one a keyword: the same occurrences each keyword's own scan would take
    /// (left to right, not overlapping), checked where the text holds a keyword's first two
    /// bytes.
    fn find_short(&self, text: &str, mode: KeywordMatch) -> Option<&str> {
        let bytes = text.as_bytes();
        // Most handles and niches hold no keyword's start at all.
        let first = self.starts.first_in(text)?;
        // Where each keyword's scan may take its next occurrence.
        let mut next = [0usize; 64];
        let mut found = 0u64;
        for at in (first..bytes.len()).filter(|&at| self.starts.at(bytes, at)) {
            for (i, word) in self.words.iter().enumerate() {
                if word.is_empty() || at < next[i] || !bytes[at..].starts_with(word.as_bytes()) {
                    continue;
                }
                next[i] = at + word.len();
                if mode.occurs_at(text, word, at) {
                    found |= 1 << i;
                }
            }
        }
        (found != 0).then(|| self.words[found.trailing_zeros() as usize].as_str())
    }
}

impl std::ops::Deref for Keywords {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.words
    }
}

impl Serialize for Keywords {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.words.serialize(serializer)
    }
}

/// A filter's name: its key under `[filters]` (`min_followers`, `countries`) or a custom
/// filter's `name`. Serialised as that string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Filter(pub Arc<str>);

impl Filter {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One filter of a brand.
#[derive(Clone, Debug)]
pub struct FilterSpec {
    /// Its name.
    pub filter: Filter,
    /// What it tests.
    pub check: Check,
    /// What it does when the value it needs is missing.
    pub when_missing: MissingPolicy,
}

/// What a filter tests.
#[derive(Clone, Debug)]
pub enum Check {
    /// The platform is one of these (lowercased).
    Platforms(Vec<String>),
    /// The tier is one of these.
    Tiers(Vec<String>),
    /// The measure is at least this, inclusive.
    Min(Measure, f64),
    /// The measure is at most this, inclusive.
    Max(Measure, f64),
    /// The country is one of these (uppercased).
    Countries(Vec<String>),
    /// No excluded keyword occurs in the handle, the niches or the keyword columns.
    ExcludeKeywords,
    /// A rhai condition that rejects the candidate when true.
    Custom(Arc<CustomFilter>),
}

impl Check {
    /// Whether the check reads a history measure.
    pub fn reads_history(&self) -> bool {
        matches!(self, Check::Min(measure, _) | Check::Max(measure, _) if measure.reads_history())
    }
}

/// A brand's own filter: a rhai condition with its own reason.
#[derive(Debug)]
pub struct CustomFilter {
    /// `reject_when` as written.
    pub source: Arc<str>,
    /// The compiled condition.
    pub ast: AST,
    /// The condition compiled to native closures, when it fits the fast path.
    pub fast: Option<FastScript>,
    /// The script variables that must not be `()` for the condition to run, by slot.
    pub needs: Vec<usize>,
    /// The script variables the condition names, and those it `needs` (which must be
    /// worked out to say whether they are missing, even when the condition does not name
    /// them).
    pub reads: super::script::Reads,
    /// The reason, as literal text and `{expression}` placeholders.
    pub reason: Vec<ReasonPart>,
}

/// A piece of a custom filter's reason.
#[derive(Debug)]
pub enum ReasonPart {
    /// Text as written.
    Text(String),
    /// A compiled rhai expression, and the decimals asked for (`{x:.2}`).
    Value(AST, Option<usize>),
}

/// A brand's hard filters, validated, in the order the brand file writes them.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// Every filter.
    pub specs: Vec<FilterSpec>,
    /// Excluded keywords, lowercased.
    pub exclude_keywords: Keywords,
    /// Extra columns searched for excluded keywords.
    pub keyword_columns: Vec<String>,
    /// How excluded keywords match.
    pub keyword_match: KeywordMatch,
}

impl Filters {
    /// The filter named `name`, if the brand sets it.
    pub fn get(&self, name: &str) -> Option<&FilterSpec> {
        self.specs.iter().find(|s| s.filter.as_str() == name)
    }

    /// The allowed tiers, when the brand limits them.
    pub fn tiers(&self) -> Option<&[String]> {
        self.specs.iter().find_map(|s| match &s.check {
            Check::Tiers(tiers) => Some(tiers.as_slice()),
            _ => None,
        })
    }

    /// The allowed platforms, when the brand limits them.
    pub fn platforms(&self) -> Option<&[String]> {
        self.specs.iter().find_map(|s| match &s.check {
            Check::Platforms(platforms) => Some(platforms.as_slice()),
            _ => None,
        })
    }

    /// The allowed countries, when the brand limits them.
    pub fn countries(&self) -> Option<&[String]> {
        self.specs.iter().find_map(|s| match &s.check {
            Check::Countries(countries) => Some(countries.as_slice()),
            _ => None,
        })
    }

    /// The bound `key` (`max_fake_follower_pct`) sets, if the brand sets it.
    pub fn bound(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|s| match s.check {
            Check::Min(_, v) | Check::Max(_, v) => Some(v),
            _ => None,
        })
    }
}

/// Splits a reason template into text and `{expression}` / `{expression:.N}` placeholders,
/// with each placeholder's byte offset in the template; `{{` and `}}` are literal braces.
pub fn parse_reason(template: &str) -> Result<Vec<TemplatePart<'_>>, (usize, &'static str)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = template.char_indices().peekable();
    while let Some((at, c)) = rest.next() {
        match c {
            '{' if rest.peek().map(|(_, c)| *c) == Some('{') => {
                rest.next();
                text.push('{');
            }
            '}' if rest.peek().map(|(_, c)| *c) == Some('}') => {
                rest.next();
                text.push('}');
            }
            '}' => return Err((at, "a `}` with no `{`: write `}}` for a brace")),
            '{' => {
                let Some(close) = template[at..].find('}').map(|i| at + i) else {
                    return Err((at, "a `{` with no closing `}`: write `{{` for a brace"));
                };
                while rest.peek().is_some_and(|(i, _)| *i <= close) {
                    rest.next();
                }
                let inner = &template[at + 1..close];
                let (expr, decimals) = match inner.rsplit_once(":.") {
                    Some((expr, digits)) if digits.parse::<usize>().is_ok_and(|d| d <= 12) => {
                        (expr, digits.parse().ok())
                    }
                    _ => (inner, None),
                };
                if expr.trim().is_empty() {
                    return Err((at, "an empty `{}`: name a variable or write an expression"));
                }
                if !text.is_empty() {
                    parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                }
                parts.push(TemplatePart::Value { expr, offset: at + 1, decimals });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
    Ok(parts)
}

/// A piece of a reason template, before compiling.
#[derive(Debug, PartialEq, Eq)]
pub enum TemplatePart<'a> {
    /// Text as written (braces unescaped).
    Text(String),
    /// A placeholder: the expression, its byte offset in the template, the decimals.
    Value {
        /// The rhai expression.
        expr: &'a str,
        /// Its byte offset in the template.
        offset: usize,
        /// `:.N`, when given.
        decimals: Option<usize>,
    },
}

/// A value in a reason: numbers as people write them (`4,100`, `1.05`), `N` decimals when
/// asked for, strings as they are, `()` as `missing`.
pub fn reason_text(value: &rhai::Dynamic, decimals: Option<usize>) -> String {
    let number = value
        .as_float()
        .ok()
        .or_else(|| value.as_int().ok().map(|i| i as f64))
        .filter(|_| !value.is_string());
    match (number, decimals) {
        (Some(x), Some(d)) => format!("{x:.d$}"),
        (Some(x), None) if x.fract() == 0.0 && x.abs() < 1e15 => {
            let digits = crate::text::thousands(x.abs() as u64);
            if x < 0.0 {
                format!("-{digits}")
            } else {
                digits
            }
        }
        (Some(x), None) => {
            let text = format!("{x:.4}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        _ if value.is_unit() => "missing".to_owned(),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_modes() {
        let word = KeywordMatch::Word;
        assert!(word.matches("casino nights", "casino"));
        assert!(word.matches("#casino", "casino"));
        assert!(word.matches("crypto_kate", "crypto"));
        assert!(!word.matches("casinos", "casino"));
        assert!(!word.matches("mycasino", "casino"));
        assert!(KeywordMatch::Prefix.matches("cryptocurrency tips", "crypto"));
        assert!(!KeywordMatch::Prefix.matches("nocrypto", "crypto"));
        assert!(KeywordMatch::Substring.matches("nocrypto", "crypto"));
    }

    proptest::proptest! {
        /// Short texts are scanned byte by byte, long ones by the searcher: spaces around a
        /// text (not alphanumeric, like its ends) make it long and change no verdict.
        #[test]
        fn short_and_long_texts_match_alike(
            text in "[ab_ é#-]{0,20}",
            keyword in "[ab_é-]{1,4}",
        ) {
            let padded = format!("{0}{text}{0}", " ".repeat(SHORT_TEXT));
            for mode in [KeywordMatch::Word, KeywordMatch::Prefix, KeywordMatch::Substring] {
                proptest::prop_assert_eq!(
                    mode.matches(&text, &keyword),
                    mode.matches(&padded, &keyword),
                    "{:?}", mode
                );
            }
        }

        /// The first-byte check in front of the scans finds the keyword they find.
        #[test]
        fn keyword_sets_find_what_each_keyword_matches(
            text in "[abc_ é#-]{0,20}",
            words in proptest::collection::vec("[abé_-]{1,4}", 0..4),
        ) {
            let keywords = Keywords::new(words.clone());
            for mode in [KeywordMatch::Word, KeywordMatch::Prefix, KeywordMatch::Substring] {
                let expected = keywords.iter().find(|word| mode.matches(&text, word));
                proptest::prop_assert_eq!(keywords.find(&text, mode), expected.map(String::as_str));
            }
        }
    }

    #[test]
    fn bound_keys_come_from_the_measures() {
        assert_eq!(
            Measure::of_key("min_cost_per_post"),
            Some((Measure::Field(Field::CostPerPost), true))
        );
        assert_eq!(Measure::of_key("max_engagement_rate"), Some((Measure::EngagementRate, false)));
        assert_eq!(Measure::of_key("min_handle"), None);
        assert!(filter_keys().contains(&"max_following"));
    }

    #[test]
    fn reason_templates() {
        let parts = parse_reason("a {x} = {x / y:.2} {{ok}}").unwrap();
        assert_eq!(parts.len(), 5);
        assert_eq!(parts[3], TemplatePart::Value { expr: "x / y", offset: 9, decimals: Some(2) });
        assert_eq!(parts[4], TemplatePart::Text(" {ok}".to_owned()));
        assert!(parse_reason("a {x").is_err());
        assert!(parse_reason("a {}").is_err());
    }

    #[test]
    fn reason_values_read_like_people_write_them() {
        assert_eq!(reason_text(&rhai::Dynamic::from_float(4100.0), None), "4,100");
        assert_eq!(reason_text(&rhai::Dynamic::from_float(1.051_28), Some(2)), "1.05");
        assert_eq!(reason_text(&rhai::Dynamic::UNIT, None), "missing");
    }
}
