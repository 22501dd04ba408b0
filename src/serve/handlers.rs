//! The endpoints. Each request takes one snapshot of the rules ([`Reloader::snapshot`]) and
//! answers with its revision, in the `Scout-Revision` header and in JSON bodies. Ranking
//! runs on tokio's blocking pool; a request that times out sets the ranking's stop flag.
//!
//! [`Reloader::snapshot`]: crate::reload::Reloader::snapshot

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ErrorBody};
use super::{App, REVISION_HEADER};
use crate::authoring::explain;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::input::{self, infer, Format, ReadOptions, Source};
use crate::model::{Candidate, RowError};
use crate::output::{self, OutputFormat};
use crate::plan::{self, PlanOptions};
use crate::rank::{self, RankOptions, Ranking};
use crate::rules::mapping::{self, Mapping};
use crate::rules::plan::Objective;
use crate::rules::{Brand, RuleSet};

/// Without `top`, a JSON ranking keeps the script notes of this many best results, as
/// `scout rank --format json` does.
pub const NOTES_WITHOUT_TOP: usize = 1_000;

type Shared = State<Arc<App>>;

/// A response with the revision header.
fn with_revision(revision: &str, mut response: Response) -> Response {
    if let Ok(value) = HeaderValue::from_str(revision) {
        response.headers_mut().insert(REVISION_HEADER, value);
    }
    response
}

/// A JSON body, with the revision header.
pub(super) fn json_response(revision: &str, value: &Value) -> Response {
    with_revision(revision, axum::Json(value).into_response())
}

/// `GET /healthz`: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "probes",
    responses((status = 200, description = "the process is up", body = serde_json::Value)))]
pub async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// `GET /readyz`: the rules are loaded and the server is not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "probes",
    responses(
        (status = 200, description = "ready, with the active revision", body = serde_json::Value),
        (status = 503, description = "shutting down (`shutting_down`)", body = ErrorBody),
    ))]
pub async fn readyz(State(app): Shared) -> Response {
    let revision = app.reloader.revision();
    if app.draining.load(Ordering::SeqCst) {
        let error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down",
        );
        return with_revision(&revision, error.into_response());
    }
    json_response(&revision, &json!({"status": "ready", "revision": revision}))
}

/// `GET /v1/openapi.json`: this API's OpenAPI document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "the OpenAPI 3.1 document", body = serde_json::Value)))]
pub async fn openapi() -> Response {
    let mut response = super::openapi::document().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `GET /metrics`: Prometheus text.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text", body = String, content_type = "text/plain")))]
pub async fn metrics(State(app): Shared) -> Response {
    let status = app.reloader.status();
    let text = app.metrics.render(&status);
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    with_revision(&status.revision, response)
}

/// `GET /v1/status`: the active revision and the reload history, with the last reload
/// error's located diagnostics.
#[utoipa::path(get, path = "/v1/status", tag = "operations",
    responses((status = 200, description = "`revision`, `activated_at`, `activations`, `rejections`, `last_error` (`at`, `revision`, located `diagnostics`), `ready`, `version`", body = serde_json::Value)))]
pub async fn status(State(app): Shared) -> Response {
    let status = app.reloader.status();
    let last_error = status.last_error.as_ref().map(|error| {
        json!({
            "at": rfc3339(error.at),
            "revision": error.revision,
            "diagnostics": error.diagnostics.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
        })
    });
    let body = json!({
        "revision": status.revision,
        "activated_at": rfc3339(status.activated_at),
        "activations": status.activations,
        "rejections": status.rejections,
        "last_error": last_error,
        "ready": !app.draining.load(Ordering::SeqCst),
        "version": env!("CARGO_PKG_VERSION"),
    });
    json_response(&status.revision, &body)
}

/// `GET /v1/brands`: every brand with its name, description and tier scheme.
#[utoipa::path(get, path = "/v1/brands", tag = "rules",
    responses((status = 200, description = "`revision` and `brands`: each with `id`, `name`, `description` and `tiers` (`scheme`, `description`, `names`)", body = serde_json::Value)))]
