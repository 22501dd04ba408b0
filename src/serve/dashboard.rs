//! The live dashboard: `GET /` (a page of hand-written HTML, CSS and plain JavaScript,
//! embedded in the binary, no build step and nothing from elsewhere) and
//! `GET /v1/brands/{brand}/dashboard`, the data it shows: the ranking of the server's
//! `--candidates` list, the charts of `scout report` as SVG (drawn by
//! [`crate::output::report`], every text in them escaped), and, with `?since=REV`, what
//! changed since that revision ([`crate::changes::compare`], the comparison `scout watch`
//! prints). The page follows `GET /v1/events` and asks again on every new revision.
//!
//! The page and its assets carry no data and need no token (a browser cannot send one when
//! it opens a URL); the page reads the token from its URL fragment (`#token=…`, never sent
//! to the server) and sends it as `Authorization: Bearer` on every API call, the event
//! stream included (read with `fetch`, not `EventSource`, which cannot send headers). A
//! strict Content-Security-Policy allows only the page's own script and styles.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

use super::error::{ApiError, ErrorBody};
use super::handlers::{blocking, json_response, rank_rows, read_rows, CandidateList};
use super::App;
use crate::changes::{self, Changes};
use crate::output::report::{self, Report};
use crate::rank::{RankOptions, Ranked, Ranking};
use crate::rules::{Brand, RuleSet};

/// The page, its stylesheet and its script.
const PAGE: &str = include_str!("dashboard/index.html");
const STYLE: &str = include_str!("dashboard/dashboard.css");
const SCRIPT: &str = include_str!("dashboard/dashboard.js");

/// The page's policy: its own script, styles and API only; no frames, forms, plugins or
/// inline code. Inline `style` attributes in the SVG charts (none are written) would be
/// refused too.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The ranking rows shown when `top` is not given.
pub const DEFAULT_TOP: usize = 25;

/// The most ranking rows one answer lists.
pub const MAX_TOP: usize = 500;

/// The routes that answer without a token: the page and its assets.
pub fn is_public(path: &str) -> bool {
    matches!(path, "/" | "/dashboard.css" | "/dashboard.js")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /`: the dashboard page.
#[utoipa::path(get, path = "/", tag = "dashboard",
    responses((status = 200, description = "the dashboard page (no token needed; the page reads one from `#token=…`)", body = String, content_type = "text/html")))]
pub async fn page() -> Response {
    asset(PAGE, "text/html; charset=utf-8")
}

/// `GET /dashboard.css`: the page's stylesheet.
pub async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

/// `GET /dashboard.js`: the page's script.
pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// Query of `GET /v1/brands/{brand}/dashboard`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// List the best N (default 25, at most 500); also the N of "entered or left the top N".
    pub top: Option<usize>,
    /// A revision the client shows: the answer adds what changed since (when the server
    /// still holds that revision: the last 8 activated).
    pub since: Option<String>,
}

/// `GET /v1/brands/{brand}/dashboard`: the ranking of the `--candidates` list with the
/// report's charts, and what changed since `since`.
#[utoipa::path(get, path = "/v1/brands/{brand}/dashboard", tag = "dashboard",
    params(("brand" = String, Path, description = "a brand of the loaded rules"), DashboardQuery),
    responses(
        (status = 200, description = "`revision`, `brand` (`id`, `name`, `description`), `counts`, `top`, `ranking` (each: `rank`, `handle`, `platform`, `tier`, `color`, `followers`, `engagement_rate`, `score`, `components`, `notes`), `tiers` (`name`, `color`), `charts` (`engagement` and `scores` as SVG, `lines`, `trend`), `changes` (`null`, or `from_revision`, `to_revision`, `top`, `movements` as in `scout watch`) and `since` (`null`, `current`, `compared` or `unknown`)", body = serde_json::Value),
        (status = 400, description = "the server has no `--candidates` list (`no_candidates`)", body = ErrorBody),
        (status = 401, description = "missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "unknown brand, with a \"did you mean\"", body = ErrorBody),
        (status = 503, description = "busy or shutting down", body = ErrorBody),
        (status = 504, description = "over `--timeout`", body = ErrorBody),
    ))]
