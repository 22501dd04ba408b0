//! Hot reload and `scout watch`: the reload logic on synthetic events, ranking changes, and
//! the real watcher end to end.

mod changes;
mod reload;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use scout::rules::load::{read_folder, revision_of};

use crate::{glowskin_toml, root, rules_fixture, save, write_rule, GLOWSKIN_WEIGHTS};

/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(20);

/// A running `scout watch`, its output read line by line from both pipes.
struct Watch {
    child: Child,
    lines: Receiver<(Stream, String)>,
    /// Everything read so far, for failure messages.
    seen: Vec<(Stream, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scout"))
            .arg("watch")
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("SCOUT_RULES")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the scout binary runs");
        let (tx, lines) = mpsc::channel();
        let err_tx = tx.clone();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send((Stream::Out, line));
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send((Stream::Err, line));
            }
        });
        Self { child, lines, seen: Vec::new() }
    }

    /// Where the output is now: pass it to [`Watch::wait_for`] to look only at what
    /// comes after.
    fn mark(&self) -> usize {
        self.seen.len()
    }

    /// Waits until a line on `stream` read after `since` contains `text`; fails after
    /// [`STEP`]. The two pipes are read by two threads, so only the order of lines within
    /// one stream is meaningful.
    fn wait_for(&mut self, since: usize, stream: Stream, text: &str) {
        let matches = |(s, l): &(Stream, String)| *s == stream && l.contains(text);
        if self.seen[since..].iter().any(matches) {
            return;
        }
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = matches(&line);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!(
                    "no {stream:?} line containing `{text}` within {STEP:?}; output so far:\n{}",
                    self.transcript()
                ),
            }
        }
    }

    /// Whether any line after `since` on `stream` contains `text`, among those read so far.
    fn saw(&self, since: usize, stream: Stream, text: &str) -> bool {
        self.seen[since..].iter().any(|(s, l)| *s == stream && l.contains(text))
    }

    fn transcript(&self) -> String {
        self.seen.iter().map(|(s, l)| format!("{s:?}: {l}\n")).collect()
    }

    /// Sends Ctrl-C and waits, bounded, for the exit code.
    fn interrupt(mut self) -> i32 {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + STEP;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "scout watch did not exit on Ctrl-C");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `one_brand` fixture's glowskin, whole, with `beauty` and `wellness` weighing as given.
fn glowskin(beauty: &str, wellness: &str, weights: &str) -> String {
    let niches =
        format!("beauty = {beauty}\nwellness = {wellness}\nfashion = 0.5\nlifestyle = 0.4\n");
    glowskin_toml(&niches, weights)
}

fn revision(rules: &Path) -> String {
    revision_of(&read_folder(rules).unwrap())
}

