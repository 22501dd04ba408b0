//! The ranking columns, declared once: [`CATALOGUE`] names every column the table and CSV
//! writers can show, with its table header, how to get its value and how to align it.
//! `--columns` picks from it ([`Columns::parse`]); without it, the table shows
//! [`TABLE_DEFAULT`] and CSV [`CSV_DEFAULT`], the columns they have always had.
//!
//! A column's value is a [`Value`]; the table and CSV writers each render a value their
//! own way (the table rounds for reading and shows `–` for a missing value, CSV keeps the
//! figure and leaves the cell empty), so a column is one entry, never two.

use std::borrow::Cow;

use crate::rank::Ranked;

/// One cell's value, before a writer renders it; text is borrowed from the result.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// A position or a line number: shown as is.
    Plain(u64),
    /// A count: `12,300` in the table.
    Count(u64),
    /// The score: 2 decimals in the table, exact in CSV.
    Score(f64),
    /// A figure with this many decimals in the table, rounded in CSV.
    Figure(Option<f64>, usize),
    /// A share 0–1: a percentage in the table, the fraction in CSV.
    Share(Option<f64>),
    /// A price: `1,250` or `12.50` in the table.
    Money(Option<f64>),
    /// An estimate of a count: a rounded count in the table.
    Estimate(Option<f64>),
    /// The handle: with `@` in the table.
    Handle(&'a str),
    /// Text from the list or the rules.
    Text(Option<&'a str>),
    /// Labels: `, `-separated in the table, `;`-separated in CSV.
    List(&'a [String]),
}

/// How a column is aligned in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text, to the left.
    Left,
    /// Numbers, to the right.
    Right,
}

/// One column of the ranking.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The name: what `--columns` takes and the CSV header.
    pub name: &'static str,
    /// The table header.
    pub header: &'static str,
    /// How the table aligns it.
    pub align: Align,
    /// What it means, for `--help` and the docs.
    pub about: &'static str,
    /// Its value for one result, given the ranking's revision.
    pub value: for<'a> fn(&'a Ranked, &'a str) -> Value<'a>,
}

/// Every column, in the order `--columns` lists them.
pub const CATALOGUE: &[Column] = &[
    col("rank", "#", Align::Right, "the position, 1 for the best", |r, _| {
        Value::Plain(r.rank as u64)
    }),
    col("handle", "handle", Align::Left, "the account handle", |r, _| {
        Value::Handle(&r.candidate.handle)
    }),
    col("platform", "platform", Align::Left, "the platform", |r, _| {
        Value::Text(r.candidate.platform.as_deref())
    }),
    col("creator_id", "creator", Align::Left, "the person the account belongs to", |r, _| {
        Value::Text(r.candidate.creator_id.as_deref())
    }),
    col("tier", "tier", Align::Left, "the tier by followers", |r, _| {
        Value::Text(Some(&r.evaluation.tier.name))
    }),
    col("followers", "followers", Align::Right, "the follower count", |r, _| {
        Value::Count(r.candidate.followers)
    }),
    col("score", "score", Align::Right, "the score, 0–100", |r, _| Value::Score(r.score())),
    col("engagement_rate", "ER", Align::Right, "engagements per post over the basis", |r, _| {
        Value::Share(r.evaluation.metrics.engagement_rate)
    }),
    col("er_basis", "on", Align::Left, "what the ER is measured on", |r, _| {
        Value::Text(Some(r.evaluation.metrics.basis.name()))
    }),
    col("engagement", "engage", Align::Right, "the engagement component, 0–1", |r, _| {
        Value::Figure(r.evaluation.components.engagement, 2)
    }),
    col("niche_fit", "niche", Align::Right, "the niche-fit component, 0–1", |r, _| {
        Value::Figure(Some(r.evaluation.components.niche_fit), 2)
    }),
    col("cost_efficiency", "cost", Align::Right, "the cost component, 0–1", |r, _| {
        Value::Figure(r.evaluation.components.cost_efficiency, 2)
    }),
    col("authenticity", "auth", Align::Right, "the authenticity component, 0–1", |r, _| {
        Value::Figure(r.evaluation.components.authenticity, 2)
    }),
    col(
        "authenticity_source",
        "auth from",
        Align::Left,
        "where the fake-follower share came from: `measured`, or `estimated` by `scout audit --estimate`",
        |r, _| {
            let source = match r.candidate.fake_follower_pct {
                None => None,
                Some(_) if crate::engine::is_estimated(&r.candidate) => Some("estimated"),
                Some(_) => Some("measured"),
            };
            Value::Text(source)
        },
    ),
    col("cost_per_post", "price", Align::Right, "the price of one post", |r, _| {
        Value::Money(r.candidate.cost_per_post)
    }),
    col("cost_per_engagement", "CPE", Align::Right, "price over engagements per post", |r, _| {
        Value::Figure(r.evaluation.metrics.cost_per_engagement, 3)
    }),
    col("estimated_reach", "reach", Align::Right, "average views, else likes × 10", |r, _| {
        Value::Estimate(r.evaluation.metrics.estimated_reach)
    }),
    col("country", "country", Align::Left, "the country, as the list gives it", |r, _| {
        Value::Text(r.candidate.country.as_deref())
    }),
    col("niches", "niches", Align::Left, "the niches, as the list gives them", |r, _| {
        Value::List(&r.candidate.niches)
    }),
    col("notes", "notes", Align::Left, "what the scoring script noted", |r, _| {
        Value::List(&r.evaluation.notes)
    }),
    col("line", "line", Align::Right, "the row's line in the list", |r, _| {
        Value::Plain(r.candidate.line)
    }),
    col("revision", "revision", Align::Left, "the revision of the rules", |_, revision| {
        Value::Text(Some(revision))
    }),
];

