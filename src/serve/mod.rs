//! `scout serve`: the engine as an HTTP scoring service that hot-reloads its rules.
//!
//! The server holds one [`Reloader`]; each request takes one snapshot of it, so a request
//! never mixes revisions, and every answer names its revision (the `Scout-Revision` header
//! and, for JSON, the body). A rejected reload never fails a request: the last good rules
//! keep serving and `/v1/status` shows the diagnostics.
//!
//! The pieces: [`handlers`] (the endpoints), [`error`] (the one error shape), [`auth`]
//! (bearer tokens), [`metrics`] (Prometheus text), [`openapi`] (the API description,
//! generated from the handlers). [`router`] puts them together behind one
//! middleware, [`guard`], which authenticates, bounds concurrency and time, adds CORS
//! headers when asked to, stamps the revision and counts. The server never writes files.
//! The live dashboard ([`dashboard`]: `GET /` and the data it shows) and the reload event
//! stream ([`events`]: `GET /v1/events`) sit beside the API, under the same guard.

pub mod auth;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod handlers;
pub mod metrics;
pub mod openapi;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Semaphore;

use crate::reload::Reloader;
use auth::Token;
use error::ApiError;
use handlers::CandidateList;

/// The header every response carries: the rule revision it was computed with.
pub const REVISION_HEADER: &str = "scout-revision";

/// How long a request waits for one of the `--concurrency` slots (at most its whole
/// timeout) before it is turned away with 503 `busy`: a short queue absorbs bursts, and a
/// long one would only add latency to requests that will time out anyway.
pub const SLOT_WAIT: Duration = Duration::from_secs(1);

/// The default request body limit: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 << 20;

/// How the server guards itself.
#[derive(Clone, Debug)]
pub struct Config {
    /// Bodies over this many bytes get 413.
    pub max_body: usize,
    /// A request that takes longer gets 504 (503 if it never got a slot).
    pub timeout: Duration,
    /// At most this many API requests run at once; others wait up to [`SLOT_WAIT`] for a
    /// slot.
    pub concurrency: usize,
    /// The one origin browsers may call from; no CORS headers when `None`.
    pub cors: Option<HeaderValue>,
    /// The bearer token every request but `/healthz` and `/readyz` must carry.
    pub token: Option<Token>,
    /// The list requests with an empty body rank (`--candidates`).
    pub candidates: Option<CandidateList>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_body: DEFAULT_MAX_BODY,
            timeout: Duration::from_secs(30),
            concurrency: 16,
            cors: None,
            token: None,
            candidates: None,
        }
    }
}

/// The server's state, shared by every request.
#[derive(Debug)]
pub struct App {
    /// The rules, reloaded by the watcher.
    pub reloader: Arc<Reloader>,
    /// How the server guards itself.
    pub config: Config,
    /// Request counters.
    pub metrics: metrics::Metrics,
    /// Set when shutdown begins: `/readyz` answers 503, new requests too.
    pub draining: AtomicBool,
    /// The reload events, fed by the reload thread through [`events::Events::publish`].
    pub events: events::Events,
    /// The last dashboard answers, shared by identical requests.
    pub answers: dashboard::Answers,
    permits: Arc<Semaphore>,
}

impl App {
    /// The state for `reloader` with `config`.
    pub fn new(reloader: Arc<Reloader>, config: Config) -> Arc<Self> {
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Arc::new(Self {
            events: events::Events::new(reloader.snapshot()),
            reloader,
            config,
            metrics: metrics::Metrics::default(),
            draining: AtomicBool::new(false),
            answers: dashboard::Answers::default(),
            permits,
        })
    }
}

