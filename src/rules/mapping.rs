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

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::{normalize_niche, ErBasis, Taxonomy};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{headers, Field, Kind};
use crate::number::Decimal;

/// The folder of mapping profiles, relative to the rule folder.
pub const IMPORTS_DIR: &str = "imports";

// ---------------------------------------------------------------------------------------
// What the user wrote.

/// A mapping profile as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    /// What layout the profile is for, for people.
    pub description: Option<String>,
    /// The field delimiter: `","`, `";"`, `"tab"` or `"|"` (default: sniffed).
    pub delimiter: Option<Spanned<String>>,
    /// The decimal mark: `"."` (default) or `","`.
    pub decimal: Option<Spanned<String>>,
    /// Source columns by canonical field.
    #[serde(default)]
    pub columns: RawColumns,
    /// Values for fields the file lacks, or whose cell is empty.
    #[serde(default)]
    pub defaults: RawDefaults,
    /// Likes derived from an engagement total or rate, when the file gives no likes.
    #[serde(default)]
    pub derive: RawDerive,
    /// Free-text category → canonical niche(s), on top of the taxonomy's aliases.
    #[serde(default)]
    pub niches: BTreeMap<String, Spanned<Names>>,
    /// Columns to drop: not scored and not kept as extra columns.
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Consistency checks `scout inspect` runs against the file's own figures.
    #[serde(default)]
    pub check: RawCheck,
}

macro_rules! raw_columns {
    ($(($variant:ident, $member:ident, $($rest:tt)*))*) => {
        /// `[columns]`: one entry per canonical field (generated from the field table).
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(missing_docs)]
        pub struct RawColumns {
            $(pub $member: Option<Spanned<RawColumn>>,)*
        }

        impl RawColumns {
            fn entries(&self) -> [(Field, &Option<Spanned<RawColumn>>); Field::ALL.len()] {
                [$((Field::$variant, &self.$member)),*]
            }
        }
    };
}
crate::model::candidate_fields!(raw_columns);

/// `[defaults]`: a value per field, used where the file gives none.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawDefaults {
    pub platform: Option<Spanned<String>>,
    pub country: Option<Spanned<String>>,
    pub niches: Option<Spanned<Names>>,
    pub following: Option<Spanned<Num>>,
    pub posts: Option<Spanned<Num>>,
    pub avg_likes: Option<Spanned<Num>>,
    pub avg_comments: Option<Spanned<Num>>,
    pub avg_shares: Option<Spanned<Num>>,
    pub avg_views: Option<Spanned<Num>>,
    pub fake_follower_pct: Option<Spanned<Num>>,
    pub cost_per_post: Option<Spanned<Num>>,
}

/// `[derive]`: where likes come from when the file has no likes column, or an empty cell.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDerive {
    /// A column of total engagements per post (likes + comments + shares):
    /// `avg_likes` = total − comments − shares.
    pub engagements_per_post: Option<Spanned<RawColumn>>,
    /// A column of engagement rates: `avg_likes` = rate × followers (or × views with
    /// `basis = "views"`) − comments − shares.
    pub engagement_rate: Option<Spanned<RawColumn>>,
}

/// `[check]`: a column holding the file's own figure of a metric scout computes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// The file's engagement rate, compared with (likes + comments + shares) / followers.
    pub engagement_rate: Option<Spanned<RawColumn>>,
}

