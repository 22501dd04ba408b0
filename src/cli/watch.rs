//! `scout watch`: rank a candidate list, then re-rank live as the rule files or the list
//! change, showing what moved. A broken save never replaces the rules in use: the
//! diagnostics are shown and the last good revision keeps serving.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::import::{report_input_error, ImportArgs};
use super::{plural, Exit, RulesArg, Ui};
use crate::changes::{self, Changes, Move, Standing};
use crate::diagnostic::{Diagnostic, Severity};
use crate::input::{self, Format, ReadOptions, Source};
use crate::model::{Candidate, RowError};
use crate::rank::{self, RankOptions, Ranking};
use crate::reload::watcher::{WatchEvent, WatchOptions, Watcher};
use crate::reload::{Outcome, Reloader};

/// Arguments of `scout watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// The candidate list: CSV, JSON or NDJSON; `-` reads stdin once.
    #[arg(value_name = "CANDIDATES")]
    pub candidates: PathBuf,
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Show the best N, and report who enters or leaves them.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// The candidate list's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// Poll for changes instead of using the system's notifications (network file systems,
    /// containers).
    #[arg(long)]
    pub poll: bool,
    /// How long a file must be quiet before scout reloads, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub debounce: u64,
    #[command(flatten)]
    pub import: ImportArgs,
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
    source: Source,
    format: Format,
    read: ReadOptions,
    rows: Vec<Result<Candidate, RowError>>,
    /// The last ranking, uncut, so ranks outside the top N are known.
    ranking: Ranking,
    updates: usize,
}

