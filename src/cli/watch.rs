//! `scout watch`: rank a candidate list, then re-rank live as the rule files or the list
//! change, showing what moved. A broken save never replaces the rules in use: the
//! diagnostics are shown and the last good revision keeps serving.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use super::import::{CandidateInput, CandidatesArgs};
use super::{plural, signal, Exit, RulesArg, Ui};
use crate::changes::{self, Changes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::input::Source;
use crate::model::{Candidate, RowError};
use crate::rank::{self, RankOptions, Ranking};
use crate::reload::watcher::{WatchEvent, WatchOptions, Watcher};
use crate::reload::{Outcome, Reloader};
use crate::rules::RuleSet;

/// Arguments of `scout watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Show the best N, and report who enters or leaves them.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Poll for changes instead of using the system's notifications (network file systems,
    /// containers).
    #[arg(long)]
    pub poll: bool,
    /// How long a file must be quiet before scout reloads, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub debounce: u64,
    #[command(flatten)]
    pub candidates: CandidatesArgs,
}

/// How often `--poll` looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long the rule files must stay the same between two reads before a reload uses
/// them, so a file caught mid-save (truncated, not yet written) is never loaded.
const SETTLE: Duration = Duration::from_millis(20);

enum Message {
    Watch(WatchEvent),
    Quit,
}

/// Where updates go: a live screen on a terminal, an appended log when piped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Terminal,
    Log,
}

struct Session<'a> {
    ui: &'a Ui,
    args: &'a WatchArgs,
    screen: Screen,
    reloader: Reloader,
    /// The candidate list (stdin is read once, into memory).
    input: CandidateInput,
    rows: Arc<Rows>,
    /// The last ranking, uncut, so ranks outside the top N are known; its filtered rows
    /// keep no reasons (writing them out for every row was most of a re-rank): the few a
    /// comparison shows are worked out from the rules and rows it was ranked with.
    ranking: Ranking,
    ranked_with: (Arc<RuleSet>, Arc<Rows>),
    updates: usize,
    /// Set by Ctrl-C or SIGTERM; a ranking looks at it between batches.
    stop: Arc<AtomicBool>,
}

/// Runs `scout watch`.
pub fn run(ui: &Ui, args: &WatchArgs) -> Exit {
    let (tx, rx) = mpsc::channel();
    let stop = catch_ctrl_c(ui, tx.clone());
    let (mut session, ranked_in) = match Session::start(ui, args, stop) {
        Ok(started) => started,
        Err(exit) => return exit,
    };
    let (_watcher, candidates_path) = match watch(args, &session.input.source, tx) {
        Ok(watched) => watched,
        Err(err) => {
            ui.error(&format!("cannot watch `{}`: {err}", args.rules.dir.display()), None);
            return Exit::Fatal;
        }
    };
    if session.show_ranking(None, None, &format!("rank {}", ms(ranked_in)), true).is_err() {
        return Exit::Success;
    }
    ui.status(&format!(
        "watching `{}`{} for changes{} · Ctrl-C to stop",
        args.rules.dir.display(),
        match &session.input.source {
            Source::File(path) => format!(" and `{}`", path.display()),
            Source::Stdin | Source::Bytes { .. } => String::new(),
        },
        if args.poll { " (polling)" } else { "" },
    ));
    session.follow(&rx, candidates_path.as_deref())
}

/// Builds the reloader: the rules must load, define the brand and pass their own tests.
fn start_reloader(ui: &Ui, args: &WatchArgs) -> Result<Reloader, Exit> {
    let dir = &args.rules.dir;
    let brand = args.brand.clone();
    Reloader::builder(dir)
        .settle(SETTLE)
        // The reloader activates only valid folders (`valid::validate_files`: loads, copes
        // with the probes, passes its rule tests); this brand must also exist.
        .validator(move |rules, _| brand_exists(rules, &brand))
        .build()
        .map_err(|diagnostics| {
            ui.diagnostics(&diagnostics);
            let n = errors(&diagnostics);
            ui.error(
                &format!("the rule folder `{}` has {n} {}", dir.display(), plural(n, "problem")),
                Some(&format!("fix them, then run `scout check --rules {}`", dir.display())),
            );
            Exit::Fatal
        })
}

/// On Ctrl-C or SIGTERM, sets the returned flag (a ranking looks at it between batches)
/// and sends [`Message::Quit`]; a second signal while the first is still being honoured
/// ends the process.
fn catch_ctrl_c(ui: &Ui, tx: mpsc::Sender<Message>) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    signal::on_signal(ui, move || {
        if flag.swap(true, Ordering::SeqCst) {
            return signal::Action::Exit;
        }
        let _ = tx.send(Message::Quit);
        signal::Action::Continue
    });
    stop
}