/// One column entry: `"Header"`, `["Header", "Other header"]`, or a table.
#[derive(Debug, Default)]
pub struct RawColumn {
    /// Header texts, tried in order; a span of `0..0` means "the entry's own span".
    pub headers: Vec<Spanned<String>>,
    /// The 1-based column number, instead of a header.
    pub position: Option<Spanned<u64>>,
    /// Which of several columns with the same header feeds the field.
    pub pick: Option<Spanned<Pick>>,
    /// The unit of a rate column.
    pub unit: Option<Spanned<Unit>>,
    /// A factor every value is multiplied by (`1000` for a column in thousands).
    pub scale: Option<Spanned<Num>>,
    /// What separates labels in a niches cell (default `;` and `|`).
    pub separators: Option<Spanned<Vec<String>>>,
    /// What an engagement rate is relative to.
    pub basis: Option<Spanned<ErBasis>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumnTable {
    header: Option<Spanned<Names>>,
    position: Option<Spanned<u64>>,
    pick: Option<Spanned<Pick>>,
    unit: Option<Spanned<Unit>>,
    scale: Option<Spanned<Num>>,
    separators: Option<Spanned<Vec<String>>>,
    basis: Option<Spanned<ErBasis>>,
}

impl<'de> Deserialize<'de> for RawColumn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ColumnVisitor;
        impl<'de> Visitor<'de> for ColumnVisitor {
            type Value = RawColumn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a header (\"Followers\"), a list of headers, or a table like \
                     { header = \"Followers\", pick = \"raw\" }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawColumn, E> {
                Ok(RawColumn {
                    headers: vec![Spanned::new(0..0, v.to_owned())],
                    ..RawColumn::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawColumn, A::Error> {
                let mut headers = Vec::new();
                while let Some(header) = seq.next_element::<Spanned<String>>()? {
                    headers.push(header);
                }
                Ok(RawColumn { headers, ..RawColumn::default() })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawColumn, A::Error> {
                let table =
                    RawColumnTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let headers = match table.header {
                    None => Vec::new(),
                    Some(names) => {
                        let span = names.span();
                        names.into_inner().into_spanned(span)
                    }
                };
                Ok(RawColumn {
                    headers,
                    position: table.position,
                    pick: table.pick,
                    unit: table.unit,
                    scale: table.scale,
                    separators: table.separators,
                    basis: table.basis,
                })
            }
        }
        deserializer.deserialize_any(ColumnVisitor)
    }
}

/// One name or a list of names.
#[derive(Clone, Debug)]
pub enum Names {
    /// `"music"`.
    One(String),
    /// `["music", "dance"]`.
    Many(Vec<Spanned<String>>),
}

impl Names {
    fn into_spanned(self, span: Range<usize>) -> Vec<Spanned<String>> {
        match self {
            Names::One(name) => vec![Spanned::new(span, name)],
            Names::Many(names) => names,
        }
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;
        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Names, E> {
                Ok(Names::One(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Spanned<String>>()? {
                    names.push(name);
                }
                Ok(Names::Many(names))
            }
        }
        deserializer.deserialize_any(NamesVisitor)
    }
}

/// A number written as an integer or a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumVisitor;
        impl Visitor<'_> for NumVisitor {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
        }
        deserializer.deserialize_any(NumVisitor)
    }
}

/// Which of several columns sharing a header feeds the field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pick {
    /// Per row, the cell written as a plain number (`221700` over `221.7K`); else the first
    /// cell with a value.
    #[default]
    Raw,
    /// The n-th column with that header, counting from 1.
    Nth(usize),
    /// The last column with that header.
    Last,
}

impl<'de> Deserialize<'de> for Pick {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PickVisitor;
        impl Visitor<'_> for PickVisitor {
            type Value = Pick;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`raw`, `first`, `last` or a number (2 = the second such column)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Pick, E> {
                usize::try_from(v)
                    .map(Pick::Nth)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Pick, E> {
                usize::try_from(v)
                    .map(Pick::Nth)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Pick, E> {
                match v {
                    "raw" => Ok(Pick::Raw),
                    "first" => Ok(Pick::Nth(1)),
                    "last" => Ok(Pick::Last),
                    other => Err(E::unknown_variant(other, &["raw", "first", "last"])),
                }
            }
        }
        deserializer.deserialize_any(PickVisitor)
    }
}

/// The unit of a rate column's plain numbers. A cell with a `%` sign is always a percentage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// `0.0139` means 1.39%.
    #[default]
    Fraction,
    /// `1.39` means 1.39%.
    Percent,
}

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

    /// Whether every header the profile names is among `headers`: a quick "does this
    /// profile fit this file" test.
    pub fn fits(&self, headers: &[String]) -> bool {
        let refs = self.rules.iter().flat_map(|r| &r.sources);
        refs.chain(&self.ignore).all(|source| match source {
            SourceRef::Header { text, .. } => !find_header(headers, text).is_empty(),
            SourceRef::Position { index, .. } => *index < headers.len(),
        })
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

struct Checker<'a> {
    path: &'a Path,
    source: &'a Arc<str>,
    diags: Vec<Diagnostic>,
    niche_defaults: Vec<Spanned<String>>,
}