pub async fn brands(State(app): Shared) -> Response {
    let rules = app.reloader.snapshot();
    let brands: Vec<Value> = rules
        .brands
        .values()
        .map(|brand| {
            json!({
                "id": brand.id,
                "name": brand.name,
                "description": brand.description,
                "tiers": {
                    "scheme": brand.tiers.path.to_string_lossy().replace('\\', "/"),
                    "description": brand.tiers.description,
                    "names": brand.tiers.names(),
                },
            })
        })
        .collect();
    json_response(&rules.revision, &json!({"revision": rules.revision, "brands": brands}))
}

/// Query of `POST /v1/brands/{brand}/rank`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankQuery {
    /// Keep only the best N.
    pub top: Option<usize>,
    /// A mapping profile name in the rule folder's `imports/`.
    pub mapping: Option<String>,
    /// `json` (default), `csv` or `ndjson`.
    pub format: Option<String>,
}

/// `POST /v1/brands/{brand}/rank`: the same document as `scout rank --format json`.
#[utoipa::path(post, path = "/v1/brands/{brand}/rank", tag = "scoring",
    params(("brand" = String, Path, description = "a brand of the loaded rules"), RankQuery),
    request_body(description = "the candidate list; empty for the server's `--candidates` list", content(
        ("text/csv"), ("application/json"), ("application/x-ndjson"))),
    responses(
        (status = 200, description = "the document of `scout rank --format json` (or its CSV / NDJSON with `format`)", content(
            (serde_json::Value = "application/json"), (String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, description = "unusable input, with the row errors in `details`", body = ErrorBody),
        (status = 401, description = "missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "unknown brand, with a \"did you mean\"", body = ErrorBody),
        (status = 413, description = "body over `--max-body`", body = ErrorBody),
        (status = 415, description = "not CSV, JSON or NDJSON", body = ErrorBody),
        (status = 503, description = "busy or shutting down", body = ErrorBody),
        (status = 504, description = "over `--timeout`", body = ErrorBody),
    ))]
pub async fn rank(
    State(app): Shared,
    Path(brand): Path<String>,
    Query(query): Query<RankQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let rules = app.reloader.snapshot();
    rules.brand(&brand).map_err(|err| ApiError::unknown_brand(&err))?;
    let format = match query.format.as_deref().unwrap_or("json") {
        "json" => OutputFormat::Json,
        "csv" => OutputFormat::Csv,
        "ndjson" => OutputFormat::Ndjson,
        other => {
            return Err(ApiError::bad_request(
                "unknown_format",
                format!("no output format `{other}`"),
            )
            .hint("pass `format=json`, `format=csv` or `format=ndjson`"))
        }
    };
    let list = app.candidate_list(&headers, body).await?;
    let options = RankOptions {
        top: query.top,
        keep_filtered: format == OutputFormat::Json,
        notes: if format == OutputFormat::Csv { 0 } else { query.top.unwrap_or(NOTES_WITHOUT_TOP) },
        ..RankOptions::default()
    };
    let mapping = query.mapping;
    let revision = rules.revision.clone();
    let ranking = blocking(move |stop| {
        let rows = read_rows(&rules, &list, mapping.as_deref())?;
        rank_rows(&rules, &brand, &rows, options, stop)
    })
    .await??;
    app.metrics.add_rows(ranking.counts.read);
    unusable(&ranking)?;
    if format == OutputFormat::Json {
        return Ok(json_response(&revision, &output::json_document(&ranking)));
    }
    let mut bytes = Vec::new();
    output::write_ranking(&mut bytes, &ranking, format).map_err(|err| ApiError::internal(&err))?;
    let content_type = if format == OutputFormat::Csv {
        "text/csv; charset=utf-8"
    } else {
        "application/x-ndjson"
    };
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(with_revision(&revision, response))
}

/// Query of `POST /v1/brands/{brand}/explain`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExplainQuery {
    /// The candidate's handle (a leading `@` and case are ignored).
    pub handle: Option<String>,
    /// A mapping profile name in the rule folder's `imports/`.
    pub mapping: Option<String>,
}