/// Watches the rule folder, and the candidate list when it is a file (whose watched path
/// comes back with the watcher).
fn watch(
    args: &WatchArgs,
    source: &Source,
    tx: mpsc::Sender<Message>,
) -> notify::Result<(Watcher, Option<PathBuf>)> {
    let options = WatchOptions {
        debounce: Duration::from_millis(args.debounce),
        poll_interval: args.poll.then_some(POLL_INTERVAL),
    };
    let mut watcher = Watcher::new(options, move |event| {
        let _ = tx.send(Message::Watch(event));
    })?;
    watcher.watch_folder(&args.rules.dir)?;
    let candidates = match source {
        Source::File(path) => Some(watcher.watch_file(path)?),
        Source::Stdin | Source::Bytes { .. } => None,
    };
    Ok((watcher, candidates))
}

/// What one burst of queued messages asks for.
#[derive(Default)]
struct Burst {
    quit: bool,
    rules_changed: bool,
    candidates_changed: bool,
    first_event: Option<Instant>,
    delivered: Option<Instant>,
}

impl Burst {
    /// How long the debouncer held the burst's events.
    fn debounce(&self) -> Duration {
        match (self.first_event, self.delivered) {
            (Some(first), Some(last)) => last.saturating_duration_since(first),
            _ => Duration::ZERO,
        }
    }
}

/// Vetoes a rule set that no longer defines the watched brand.
fn brand_exists(rules: &crate::rules::RuleSet, brand: &str) -> Result<(), Vec<Diagnostic>> {
    match rules.brand(brand) {
        Ok(_) => Ok(()),
        Err(err) => Err(vec![Diagnostic::error(
            rules.root.join(crate::rules::load::BRANDS_DIR).join(format!("{brand}.toml")),
            err.to_string(),
        )
        .hint(err.hint())]),
    }
}

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
}

type Rows = Vec<Result<Candidate, RowError>>;

/// Ranks with one snapshot of the rules, uncut, filtered rows without their reasons; the
/// ranking and the snapshot, or `None` when `stop` was set meanwhile.
fn rank_rows(
    reloader: &Reloader,
    brand: &str,
    rows: &[Result<Candidate, RowError>],
    stop: &AtomicBool,
) -> Option<(Ranking, Arc<RuleSet>)> {
    let rules = reloader.snapshot();
    let brand = rules.brand(brand).expect("the reloader only activates rules with this brand");
    let options = RankOptions { top: None, reasons: false, ..RankOptions::default() };
    let ranking = rank::rank_slice_until(&rules, brand, rows, options, stop)?;
    Some((ranking, rules))
}

/// The reasons of a filtered row of a ranking made by [`rank_rows`] from `rules` and `rows`.
fn reasons_of(
    (rules, rows): &(Arc<RuleSet>, Arc<Rows>),
    brand: &str,
    filtered: &rank::Filtered,
) -> Vec<String> {
    match rules.brand(brand) {
        Ok(brand) => rank::row::reasons_of(rules, brand, rows, filtered),
        Err(_) => filtered.reasons.clone(),
    }
}

/// Adds a reload's settle and reload times to `timings`, and an activation's revisions to
/// `header`.
fn describe_reload(outcome: &Outcome, timings: &mut Vec<String>, header: &mut Vec<String>) {
    match outcome {
        Outcome::Activated(activation) => {
            timings.push(format!("settle {}", ms(activation.settling)));
            timings.push(format!("reload {}", ms(activation.took - activation.settling)));
            header.push(format!(
                "rules reloaded: revision {} → {}",
                activation.previous.revision, activation.current.revision
            ));
        }
        Outcome::Rejected(rejection) => {
            timings.push(format!("settle {}", ms(rejection.settling)));
            timings.push(format!("reload {}", ms(rejection.took - rejection.settling)));
        }
        Outcome::Unchanged { .. } | Outcome::Ignored => {}
    }
}

fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

