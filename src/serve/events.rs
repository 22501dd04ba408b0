//! Live reload events: `GET /v1/events`, a server-sent event stream with one event per
//! reload attempt, for the dashboard and for anyone who wants to follow the rules.
//!
//! The reload thread hands every [`Outcome`] to [`Events::publish`], which turns it into one
//! [`Notice`] (event name and JSON, serialised once) on a [`broadcast`] channel; each stream
//! subscribes to it. A stream starts with a `hello` event (the revision serving and the last
//! reload error, if any), so a page that connects late still shows the right state. Events
//! carry revisions, not rankings: a client that sees a new revision asks
//! `GET /v1/brands/{brand}/dashboard?since=REV` for the ranking and what changed since the
//! revision it shows, which works for any brand and even after missed events. For that, the
//! last [`HISTORY`] activated rule sets are kept.
//!
//! Limits: at most [`MAX_CLIENTS`] streams at once (503 `too_many_streams` beyond); a client
//! that falls [`CHANNEL`] events behind is dropped (it reconnects and gets `hello`); every
//! stream ends when the server starts shutting down, so a graceful shutdown never waits on
//! an open dashboard.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::pin;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::future::{select, Either};
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch, OwnedSemaphorePermit, Semaphore};

use super::error::{ApiError, ErrorBody};
use super::App;
use crate::diagnostic::Diagnostic;
use crate::reload::{LastError, Outcome};
use crate::rules::RuleSet;

/// At most this many event streams are open at once.
pub const MAX_CLIENTS: usize = 64;

/// How many activated rule sets are kept for `?since=REV` comparisons, the active one
/// included.
pub const HISTORY: usize = 8;

/// How many events a stream may fall behind before it is dropped.
pub const CHANNEL: usize = 16;

/// One event, as every stream sends it.
#[derive(Clone, Debug)]
pub struct Notice {
    /// The event name: `hello`, `activated`, `rejected` or `unchanged`.
    pub name: &'static str,
    /// The event's JSON.
    pub data: Arc<str>,
}

impl Notice {
    fn new(name: &'static str, data: &Value) -> Self {
        Self { name, data: Arc::from(data.to_string()) }
    }

    fn event(&self) -> Event {
        Event::default().event(self.name).data(&*self.data)
    }
}

/// The reload events of one server: the channel, the client slots, the shutdown signal
/// and the recent rule sets.
#[derive(Debug)]
pub struct Events {
    sender: broadcast::Sender<Notice>,
    clients: Arc<Semaphore>,
    shutdown: watch::Sender<bool>,
    history: Mutex<VecDeque<Arc<RuleSet>>>,
}

impl Events {
    /// The events of a server whose rules start as `initial`.
    pub fn new(initial: Arc<RuleSet>) -> Self {
        let (sender, _) = broadcast::channel(CHANNEL);
        Self {
            sender,
            clients: Arc::new(Semaphore::new(MAX_CLIENTS)),
            shutdown: watch::channel(false).0,
            history: Mutex::new(VecDeque::from([initial])),
        }
    }

    /// Sends one reload's outcome to every stream; an activated rule set joins the history.
    /// Called from the reload thread; never blocks.
    pub fn publish(&self, outcome: &Outcome) {
        let notice = match outcome {
            Outcome::Ignored => return,
            Outcome::Activated(activation) => {
                let mut history = self.lock_history();
                if history.len() >= HISTORY {
                    history.pop_front();
                }
                history.push_back(Arc::clone(&activation.current));
                Notice::new(
                    "activated",
                    &json!({
                        "revision": activation.current.revision,
                        "previous": activation.previous.revision,
                        "took_ms": activation.took.as_millis() as u64,
                        "error": null,
                    }),
                )
            }
            Outcome::Rejected(rejection) => Notice::new(
                "rejected",
                &json!({
                    "revision": rejection.active,
                    "error": error_json(rejection.revision.as_deref(), &rejection.diagnostics),
                }),
            ),
            Outcome::Unchanged { revision, recovered } => Notice::new(
                "unchanged",
                &json!({"revision": revision, "recovered": recovered, "error": null}),
            ),
        };
        // No receivers is not an error: nobody is watching.
        let _ = self.sender.send(notice);
    }

    /// The rule set of `revision`, when it is one of the last [`HISTORY`] activated.
    pub fn rules(&self, revision: &str) -> Option<Arc<RuleSet>> {
        self.lock_history().iter().rev().find(|rules| rules.revision == revision).cloned()
    }