/// `POST /v1/brands/{brand}/explain?handle=H`: the trace of `scout explain --format json`.
#[utoipa::path(post, path = "/v1/brands/{brand}/explain", tag = "scoring",
    params(("brand" = String, Path, description = "a brand of the loaded rules"), ExplainQuery),
    request_body(description = "the candidate list; empty for the server's `--candidates` list", content(
        ("text/csv"), ("application/json"), ("application/x-ndjson"))),
    responses(
        (status = 200, description = "the trace of `scout explain --format json`", body = serde_json::Value),
        (status = 400, description = "unusable input, with the row errors in `details`", body = ErrorBody),
        (status = 401, description = "missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "unknown brand, with a \"did you mean\"", body = ErrorBody),
        (status = 413, description = "body over `--max-body`", body = ErrorBody),
        (status = 415, description = "not CSV, JSON or NDJSON", body = ErrorBody),
        (status = 503, description = "busy or shutting down", body = ErrorBody),
        (status = 504, description = "over `--timeout`", body = ErrorBody),
        (status = 422, description = "a script failed on this candidate (`rule_error`)", body = ErrorBody),
    ))]
pub async fn explain(
    State(app): Shared,
    Path(brand): Path<String>,
    Query(query): Query<ExplainQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let rules = app.reloader.snapshot();
    rules.brand(&brand).map_err(|err| ApiError::unknown_brand(&err))?;
    let Some(handle) = query.handle.filter(|h| !h.trim().is_empty()) else {
        return Err(ApiError::bad_request("missing_handle", "no candidate to explain")
            .hint("pass `?handle=HANDLE`"));
    };
    let list = app.candidate_list(&headers, body).await?;
    let revision = rules.revision.clone();
    let mapping = query.mapping;
    let (value, rows) = blocking(move |_| {
        let rows = read_rows(&rules, &list, mapping.as_deref())?;
        let brand = rules.brand(&brand).map_err(|err| ApiError::unknown_brand(&err))?;
        let value = explain_one(&rules, brand, &rows, &handle)?;
        Ok::<_, ApiError>((value, rows.len()))
    })
    .await??;
    app.metrics.add_rows(rows);
    Ok(json_response(&revision, &value))
}

fn explain_one(
    rules: &RuleSet,
    brand: &Brand,
    rows: &[Result<Candidate, RowError>],
    handle: &str,
) -> Result<Value, ApiError> {
    let normalize = |h: &str| h.trim().trim_start_matches('@').to_lowercase();
    let wanted = normalize(handle);
    let handle_of = |row: &Result<Candidate, RowError>| match row {
        Ok(candidate) => Some(candidate.handle.clone()),
        Err(error) => error.handle.clone(),
    };
    let Some(row) = rows.iter().find(|row| handle_of(row).is_some_and(|h| normalize(&h) == wanted))
    else {
        let handles: Vec<String> = rows.iter().filter_map(handle_of).collect();
        let hint = did_you_mean(&wanted, handles.iter().map(String::as_str))
            .map(|close| format!("did you mean `{close}`?"))
            .unwrap_or_else(|| "handles are matched without `@`, ignoring case".to_owned());
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_handle",
            format!("no candidate `{handle}` in the list"),
        )
        .hint(hint));
    };
    let candidate = row.as_ref().map_err(|error| {
        ApiError::bad_request("invalid_row", format!("cannot explain `{handle}`: {error}"))
            .details(vec![json!(error)])
    })?;
    let explanation = explain::explain(rules, brand, candidate).map_err(|err| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rule_error", err.to_string())
    })?;
    Ok(explanation.to_json())
}

/// Query of `POST /v1/brands/{brand}/plan`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// The budget in dollars [default: the brand's `[plan] budget`].
    pub budget: Option<f64>,
    /// Book at most N creators [default: the brand's `[plan] max_creators`].
    pub max_creators: Option<u64>,
    /// `score`, `engagements` or `reach` [default: the brand's].
    pub objective: Option<String>,
    /// A mapping profile name in the rule folder's `imports/`.
    pub mapping: Option<String>,
}

/// `POST /v1/brands/{brand}/plan?budget=B`: the document of `scout plan --format json`.
#[utoipa::path(post, path = "/v1/brands/{brand}/plan", tag = "scoring",
    params(("brand" = String, Path, description = "a brand of the loaded rules"), PlanQuery),
    request_body(description = "the candidate list; empty for the server's `--candidates` list", content(
        ("text/csv"), ("application/json"), ("application/x-ndjson"))),
    responses(
        (status = 200, description = "the document of `scout plan --format json`", body = serde_json::Value),
        (status = 400, description = "unusable input, with the row errors in `details`", body = ErrorBody),
        (status = 401, description = "missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "unknown brand, with a \"did you mean\"", body = ErrorBody),
        (status = 413, description = "body over `--max-body`", body = ErrorBody),
        (status = 415, description = "not CSV, JSON or NDJSON", body = ErrorBody),
        (status = 503, description = "busy or shutting down", body = ErrorBody),
        (status = 504, description = "over `--timeout`", body = ErrorBody),
        (status = 422, description = "no plan fits the budget and quotas (`no_plan`)", body = ErrorBody),
    ))]
