//! Mapping profiles: TOML files under `rules/imports/` that say how one export layout maps
//! onto scout's canonical fields.
//!
//! A profile maps source columns to fields by header text (trimmed, case-insensitive, line
//! breaks inside quoted headers folded), picks among duplicate headers, sets defaults, maps
//! free-text categories onto the niche taxonomy, gives the unit of rate columns and derives
//! likes from an engagement total or rate. Loading goes raw → checked, as for rule files:
//! [`RawMapping`] is what the user wrote (unknown keys are errors), [`Mapping`] is valid.
//! A profile compiles, together with a file's header row, into a
//! [`ColumnPlan`](crate::input::columns::ColumnPlan); every reader uses that plan.

mod check;
mod folder;
mod raw;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::{normalize_niche, ErBasis, Taxonomy};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{headers, Field, Kind};
use crate::number::Decimal;
use check::Checker;

pub use folder::{available, check_folder, locate, suggest, UnknownMapping};
pub use raw::{
    Names, Num, Pick, RawCheck, RawColumn, RawColumns, RawDefaults, RawDerive, RawMapping, Unit,
};

/// The folder of mapping profiles, relative to the rule folder.
pub const IMPORTS_DIR: &str = "imports";

// ---------------------------------------------------------------------------------------
// The valid profile.

/// What a column rule feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A canonical field.
    Field(Field),
    /// Total engagements per post, turned into likes.
    EngagementsPerPost,
    /// An engagement rate on a basis, turned into likes.
    EngagementRate(ErBasis),
    /// The file's own engagement rate, checked against scout's.
    CheckEngagementRate,
}

impl Target {
    /// How the target is named in messages and in `scout inspect`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Field(field) => field.name(),
            Target::EngagementsPerPost => "engagements_per_post",
            Target::EngagementRate(_) => "engagement_rate",
            Target::CheckEngagementRate => "check: engagement_rate",
        }
    }

    /// Whether the target holds numbers.
    pub fn is_numeric(self) -> bool {
        match self {
            Target::Field(field) => field.kind().is_numeric(),
            _ => true,
        }
    }

    /// Whether the target is a rate, whose plain numbers may be fractions or percentages.
    pub fn is_rate(self) -> bool {
        match self {
            Target::Field(field) => field.kind() == Kind::Fraction,
            Target::EngagementRate(_) | Target::CheckEngagementRate => true,
            Target::EngagementsPerPost => false,
        }
    }
}

/// Where a rule's values come from in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceRef {
    /// Columns whose header matches this text.
    Header {
        /// The header as written in the profile.
        text: String,
        /// Its span in the profile.
        span: Range<usize>,
    },
    /// The column at this 0-based index.
    Position {
        /// 0-based.
        index: usize,
        /// Its span in the profile.
        span: Range<usize>,
    },
}

impl SourceRef {
    /// The span in the profile.
    pub fn span(&self) -> Range<usize> {
        match self {
            SourceRef::Header { span, .. } | SourceRef::Position { span, .. } => span.clone(),
        }
    }
}

/// One rule of a profile: where a target's values come from and how to read them.
#[derive(Clone, Debug)]
pub struct Rule {
    /// What it feeds.
    pub target: Target,
    /// The columns, tried in order.
    pub sources: Vec<SourceRef>,
    /// Which of several same-named columns to use.
    pub pick: Pick,
    /// The unit of plain numbers in a rate column.
    pub unit: Unit,
    /// A factor every value is multiplied by.
    pub scale: f64,
    /// Label separators, for niches.
    pub separators: Vec<String>,
}

/// A valid mapping profile.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The profile's name: its file name without `.toml`.
    pub name: String,
    /// The profile's path.
    pub path: PathBuf,
    /// The profile's text.
    pub source: Arc<str>,
    /// What layout it is for.
    pub description: Option<String>,
    /// The delimiter it sets, if any.
    pub delimiter: Option<u8>,
    /// The decimal mark.
    pub decimal: Decimal,
    /// Column rules: `[columns]`, `[derive]` and `[check]`.
    pub rules: Vec<Rule>,
    /// Default values by field, as cell text.
    pub defaults: Vec<(Field, String)>,
    /// Normalised category label → canonical niche names (empty: drop the label).
    pub niche_map: HashMap<String, Vec<String>>,
    /// Columns dropped entirely.
    pub ignore: Vec<SourceRef>,
    niche_targets: Vec<Spanned<String>>,
}

