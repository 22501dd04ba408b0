//! Writers for a [`Ranking`]: a table for people, CSV, JSON and NDJSON for machines, and
//! output files ([`mod@file`]: checked against the inputs, atomic for regular files, in place
//! for devices and FIFOs, permissions kept).
//!
//! Every text for people is rendered here, to a `String` or a [`comfy_table::Table`] the
//! CLI prints: the ranking table ([`table`], which also holds the one table style), `scout
//! diff`'s report ([`diff`]), `scout inspect`'s report ([`inspect`]) and `scout watch`'s
//! change list ([`changes`]).

pub mod audit;
pub mod changes;
pub mod chart;
pub mod columns;
pub mod diff;
pub mod evaluate;
pub mod file;
pub mod inspect;
pub mod plan;
pub mod profile;
pub mod report;
pub mod spill;
pub mod table;

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::rank::{Ranked, Ranking};
use columns::Columns;

pub use file::write_atomically;

/// Output formats for rankings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// An aligned table, for people.
    Table,
    /// One row per ranked candidate.
    Csv,
    /// One JSON document with counts, results, filtered rows and errors.
    Json,
    /// One JSON object per ranked candidate.
    Ndjson,
}

impl OutputFormat {
    /// Every format, in the order help lists them.
    pub const ALL: [OutputFormat; 4] =
        [OutputFormat::Table, OutputFormat::Csv, OutputFormat::Json, OutputFormat::Ndjson];

    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
        }
    }

    /// One line on what the format is.
    pub fn about(self) -> &'static str {
        match self {
            Self::Table => "An aligned table, for people",
            Self::Csv => "One row per ranked candidate",
            Self::Json => "One JSON document with counts, results, filtered rows and errors",
            Self::Ndjson => "One JSON object per ranked candidate",
        }
    }

    /// The format a file name implies, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "ndjson" | "jsonl" => Some(Self::Ndjson),
            "txt" => Some(Self::Table),
            _ => None,
        }
    }
}

/// Writes `ranking` to `out` in `format`, with the default columns.
pub fn write_ranking(
    out: &mut dyn Write,
    ranking: &Ranking,
    format: OutputFormat,
) -> io::Result<()> {
    write_ranking_with(out, ranking, format, None)
}

/// Writes `ranking` to `out` in `format`; the table and CSV show `columns` when given,
/// else their defaults. JSON and NDJSON always carry every field.
pub fn write_ranking_with(
    out: &mut dyn Write,
    ranking: &Ranking,
    format: OutputFormat,
    columns: Option<&Columns>,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => {
            let table = match columns {
                Some(columns) => table::ranking_with(ranking, columns),
                None => table::ranking(ranking),
            };
            writeln!(out, "{table}")
        }
        OutputFormat::Csv => match columns {
            Some(columns) => write_csv(out, ranking, columns),
            None => write_csv(out, ranking, &Columns::csv_default()),
        },
        OutputFormat::Json => {
            // Written as it is serialized: one result's JSON at a time in memory, however
            // many results there are.
            serde_json::to_writer_pretty(&mut *out, &Document(ranking))?;
            writeln!(out)
        }
        OutputFormat::Ndjson => {
            let revision = ranking.revision.as_str();
            for ranked in &ranking.results {
                serde_json::to_writer(&mut *out, &ResultJson { ranked, revision })?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

fn write_csv(out: &mut dyn Write, ranking: &Ranking, columns: &Columns) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(columns.iter().map(|c| c.name))?;
    for ranked in &ranking.results {
        for column in columns.iter() {
            writer.write_field(
                columns::csv_text(&(column.value)(ranked, &ranking.revision)).as_bytes(),
            )?;
        }
        writer.write_record(None::<&[u8]>)?;
    }
    writer.flush()
}

/// Rounds a figure for CSV and JSON output: to 6 decimals, keeping at least 4 significant
/// digits.
///
/// Six decimals alone turned an engagement rate of 9.5e-06 into 1e-05, and a smaller one
/// into 0. From 0.001 up, 6 decimals already keep 4 or more significant digits, so those
/// figures (nearly every one scout writes) print exactly as before; below 0.001 a figure
/// keeps 4 significant digits, more than the 3 or 4 an export shows (`12.5K`). Rounding
/// still drops float noise (`0.30000000000000004`).
pub(crate) fn round6(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() || x.abs() >= 1e-3 {
        return (x * 1e6).round() / 1e6;
    }
    // Through the decimal text: exact, and no overflow of 10^n for tiny values.
    format!("{x:.3e}").parse().unwrap_or(x)
}

/// One ranked candidate as JSON.
pub fn result_json(ranked: &Ranked, revision: &str) -> Value {
    serde_json::to_value(ResultJson { ranked, revision }).expect("a result's JSON has string keys")
}

/// [`result_json`] as serde writes it, field by field, without building a `Value`.
struct ResultJson<'r> {
    ranked: &'r Ranked,
    revision: &'r str,
}

impl serde::Serialize for ResultJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (c, e) = (&self.ranked.candidate, &self.ranked.evaluation);
        let round = |x: Option<f64>| x.map(round6);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("rank", &self.ranked.rank)?;
        map.serialize_entry("handle", &c.handle)?;
        map.serialize_entry("platform", &c.platform)?;
        map.serialize_entry("tier", &*e.tier.name)?;
        map.serialize_entry("score", &self.ranked.score())?;
        map.serialize_entry("engagement_rate", &round(e.metrics.engagement_rate))?;
        map.serialize_entry("er_basis", e.metrics.basis.name())?;
        map.serialize_entry("followers", &c.followers)?;
        map.serialize_entry("line", &c.line)?;
        map.serialize_entry("cost_per_post", &round(c.cost_per_post))?;
        map.serialize_entry("country", &c.country)?;
        map.serialize_entry("creator_id", &c.creator_id)?;
        map.serialize_entry("niches", &c.niches)?;
        let components = [
            ("engagement", round(e.components.engagement)),
            ("niche_fit", Some(round6(e.components.niche_fit))),
            ("cost_efficiency", round(e.components.cost_efficiency)),
            ("authenticity", round(e.components.authenticity)),
        ];
        map.serialize_entry("components", &Fields(components))?;
        let metrics = [
            ("engagements_per_post", round(e.metrics.engagements_per_post)),
            ("cost_per_engagement", round(e.metrics.cost_per_engagement)),
            ("estimated_reach", round(e.metrics.estimated_reach)),
        ];
        map.serialize_entry("metrics", &Fields(metrics))?;
        map.serialize_entry("benchmark", &round(e.tier.benchmark))?;
        map.serialize_entry("revision", self.revision)?;
        if !e.notes.is_empty() {
            map.serialize_entry("notes", &e.notes)?;
        }
        if crate::engine::is_estimated(c) {
            // The fake-follower share came from `scout audit --estimate`, not a sample.
            map.serialize_entry("authenticity_estimated", &e.components.authenticity.is_some())?;
        }
        map.end()
    }
}