impl<'a> Session<'a> {
    /// Whether Ctrl-C or SIGTERM asked to stop.
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Loads the rules, reads the list and ranks it once; gives the time the ranking took.
    fn start(
        ui: &'a Ui,
        args: &'a WatchArgs,
        stop: Arc<AtomicBool>,
    ) -> Result<(Self, Duration), Exit> {
        let dir = &args.rules.dir;
        let reloader = start_reloader(ui, args)?;
        ui.diagnostics(&reloader.snapshot().warnings);
        let input = args.candidates.prepare(ui, dir, Some(&reloader.snapshot().taxonomy))?;
        let rows: Arc<Rows> = Arc::new(input.read_or_report(ui, dir)?.collect());
        let screen = if std::io::stdout().is_terminal() { Screen::Terminal } else { Screen::Log };
        let started = Instant::now();
        let Some((ranking, rules)) = rank_rows(&reloader, &args.brand, &rows, &stop) else {
            ui.status("stopped watching");
            return Err(Exit::Success);
        };
        let ranked_in = started.elapsed();
        let ranked_with = (rules, Arc::clone(&rows));
        let session = Session {
            ui,
            args,
            screen,
            reloader,
            input,
            rows,
            ranking,
            ranked_with,
            updates: 0,
            stop,
        };
        Ok((session, ranked_in))
    }

    /// Follows the watcher until Ctrl-C, or until nobody reads stdout.
    fn follow(&mut self, rx: &mpsc::Receiver<Message>, candidates_path: Option<&Path>) -> Exit {
        while let Ok(first) = rx.recv() {
            // Take everything already queued: a burst of saves costs one reload.
            let burst = self.burst(std::iter::once(first).chain(rx.try_iter()), candidates_path);
            if burst.quit {
                self.ui.status("stopped watching");
                return Exit::Success;
            }
            let (rules, candidates) = (burst.rules_changed, burst.candidates_changed);
            if self.update(rules, candidates, burst.debounce()).is_err() {
                // stdout was closed: nobody is reading any more.
                return Exit::Success;
            }
            if self.stopped() {
                self.ui.status("stopped watching");
                return Exit::Success;
            }
        }
        Exit::Success
    }

    /// Folds queued messages into one burst; stops at a quit.
    fn burst(
        &self,
        messages: impl Iterator<Item = Message>,
        candidates_path: Option<&Path>,
    ) -> Burst {
        let mut burst = Burst::default();
        for message in messages {
            let batch = match message {
                Message::Quit => {
                    burst.quit = true;
                    return burst;
                }
                Message::Watch(Err(errors)) => {
                    for err in errors {
                        self.ui.warning(&format!("watcher: {err}"));
                    }
                    continue;
                }
                Message::Watch(Ok(batch)) => batch,
            };
            burst.rules_changed |= self.reloader.any_relevant(&batch.changes);
            burst.candidates_changed |= candidates_path.is_some_and(|path| {
                batch.changes.iter().any(|c| c.paths.iter().any(|p| p == path))
            });
            burst.first_event =
                Some(burst.first_event.map_or(batch.first_event, |t| t.min(batch.first_event)));
            burst.delivered =
                Some(burst.delivered.map_or(batch.delivered, |t| t.max(batch.delivered)));
        }
        burst
    }

    /// Handles one round of changes: reload, re-read, re-rank and show what changed, then
    /// report a failed or recovered reload. Errs only when stdout is gone.
    fn update(
        &mut self,
        rules_changed: bool,
        candidates_changed: bool,
        debounce: Duration,
    ) -> std::io::Result<()> {
        let outcome = if rules_changed { self.reloader.reload() } else { Outcome::Ignored };
        if self.stopped() {
            return Ok(());
        }
        let (candidates_note, reread) =
            if candidates_changed { self.reread() } else { (None, None) };
        let mut timings = vec![format!("debounce {}", ms(debounce))];
        let mut header = Vec::new();
        describe_reload(&outcome, &mut timings, &mut header);
        if let Some(read) = reread {
            timings.push(format!("read {}", ms(read)));
        }
        header.extend(candidates_note);
        let rerank = matches!(outcome, Outcome::Activated(_)) || reread.is_some();
        if rerank {
            self.rerank(&header.join(" · "), timings, &outcome)?;
        }
        self.report_reload(outcome, rerank)
    }

    /// Reads the candidate list again: a note on what changed and how long the read took,
    /// or nothing (and the old rows kept) when it cannot be read.
    fn reread(&mut self) -> (Option<String>, Option<Duration>) {
        let started = Instant::now();
        match self.input.read() {
            Ok(rows) => {
                let rows: Vec<_> = rows.collect();
                let note = format!(
                    "`{}` changed: {} → {} rows",
                    self.input.source.name(),
                    self.rows.len(),
                    rows.len()
                );
                self.rows = Arc::new(rows);
                (Some(note), Some(started.elapsed()))
            }
            Err(err) => {
                self.ui.error(&err.to_string(), err.hint().as_deref());
                self.ui.status(&format!(
                    "still using the previous candidate list ({} rows)",
                    self.rows.len()
                ));
                (None, None)
            }
        }
    }