pub async fn dashboard(
    State(app): State<Arc<App>>,
    Path(brand): Path<String>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, ApiError> {
    let rules = app.reloader.snapshot();
    rules.brand(&brand).map_err(|err| ApiError::unknown_brand(&err))?;
    let list = app.config.candidates.clone().ok_or_else(|| {
        ApiError::bad_request("no_candidates", "the server has no candidate list to show")
            .hint("start `scout serve` with `--candidates FILE`")
    })?;
    let top = query.top.unwrap_or(DEFAULT_TOP).clamp(1, MAX_TOP);
    let (before, since) = earlier(&app, &rules, &brand, query.since.as_deref());
    let key = Key {
        brand: brand.clone(),
        revision: rules.revision.clone(),
        since: before.as_ref().map(|old| old.revision.clone()),
        top,
    };
    let revision = rules.revision.clone();
    let cell = app.answers.cell(key);
    let answer = cell.get_or_try_init(|| answer(&app, rules, list, brand, before, top)).await?;
    let mut value = answer.clone();
    value["since"] = json!(since);
    Ok(json_response(&revision, &value))
}

/// The rules of the revision `since` names, and what became of it: `current`, `compared`,
/// or `unknown` (a revision the server no longer holds, or whose rules lacked the brand).
fn earlier(
    app: &App,
    rules: &RuleSet,
    brand: &str,
    since: Option<&str>,
) -> (Option<Arc<RuleSet>>, Option<&'static str>) {
    match since {
        None => (None, None),
        Some(revision) if revision == rules.revision => (None, Some("current")),
        Some(revision) => match app.events.rules(revision).filter(|old| old.brand(brand).is_ok()) {
            Some(old) => (Some(old), Some("compared")),
            None => (None, Some("unknown")),
        },
    }
}

/// Ranks the list on the blocking pool, under `before` too when given, and builds the
/// document.
async fn answer(
    app: &App,
    rules: Arc<RuleSet>,
    list: CandidateList,
    brand: String,
    before: Option<Arc<RuleSet>>,
    top: usize,
) -> Result<Value, ApiError> {
    let (value, read) = blocking(move |stop| {
        let rows = read_rows(&rules, &list, None)?;
        let options =
            RankOptions { top: None, keep_filtered: true, notes: top, ..RankOptions::default() };
        let ranking = rank_rows(&rules, &brand, &rows, options, stop)?;
        let options =
            RankOptions { top: None, keep_filtered: true, notes: 0, ..RankOptions::default() };
        let changes = match before {
            Some(old) => Some(changes::compare(
                &rank_rows(&old, &brand, &rows, options, stop)?,
                &ranking,
                top,
            )),
            None => None,
        };
        let brand = rules.brand(&brand).map_err(|err| ApiError::unknown_brand(&err))?;
        Ok::<_, ApiError>((document(brand, &ranking, changes.as_ref(), top), ranking.counts.read))
    })
    .await??;
    app.metrics.add_rows(read);
    Ok(value)
}

/// What one dashboard answer depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    brand: String,
    revision: String,
    since: Option<String>,
    top: usize,
}

/// How many answers are kept.
pub const ANSWERS: usize = 16;

/// The last [`ANSWERS`] dashboard answers, by what they depend on. After a reload every open
/// page asks at once; identical requests share one cell, so one of them ranks the list and
/// the others wait for its answer (a request that fails or times out leaves the cell empty
/// for the next one).
#[derive(Debug, Default)]
pub struct Answers {
    cells: Mutex<VecDeque<(Key, Arc<OnceCell<Value>>)>>,
}

impl Answers {
    fn cell(&self, key: Key) -> Arc<OnceCell<Value>> {
        let mut cells = self.cells.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, cell)) = cells.iter().find(|(k, _)| *k == key) {
            return Arc::clone(cell);
        }
        if cells.len() >= ANSWERS {
            cells.pop_front();
        }
        let cell = Arc::new(OnceCell::new());
        cells.push_back((key, Arc::clone(&cell)));
        cell
    }
}

/// The dashboard's document for one ranking.
fn document(brand: &Brand, ranking: &Ranking, changes: Option<&Changes>, top: usize) -> Value {
    let report = Report { brand, ranking, plan: None, input: "", date: "" };
    let colors = report::tier_colors(&report);
    let color = |tier: &str| colors.iter().find(|(n, _)| n == tier).map_or("#64748b", |(_, c)| c);
    let rows: Vec<Value> =
        ranking.results.iter().take(top).map(|r| row(r, color(&r.evaluation.tier.name))).collect();
    let engagement = report::engagement_figure(&report, &colors);
    let lines: Vec<Value> = engagement
        .lines
        .iter()
        .map(|l| json!({"name": l.name, "color": l.color, "dashed": l.dashed}))
        .collect();
    let tiers: Vec<Value> = report::shown_tiers(&report, &colors)
        .into_iter()
        .map(|(name, color)| json!({"name": name, "color": color}))
        .collect();
    json!({
        "revision": ranking.revision,
        "brand": {"id": brand.id, "name": brand.name, "description": brand.description},
        "counts": ranking.counts,
        "top": top,
        "ranking": rows,
        "tiers": tiers,
        "charts": {
            "engagement": engagement.svg,
            "scores": report::score_figure(&report, &colors),
            "lines": lines,
            "trend": engagement.trend,
            "plotted": engagement.plotted,
        },
        "changes": changes,
    })
}

fn row(r: &Ranked, color: &str) -> Value {
    let e = &r.evaluation;
    json!({
        "rank": r.rank,
        "handle": r.candidate.handle,
        "platform": r.candidate.platform,
        "tier": e.tier.name.to_string(),
        "color": color,
        "followers": r.candidate.followers,
        "engagement_rate": e.metrics.engagement_rate.filter(|v| v.is_finite()),
        "score": r.score(),
        "components": {
            "engagement": e.components.engagement,
            "niche_fit": e.components.niche_fit,
            "cost_efficiency": e.components.cost_efficiency,
            "authenticity": e.components.authenticity,
        },
        "notes": e.notes,
    })
}