#[cfg(unix)]
#[test]
fn watch_reranks_on_save_survives_a_broken_file_and_recovers() {
    // The fixture's rule tests pin only tier boundaries, so these glowskin edits pass them.
    let tmp = rules_fixture("one_brand");
    let dir = tmp.path();
    let rules = dir.join("rules");
    let brand = rules.join("brands/glowskin.toml");
    std::fs::copy(root().join("examples/candidates.csv"), dir.join("candidates.csv")).unwrap();
    let first = revision(&rules);

    let mut watch = Watch::start(dir, &["candidates.csv", "--brand", "glowskin", "--top", "5"]);
    watch.wait_for(0, Stream::Err, &format!("revision {first}"));
    watch.wait_for(0, Stream::Out, "│ 1 ┆ @minimal.mara");
    watch.wait_for(0, Stream::Err, "for changes · Ctrl-C to stop");

    // 1. A niche weight: the new ranking and what changed.
    let mark = watch.mark();
    save(&brand, &glowskin("0.5", "1.0", GLOWSKIN_WEIGHTS));
    let second = revision(&rules);
    watch.wait_for(mark, Stream::Out, &format!("rules reloaded: revision {first} → {second}"));
    watch.wait_for(mark, Stream::Out, "│ 2 ┆ @sleepy.sprout");
    watch.wait_for(mark, Stream::Out, "changes in the top 5:");
    watch.wait_for(mark, Stream::Out, "↑15  @sleepy.sprout     #17 → #2  55.24 → 67.24 (+12.00)");
    watch.wait_for(mark, Stream::Out, "↓5   @glossy.graham");
    watch.wait_for(mark, Stream::Out, "left the top 5");
    watch.wait_for(mark, Stream::Err, &format!("revision {second}"));
    watch.wait_for(mark, Stream::Err, "re-rank");
    assert!(watch.saw(mark, Stream::Err, "debounce"), "{}", watch.transcript());
    assert!(watch.saw(mark, Stream::Err, "· reload "), "{}", watch.transcript());

    // 2. A broken save: a located diagnostic, and the old rules keep serving.
    let mark = watch.mark();
    save(&brand, &glowskin("0.5", "1.0", &format!("wieght = 0.1\n{GLOWSKIN_WEIGHTS}")));
    watch.wait_for(mark, Stream::Err, "error: unknown key `wieght`");
    watch.wait_for(mark, Stream::Err, "--> rules/brands/glowskin.toml:22:1");
    watch.wait_for(mark, Stream::Err, "22 | wieght = 0.1");
    watch.wait_for(mark, Stream::Err, &format!("still using revision {second}"));
    watch.wait_for(mark, Stream::Out, "update 2: reload failed");

    // 3. The fix: back to a new, valid revision.
    let mark = watch.mark();
    save(&brand, &glowskin("0.9", "1.0", GLOWSKIN_WEIGHTS));
    let third = revision(&rules);
    watch.wait_for(mark, Stream::Out, &format!("rules reloaded: revision {second} → {third}"));
    watch.wait_for(mark, Stream::Err, &format!("revision {third}"));
    // A failed reload printed no ranking: stdout holds only its separator.
    let stdout: Vec<&str> =
        watch.seen.iter().filter(|(s, _)| *s == Stream::Out).map(|(_, l)| l.as_str()).collect();
    let failed = stdout.iter().position(|l| l.contains("update 2: reload failed")).unwrap();
    let next = stdout[failed + 1..].iter().find(|l| !l.is_empty()).unwrap();
    assert!(next.contains("update 3: rules reloaded"), "{}", watch.transcript());

    // 4. The candidate list changes too.
    let mark = watch.mark();
    let list = dir.join("candidates.csv");
    let mut text = std::fs::read_to_string(&list).unwrap();
    text.push_str("fresh.face,instagram,5000,300,200,600,40,5,,skincare,US,0.02,50,new in town\n");
    save(&list, &text);
    watch.wait_for(mark, Stream::Out, "`candidates.csv` changed: 83 → 84 rows");
    watch.wait_for(mark, Stream::Out, "@fresh.face");
    watch.wait_for(mark, Stream::Err, "ranked 20 of 84 candidates");

    assert_eq!(watch.interrupt(), 0);
}

#[cfg(unix)]
#[test]
fn watch_polls_when_asked() {
    // The fixture's rule tests pin only tier boundaries, so these glowskin edits pass them.
    let tmp = rules_fixture("one_brand");
    let dir = tmp.path();
    let rules = dir.join("rules");
    std::fs::copy(root().join("examples/candidates.csv"), dir.join("candidates.csv")).unwrap();
    let mut watch =
        Watch::start(dir, &["candidates.csv", "--brand", "glowskin", "--top", "3", "--poll"]);
    watch.wait_for(0, Stream::Err, "(polling) · Ctrl-C to stop");
    let mark = watch.mark();
    // Same size, same second: only the content tells.
    save(&rules.join("brands/glowskin.toml"), &glowskin("0.2", "0.6", GLOWSKIN_WEIGHTS));
    watch.wait_for(mark, Stream::Err, &format!("revision {}", revision(&rules)));
    assert_eq!(watch.interrupt(), 0);
}

#[test]
fn watch_refuses_to_start_on_broken_rules() {
    let tmp = rules_fixture("one_brand");
    let typo = glowskin("1.0", "0.6", &format!("wieght = 0.1\n{GLOWSKIN_WEIGHTS}"));
    write_rule(&tmp, "brands/glowskin.toml", &typo);
    let run = crate::scout_in(tmp.path(), &["watch", "x.csv", "--brand", "glowskin"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown key `wieght`"), "{}", run.stderr);
}

#[test]
fn watch_refuses_an_unknown_brand() {
    let tmp = rules_fixture("one_brand");
    let run = crate::scout_in(tmp.path(), &["watch", "x.csv", "--brand", "glowskn"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown brand `glowskn`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `glowskin`?"), "{}", run.stderr);
}