/// The label separators of a niches cell when the profile sets none.
pub const DEFAULT_SEPARATORS: [&str; 2] = [";", "|"];

impl Mapping {
    /// Parses and checks a profile's text. `name` is the profile name, `path` its file.
    pub fn parse(name: &str, path: &Path, text: &str) -> Result<Mapping, Vec<Diagnostic>> {
        let source: Arc<str> = Arc::from(text);
        let file = crate::source::SourceFile {
            rel: name.to_owned(),
            path: path.to_owned(),
            text: Arc::clone(&source),
        };
        let raw: RawMapping = toml::from_str(text)
            .map_err(|err| vec![crate::source::toml_diagnostic(&file, &err)])?;
        let mut check =
            Checker { path, source: &source, diags: Vec::new(), niche_defaults: Vec::new() };
        let mapping = check.mapping(name, raw);
        if check.diags.is_empty() {
            Ok(mapping)
        } else {
            Err(check.diags)
        }
    }

    /// Reads and checks the profile at `path`; with a taxonomy, also checks niche names.
    pub fn load(path: &Path, taxonomy: Option<&Taxonomy>) -> Result<Mapping, Vec<Diagnostic>> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            vec![Diagnostic::error(path, format!("cannot read `{}`: {err}", path.display()))]
        })?;
        let name = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let mapping = Mapping::parse(&name, path, &text)?;
        if let Some(taxonomy) = taxonomy {
            let diags = mapping.check_niches(taxonomy);
            if !diags.is_empty() {
                return Err(diags);
            }
        }
        Ok(mapping)
    }

    /// Checks that every niche the profile maps a category to exists in `taxonomy`.
    pub fn check_niches(&self, taxonomy: &Taxonomy) -> Vec<Diagnostic> {
        let names: Vec<&str> = taxonomy.names().iter().map(String::as_str).collect();
        let mut diags = Vec::new();
        for target in &self.niche_targets {
            let niche = target.get_ref();
            if names.contains(&niche.as_str()) {
                continue;
            }
            let hint = match taxonomy.resolve(niche) {
                Some(id) => format!(
                    "`{niche}` is an alias of `{}`: map to `{}`",
                    taxonomy.name(id),
                    taxonomy.name(id)
                ),
                None => match did_you_mean(niche, names.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "niches in niches.toml: {}; or add `{niche}` there first",
                        names.join(", ")
                    ),
                },
            };
            diags.push(
                Diagnostic::error(&self.path, format!("unknown niche `{niche}` in `[niches]`"))
                    .at(&self.source, target.span())
                    .label("not a niche of niches.toml")
                    .hint(hint),
            );
        }
        diags
    }

    /// The rule for a field, if the profile maps it.
    pub fn rule_for(&self, target: Target) -> Option<&Rule> {
        self.rules.iter().find(|r| r.target == target)
    }

    /// Whether the profile fits `headers`: every rule finds one of its headers (a list
    /// names alternatives), every position is in range, every ignored header is there. A
    /// quick "does this profile fit this file" test.
    pub fn fits(&self, headers: &[String]) -> bool {
        let found = |source: &SourceRef| match source {
            SourceRef::Header { text, .. } => !find_header(headers, text).is_empty(),
            SourceRef::Position { index, .. } => *index < headers.len(),
        };
        self.rules.iter().all(|rule| {
            rule.sources.iter().any(found)
                && rule.sources.iter().all(|s| matches!(s, SourceRef::Header { .. }) || found(s))
        }) && self.ignore.iter().all(found)
    }

    /// Maps one category label through `[niches]`; `None` when the profile does not list it.
    pub fn map_niche(&self, label: &str) -> Option<&[String]> {
        self.niche_map.get(&normalize_niche(label)).map(Vec::as_slice)
    }

    /// An error pointing at `span` in this profile.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.path, message).at(&self.source, span)
    }
}

