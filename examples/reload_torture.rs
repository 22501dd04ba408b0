//! A torture run of hot reload: many rapid saves of a rule folder, mixing valid saves,
//! invalid saves and atomic-rename saves, with the real file-system watcher, while a reader
//! thread takes snapshots as fast as it can and checks each one.
//!
//! ```sh
//! cargo run --release --example reload_torture -- [--saves 1000] [--seed 7] [--poll] [--settle 20]
//! ```
//!
//! `--settle MS` is the reloader's settle time (`scout watch` uses 20 ms); 0 reads the
//! folder once per reload.
//!
//! It reports how many reloads there were (activated, rejected, unchanged), how many
//! snapshots the reader checked, whether any of them was a broken or mixed rule set, whether
//! the final revision is the final valid content's, and the resident memory before and
//! after. It exits 1 if an invariant broke.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use scout::reload::watcher::{WatchOptions, Watcher};
use scout::reload::{Outcome, Reloader};
use scout::rules::load::{read_folder, revision_of};

const BRAND: &str = "brands/glowskin.toml";

/// A small deterministic generator, so a seed reproduces a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The beauty weight glowskin gives in the active rules.
fn beauty(rules: &scout::rules::RuleSet) -> Option<f64> {
    let id = rules.taxonomy.resolve("beauty")?;
    Some(rules.brands.get("glowskin")?.niche_weights[id])
}

#[derive(Clone, Copy, Debug)]
enum Save {
    Valid,
    ValidRename,
    Invalid,
    InvalidRename,
}

