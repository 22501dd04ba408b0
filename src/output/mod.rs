//! Writers for a [`Ranking`]: a table for people, CSV, JSON and NDJSON for machines, and
//! atomic file output (a temp file renamed over the target, so readers never see half a file).
//!
//! Every text for people is rendered here, to a `String` or a [`comfy_table::Table`] the
//! CLI prints: the ranking table ([`table`], which also holds the one table style), `scout
//! diff`'s report ([`diff`]), `scout inspect`'s report ([`inspect`]) and `scout watch`'s
//! change list ([`changes`]).

pub mod changes;
pub mod diff;
pub mod inspect;
pub mod table;

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::rank::{Ranked, Ranking};

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

/// Writes to `path` atomically: a temp file in the same folder, renamed over `path`.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut buffered = io::BufWriter::new(file.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
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
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
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

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
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
        "rule_errors": ranking.rule_errors.iter().map(|e| {
            let mut value = e.diagnostic.to_json();
            value["rows"] = json!(e.rows);
            value["first_line"] = json!(e.first_line);
            value["first_handle"] = json!(e.first_handle);
            if let Some(tier) = &e.site.tier {
                value["tier"] = json!(tier);
            }
            value
        }).collect::<Vec<_>>(),
    })
}
