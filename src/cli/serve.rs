//! `scout serve`: the engine as an HTTP scoring service. This file is the glue: flags, the
//! token, the reloader and its watcher, the tokio runtime, and the shutdown signal. The
//! server itself is [`crate::serve`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{plural, signal, write_stdout, Exit, RulesArg, Ui};
use crate::diagnostic::Severity;
use crate::input::Source;
use crate::reload::watcher::{WatchOptions, Watcher};
use crate::reload::{Outcome, Reloader};
use crate::serve::auth::Token;
use crate::serve::handlers::CandidateList;
use crate::serve::{self, App, Config};

/// Arguments of `scout serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub rules: RulesArg,
    /// The address to listen on; port 0 picks a free port. A non-loopback address requires
    /// a token.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7878")]
    pub addr: SocketAddr,
    /// A candidate list that requests with an empty body rank: CSV, JSON or NDJSON, read
    /// once at start.
    #[arg(long, value_name = "FILE")]
    pub candidates: Option<PathBuf>,
    /// A file holding the bearer token requests must carry [default: env `SCOUT_TOKEN`].
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = serve::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// How long one request may take, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// How many API requests run at once; the others wait up to a second for a slot, then
    /// get 503.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub concurrency: usize,
    /// The one origin browsers may call the API from [default: CORS off].
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Poll for rule changes instead of using the system's notifications (network file
    /// systems, containers).
    #[arg(long)]
    pub poll: bool,
    /// How long a rule file must be quiet before scout reloads, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub debounce: u64,
    /// Print the API's OpenAPI document and exit.
    #[arg(long)]
    pub print_openapi: bool,
}

/// How often `--poll` looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long the rule files must stay the same between two reads before a reload uses them.
const SETTLE: Duration = Duration::from_millis(20);

/// Runs `scout serve`.
pub fn run(ui: &Ui, args: &ServeArgs) -> Exit {
    if args.print_openapi {
        let document = serve::openapi::document();
        return match write_stdout(|out| out.write_all(document.as_bytes())) {
            Ok(()) => Exit::Success,
            Err(err) => {
                ui.error(&format!("cannot write the OpenAPI document: {err}"), None);
                Exit::Fatal
            }
        };
    }
    match start(ui, args) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn start(ui: &Ui, args: &ServeArgs) -> Result<Exit, Exit> {
    let config = config(ui, args)?;
    let reloader = Arc::new(start_reloader(ui, args)?);
    ui.diagnostics(&reloader.snapshot().warnings);
    let app = App::new(Arc::clone(&reloader), config);
    let _watcher = watch(ui, args, Arc::clone(&app)).map_err(|err| {
        ui.error(&format!("cannot watch `{}`: {err}", args.rules.dir.display()), None);
        Exit::Fatal
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .thread_name("scout-serve")
        .max_blocking_threads(args.concurrency.max(1) + 4)
        .build()
        .map_err(|err| {
            ui.error(&format!("cannot start the server: {err}"), None);
            Exit::Fatal
        })?;
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    catch_signals(ui, stop_tx);
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|err| {
            ui.error(
                &format!("cannot listen on `{}`: {err}", args.addr),
                Some("pick another port with `--addr 127.0.0.1:PORT`"),
            );
            Exit::Fatal
        })?;
        let bound = listener.local_addr().unwrap_or(args.addr);
        ui.status(&format!(
            "listening on http://{bound} · rules `{}` revision {} · Ctrl-C to stop",
            args.rules.dir.display(),
            reloader.revision()
        ));
        let shutdown = async move {
            let _ = stop_rx.wait_for(|stop| *stop).await;
        };
        serve::serve(listener, app, shutdown).await.map_err(|err| {
            ui.error(&format!("the server failed: {err}"), None);
            Exit::Fatal
        })
    })?;
    ui.status("stopped serving");
    Ok(Exit::Success)
}

/// The server's guards from the flags; a non-loopback address without a token is refused.
fn config(ui: &Ui, args: &ServeArgs) -> Result<Config, Exit> {
    let token = token(ui, args)?;
    if token.is_none() && !args.addr.ip().is_loopback() {
        ui.error(
            &format!("`{}` is reachable from other machines, and no token is set", args.addr),
            Some("pass `--token-file FILE` or set `SCOUT_TOKEN`; or listen on 127.0.0.1"),
        );
        return Err(Exit::Fatal);
    }
    let cors = match &args.cors {
        None => None,
        Some(origin) => Some(axum::http::HeaderValue::from_str(origin).map_err(|_| {
            ui.error(&format!("`{origin}` is not an origin"), Some("pass `--cors https://host`"));
            Exit::Fatal
        })?),
    };
    let candidates = match &args.candidates {
        None => None,
        Some(path) => {
            let source = Source::File(path.clone());
            let format = source.format(None);
            let bytes = match source.into_bytes() {
                Ok(Source::Bytes { bytes, .. }) => bytes,
                Ok(_) => unreachable!("into_bytes gives bytes"),
                Err(err) => {
                    ui.error(&err.to_string(), err.hint().as_deref());
                    return Err(Exit::Fatal);
                }
            };
            Some(CandidateList { bytes, format })
        }
    };
    Ok(Config {
        max_body: args.max_body,
        timeout: Duration::from_secs(args.timeout.max(1)),
        concurrency: args.concurrency.max(1),
        cors,
        token,
        candidates,
    })
}