const fn col(
    name: &'static str,
    header: &'static str,
    align: Align,
    about: &'static str,
    value: for<'a> fn(&'a Ranked, &'a str) -> Value<'a>,
) -> Column {
    Column { name, header, align, about, value }
}

/// The table's columns without `--columns`.
pub const TABLE_DEFAULT: [&str; 12] = [
    "rank",
    "handle",
    "platform",
    "tier",
    "followers",
    "engagement_rate",
    "er_basis",
    "engagement",
    "niche_fit",
    "cost_efficiency",
    "authenticity",
    "score",
];

/// The CSV columns without `--columns`; the candidate fields among them are those
/// [`Field::is_ranking_column`](crate::model::Field::is_ranking_column) names.
pub const CSV_DEFAULT: [&str; 14] = [
    "rank",
    "handle",
    "platform",
    "tier",
    "followers",
    "score",
    "engagement_rate",
    "er_basis",
    "engagement",
    "niche_fit",
    "cost_efficiency",
    "authenticity",
    "line",
    "revision",
];

/// A column name `--columns` does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown column `{name}`")]
pub struct UnknownColumn {
    /// The name as given.
    pub name: String,
    /// The closest known name, if any.
    pub close: Option<&'static str>,
}

impl UnknownColumn {
    /// The hint: the closest name, and every name.
    pub fn hint(&self) -> String {
        let all = names();
        match self.close {
            Some(close) => format!("did you mean `{close}`? the columns are: {all}"),
            None => format!("the columns are: {all}"),
        }
    }
}

/// The columns a writer shows, in order.
#[derive(Clone, Debug)]
pub struct Columns(Vec<&'static Column>);

impl Columns {
    /// The columns named in `names`, in that order.
    ///
    /// # Panics
    ///
    /// Never for the defaults above: a test checks every name is in the catalogue.
    fn named(names: &[&str]) -> Self {
        Self(names.iter().map(|name| find(name).expect("a catalogued column")).collect())
    }

    /// The table's default columns.
    pub fn table_default() -> Self {
        Self::named(&TABLE_DEFAULT)
    }

    /// The CSV default columns.
    pub fn csv_default() -> Self {
        Self::named(&CSV_DEFAULT)
    }

    /// Parses `--columns`: names separated by `,` (spaces around them ignored).
    pub fn parse(list: &str) -> Result<Self, UnknownColumn> {
        let mut columns = Vec::new();
        for name in list.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            let column = find(name).ok_or_else(|| UnknownColumn {
                name: name.to_owned(),
                close: crate::diagnostic::did_you_mean(name, CATALOGUE.iter().map(|c| c.name)),
            })?;
            columns.push(column);
        }
        Ok(Self(columns))
    }

    /// The columns, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'static Column> + '_ {
        self.0.iter().copied()
    }

    /// Whether the script notes are among them.
    pub fn has_notes(&self) -> bool {
        self.0.iter().any(|c| c.name == "notes")
    }
}