    /// Ranks again with the current rules and rows, and shows the ranking and what changed.
    fn rerank(
        &mut self,
        header: &str,
        mut timings: Vec<String>,
        outcome: &Outcome,
    ) -> std::io::Result<()> {
        let started = Instant::now();
        let Some((ranking, rules)) =
            rank_rows(&self.reloader, &self.args.brand, &self.rows, &self.stop)
        else {
            return Ok(());
        };
        timings.push(format!("re-rank {}", ms(started.elapsed())));
        let ranked_with = (rules, Arc::clone(&self.rows));
        let brand = &self.args.brand;
        let changes =
            changes::compare_with(&self.ranking, &ranking, self.args.top, |side, filtered| {
                match side {
                    changes::Side::Before => reasons_of(&self.ranked_with, brand, filtered),
                    changes::Side::After => reasons_of(&ranked_with, brand, filtered),
                }
            });
        self.ranked_with = ranked_with;
        // A log shows unusable rows again only when they changed; a screen always does.
        let show_errors = self.screen == Screen::Terminal || ranking.errors != self.ranking.errors;
        let previous = std::mem::replace(&mut self.ranking, ranking);
        self.show_ranking(Some(header), Some(&changes), &timings.join(" · "), show_errors)?;
        if let Outcome::Activated(activation) = outcome {
            self.ui.diagnostics(&activation.current.warnings);
        }
        // Freeing 100K rows' worth of results takes tens of milliseconds: after printing.
        drop(previous);
        Ok(())
    }

    /// Reports a rejected reload, or rules valid again; when nothing was re-ranked, starts
    /// an update for it first.
    fn report_reload(&mut self, outcome: Outcome, reranked: bool) -> std::io::Result<()> {
        match outcome {
            Outcome::Rejected(rejection) => {
                if !reranked {
                    self.separator("reload failed")?;
                    if self.screen == Screen::Terminal {
                        self.write_table()?;
                    }
                }
                self.ui.diagnostics(&rejection.diagnostics);
                let n = errors(&rejection.diagnostics);
                self.ui.error(
                    &format!(
                        "reload failed: `{}` has {n} {}",
                        self.reloader.root().display(),
                        plural(n, "problem")
                    ),
                    None,
                );
                self.ui.status(&format!("still using revision {}", rejection.active));
            }
            Outcome::Unchanged { revision, recovered: true } => {
                if !reranked {
                    self.separator("rules valid again")?;
                    if self.screen == Screen::Terminal {
                        self.write_table()?;
                    }
                }
                self.ui.status(&format!(
                    "the rule folder is valid again, with the content of revision {revision}"
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Starts an update: clears the screen on a terminal, draws a separator in a log.
    fn separator(&mut self, what: &str) -> std::io::Result<()> {
        self.updates += 1;
        // `what` names changed files: their names are data.
        let what = crate::text::printable(what);
        let mut out = std::io::stdout().lock();
        match self.screen {
            Screen::Terminal => {
                writeln!(out, "\x1b[H\x1b[2J\x1b[3Jupdate {}: {what}", self.updates)?
            }
            Screen::Log => writeln!(out, "\n──────── update {}: {what} ────────", self.updates)?,
        }
        out.flush()
    }

    fn write_table(&self) -> std::io::Result<()> {
        let shown = Ranking {
            revision: self.ranking.revision.clone(),
            brand: self.ranking.brand.clone(),
            counts: self.ranking.counts,
            results: self.ranking.results.iter().take(self.args.top).cloned().collect(),
            filtered: Vec::new(),
            errors: Vec::new(),
            rule_errors: Vec::new(),
            duplicates: Vec::new(),
            filter_counts: Default::default(),
            warnings: Vec::new(),
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", crate::output::table::ranking(&shown))?;
        out.flush()
    }

    /// Prints the ranking, what changed, and the summary and timings.
    fn show_ranking(
        &mut self,
        header: Option<&str>,
        changes: Option<&Changes>,
        timings: &str,
        show_errors: bool,
    ) -> std::io::Result<()> {
        match header {
            Some(header) => self.separator(header)?,
            None if self.screen == Screen::Terminal => {
                write!(std::io::stdout(), "\x1b[H\x1b[2J\x1b[3J")?;
            }
            None => {}
        }
        self.write_table()?;
        if let Some(changes) = changes {
            let mut out = std::io::stdout().lock();
            write!(out, "{}", crate::output::changes::render(changes))?;
            out.flush()?;
        }
        if show_errors {
            super::rank::report_errors(self.ui, &self.ranking);
        }
        self.ui.status(&super::rank::summary(&self.ranking));
        self.ui.status(timings);
        Ok(())
    }
}