/// Named figures as a JSON object, in order.
struct Fields<const N: usize>([(&'static str, Option<f64>); N]);

impl<const N: usize> serde::Serialize for Fields<N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

/// How many filtered rows, unusable rows and duplicates the JSON document lists, each by
/// line; the counts count them all, `--filtered` and `--rejects` write them all.
pub const JSON_SAMPLE: usize = 100;

/// The whole ranking as one JSON document: every count, the results, and the first
/// [`JSON_SAMPLE`] filtered rows, unusable rows and duplicates (with how many more there are).
pub fn json_document(ranking: &Ranking) -> Value {
    serde_json::to_value(Document(ranking)).expect("a ranking's JSON has string keys only")
}

/// [`json_document`] as serde writes it: its fields in order, each result turned into JSON
/// only when the writer reaches it.
struct Document<'r>(&'r Ranking);

impl serde::Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let ranking = self.0;
        let sample = |n: usize| n.min(JSON_SAMPLE);
        let c = ranking.counts;
        let filtered = &ranking.filtered[..sample(ranking.filtered.len())];
        let errors = &ranking.errors[..sample(ranking.errors.len())];
        let duplicates = &ranking.duplicates[..sample(ranking.duplicates.len())];
        let revision = ranking.revision.as_str();
        let results = Seq(|| ranking.results.iter().map(|ranked| ResultJson { ranked, revision }));
        let rule_errors = Seq(|| ranking.rule_errors.iter().map(rule_error_json));
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("revision", &ranking.revision)?;
        map.serialize_entry("brand", &ranking.brand)?;
        map.serialize_entry("counts", &ranking.counts)?;
        map.serialize_entry("results", &results)?;
        map.serialize_entry("filtered", filtered)?;
        map.serialize_entry("filtered_truncated", &c.filtered.saturating_sub(filtered.len()))?;
        map.serialize_entry("filter_counts", &ranking.filter_counts)?;
        map.serialize_entry("errors", errors)?;
        map.serialize_entry("errors_truncated", &c.invalid.saturating_sub(errors.len()))?;
        map.serialize_entry("duplicates", duplicates)?;
        map.serialize_entry(
            "duplicates_truncated",
            &(ranking.duplicates.len() - duplicates.len()),
        )?;
        map.serialize_entry("rule_errors", &rule_errors)?;
        map.end()
    }
}

/// A sequence serialized from a fresh iterator, one item at a time.
struct Seq<F>(F);

impl<F, I> serde::Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// One rule error as the JSON document lists it.
fn rule_error_json(e: &crate::rank::RuleError) -> Value {
    let mut value = e.diagnostic.to_json();
    value["rows"] = json!(e.rows);
    value["first_line"] = json!(e.first_line);
    value["first_handle"] = json!(e.first_handle);
    if let Some(tier) = &e.site.tier {
        value["tier"] = json!(tier);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::round6;

    #[test]
    fn small_figures_keep_four_significant_digits() {
        assert_eq!(round6(9.5e-6), 9.5e-6);
        assert_eq!(round6(9.5e-9), 9.5e-9);
        assert_eq!(round6(1.234_567e-4), 1.235e-4);
        assert_eq!(round6(0.012_345_678_9), 0.012_346);
        assert_eq!(round6(0.877_192_98), 0.877_193);
        assert_eq!(round6(0.1 + 0.2), 0.3);
        assert_eq!(round6(123_456.789_012_3), 123_456.789_012);
        assert_eq!(round6(0.0), 0.0);
        assert_eq!(round6(-2.5e-7), -2.5e-7);
        assert_eq!(round6(1e-310), 1e-310);
    }

    #[test]
    fn the_csv_columns_are_the_fields_flagged_for_rankings() {
        use crate::model::Field;
        let ranking_columns: Vec<&str> = super::columns::CSV_DEFAULT
            .into_iter()
            .filter(|column| Field::ALL.iter().any(|f| f.name() == *column))
            .collect();
        let flagged: Vec<&str> =
            Field::ALL.iter().filter(|f| f.is_ranking_column()).map(|f| f.name()).collect();
        assert_eq!(ranking_columns, flagged);
    }
}
