//! `scout audit`'s outputs: the per-influencer estimates as a table, CSV or JSON, the
//! labelled-sample report, and a candidate list with the estimates merged in.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::json;

use super::table::{new, right, text};
use super::OutputFormat;
use crate::audit::{Audit, Estimate, LabelReport};

/// Columns `--into` adds (or fills) in a candidate list.
pub const MERGED_COLUMNS: [&str; 6] = [
    "fake_follower_pct",
    "fake_follower_ci_low",
    "fake_follower_ci_high",
    "fake_follower_sample",
    "fake_follower_source",
    "fake_follower_reasons",
];

/// A no-sample estimate for one row of the list (its line and cells): the share and the
/// names of the signals behind it, or `None`.
pub type EstimateRow<'a> = &'a mut dyn FnMut(u64, &[String]) -> Option<(f64, Vec<String>)>;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn reasons_text(estimate: &Estimate) -> String {
    estimate
        .reasons
        .iter()
        .map(|(name, share)| format!("{name} {:.0}%", share * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the audit in `format` (NDJSON: one estimate per line).
pub fn write_audit(out: &mut dyn Write, audit: &Audit, format: OutputFormat) -> io::Result<()> {
    match format {
        OutputFormat::Table => {
            if let Some(report) = &audit.labels {
                writeln!(out, "{}", labels_text(report))?;
            }
            let mut table = new();
            table.set_header([
                "influencer",
                "sample",
                "suspicious",
                "fake followers",
                "95% interval",
                "verdict",
                "top reasons",
            ]);
            for e in &audit.influencers {
                table.add_row(vec![
                    text(&e.influencer),
                    right(e.sample),
                    right(e.suspicious),
                    right(pct(e.fake_follower_pct)),
                    right(format!("{}–{}", pct(e.ci_low), pct(e.ci_high))),
                    text(&e.verdict),
                    text(&reasons_text(e)),
                ]);
            }
            writeln!(out, "{table}")
        }
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record([
                "influencer",
                "sample",
                "suspicious",
                "fake_follower_pct",
                "ci_low",
                "ci_high",
                "verdict",
                "reasons",
                "revision",
            ])?;
            for e in &audit.influencers {
                writer.write_record([
                    e.influencer.clone(),
                    e.sample.to_string(),
                    e.suspicious.to_string(),
                    r4(e.fake_follower_pct).to_string(),
                    r4(e.ci_low).to_string(),
                    r4(e.ci_high).to_string(),
                    e.verdict.clone(),
                    reasons_text(e),
                    audit.revision.clone(),
                ])?;
            }
            writer.flush()
        }
        OutputFormat::Json => {
            let errors: Vec<_> = audit
                .errors
                .iter()
                .map(|e| json!({"line": e.line, "column": e.column, "message": e.message}))
                .collect();
            let doc = json!({
                "revision": audit.revision,
                "threshold": audit.threshold,
                "counts": audit.counts,
                "influencers": audit.influencers.iter().map(estimate_json).collect::<Vec<_>>(),
                "labels": audit.labels,
                "errors": errors,
            });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        OutputFormat::Ndjson => {
            for e in &audit.influencers {
                serde_json::to_writer(&mut *out, &estimate_json(e))?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

fn estimate_json(e: &Estimate) -> serde_json::Value {
    json!({
        "influencer": e.influencer,
        "sample": e.sample,
        "suspicious": e.suspicious,
        "fake_follower_pct": r4(e.fake_follower_pct),
        "ci_low": r4(e.ci_low),
        "ci_high": r4(e.ci_high),
        "verdict": e.verdict,
        "reasons": e.reasons.iter().map(|(n, s)| json!({"signal": n, "share": r4(*s)})).collect::<Vec<_>>(),
    })
}

/// The labelled-sample report, for people.
pub fn labels_text(r: &LabelReport) -> String {
    let c = r.confusion;
    let mut matrix = new();
    matrix.set_header(["", "judged suspicious", "judged genuine"]);
    matrix.add_row(vec![text("labelled fake"), right(c.tp), right(c.fn_)]);
    matrix.add_row(vec![text("labelled real"), right(c.fp), right(c.tn)]);
    let auc = r.roc_auc.map_or_else(|| "–".to_owned(), |a| format!("{a:.3}"));
    format!(
        "labels from `{}`: {} labelled accounts ({} without a label), threshold {}\n{matrix}\n\
         fake: precision {:.3}, recall {:.3}, F1 {:.3}\n\
         real: precision {:.3}, recall {:.3}, F1 {:.3}\n\
         macro-F1 {:.3} · ROC AUC {auc}\n",
        r.column,
        r.labelled,
        r.unlabelled,
        r.threshold,
        r.fake.precision,
        r.fake.recall,
        r.fake.f1,
        r.real.precision,
        r.real.recall,
        r.real.f1,
        r.macro_f1,
    )
}

/// Copies a CSV candidate list with the estimates merged in: rows whose handle (the
/// `handle_column`-th column, `@` and case ignored) matches an influencer get the
/// [`MERGED_COLUMNS`]; a column the list already has is filled in place, others are
/// appended. `fake_follower_source` says where a figure came from: `audit`, `list` (the
/// list's own) or `estimated` (`estimate`, for rows with neither). Returns how many rows
/// matched an audit and how many were estimated.
pub fn merge_csv(
    out: &mut dyn Write,
    list: &[u8],
    delimiter: u8,
    handle_column: usize,
    estimates: &[Estimate],
    estimate: Option<EstimateRow>,
) -> io::Result<(usize, usize)> {
    let mut estimate = estimate;
    let by_handle: HashMap<String, &Estimate> =
        estimates.iter().map(|e| (crate::text::normalize_handle(&e.influencer), e)).collect();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(list.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(list));
    let mut writer = csv::WriterBuilder::new().delimiter(delimiter).from_writer(out);
    let mut headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let width = headers.len();
    let had_pct =
        headers.iter().position(|h| crate::model::headers::normalize(h) == MERGED_COLUMNS[0]);
    let slots: Vec<usize> = MERGED_COLUMNS
        .iter()
        .map(|name| {
            headers
                .iter()
                .position(|h| crate::model::headers::normalize(h) == *name)
                .unwrap_or_else(|| {
                    headers.push((*name).to_owned());
                    headers.len() - 1
                })
        })
        .collect();
    writer.write_record(&headers)?;
    let (mut matched, mut estimated) = (0, 0);
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
        cells.resize(headers.len().max(cells.len()), String::new());
        let handle = cells.get(handle_column).map(|h| crate::text::normalize_handle(h));
        if let Some(e) = handle.and_then(|h| by_handle.get(&h)) {
            matched += 1;
            let reasons: Vec<&str> = e.reasons.iter().map(|(n, _)| n.as_str()).collect();
            let values = [
                r4(e.fake_follower_pct).to_string(),
                r4(e.ci_low).to_string(),
                r4(e.ci_high).to_string(),
                e.sample.to_string(),
                "audit".to_owned(),
                reasons.join(";"),
            ];
            for (slot, value) in slots.iter().zip(values) {
                cells[*slot] = value;
            }
        } else if had_pct.is_some_and(|at| !cells[at].trim().is_empty()) {
            cells[slots[4]] = "list".to_owned();
        } else if let Some((share, fired)) =
            estimate.as_mut().and_then(|f| f(line, &cells[..width]))
        {
            estimated += 1;
            cells[slots[0]] = r4(share).to_string();
            cells[slots[4]] = "estimated".to_owned();
            cells[slots[5]] = fired.join(";");
        }
        writer.write_record(&cells)?;
    }
    writer.flush()?;
    Ok((matched, estimated))
}