/// The token from `--token-file`, else `SCOUT_TOKEN`.
fn token(ui: &Ui, args: &ServeArgs) -> Result<Option<Token>, Exit> {
    let (text, from) = match &args.token_file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => (text, format!("`{}`", path.display())),
            Err(err) => {
                ui.error(&format!("cannot read the token file `{}`: {err}", path.display()), None);
                return Err(Exit::Fatal);
            }
        },
        None => match std::env::var("SCOUT_TOKEN") {
            Ok(text) => (text, "`SCOUT_TOKEN`".to_owned()),
            Err(_) => return Ok(None),
        },
    };
    match Token::new(&text) {
        Some(token) => Ok(Some(token)),
        None => {
            ui.error(&format!("the token in {from} is empty"), None);
            Err(Exit::Fatal)
        }
    }
}

/// Builds the reloader; the folder must be valid ([`crate::valid::validate`]).
fn start_reloader(ui: &Ui, args: &ServeArgs) -> Result<Reloader, Exit> {
    let dir = &args.rules.dir;
    Reloader::builder(dir).settle(SETTLE).build().map_err(|diagnostics| {
        ui.diagnostics(&diagnostics);
        let n = errors(&diagnostics);
        ui.error(
            &format!("the rule folder `{}` has {n} {}", dir.display(), plural(n, "problem")),
            Some(&format!("fix them, then run `scout check --rules {}`", dir.display())),
        );
        Exit::Fatal
    })
}

fn errors(diagnostics: &[crate::diagnostic::Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
}

/// Watches the rule folder and reloads on its own thread, reporting each outcome on
/// stderr and to the event streams. Requests keep the last good rules whatever happens
/// here.
fn watch(ui: &Ui, args: &ServeArgs, app: Arc<App>) -> notify::Result<Watcher> {
    let options = WatchOptions {
        debounce: Duration::from_millis(args.debounce),
        poll_interval: args.poll.then_some(POLL_INTERVAL),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let reporter = *ui;
    let mut watcher = Watcher::new(options, move |event| match event {
        Ok(batch) => {
            let _ = tx.send(batch.changes);
        }
        Err(errors) => {
            for err in errors {
                reporter.warning(&format!("watcher: {err}"));
            }
        }
    })?;
    watcher.watch_folder(&args.rules.dir)?;
    let ui = *ui;
    std::thread::Builder::new().name("scout-reload".to_owned()).spawn(move || {
        app.reloader.follow(&rx, |outcome| {
            report(&ui, &app.reloader, &outcome);
            app.events.publish(&outcome);
        });
    })?;
    Ok(watcher)
}

fn report(ui: &Ui, reloader: &Reloader, outcome: &Outcome) {
    match outcome {
        Outcome::Activated(activation) => {
            ui.status(&format!(
                "rules reloaded: revision {} → {}",
                activation.previous.revision, activation.current.revision
            ));
            ui.diagnostics(&activation.current.warnings);
        }
        Outcome::Rejected(rejection) => {
            ui.diagnostics(&rejection.diagnostics);
            let n = errors(&rejection.diagnostics);
            ui.error(
                &format!(
                    "reload failed: `{}` has {n} {}",
                    reloader.root().display(),
                    plural(n, "problem")
                ),
                None,
            );
            ui.status(&format!("still serving revision {}", rejection.active));
        }
        Outcome::Unchanged { revision, recovered: true } => ui.status(&format!(
            "the rule folder is valid again, with the content of revision {revision}"
        )),
        Outcome::Unchanged { .. } | Outcome::Ignored => {}
    }
}

/// The first Ctrl-C or SIGTERM starts a graceful shutdown; a second one exits at once.
fn catch_signals(ui: &Ui, stop: tokio::sync::watch::Sender<bool>) {
    let asked = AtomicBool::new(false);
    let reporter = *ui;
    signal::on_signal(ui, move || {
        if asked.swap(true, Ordering::SeqCst) {
            return signal::Action::Exit;
        }
        reporter.status("shutting down: finishing the requests in flight");
        let _ = stop.send(true);
        signal::Action::Continue
    });
}