pub async fn plan(
    State(app): Shared,
    Path(brand): Path<String>,
    Query(query): Query<PlanQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let rules = app.reloader.snapshot();
    let found = rules.brand(&brand).map_err(|err| ApiError::unknown_brand(&err))?;
    let mut settings = found.plan.clone();
    if let Some(name) = &query.objective {
        settings.objective = Objective::from_name(name).ok_or_else(|| {
            ApiError::bad_request("unknown_objective", format!("no objective `{name}`")).hint(
                format!(
                    "pass one of {}",
                    Objective::ALL.map(|o| format!("`{}`", o.name())).join(", ")
                ),
            )
        })?;
    }
    if let Some(max) = query.max_creators {
        settings.max_creators = Some(max);
    }
    let Some(budget) = query.budget.or(settings.budget) else {
        return Err(ApiError::bad_request("missing_budget", format!("no budget for `{brand}`"))
            .hint("pass `?budget=AMOUNT`, or set `budget` in the brand's `[plan]` table"));
    };
    if !(budget > 0.0 && budget.is_finite()) {
        return Err(ApiError::bad_request(
            "bad_budget",
            format!("the budget must be above $0, not `{budget}`"),
        ));
    }
    let list = app.candidate_list(&headers, body).await?;
    let revision = rules.revision.clone();
    let mapping = query.mapping;
    let (value, read) = blocking(move |stop| {
        let rows = read_rows(&rules, &list, mapping.as_deref())?;
        let options =
            RankOptions { top: None, keep_filtered: false, notes: 0, ..RankOptions::default() };
        let ranking = rank_rows(&rules, &brand, &rows, options, stop)?;
        unusable(&ranking)?;
        let options = PlanOptions { settings, budget, left_out: 5 };
        let plan = plan::plan(&rules, &ranking, &options).map_err(|err| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_plan", err.to_string())
        })?;
        Ok::<_, ApiError>((output::plan::json_document(&plan), ranking.counts.read))
    })
    .await??;
    app.metrics.add_rows(read);
    Ok(json_response(&revision, &value))
}

/// A candidate list as received: its bytes and format.
#[derive(Clone, Debug)]
pub struct CandidateList {
    /// The whole body.
    pub bytes: Arc<[u8]>,
    /// The format its `Content-Type` names.
    pub format: Format,
}

impl App {
    /// The request's candidate list: its body in the format its `Content-Type` names, or the
    /// server's `--candidates` list when the body is empty. A body over the limit is refused
    /// with 413 as soon as its `Content-Length` (or the bytes read so far) exceed it.
    async fn candidate_list(
        &self,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<CandidateList, ApiError> {
        let too_large = || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body is over {} bytes", self.config.max_body),
            )
            .hint("split the candidate list, or start the server with a larger `--max-body`")
        };
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.config.max_body as u64) {
            return Err(too_large());
        }
        let bytes: Bytes = match Limited::new(body, self.config.max_body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
            Err(err) => {
                return Err(ApiError::bad_request(
                    "unreadable_body",
                    format!("cannot read the request body: {err}"),
                ))
            }
        };
        if bytes.is_empty() {
            return self.config.candidates.clone().ok_or_else(|| {
                ApiError::bad_request("empty_body", "the request has no candidate list").hint(
                    "send the list as the body, with `Content-Type: text/csv`, `application/json` or `application/x-ndjson`",
                )
            });
        }
        Ok(CandidateList { bytes: Arc::from(bytes.as_ref()), format: format_of(headers)? })
    }
}