/// Runs `scout watch`.
pub fn run(ui: &Ui, args: &WatchArgs) -> Exit {
    let dir = &args.rules.dir;
    let brand = args.brand.clone();
    let reloader = match Reloader::builder(dir)
        .settle(SETTLE)
        .validator(move |rules, _| brand_exists(rules, &brand))
        // A folder whose own rule tests fail is not activated: the old rules keep serving.
        .validator(|rules, _| crate::authoring::ruletest::validate(rules))
        .build()
    {
        Ok(reloader) => reloader,
        Err(diagnostics) => {
            ui.diagnostics(&diagnostics);
            let n = errors(&diagnostics);
            ui.error(
                &format!("the rule folder `{}` has {n} {}", dir.display(), plural(n, "problem")),
                Some(&format!("fix them, then run `scout check --rules {}`", dir.display())),
            );
            return Exit::Fatal;
        }
    };
    ui.diagnostics(&reloader.snapshot().warnings);
    let read = match args.import.options(ui, dir, Some(&reloader.snapshot().taxonomy)) {
        Ok(read) => read,
        Err(exit) => return exit,
    };
    let source = Source::from_arg(&args.candidates);
    let format = source.format(args.input_format);
    let rows = match read_rows(&source, format, &read) {
        Ok(rows) => rows,
        Err(err) => {
            report_input_error(ui, &err, dir, read.mapping.is_some());
            return Exit::Fatal;
        }
    };
    let screen = if std::io::stdout().is_terminal() { Screen::Terminal } else { Screen::Log };
    let started = Instant::now();
    let ranking = rank_rows(&reloader, &args.brand, &rows);
    let ranked_in = started.elapsed();
    let mut session =
        Session { ui, args, screen, reloader, source, format, read, rows, ranking, updates: 0 };

    let (tx, rx) = mpsc::channel();
    let quit = tx.clone();
    if let Err(err) = ctrlc::set_handler(move || {
        let _ = quit.send(Message::Quit);
    }) {
        ui.warning(&format!("cannot catch Ctrl-C: {err}"));
    }
    let options = WatchOptions {
        debounce: Duration::from_millis(args.debounce),
        poll_interval: args.poll.then_some(POLL_INTERVAL),
    };
    let watched = Watcher::new(options, move |event| {
        let _ = tx.send(Message::Watch(event));
    })
    .and_then(|mut watcher| {
        watcher.watch_folder(dir)?;
        let candidates = match &session.source {
            Source::File(path) => Some(watcher.watch_file(path)?),
            Source::Stdin | Source::Bytes { .. } => None,
        };
        Ok((watcher, candidates))
    });
    let (_watcher, candidates_path) = match watched {
        Ok(watched) => watched,
        Err(err) => {
            ui.error(&format!("cannot watch `{}`: {err}", dir.display()), None);
            return Exit::Fatal;
        }
    };

    if session.show_ranking(None, None, &format!("rank {}", ms(ranked_in)), true).is_err() {
        return Exit::Success;
    }
    ui.status(&format!(
        "watching `{}`{} for changes{} · Ctrl-C to stop",
        dir.display(),
        match &session.source {
            Source::File(path) => format!(" and `{}`", path.display()),
            Source::Stdin | Source::Bytes { .. } => String::new(),
        },
        if args.poll { " (polling)" } else { "" },
    ));

    while let Ok(first) = rx.recv() {
        // Take everything already queued: a burst of saves costs one reload.
        let mut messages = vec![first];
        messages.extend(rx.try_iter());
        let mut rules_changed = false;
        let mut candidates_changed = false;
        let mut first_event: Option<Instant> = None;
        let mut delivered: Option<Instant> = None;
        for message in messages {
            let batch = match message {
                Message::Quit => {
                    ui.status("stopped watching");
                    return Exit::Success;
                }
                Message::Watch(Err(errors)) => {
                    for err in errors {
                        ui.warning(&format!("watcher: {err}"));
                    }
                    continue;
                }
                Message::Watch(Ok(batch)) => batch,
            };
            rules_changed |= session.reloader.any_relevant(&batch.changes);
            candidates_changed |= candidates_path.as_ref().is_some_and(|path| {
                batch.changes.iter().any(|c| c.paths.iter().any(|p| p == path))
            });
            first_event = Some(first_event.map_or(batch.first_event, |t| t.min(batch.first_event)));
            delivered = Some(delivered.map_or(batch.delivered, |t| t.max(batch.delivered)));
        }
        let debounce = match (first_event, delivered) {
            (Some(first), Some(last)) => last.saturating_duration_since(first),
            _ => Duration::ZERO,
        };
        if session.update(rules_changed, candidates_changed, debounce).is_err() {
            // stdout was closed: nobody is reading any more.
            return Exit::Success;
        }
    }
    Exit::Success
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

fn read_rows(
    source: &Source,
    format: Format,
    read: &ReadOptions,
) -> Result<Vec<Result<Candidate, RowError>>, input::InputError> {
    Ok(input::read_with(source, format, read)?.collect())
}

/// Ranks with one snapshot of the rules, uncut.
fn rank_rows(reloader: &Reloader, brand: &str, rows: &[Result<Candidate, RowError>]) -> Ranking {
    let rules = reloader.snapshot();
    let brand = rules.brand(brand).expect("the reloader only activates rules with this brand");
    rank::rank_slice(&rules, brand, rows, RankOptions { top: None, ..RankOptions::default() })
}

fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

impl Session<'_> {
    /// Handles one round of changes. Errs only when stdout is gone.
    fn update(
        &mut self,
        rules_changed: bool,
        candidates_changed: bool,
        debounce: Duration,
    ) -> std::io::Result<()> {
        let outcome = if rules_changed { self.reloader.reload() } else { Outcome::Ignored };
        let mut candidates_note = None;
        let mut reread = None;
        if candidates_changed {
            let started = Instant::now();
            match read_rows(&self.source, self.format, &self.read) {
                Ok(rows) => {
                    candidates_note = Some(format!(
                        "`{}` changed: {} → {} rows",
                        self.source.name(),
                        self.rows.len(),
                        rows.len()
                    ));
                    self.rows = rows;
                    reread = Some(started.elapsed());
                }
                Err(err) => {
                    self.ui.error(&err.to_string(), err.hint().as_deref());
                    self.ui.status(&format!(
                        "still using the previous candidate list ({} rows)",
                        self.rows.len()
                    ));
                }
            }
        }
        let mut timings = vec![format!("debounce {}", ms(debounce))];
        let mut header = Vec::new();
        match &outcome {
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
        if let Some(read) = reread {
            timings.push(format!("read {}", ms(read)));
        }
        header.extend(candidates_note);
        let rerank = matches!(outcome, Outcome::Activated(_)) || reread.is_some();
        if rerank {
            let started = Instant::now();
            let ranking = rank_rows(&self.reloader, &self.args.brand, &self.rows);
            timings.push(format!("re-rank {}", ms(started.elapsed())));
            let changes = changes::compare(&self.ranking, &ranking, self.args.top);
            // A log shows unusable rows again only when they changed; a screen always does.
            let show_errors =
                self.screen == Screen::Terminal || ranking.errors != self.ranking.errors;
            let previous = std::mem::replace(&mut self.ranking, ranking);
            self.show_ranking(
                Some(&header.join(" · ")),
                Some(&changes),
                &timings.join(" · "),
                show_errors,
            )?;
            if let Outcome::Activated(activation) = &outcome {
                self.ui.diagnostics(&activation.current.warnings);
            }
            // Freeing 100K rows' worth of results takes tens of milliseconds: after printing.
            drop(previous);
        }
        match outcome {
            Outcome::Rejected(rejection) => {
                if !rerank {
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
                if !rerank {
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
            script_errors: self.ranking.script_errors,
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", crate::output::table(&shown))?;
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
            write!(out, "{}", render_changes(changes))?;
            out.flush()?;
        }
        if show_errors {
            super::rank::report_errors(self.ui, &self.ranking);
        }
        let c = self.ranking.counts;
        self.ui.status(&format!(
            "ranked {} of {} {} for `{}` ({} filtered, {} invalid) · revision {}",
            c.ranked,
            c.read,
            plural(c.read, "candidate"),
            self.ranking.brand,
            c.filtered,
            c.invalid,
            self.ranking.revision
        ));
        self.ui.status(timings);
        Ok(())
    }
}

/// The changes as text: one line per candidate whose place, tier or score changed in the
/// top N.
pub fn render_changes(changes: &Changes) -> String {
    let top = changes.top;
    if changes.is_empty() {
        return format!("no change in the top {top}\n");
    }
    let rows: Vec<[String; 6]> = changes.movements.iter().map(|m| change_row(m, top)).collect();
    let mut widths = [0usize; 6];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = format!("changes in the top {top}:\n");
    for row in &rows {
        let mut line = String::from(" ");
        for (cell, width) in row.iter().zip(widths) {
            if width == 0 {
                continue;
            }
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 1));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `[move, handle, ranks, score, tier, note]` for one movement.
fn change_row(m: &Move, top: usize) -> [String; 6] {
    let place = |s: &Standing| s.rank.map_or_else(|| "–".to_owned(), |r| format!("#{r}"));
    let score = |s: &Standing| s.score.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"));
    let arrow = match m.places_up() {
        Some(d) if d > 0 => format!("↑{d}"),
        Some(d) if d < 0 => format!("↓{}", -d),
        Some(_) => "=".to_owned(),
        None if m.after.rank.is_some() => "new".to_owned(),
        None => "out".to_owned(),
    };
    let delta = match m.score_delta() {
        Some(d) if d != 0.0 => format!(" ({d:+.2})"),
        _ => String::new(),
    };
    let tier = m.tier_change().map_or_else(String::new, |(from, to)| format!("{from} → {to}"));
    let note = if m.entered(top) {
        format!("entered the top {top}")
    } else if m.left(top) {
        let reasons = &m.after.filtered;
        if !reasons.is_empty() {
            format!("left the top {top}: filtered ({})", reasons.join("; "))
        } else if m.after.rank.is_none() {
            format!("left the top {top}: not ranked")
        } else {
            format!("left the top {top}")
        }
    } else {
        String::new()
    };
    [
        arrow,
        format!("@{}", m.handle),
        format!("{} → {}", place(&m.before), place(&m.after)),
        format!("{} → {}{delta}", score(&m.before), score(&m.after)),
        tier,
        note,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(rank: usize, score: f64, tier: &str) -> Standing {
        Standing::ranked(rank, score, tier)
    }

    #[test]
    fn renders_moves_tiers_entries_and_exits() {
        let movement = |handle: &str, before, after| Move {
            handle: handle.to_owned(),
            platform: Some("instagram".to_owned()),
            line: 2,
            before,
            after,
        };
        let changes = Changes {
            top: 3,
            from_revision: "aaa".to_owned(),
            to_revision: "bbb".to_owned(),
            movements: vec![
                movement("glossy.graham", standing(4, 70.0, "micro"), standing(1, 74.5, "micro")),
                movement("ana_k", standing(1, 75.0, "micro"), standing(2, 71.25, "mid")),
                movement("minimal.mara", standing(3, 69.0, "nano"), standing(3, 69.5, "nano")),
                movement(
                    "velvet.vanity",
                    standing(2, 72.0, "micro"),
                    Standing::filtered(vec!["tier `mid` not in [nano, micro]".to_owned()]),
                ),
            ],
        };
        insta::assert_snapshot!(render_changes(&changes), @r"
        changes in the top 3:
          ↑3   @glossy.graham  #4 → #1  70.00 → 74.50 (+4.50)               entered the top 3
          ↓1   @ana_k          #1 → #2  75.00 → 71.25 (-3.75)  micro → mid
          =    @minimal.mara   #3 → #3  69.00 → 69.50 (+0.50)
          out  @velvet.vanity  #2 → –   72.00 → –                           left the top 3: filtered (tier `mid` not in [nano, micro])
        ");
    }

    #[test]
    fn says_when_nothing_changed() {
        let changes = Changes {
            top: 10,
            from_revision: "a".to_owned(),
            to_revision: "b".to_owned(),
            movements: Vec::new(),
        };
        assert_eq!(render_changes(&changes), "no change in the top 10\n");
    }
}