impl Checker<'_> {
    fn diag(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.path, message).at(self.source, span)
    }

    fn mapping(&mut self, name: &str, raw: RawMapping) -> Mapping {
        let delimiter = raw.delimiter.as_ref().and_then(|d| match parse_delimiter(d.get_ref()) {
            Ok(byte) => Some(byte),
            Err(why) => {
                let hint = "use \",\", \";\", \"tab\" or \"|\"";
                self.diags.push(
                    self.diag(d.span(), format!("bad delimiter: {why}")).label("here").hint(hint),
                );
                None
            }
        });
        let decimal = match raw.decimal.as_ref().map(|d| (d.get_ref().as_str(), d.span())) {
            None | Some((".", _)) => Decimal::Point,
            Some((",", _)) => Decimal::Comma,
            Some((other, span)) => {
                self.diags.push(
                    self.diag(span, format!("bad decimal mark `{other}`"))
                        .label("here")
                        .hint("use \".\" (1,234.5) or \",\" (1.234,5)"),
                );
                Decimal::Point
            }
        };

        let mut rules = Vec::new();
        for (field, entry) in raw.columns.entries() {
            if let Some(entry) = entry {
                if let Some(rule) = self.rule(Target::Field(field), entry) {
                    rules.push(rule);
                }
            }
        }
        let mut mapped: Vec<(String, Field, Range<usize>)> = Vec::new();
        for rule in &rules {
            let Target::Field(field) = rule.target else { continue };
            for source in &rule.sources {
                let SourceRef::Header { text, span } = source else { continue };
                let key = headers::normalize(text);
                if let Some((_, other, _)) =
                    mapped.iter().find(|(k, f, _)| *k == key && *f != field)
                {
                    let message = format!("`{text}` already feeds `{}`", other.name());
                    self.diags.push(self.diag(span.clone(), message).label("mapped twice").hint(
                        "a column feeds one field; use `[derive]` to compute one field from another",
                    ));
                } else {
                    mapped.push((key, field, span.clone()));
                }
            }
        }
        if let Some(entry) = &raw.derive.engagements_per_post {
            rules.extend(self.rule(Target::EngagementsPerPost, entry));
        }
        if let Some(entry) = &raw.derive.engagement_rate {
            let basis = entry.get_ref().basis.as_ref().map_or(ErBasis::Followers, |b| *b.get_ref());
            rules.extend(self.rule(Target::EngagementRate(basis), entry));
        }
        if let Some(entry) = &raw.check.engagement_rate {
            rules.extend(self.rule(Target::CheckEngagementRate, entry));
        }

        let defaults = self.defaults(&raw.defaults);

        let mut niche_map = HashMap::new();
        let mut niche_targets = Vec::new();
        for (label, names) in raw.niches {
            let span = names.span();
            let targets = names.into_inner().into_spanned(span.clone());
            if normalize_niche(&label).is_empty() {
                self.diags.push(
                    self.diag(span, "empty category label in `[niches]`").label("maps nothing"),
                );
                continue;
            }
            niche_map.insert(
                normalize_niche(&label),
                targets.iter().map(|t| t.get_ref().clone()).collect(),
            );
            niche_targets.extend(targets);
        }
        niche_targets.append(&mut self.niche_defaults);

        let mut ignore = Vec::new();
        for header in &raw.ignore {
            let key = headers::normalize(header.get_ref());
            if let Some((_, field, _)) = mapped.iter().find(|(k, _, _)| *k == key) {
                let message = format!(
                    "`{}` is both ignored and mapped to `{}`",
                    header.get_ref(),
                    field.name()
                );
                self.diags.push(
                    self.diag(header.span(), message)
                        .label("ignored here")
                        .hint("remove it from `ignore` or from `[columns]`"),
                );
            }
            ignore.push(SourceRef::Header { text: header.get_ref().clone(), span: header.span() });
        }

        Mapping {
            name: name.to_owned(),
            path: self.path.to_owned(),
            source: Arc::clone(self.source),
            description: raw.description,
            delimiter,
            decimal,
            rules,
            defaults,
            niche_map,
            ignore,
            niche_targets,
        }
    }

    fn rule(&mut self, target: Target, entry: &Spanned<RawColumn>) -> Option<Rule> {
        let before = self.diags.len();
        let span = entry.span();
        let raw = entry.get_ref();
        let what = match target {
            Target::Field(field) => format!("`columns.{}`", field.name()),
            Target::EngagementsPerPost => "`derive.engagements_per_post`".to_owned(),
            Target::EngagementRate(_) => "`derive.engagement_rate`".to_owned(),
            Target::CheckEngagementRate => "`check.engagement_rate`".to_owned(),
        };
        let mut sources: Vec<SourceRef> = raw
            .headers
            .iter()
            .map(|h| SourceRef::Header {
                text: h.get_ref().clone(),
                span: if h.span() == (0..0) { span.clone() } else { h.span() },
            })
            .collect();
        for source in &sources {
            if let SourceRef::Header { text, span } = source {
                if headers::normalize(text).is_empty() {
                    self.diags.push(
                        self.diag(span.clone(), format!("empty header in {what}"))
                            .label("matches no column"),
                    );
                }
            }
        }
        if let Some(position) = &raw.position {
            if !sources.is_empty() {
                self.diags.push(
                    self.diag(position.span(), format!("{what} has both `header` and `position`"))
                        .label("one or the other")
                        .hint("name the column by `header`, or give its 1-based `position`"),
                );
            } else if *position.get_ref() == 0 {
                self.diags.push(
                    self.diag(position.span(), "column positions count from 1")
                        .label("no column 0"),
                );
            } else {
                sources.push(SourceRef::Position {
                    index: (*position.get_ref() - 1) as usize,
                    span: position.span(),
                });
            }
        }
        if sources.is_empty() && raw.position.is_none() {
            self.diags.push(
                self.diag(span.clone(), format!("{what} names no column"))
                    .label("no `header`")
                    .hint("write `header = \"Column name\"`, or `position = 3`"),
            );
        }
        let pick = match &raw.pick {
            Some(pick) if *pick.get_ref() == Pick::Nth(0) => {
                self.diags.push(
                    self.diag(pick.span(), "`pick` counts from 1")
                        .label("no column 0")
                        .hint("`pick = 1` is the first column with that header"),
                );
                Pick::Raw
            }
            Some(pick) => *pick.get_ref(),
            None => Pick::Raw,
        };
        let unit = match &raw.unit {
            Some(unit) if !target.is_rate() => {
                self.diags.push(self.diag(unit.span(), format!("{what} is not a rate; `unit` does not apply")).label("not a rate").hint("`unit` applies to `fake_follower_pct`, `derive.engagement_rate` and `check.engagement_rate`"));
                Unit::Fraction
            }
            Some(unit) => *unit.get_ref(),
            None => Unit::Fraction,
        };
        let scale = match &raw.scale {
            Some(scale) if !target.is_numeric() => {
                self.diags.push(
                    self.diag(scale.span(), format!("{what} is text; `scale` does not apply"))
                        .label("not a number column"),
                );
                1.0
            }
            Some(scale) if !(scale.get_ref().0.is_finite() && scale.get_ref().0 > 0.0) => {
                self.diags.push(
                    self.diag(scale.span(), "`scale` must be a number above 0")
                        .label("here")
                        .hint("`scale = 1000` reads a column given in thousands"),
                );
                1.0
            }
            Some(scale) => scale.get_ref().0,
            None => 1.0,
        };
        let separators = match &raw.separators {
            Some(seps) if target != Target::Field(Field::Niches) => {
                self.diags.push(
                    self.diag(
                        seps.span(),
                        format!("{what} is not `niches`; `separators` does not apply"),
                    )
                    .label("only for niches"),
                );
                Vec::new()
            }
            Some(seps) if seps.get_ref().iter().any(String::is_empty) => {
                self.diags.push(
                    self.diag(seps.span(), "an empty separator splits nothing")
                        .label("here")
                        .hint("for hashtags use `separators = [\"#\", \" \"]`"),
                );
                Vec::new()
            }
            Some(seps) => seps.get_ref().clone(),
            None => DEFAULT_SEPARATORS.iter().map(|s| (*s).to_owned()).collect(),
        };
        if let Some(basis) = &raw.basis {
            if !matches!(target, Target::EngagementRate(_)) {
                self.diags.push(
                    self.diag(basis.span(), format!("{what} has no basis; `basis` does not apply"))
                        .label("only for `derive.engagement_rate`"),
                );
            }
        }
        (self.diags.len() == before).then_some(Rule {
            target,
            sources,
            pick,
            unit,
            scale,
            separators,
        })
    }

    fn defaults(&mut self, raw: &RawDefaults) -> Vec<(Field, String)> {
        let mut defaults = Vec::new();
        for (field, value) in [(Field::Platform, &raw.platform), (Field::Country, &raw.country)] {
            if let Some(value) = value {
                if value.get_ref().trim().is_empty() {
                    self.diags.push(
                        self.diag(value.span(), format!("empty default for `{}`", field.name()))
                            .label("leave the key out instead"),
                    );
                } else {
                    defaults.push((field, value.get_ref().trim().to_owned()));
                }
            }
        }
        if let Some(niches) = &raw.niches {
            let span = niches.span();
            let names = niches.get_ref().clone().into_spanned(span);
            self.niche_defaults.extend(names.iter().cloned());
            let joined: Vec<String> = names.iter().map(|n| n.get_ref().clone()).collect();
            defaults.push((Field::Niches, joined.join(";")));
        }
        let numbers = [
            (Field::Following, &raw.following),
            (Field::Posts, &raw.posts),
            (Field::AvgLikes, &raw.avg_likes),
            (Field::AvgComments, &raw.avg_comments),
            (Field::AvgShares, &raw.avg_shares),
            (Field::AvgViews, &raw.avg_views),
            (Field::FakeFollowerPct, &raw.fake_follower_pct),
            (Field::CostPerPost, &raw.cost_per_post),
        ];
        for (field, value) in numbers {
            let Some(value) = value else { continue };
            let v = value.get_ref().0;
            let whole = field.kind() == Kind::Count;
            let problem = if !v.is_finite() || v < 0.0 {
                Some(("must be a number of 0 or more".to_owned(), None))
            } else if whole && v.fract() != 0.0 {
                Some(("must be a whole number".to_owned(), None))
            } else if field.kind() == Kind::Fraction && v > 1.0 {
                Some((
                    "is not a fraction between 0 and 1".to_owned(),
                    Some(format!("write {v}% as {}", v / 100.0)),
                ))
            } else {
                None
            };
            match problem {
                Some((why, hint)) => {
                    self.diags.push(
                        self.diag(value.span(), format!("default `{}` {why}", field.name()))
                            .label("here")
                            .maybe_hint(hint),
                    );
                }
                None => defaults.push((field, v.to_string())),
            }
        }
        defaults
    }
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