/// Every column name, `, `-separated, for hints.
pub fn names() -> String {
    CATALOGUE.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

fn find(name: &str) -> Option<&'static Column> {
    CATALOGUE.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// A value as the table shows it: `–` when missing or not finite.
pub fn table_text(value: &Value) -> String {
    let finite = |v: &Option<f64>| v.filter(|v| v.is_finite());
    const MISSING: &str = "–";
    match value {
        Value::Plain(n) => n.to_string(),
        Value::Count(n) => crate::text::thousands(*n),
        Value::Score(v) => format!("{v:.2}"),
        Value::Figure(v, digits) => {
            finite(v).map_or_else(|| MISSING.to_owned(), |v| format!("{v:.digits$}"))
        }
        Value::Share(v) => {
            finite(v).map_or_else(|| MISSING.to_owned(), |v| format!("{:.2}%", v * 100.0))
        }
        Value::Money(v) => finite(v).map_or_else(|| MISSING.to_owned(), money),
        Value::Estimate(v) => finite(v)
            .map_or_else(|| MISSING.to_owned(), |v| crate::text::thousands(v.round() as u64)),
        Value::Handle(handle) => format!("@{handle}"),
        Value::Text(text) => text.unwrap_or(MISSING).to_owned(),
        Value::List([]) => MISSING.to_owned(),
        Value::List(items) => items.join(", "),
    }
}

/// A price for people: whole amounts with thousands separators, else 2 decimals.
fn money(v: f64) -> String {
    if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 {
        crate::text::thousands(v as u64)
    } else {
        format!("{v:.2}")
    }
}

/// A value as CSV writes it: empty when missing or not finite (never `inf` or `NaN`); text
/// borrowed.
pub fn csv_text<'a>(value: &Value<'a>) -> Cow<'a, str> {
    let figure = |v: &Option<f64>| {
        v.filter(|v| v.is_finite()).map(|v| super::round6(v).to_string()).unwrap_or_default()
    };
    match value {
        Value::Plain(n) | Value::Count(n) => Cow::Owned(n.to_string()),
        Value::Score(v) => Cow::Owned(v.to_string()),
        Value::Figure(v, _) | Value::Share(v) | Value::Money(v) | Value::Estimate(v) => {
            Cow::Owned(figure(v))
        }
        Value::Handle(text) => Cow::Borrowed(text),
        Value::Text(text) => Cow::Borrowed(text.unwrap_or_default()),
        Value::List(items) => Cow::Owned(items.join(";")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_catalogued_and_names_unique() {
        for name in TABLE_DEFAULT.iter().chain(&CSV_DEFAULT) {
            assert!(find(name).is_some(), "{name}");
        }
        let mut names: Vec<_> = CATALOGUE.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        let err = Columns::parse("handle, cost_per_psot").unwrap_err();
        assert_eq!(err.name, "cost_per_psot");
        assert_eq!(err.close, Some("cost_per_post"));
    }

    #[test]
    fn values_render_per_writer() {
        assert_eq!(table_text(&Value::Money(Some(1250.0))), "1,250");
        assert_eq!(table_text(&Value::Money(Some(12.5))), "12.50");
        assert_eq!(csv_text(&Value::Money(Some(12.5))), "12.5");
        assert_eq!(table_text(&Value::Share(Some(f64::NAN))), "–");
        assert_eq!(csv_text(&Value::Figure(Some(f64::INFINITY), 2)), "");
    }
}
