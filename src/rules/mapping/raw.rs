//! What the user wrote in a mapping profile: serde types with spans, unknown keys denied.
//! A column entry may be a header, a list of headers or a table; [`Names`], [`Num`] and
//! [`Pick`] accept the loose forms people write.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::model::Field;
use crate::rules::ErBasis;

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
            pub(super) fn entries(&self) -> [(Field, &Option<Spanned<RawColumn>>); Field::ALL.len()] {
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
    pub creator_id: Option<Spanned<String>>,
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
    pub(super) fn into_spanned(self, span: Range<usize>) -> Vec<Spanned<String>> {
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