/// The profiles in `rules_dir/imports/`, by name, sorted.
pub fn available(rules_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(rules_dir.join(IMPORTS_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".toml")?;
            (!crate::source::is_editor_temp(&name)).then(|| stem.to_owned())
        })
        .collect();
    names.sort();
    names
}

/// A `--mapping` argument that names no profile.
#[derive(Debug, thiserror::Error)]
#[error("no mapping profile `{arg}`")]
pub struct UnknownMapping {
    /// What was asked for.
    pub arg: String,
    /// Where scout looked.
    pub looked_in: PathBuf,
    /// The profiles that exist.
    pub known: Vec<String>,
}

impl UnknownMapping {
    /// A hint naming the closest profile, or listing them.
    pub fn hint(&self) -> String {
        match did_you_mean(&self.arg, self.known.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None if self.known.is_empty() => format!(
                "`{}` has no profiles; pass a path to a profile's .toml file",
                self.looked_in.display()
            ),
            None => {
                format!("profiles in `{}`: {}", self.looked_in.display(), self.known.join(", "))
            }
        }
    }
}

/// Finds the profile `--mapping ARG` means: a path when it ends in `.toml` or contains a
/// path separator, else a name in `rules_dir/imports/`.
pub fn locate(arg: &str, rules_dir: &Path) -> Result<PathBuf, UnknownMapping> {
    let looks_like_path = arg.ends_with(".toml") || arg.contains(['/', '\\']);
    let path = if looks_like_path {
        PathBuf::from(arg)
    } else {
        rules_dir.join(IMPORTS_DIR).join(format!("{arg}.toml"))
    };
    if path.is_file() {
        return Ok(path);
    }
    Err(UnknownMapping {
        arg: arg.to_owned(),
        looked_in: rules_dir.join(IMPORTS_DIR),
        known: available(rules_dir),
    })
}

/// Checks every profile in `rules_dir/imports/`; with a taxonomy, niche names too.
pub fn check_folder(rules_dir: &Path, taxonomy: Option<&Taxonomy>) -> Vec<Diagnostic> {
    let dir = rules_dir.join(IMPORTS_DIR);
    available(rules_dir)
        .iter()
        .flat_map(|name| match Mapping::load(&dir.join(format!("{name}.toml")), taxonomy) {
            Ok(_) => Vec::new(),
            Err(diags) => diags,
        })
        .collect()
}

/// The first profile in `rules_dir/imports/` that names only headers found in `headers`.
pub fn suggest(rules_dir: &Path, headers: &[String]) -> Option<String> {
    let dir = rules_dir.join(IMPORTS_DIR);
    available(rules_dir).into_iter().find(|name| {
        Mapping::load(&dir.join(format!("{name}.toml")), None)
            .is_ok_and(|m| !m.rules.is_empty() && m.fits(headers))
    })
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
