//! Prometheus metrics, in the text exposition format: requests by route and status, a
//! latency histogram by route, rows ranked, and the reloader's activations, rejections and
//! active revision (`scout_rules_info{revision="…"} 1`), so every replica behind a load
//! balancer tells which rules it serves.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::reload::Status;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Default)]
struct Histogram {
    /// Observations at or below each bound (not cumulative; summed when rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    rows_ranked: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every update is a whole increment: a poisoned lock holds consistent counts.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// Records one answered request: its route pattern (`/v1/brands/{brand}/rank`, never the
    /// brand itself, so label values stay few), its status and how long it took.
    pub fn observe(&self, route: &str, status: u16, took: Duration) {
        *lock(&self.requests).entry((route.to_owned(), status)).or_default() += 1;
        let seconds = took.as_secs_f64();
        let mut latency = lock(&self.latency);
        let histogram = latency.entry(route.to_owned()).or_default();
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            histogram.buckets[i] += 1;
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// Counts rows read by a ranking, explanation or plan.
    pub fn add_rows(&self, rows: usize) {
        self.rows_ranked.fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// The metrics as Prometheus text, with the reloader's `status`.
    pub fn render(&self, status: &Status) -> String {
        let mut out = String::new();
        let _ = self.write(&mut out, status);
        out
    }

    fn write(&self, out: &mut String, status: &Status) -> std::fmt::Result {
        writeln!(
            out,
            "# HELP scout_http_requests_total HTTP requests answered, by route and status."
        )?;
        writeln!(out, "# TYPE scout_http_requests_total counter")?;
        for ((route, code), n) in lock(&self.requests).iter() {
            writeln!(
                out,
                "scout_http_requests_total{{route=\"{}\",status=\"{code}\"}} {n}",
                escape(route)
            )?;
        }
        writeln!(out, "# HELP scout_http_request_duration_seconds Time to answer a request.")?;
        writeln!(out, "# TYPE scout_http_request_duration_seconds histogram")?;
        for (route, h) in lock(&self.latency).iter() {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                writeln!(
                    out,
                    "scout_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                )?;
            }
            writeln!(
                out,
                "scout_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            )?;
            writeln!(
                out,
                "scout_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            )?;
            writeln!(
                out,
                "scout_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            )?;
        }
        let rows = self.rows_ranked.load(Ordering::Relaxed);
        writeln!(out, "# HELP scout_rows_ranked_total Candidate rows read by rankings, explanations and plans.")?;
        writeln!(out, "# TYPE scout_rows_ranked_total counter")?;
        writeln!(out, "scout_rows_ranked_total {rows}")?;
        writeln!(out, "# HELP scout_reloads_total Reloads that activated a new rule set.")?;
        writeln!(out, "# TYPE scout_reloads_total counter")?;
        writeln!(out, "scout_reloads_total {}", status.activations)?;
        writeln!(out, "# HELP scout_reload_rejections_total Reloads refused; the last good rules kept serving.")?;
        writeln!(out, "# TYPE scout_reload_rejections_total counter")?;
        writeln!(out, "scout_reload_rejections_total {}", status.rejections)?;
        writeln!(out, "# HELP scout_rules_info The active rule revision.")?;
        writeln!(out, "# TYPE scout_rules_info gauge")?;
        writeln!(out, "scout_rules_info{{revision=\"{}\"}} 1", escape(&status.revision))?;
        writeln!(
            out,
            "# HELP scout_rules_last_reload_failed Whether the last reload was rejected."
        )?;
        writeln!(out, "# TYPE scout_rules_last_reload_failed gauge")?;
        writeln!(out, "scout_rules_last_reload_failed {}", u8::from(status.last_error.is_some()))
    }
}

/// A label value escaped for the text format.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