/// Every route, behind [`guard`].
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/dashboard.css", get(dashboard::style))
        .route("/dashboard.js", get(dashboard::script))
        .route("/v1/events", get(events::events))
        .route("/v1/brands/{brand}/dashboard", get(dashboard::dashboard))
        .route("/healthz", get(handlers::healthz))
        .route("/readyz", get(handlers::readyz))
        .route("/metrics", get(handlers::metrics))
        .route("/v1/status", get(handlers::status))
        .route("/v1/brands", get(handlers::brands))
        .route("/v1/openapi.json", get(handlers::openapi))
        .route("/v1/brands/{brand}/rank", post(handlers::rank))
        .route("/v1/brands/{brand}/explain", post(handlers::explain))
        .route("/v1/brands/{brand}/plan", post(handlers::plan))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app)
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no route {method} {}", uri.path()))
        .hint("the API is under `/v1/`: `GET /v1/brands`, `POST /v1/brands/{brand}/rank`, …")
}

/// Routes that answer without a token and without a slot: probes, and the dashboard's
/// page and assets (they hold no data).
fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz") || dashboard::is_public(path)
}

/// The middleware around every route: CORS preflight, bearer token, shutdown, one of
/// `--concurrency` slots (waiting at most [`SLOT_WAIT`]), `--timeout` counted from arrival,
/// the revision header, and the metrics.
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let mut response = if request.method() == Method::OPTIONS && app.config.cors.is_some() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        admit(&app, &path, started, request, next).await.unwrap_or_else(IntoResponse::into_response)
    };
    let headers = response.headers_mut();
    if !headers.contains_key(REVISION_HEADER) {
        if let Ok(value) = HeaderValue::from_str(&app.reloader.revision()) {
            headers.insert(REVISION_HEADER, value);
        }
    }
    if let Some(origin) = &app.config.cors {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(header::VARY, HeaderValue::from_static("origin"));
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(REVISION_HEADER),
        );
    }
    app.metrics.observe(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Lets a request through, or says why not.
async fn admit(
    app: &App,
    path: &str,
    started: Instant,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if is_probe(path) {
        return Ok(next.run(request).await);
    }
    if let Some(token) = &app.config.token {
        token.check(request.headers())?;
    }
    if path == "/metrics" {
        // Scrapes must get through when every slot is busy: that is when they matter.
        return Ok(next.run(request).await);
    }
    if app.draining.load(Ordering::SeqCst) {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down",
        )
        .hint("retry on another replica"));
    }
    let slot = Arc::clone(&app.permits).acquire_owned();
    let Ok(Ok(_permit)) = tokio::time::timeout(app.config.timeout.min(SLOT_WAIT), slot).await
    else {
        return Err(ApiError::busy());
    };
    let left = app.config.timeout.saturating_sub(started.elapsed());
    tokio::time::timeout(left, next.run(request)).await.map_err(|_| ApiError::timeout())
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, answers 503
/// to new requests on open connections, ends the event streams, and returns once in-flight
/// requests are done.
///
/// A connection must send each request head within `--timeout` of starting to wait for it
/// (after it connects, or after its previous answer), or it is closed: a client that sends
/// half a head, or keeps an idle connection open, cannot hold a file descriptor for ever.
/// (`axum::serve` sets no timer, so hyper's header timeout never ran.)
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::Listener;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let head_timeout = app.config.timeout;
    let draining = Arc::clone(&app);
    let router = router(app);
    // `stop` is closed when shutdown begins; every connection holds a `done` receiver, so
    // `done_tx.closed()` resolves when the last one ends.
    let (stop, stopped) = tokio::sync::watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        draining.draining.store(true, Ordering::SeqCst);
        draining.events.shut_down();
        drop(stopped);
    });
    let (done_tx, done) = tokio::sync::watch::channel(());
    let mut listener = listener;
    loop {
        let (stream, _) = tokio::select! {
            accepted = Listener::accept(&mut listener) => accepted,
            () = stop.closed() => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let stop = stop.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(head_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stop.closed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(done);
        });
    }
    drop(listener);
    drop(done);
    done_tx.closed().await;
    Ok(())
}
