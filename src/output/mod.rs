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
pub mod diff;
pub mod file;
pub mod inspect;
pub mod table;

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::rank::{Ranked, Ranking};

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

/// Writes `ranking` to `out` in `format`.
pub fn write_ranking(
    out: &mut dyn Write,
    ranking: &Ranking,
    format: OutputFormat,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => writeln!(out, "{}", table::ranking(ranking)),
        OutputFormat::Csv => write_csv(out, ranking),
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &json_document(ranking))?;
            writeln!(out)
        }
        OutputFormat::Ndjson => {
            for ranked in &ranking.results {
                serde_json::to_writer(&mut *out, &result_json(ranked, &ranking.revision))?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

/// The CSV columns; the candidate fields among them are those
/// [`Field::is_ranking_column`](crate::model::Field::is_ranking_column) names.
pub(crate) const CSV_COLUMNS: [&str; 13] = [
    "rank",
    "handle",
    "platform",
    "tier",
    "followers",
    "score",
    "engagement_rate",
    "engagement",
    "niche_fit",
    "cost_efficiency",
    "authenticity",
    "line",
    "revision",
];

fn write_csv(out: &mut dyn Write, ranking: &Ranking) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    // Empty, as for a missing value, when a figure is not finite: never `inf` or `NaN`.
    let opt =
        |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| v.to_string()).unwrap_or_default();
    for ranked in &ranking.results {
        let c = &ranked.candidate;
        let e = &ranked.evaluation;
        writer.write_record([
            ranked.rank.to_string(),
            c.handle.clone(),
            c.platform.clone().unwrap_or_default(),
            e.tier.name.to_string(),
            c.followers.to_string(),
            ranked.score().to_string(),
            opt(e.metrics.engagement_rate.map(round6)),
            opt(e.components.engagement.map(round6)),
            round6(e.components.niche_fit).to_string(),
            opt(e.components.cost_efficiency.map(round6)),
            opt(e.components.authenticity.map(round6)),
            c.line.to_string(),
            ranking.revision.clone(),
        ])?;
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
fn round6(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() || x.abs() >= 1e-3 {
        return (x * 1e6).round() / 1e6;
    }
    // Through the decimal text: exact, and no overflow of 10^n for tiny values.
    format!("{x:.3e}").parse().unwrap_or(x)
}

/// One ranked candidate as JSON.
pub fn result_json(ranked: &Ranked, revision: &str) -> Value {
    let c = &ranked.candidate;
    let e = &ranked.evaluation;
    let mut value = json!({
        "rank": ranked.rank,
        "handle": c.handle,
        "platform": c.platform,
        "tier": e.tier.name,
        "score": ranked.score(),
        "engagement_rate": e.metrics.engagement_rate.map(round6),
        "followers": c.followers,
        "line": c.line,
        "components": {
            "engagement": e.components.engagement.map(round6),
            "niche_fit": round6(e.components.niche_fit),
            "cost_efficiency": e.components.cost_efficiency.map(round6),
            "authenticity": e.components.authenticity.map(round6),
        },
        "metrics": {
            "engagements_per_post": e.metrics.engagements_per_post.map(round6),
            "cost_per_engagement": e.metrics.cost_per_engagement.map(round6),
            "estimated_reach": e.metrics.estimated_reach.map(round6),
        },
        "benchmark": e.tier.benchmark,
        "revision": revision,
    });
    if !e.notes.is_empty() {
        value["notes"] = json!(e.notes);
    }
    value
}

/// The whole ranking as one JSON document.
pub fn json_document(ranking: &Ranking) -> Value {
    json!({
        "revision": ranking.revision,
        "brand": ranking.brand,
        "counts": ranking.counts,
        "results": ranking.results.iter().map(|r| result_json(r, &ranking.revision)).collect::<Vec<_>>(),
        "filtered": ranking.filtered,
        "errors": ranking.errors,
    })
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
}