/// The candidate-list format a `Content-Type` names.
fn format_of(headers: &HeaderMap) -> Result<Format, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = content_type
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    match essence.as_str() {
        "text/csv" => Ok(Format::Csv),
        "application/json" => Ok(Format::Json),
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => Ok(Format::Ndjson),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            match content_type {
                Some(given) => format!("scout cannot read `{given}` candidate lists"),
                None => "the request has no `Content-Type`".to_owned(),
            },
        )
        .hint("send `Content-Type: text/csv`, `application/json` or `application/x-ndjson`")),
    }
}

/// Reads the rows of a list, with a mapping profile named in the rule folder's `imports/`.
/// CSV columns no header names are inferred from the cells, as `scout rank` does.
pub(super) fn read_rows(
    rules: &RuleSet,
    list: &CandidateList,
    mapping: Option<&str>,
) -> Result<Vec<Result<Candidate, RowError>>, ApiError> {
    let mut read = ReadOptions::default();
    if let Some(name) = mapping {
        if list.format != Format::Csv {
            return Err(ApiError::bad_request(
                "mapping_needs_csv",
                "mapping profiles apply to CSV input",
            )
            .hint("JSON and NDJSON keys are matched by scout's field names and built-in aliases; drop `mapping`"));
        }
        read.mapping = Some(Arc::new(load_mapping(rules, name)?));
    }
    let source = Source::Bytes { name: "request body".to_owned(), bytes: Arc::clone(&list.bytes) };
    if list.format == Format::Csv {
        read.inferred = infer::infer_source(&source, &read).map_err(|err| ApiError::input(&err))?;
    }
    let rows =
        input::read_with(&source, list.format, &read).map_err(|err| ApiError::input(&err))?;
    Ok(rows.collect())
}

/// A mapping profile by name, from the rule folder's `imports/` only: a name is letters,
/// digits, `-` and `_`, never a path.
fn load_mapping(rules: &RuleSet, name: &str) -> Result<Mapping, ApiError> {
    let known = mapping::available(&rules.root);
    let is_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !is_name || !known.iter().any(|k| k == name) {
        let hint = did_you_mean(name, known.iter().map(String::as_str))
            .map(|close| format!("did you mean `{close}`?"))
            .unwrap_or_else(|| format!("profiles: {}", known.join(", ")));
        return Err(ApiError::bad_request(
            "unknown_mapping",
            format!("no mapping profile `{name}` in the rule folder"),
        )
        .hint(hint));
    }
    let path = rules.root.join(mapping::IMPORTS_DIR).join(format!("{name}.toml"));
    Mapping::load(&path, Some(&rules.taxonomy)).map_err(|diagnostics| {
        ApiError::bad_request("invalid_mapping", format!("the mapping profile `{name}` is invalid"))
            .details(diagnostics.iter().map(Diagnostic::to_json).collect())
    })
}

/// Ranks rows with one snapshot; a timeout sets `stop` and the ranking ends early.
pub(super) fn rank_rows(
    rules: &RuleSet,
    brand: &str,
    rows: &[Result<Candidate, RowError>],
    options: RankOptions,
    stop: &AtomicBool,
) -> Result<Ranking, ApiError> {
    let brand = rules.brand(brand).map_err(|err| ApiError::unknown_brand(&err))?;
    rank::rank_slice_until(rules, brand, rows, options, stop).ok_or_else(ApiError::timeout)
}

/// 400 with the row errors when not one row could be used.
fn unusable(ranking: &Ranking) -> Result<(), ApiError> {
    let c = ranking.counts;
    if c.read > 0 && c.invalid == c.read {
        return Err(ApiError::bad_request(
            "unusable_input",
            format!("none of the {} rows could be used", c.read),
        )
        .hint("fix the rows listed in `details`; `scout inspect FILE` shows how scout reads a list")
        .details(ranking.errors.iter().map(|e| json!(e)).collect()));
    }
    Ok(())
}

/// Sets the flag when dropped: a request dropped by its timeout stops its ranking.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs CPU-bound work on the blocking pool with a stop flag that is set when the request
/// is dropped (timed out, or the client went away).
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce(&AtomicBool) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(Arc::clone(&stop));
    tokio::task::spawn_blocking(move || work(&stop)).await.map_err(|err| ApiError::internal(&err))
}

/// A time as RFC 3339, UTC, to the second.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    #[test]
    fn times_are_rfc3339() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(super::rfc3339(at), "2023-11-14T22:13:20Z");
        assert_eq!(super::rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