    /// Ends every stream, now and from now on.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    fn lock_history(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<RuleSet>>> {
        self.history.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A failed reload for a page: the revision of the files that failed, the diagnostics
/// located, and the same rendered as `scout check` prints them (without colours).
fn error_json(revision: Option<&str>, diagnostics: &[Diagnostic]) -> Value {
    let rendered: String =
        diagnostics.iter().map(|d| d.render(false)).collect::<Vec<_>>().join("\n");
    json!({
        "revision": revision,
        "diagnostics": diagnostics.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
        "rendered": rendered,
    })
}

fn hello(app: &App) -> Notice {
    let status = app.reloader.status();
    let error = status.last_error.as_ref().map(|LastError { revision, diagnostics, .. }| {
        error_json(revision.as_deref(), diagnostics)
    });
    Notice::new("hello", &json!({"revision": status.revision, "error": error}))
}

/// One client's stream: its first event, the channel, the shutdown signal, and its slot,
/// released when the stream is dropped.
struct Client {
    first: Option<Notice>,
    notices: broadcast::Receiver<Notice>,
    shutdown: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
}

/// The next event of a stream; `None` ends it: on shutdown, when the client fell behind,
/// or when the channel closed.
async fn next(mut client: Client) -> Option<(Result<Event, Infallible>, Client)> {
    if let Some(first) = client.first.take() {
        return Some((Ok(first.event()), client));
    }
    let received = {
        let stop = pin!(client.shutdown.wait_for(|stop| *stop));
        let notice = pin!(client.notices.recv());
        match select(stop, notice).await {
            Either::Left(_) => return None,
            Either::Right((received, _)) => received,
        }
    };
    let notice = received.ok()?;
    Some((Ok(notice.event()), client))
}

/// `GET /v1/events`: server-sent events, one per reload attempt.
#[utoipa::path(get, path = "/v1/events", tag = "operations",
    responses(
        (status = 200, description = "`text/event-stream`: first `hello`, then `activated`, `rejected` or `unchanged` on every reload attempt. Each event's data is JSON with `revision` (the one serving) and `error` (`null`, or the failed reload: `revision`, located `diagnostics`, `rendered` text); `activated` adds `previous` and `took_ms`, `unchanged` adds `recovered`", body = String, content_type = "text/event-stream"),
        (status = 401, description = "missing or wrong bearer token", body = ErrorBody),
        (status = 503, description = "too many open streams (`too_many_streams`) or shutting down", body = ErrorBody),
    ))]
pub async fn events(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let slot = Arc::clone(&app.events.clients).try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_streams",
            format!("{MAX_CLIENTS} event streams are open already"),
        )
        .hint("close a dashboard tab, or retry later")
    })?;
    let client = Client {
        notices: app.events.sender.subscribe(),
        shutdown: app.events.shutdown.subscribe(),
        first: Some(hello(&app)),
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(client, next);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::{Events, HISTORY};
    use crate::reload::{Activation, Outcome};
    use crate::rules::RuleSet;

    fn rules(revision: &str) -> Arc<RuleSet> {
        let mut rules = crate::rules::load::load(std::path::Path::new("rules")).unwrap();
        rules.revision = revision.to_owned();
        Arc::new(rules)
    }

    fn activated(previous: &Arc<RuleSet>, current: &Arc<RuleSet>) -> Outcome {
        Outcome::Activated(Activation {
            previous: Arc::clone(previous),
            current: Arc::clone(current),
            took: Duration::from_millis(5),
            settling: Duration::ZERO,
        })
    }

    #[test]
    fn activations_are_announced_and_the_last_few_kept() {
        let first = rules("r0");
        let events = Events::new(Arc::clone(&first));
        // Nobody listening is fine.
        events.publish(&Outcome::Unchanged { revision: "r0".into(), recovered: false });
        let mut listener = events.sender.subscribe();
        let mut previous = first;
        for i in 1..=HISTORY {
            let current = rules(&format!("r{i}"));
            events.publish(&activated(&previous, &current));
            previous = current;
        }
        let notice = listener.try_recv().unwrap();
        assert_eq!(notice.name, "activated");
        let data: serde_json::Value = serde_json::from_str(&notice.data).unwrap();
        assert_eq!(
            (data["revision"].as_str(), data["previous"].as_str()),
            (Some("r1"), Some("r0"))
        );
        assert!(events.rules("r0").is_none(), "only the last {HISTORY} are kept");
        assert!(events.rules("r1").is_some() && events.rules(&format!("r{HISTORY}")).is_some());
        assert!(events.rules("unknown").is_none());
    }
}