fn main() {
    let mut saves = 1_000usize;
    let mut seed = 7u64;
    let mut poll = false;
    let mut settle = 20u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--saves" => saves = args.next().and_then(|v| v.parse().ok()).expect("--saves N"),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--poll" => poll = true,
            "--settle" => settle = args.next().and_then(|v| v.parse().ok()).expect("--settle MS"),
            other => panic!("unknown argument `{other}`"),
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let root: PathBuf = tmp.path().join("rules");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &root);
    let brand_path = root.join(BRAND);
    let original = std::fs::read_to_string(&brand_path).unwrap();
    assert!(original.contains("beauty = 1.0"));

    let reloader = Arc::new(
        Reloader::builder(&root)
            .settle(Duration::from_millis(settle))
            .build()
            .expect("the bundled rules load"),
    );
    // Every valid revision written, with the weight it must carry; every invalid one.
    let valid: Arc<Mutex<HashMap<String, f64>>> = Arc::default();
    let invalid: Arc<Mutex<Vec<String>>> = Arc::default();
    valid.lock().unwrap().insert(reloader.revision(), 1.0);

    let (tx, rx) = mpsc::channel();
    let options = WatchOptions {
        debounce: Duration::from_millis(100),
        poll_interval: poll.then_some(Duration::from_millis(250)),
    };
    let mut watcher = Watcher::new(options, move |event| {
        if let Ok(batch) = event {
            let _ = tx.send(batch.changes);
        }
    })
    .unwrap();
    watcher.watch_folder(&root).unwrap();

    // Activated, rejected, unchanged; and rejections for an empty file (a save caught
    // between truncating and writing).
    let counts =
        Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    let reload_thread = {
        let reloader = Arc::clone(&reloader);
        let counts = Arc::clone(&counts);
        std::thread::spawn(move || {
            reloader.follow(&rx, |outcome| {
                let i = match outcome {
                    Outcome::Activated(_) => 0,
                    Outcome::Rejected(rejection) => {
                        if rejection.diagnostics.iter().any(|d| d.message.ends_with("is empty")) {
                            counts[3].fetch_add(1, Ordering::Relaxed);
                        }
                        1
                    }
                    _ => 2,
                };
                counts[i].fetch_add(1, Ordering::Relaxed);
            });
        })
    };

    let stop = Arc::new(AtomicBool::new(false));
    let violations = Arc::new(AtomicU64::new(0));
    let reader = {
        let (reloader, valid, invalid) =
            (Arc::clone(&reloader), Arc::clone(&valid), Arc::clone(&invalid));
        let (stop, violations) = (Arc::clone(&stop), Arc::clone(&violations));
        std::thread::spawn(move || {
            let mut checked = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let rules = reloader.snapshot();
                checked += 1;
                let expected = valid.lock().unwrap().get(&rules.revision).copied();
                let ok = expected.is_some()
                    && expected == beauty(&rules)
                    && !invalid.lock().unwrap().contains(&rules.revision);
                if !ok {
                    eprintln!("violation: revision {} is not a valid save (beauty {:?}, glowskin present: {}, invalid: {})", rules.revision, beauty(&rules), rules.brands.contains_key("glowskin"), invalid.lock().unwrap().contains(&rules.revision));
                    violations.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            checked
        })
    };

    std::thread::sleep(Duration::from_millis(300));
    let rss_before = rss_kib("VmRSS:");
    let mut rng = Rng(seed.max(1) * 0x9E37_79B9_7F4A_7C15);
    let mut by_kind = [0usize; 4];
    let mut last_valid = reloader.revision();
    let mut rss_checkpoints = Vec::new();
    let started = Instant::now();
    for i in 0..saves {
        let kind = if i + 1 == saves {
            Save::Valid // end on a valid save, so the final revision is known
        } else {
            [Save::Valid, Save::ValidRename, Save::Invalid, Save::InvalidRename]
                [rng.below(4) as usize]
        };
        let weight = (10 + rng.below(90)) as f64 / 100.0;
        let text = match kind {
            Save::Valid | Save::ValidRename => {
                original.replace("beauty = 1.0", &format!("beauty = {weight}"))
            }
            // Alternate a TOML syntax error and an unknown key.
            Save::Invalid | Save::InvalidRename if i % 2 == 0 => {
                original.replace("beauty = 1.0", &format!("beauty = {weight} x"))
            }
            Save::Invalid | Save::InvalidRename => {
                original.replace("[weights]\n", &format!("[weights]\nwieght = {weight}\n"))
            }
        };
        // The revision this save will have, known before it is written.
        let mut files = read_folder(&root).unwrap();
        let file = files.iter_mut().find(|f| f.rel == BRAND).unwrap();
        file.text = text.as_str().into();
        let revision = revision_of(&files);
        match kind {
            Save::Valid | Save::ValidRename => {
                valid.lock().unwrap().insert(revision.clone(), weight);
                last_valid = revision;
            }
            Save::Invalid | Save::InvalidRename => invalid.lock().unwrap().push(revision),
        }
        match kind {
            Save::Valid | Save::Invalid => std::fs::write(&brand_path, &text).unwrap(),
            Save::ValidRename | Save::InvalidRename => {
                let temp = root.join("brands/.glowskin.toml.swp");
                std::fs::write(&temp, &text).unwrap();
                std::fs::rename(&temp, &brand_path).unwrap();
            }
        }
        by_kind[kind as usize] += 1;
        if (i + 1) % (saves / 4).max(1) == 0 {
            rss_checkpoints.push((i + 1, rss_kib("VmRSS:")));
        }
        // Rapid: 0–20 ms between saves, which the debouncer folds together. One save in
        // ten is followed by a pause longer than the debounce, so whatever is on disk then,
        // valid or not, gets reloaded.
        let pause = if rng.below(10) == 0 { 150 + rng.below(150) } else { rng.below(21) };
        std::thread::sleep(Duration::from_millis(pause));
    }
    let writing = started.elapsed();

    // Wait, bounded, for the last save to be active.
    let deadline = Instant::now() + Duration::from_secs(10);
    while reloader.revision() != last_valid && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let checked = reader.join().unwrap();
    drop(watcher);
    reload_thread.join().unwrap();
    let rss_after = rss_kib("VmRSS:");

    let status = reloader.status();
    let final_ok = reloader.revision() == last_valid;
    let violations = violations.load(Ordering::Relaxed);
    let [activated, rejected, unchanged, torn] =
        [0, 1, 2, 3].map(|i| counts[i].load(Ordering::Relaxed));
    println!(
        "{saves} saves in {:.1} s ({} valid in place, {} valid by rename, {} invalid in place, {} invalid by rename), {} watcher, settle {settle} ms",
        writing.as_secs_f64(),
        by_kind[0],
        by_kind[1],
        by_kind[2],
        by_kind[3],
        if poll { "poll" } else { "native" }
    );
    println!(
        "reloads: {} ({activated} activated, {rejected} rejected of which {torn} caught a file mid-save, {unchanged} unchanged); status says {} activations, {} rejections",
        activated + rejected + unchanged,
        status.activations,
        status.rejections
    );
    println!("snapshots checked: {checked}, broken or mixed: {violations}");
    println!(
        "final revision {} {} the last valid save {last_valid}; last error: {}",
        reloader.revision(),
        if final_ok { "matches" } else { "DOES NOT match" },
        if status.last_error.is_some() { "set" } else { "none" }
    );
    println!(
        "RSS before {} KiB, after {} KiB, peak {} KiB; along the way: {}",
        rss_before,
        rss_after,
        rss_kib("VmHWM:"),
        rss_checkpoints
            .iter()
            .map(|(n, kib)| format!("{kib} KiB after {n} saves"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if violations > 0 || !final_ok || status.last_error.is_some() {
        std::process::exit(1);
    }
}