/// The columns of `headers` that a profile's header text names: equal once
/// [normalised](headers::normalize), else equal by [key](headers::key) (letters and digits).
pub fn find_header(headers: &[String], text: &str) -> Vec<usize> {
    let wanted = headers::normalize(text);
    let exact: Vec<usize> =
        (0..headers.len()).filter(|&i| headers::normalize(&headers[i]) == wanted).collect();
    if !exact.is_empty() {
        return exact;
    }
    let key = headers::key(text);
    if key.is_empty() {
        return Vec::new();
    }
    (0..headers.len()).filter(|&i| headers::key(&headers[i]) == key).collect()
}

/// Parses a delimiter as written in a profile or on the command line: one ASCII character,
/// or `tab`, `\t`, `comma`, `semicolon`, `pipe`.
pub fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" | "TAB" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        _ => match text.as_bytes() {
            [byte] if byte.is_ascii() && !matches!(byte, b'"' | b'\n' | b'\r') => Ok(*byte),
            _ => Err(format!("`{text}` is not one character")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Mapping, Vec<Diagnostic>> {
        Mapping::parse("t", Path::new("imports/t.toml"), text)
    }

    #[test]
    fn string_list_and_table_forms() {
        let m = parse(
            r#"
            [defaults]
            platform = "TikTok"
            avg_shares = 0
            [columns]
            handle = "Tiktoker name"
            followers = { header = "Subscribers count", pick = 2 }
            niches = ["category_1", "category_2"]
            fake_follower_pct = { header = "Fake %", unit = "percent" }
            [niches]
            "Sports with a ball" = "sports"
            "Adult content" = []
            "#,
        )
        .unwrap();
        let followers = m.rule_for(Target::Field(Field::Followers)).unwrap();
        assert_eq!(followers.pick, Pick::Nth(2));
        assert_eq!(m.rule_for(Target::Field(Field::Niches)).unwrap().sources.len(), 2);
        assert_eq!(m.map_niche("sports  WITH a ball"), Some(&["sports".to_owned()][..]));
        assert_eq!(m.map_niche("adult content"), Some(&[][..]));
        assert!(m.defaults.contains(&(Field::AvgShares, "0".to_owned())));
        let SourceRef::Header { span, .. } =
            &m.rule_for(Target::Field(Field::Handle)).unwrap().sources[0]
        else {
            panic!()
        };
        assert_eq!(&m.source[span.clone()], "\"Tiktoker name\"");
    }

    #[test]
    fn every_problem_is_located() {
        let diags = parse(
            r#"
            [columns]
            handle = { header = "a", unit = "percent" }
            followers = { position = 0 }
            platform = { header = "p", scale = 2 }
            "#,
        )
        .unwrap_err();
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(diags.iter().all(|d| d.span.is_some()));
    }

    #[test]
    fn unknown_keys_suggest() {
        let diags = parse("[columns]\nfolowers = \"x\"\n").unwrap_err();
        assert_eq!(diags[0].message, "unknown key `folowers`");
        assert_eq!(diags[0].label.as_deref(), Some("did you mean `followers`?"));
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert!(parse_delimiter(";;").is_err());
    }

    #[test]
    fn finds_headers_loosely() {
        let headers: Vec<String> = ["Engagement avg\r\n", "Engagement avg Values \n", "Avg. likes"]
            .map(String::from)
            .to_vec();
        assert_eq!(find_header(&headers, "engagement avg"), vec![0]);
        assert_eq!(find_header(&headers, "Engagement avg Values"), vec![1]);
        assert_eq!(find_header(&headers, "avg likes"), vec![2]);
        assert!(find_header(&headers, "likes").is_empty());
    }

    #[test]
    fn defaults_cover_every_optional_field() {
        for field in Field::ALL {
            let value = match field.kind() {
                Kind::Text => "\"x\"",
                Kind::List => "[\"x\"]",
                Kind::Count | Kind::Float | Kind::Fraction => "1",
            };
            let parsed = parse(&format!("[defaults]\n{} = {value}\n", field.name()));
            match parsed {
                Ok(m) => {
                    assert!(!field.is_required(), "{field:?} is required");
                    assert!(m.defaults.iter().any(|(f, _)| *f == field), "{field:?}");
                }
                Err(_) => assert!(field.is_required(), "no `[defaults]` key for {field:?}"),
            }
        }
    }
}
