//! `scout plan`'s outputs: the plan as a table with its totals, left-out candidates and
//! additions for people; one CSV row per booked creator; one JSON document.

use std::io::{self, Write};

use serde_json::json;

use super::table::{new, right, text};
use super::{round6, OutputFormat};
use crate::plan::{money, Plan};
use crate::text::printable;

/// Writes `plan` to `out` in `format` (NDJSON: one booked creator per line).
pub fn write_plan(out: &mut dyn Write, plan: &Plan, format: OutputFormat) -> io::Result<()> {
    match format {
        OutputFormat::Table => write!(out, "{}", render(plan)),
        OutputFormat::Csv => write_csv(out, plan),
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &json_document(plan))?;
            writeln!(out)
        }
        OutputFormat::Ndjson => {
            for booked in &plan.booked {
                serde_json::to_writer(&mut *out, &booked_json(booked, &plan.revision))?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

fn opt(value: Option<f64>, digits: usize) -> String {
    value.filter(|v| v.is_finite()).map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

/// The plan for people: booked creators, totals, who was left out and why, and what a
/// little more budget adds. Estimated prices carry a `*`.
pub fn render(plan: &Plan) -> String {
    let mut table = new();
    table.set_header([
        "handle",
        "platform",
        "tier",
        "price",
        "score",
        "engagements",
        "reach",
        "CPE",
    ]);
    for b in &plan.booked {
        let price = format!("{}{}", money(b.price), if b.estimated { "*" } else { "" });
        table.add_row(vec![
            text(&format!("@{}", b.handle)),
            text(b.platform.as_deref().unwrap_or("–")),
            text(&b.tier),
            right(price),
            right(format!("{:.2}", b.score)),
            right(opt(b.engagements, 0)),
            right(opt(b.reach, 0)),
            right(b.cost_per_engagement.map_or("–".to_owned(), |c| format!("${c:.3}"))),
        ]);
    }
    let mut s = format!("{table}\n");
    if plan.booked.iter().any(|b| b.estimated) {
        s.push_str("* estimated price from prices.toml\n");
    }
    s.push_str(&format!(
        "{} {} booked for {} of {} ({} left) · objective {} = {:.2} · score {:.2} · engagements {:.0} · reach {:.0}\n",
        plan.booked.len(),
        crate::text::plural(plan.booked.len(), "creator"),
        money(plan.spent),
        money(plan.budget),
        money(plan.left),
        plan.objective.name(),
        plan.value,
        plan.total_score,
        plan.total_engagements,
        plan.total_reach,
    ));
    if !plan.quotas.is_empty() {
        let quotas: Vec<String> = plan.quotas.iter().map(|q| q.describe()).collect();
        s.push_str(&format!("quotas met: {}\n", printable(&quotas.join(", "))));
    }
    if !plan.left_out.is_empty() {
        s.push_str("\nleft out:\n");
        for l in &plan.left_out {
            s.push_str(&format!(
                "  @{} ({:.2}, {}): {}\n",
                printable(&l.handle),
                l.score,
                l.price.map_or("no price".to_owned(), money),
                printable(&l.reason)
            ));
        }
    }
    if !plan.additions.is_empty() {
        s.push_str("\nwith a little more budget:\n");
        for a in &plan.additions {
            let adds: Vec<String> = a.adds.iter().map(|h| format!("@{}", printable(h))).collect();
            let mut line = format!("  +{} adds {}", money(a.extra), adds.join(", "));
            if !a.drops.is_empty() {
                let drops: Vec<String> =
                    a.drops.iter().map(|h| format!("@{}", printable(h))).collect();
                line.push_str(&format!(", drops {}", drops.join(", ")));
            }
            line.push_str(&format!(", +{:.2} {}\n", a.gain, plan.objective.name()));
            s.push_str(&line);
        }
    }
    if !plan.baselines.is_empty() {
        s.push_str("\ngreedy baselines:\n");
        for b in &plan.baselines {
            s.push_str(&format!(
                "  by {}: {:.2} ({:.1}% below the plan{})\n",
                b.name,
                b.value,
                b.gap * 100.0,
                if b.feasible { "" } else { ", misses a quota" }
            ));
        }
    }
    s
}

/// The CSV columns of a plan.
pub const CSV_COLUMNS: [&str; 13] = [
    "handle",
    "platform",
    "tier",
    "country",
    "price",
    "estimated_price",
    "score",
    "engagements",
    "reach",
    "cost_per_engagement",
    "value",
    "line",
    "revision",
];

fn write_csv(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    let opt = |v: Option<f64>| {
        v.filter(|v| v.is_finite()).map(|v| round6(v).to_string()).unwrap_or_default()
    };
    for b in &plan.booked {
        writer.write_record([
            b.handle.clone(),
            b.platform.clone().unwrap_or_default(),
            b.tier.clone(),
            b.country.clone().unwrap_or_default(),
            round6(b.price).to_string(),
            b.estimated.to_string(),
            b.score.to_string(),
            opt(b.engagements),
            opt(b.reach),
            opt(b.cost_per_engagement),
            round6(b.value).to_string(),
            b.line.to_string(),
            plan.revision.clone(),
        ])?;
    }
    writer.flush()
}

fn booked_json(b: &crate::plan::Booked, revision: &str) -> serde_json::Value {
    let mut value = serde_json::to_value(b).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for key in ["engagements", "reach", "cost_per_engagement", "value", "price"] {
            if let Some(v) = map.get(key).and_then(serde_json::Value::as_f64) {
                map.insert(key.to_owned(), json!(round6(v)));
            }
        }
        map.insert("revision".to_owned(), json!(revision));
    }
    value
}

/// The plan as one JSON document.
pub fn json_document(plan: &Plan) -> serde_json::Value {
    json!({
        "revision": plan.revision,
        "brand": plan.brand,
        "objective": plan.objective,
        "budget": plan.budget,
        "spent": round6(plan.spent),
        "left": round6(plan.left),
        "value": round6(plan.value),
        "totals": {
            "score": round6(plan.total_score),
            "engagements": round6(plan.total_engagements),
            "reach": round6(plan.total_reach),
        },
        "counts": plan.counts,
        "booked": plan.booked.iter().map(|b| booked_json(b, &plan.revision)).collect::<Vec<_>>(),
        "quotas": plan.quotas,
        "left_out": plan.left_out,
        "additions": plan.additions,
        "baselines": plan.baselines,
        "errors": plan.errors.iter().map(|e| serde_json::to_value(e).unwrap_or_default()).collect::<Vec<_>>(),
    })
}
