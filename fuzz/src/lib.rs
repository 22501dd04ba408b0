//! scout's fuzz targets, as plain functions over bytes so that the AFL binaries
//! (`src/bin/<target>.rs`) and the `replay` binary run exactly the same code.
//!
//! Every target asserts that scout does not panic on the input; some also assert an
//! invariant (finite numbers, whole counts, row accounting, the fast path agreeing with the
//! interpreter, every script evaluation ending within a second). A failed assertion aborts
//! the process, which AFL records as a crash.
//!
//! Inputs made of several parts split them at [`SEP`], a byte that valid UTF-8 never
//! contains, so each part of a seed is an ordinary text file.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use scout::engine::{self, Options};
use scout::input::{self, Format, ReadOptions, Source};
use scout::model::Candidate;
use scout::number::{self, Decimal};
use scout::rank::{Collector, RankOptions};
use scout::rules::fast::{Constants, FastScript};
use scout::rules::load::load_files;
use scout::rules::mapping::Mapping;
use scout::rules::tiers::{Condition, Tier, TierScheme};
use scout::rules::{Brand, RuleSet, Script};
use scout::source::SourceFile;

/// The byte that separates the parts of a multi-part input.
pub const SEP: u8 = 0xFF;

/// The longest input a target looks at; the rest is ignored, so a run stays fast.
const MAX_INPUT: usize = 64 * 1024;

/// The longest a script evaluation may take, in CPU time of the evaluating thread.
pub const SCRIPT_DEADLINE: Duration = Duration::from_secs(1);

/// A target by name.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "rules" => rules,
        "csv" => csv,
        "json" => json,
        "number" => number,
        "script" => script,
        _ => return None,
    })
}

/// The bundled rule folder the CSV, JSON and script targets rank with: the default files,
/// and the Trailpack brand (its own script, an experimental tier scheme).
const BUNDLED: &[(&str, &str)] = &[
    ("tiers.toml", include_str!("../../rules/tiers.toml")),
    ("niches.toml", include_str!("../../rules/niches.toml")),
    ("benchmarks.toml", include_str!("../../rules/benchmarks.toml")),
    ("scoring.rhai", include_str!("../../rules/scoring.rhai")),
    ("experiments/hootsuite.toml", include_str!("../../rules/experiments/hootsuite.toml")),
    ("experiments/meta.toml", include_str!("../../rules/experiments/meta.toml")),
    ("brands/glowskin.toml", include_str!("../../rules/brands/glowskin.toml")),
    ("brands/trailpack.toml", include_str!("../../rules/brands/trailpack.toml")),
    ("brands/trailpack.rhai", include_str!("../../rules/brands/trailpack.rhai")),
    ("history/glowskin.csv", include_str!("../../rules/history/glowskin.csv")),
    ("history/trailpack.csv", include_str!("../../rules/history/trailpack.csv")),
];

/// A few candidates to evaluate loaded rules and scripts on: one with every field, one
/// with most fields missing, a mega account with no cost, and one with zero followers.
const CANDIDATES: &str = "\
handle,platform,followers,following,posts,avg_likes,avg_comments,avg_shares,avg_views,niches,country,fake_follower_pct,cost_per_post,bio
trail.tales,youtube,84000,312,420,3100,220,40,51000,travel;outdoors,US,0.05,900,Backpacking on a budget
bare.min,instagram,2500,,,,,,,,,,,
mega.star,tiktok,12500000,10,3000,410000,9000,3000,2100000,lifestyle|fitness,GB,0.2,,Everything
zero,instagram,0,0,0,0,0,0,0,beauty,CA,0,0,new account
";

fn files(parts: &[(&str, &str)]) -> Vec<SourceFile> {
    parts
        .iter()
        .map(|(rel, text)| SourceFile {
            rel: (*rel).to_owned(),
            path: Path::new("rules").join(rel),
            text: Arc::from(*text),
        })
        .collect()
}

/// The bundled rule set, loaded once.
fn bundled() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        load_files(Path::new("rules"), &files(BUNDLED)).expect("the bundled rules load")
    })
}

/// The fixed candidates, read once.
fn candidates() -> &'static [Candidate] {
    static CANDIDATES_READ: OnceLock<Vec<Candidate>> = OnceLock::new();
    CANDIDATES_READ.get_or_init(|| {
        let source = Source::Bytes { name: "fixed".into(), bytes: CANDIDATES.as_bytes().into() };
        input::read(&source, Format::Csv)
            .expect("the fixed candidates read")
            .map(|row| row.expect("every fixed candidate is valid"))
            .collect()
    })
}

/// The input cut to [`MAX_INPUT`].
fn capped(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// CPU time the calling thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) works");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f`, asserting it took less than [`SCRIPT_DEADLINE`] of CPU time: a hang or a
/// script that escapes the sandbox's budget shows as a crash. CPU time, not wall time, so a
/// fuzzer starved by other work on the machine does not report false hangs.
fn within_deadline<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = thread_cpu_time();
    let value = f();
    let spent = thread_cpu_time().saturating_sub(start);
    assert!(spent < SCRIPT_DEADLINE, "{what} took {spent:?} of CPU time");
    value
}

/// Every diagnostic rendered both ways, as the CLI and `--format json` would.
fn render(diagnostics: &[scout::diagnostic::Diagnostic]) {
    for diagnostic in diagnostics {
        let _ = diagnostic.render(false);
        let _ = diagnostic.render(true);
        let _ = diagnostic.to_json();
        let _ = diagnostic.location();
    }
}

/// Evaluates every fixed candidate against every brand, both through the fast path and
/// the interpreter, and checks that they agree.
fn evaluate_all(rules: &RuleSet) {
    for brand in rules.brands.values() {
        for candidate in candidates() {
            evaluate_both(rules, brand, candidate);
        }
    }
}

/// Evaluates `candidate` the fast way and the interpreted way, each within the deadline;
/// where both give a result they must give the same tier and score (ARCHITECTURE.md,
/// invariant 7).
fn evaluate_both(rules: &RuleSet, brand: &Brand, candidate: &Candidate) {
    let fast = within_deadline("evaluation", || {
        engine::evaluate(rules, brand, candidate, Options { explain: true, interpreted: false })
    });
    let slow = within_deadline("interpreted evaluation", || {
        engine::evaluate(rules, brand, candidate, Options { explain: true, interpreted: true })
    });
    if let (Ok(fast), Ok(slow)) = (&fast, &slow) {
        assert_eq!(fast.tier.name, slow.tier.name, "fast path and interpreter pick one tier");
        assert_eq!(
            fast.raw_score.map(f64::to_bits),
            slow.raw_score.map(f64::to_bits),
            "fast path and interpreter give one score: {:?} vs {:?}",
            fast.raw_score,
            slow.raw_score
        );
    }
    if let Ok(evaluation) = &fast {
        if let Some(score) = evaluation.score {
            assert!((0.0..=100.0).contains(&score), "score {score} out of 0–100");
        }
    }
}

/// The rule files a `rules` input is split into, in order.
pub const RULE_FILES: [&str; 6] = [
    "tiers.toml",
    "niches.toml",
    "benchmarks.toml",
    "scoring.rhai",
    "brands/x.toml",
    "brands/x.rhai",
];

/// Target 1, the rule loader: the input is up to six files split at [`SEP`]
/// ([`RULE_FILES`] in order), loaded as a whole folder. Diagnostics must render; a folder
/// that loads is evaluated on the fixed candidates.
pub fn rules(data: &[u8]) {
    let texts: Vec<String> = capped(data)
        .split(|&b| b == SEP)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect();
    let parts: Vec<(&str, &str)> =
        RULE_FILES.iter().zip(&texts).map(|(rel, text)| (*rel, text.as_str())).collect();
    match load_files(Path::new("rules"), &files(&parts)) {
        Ok(rules) => {
            render(&rules.warnings);
            evaluate_all(&rules);
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "a folder that fails to load says why");
            render(&diagnostics);
        }
    }
}

/// Ranks `rows` against every bundled brand, one row at a time, and checks that every row
/// is accounted for.
fn rank_rows(rows: &[Result<Candidate, scout::model::RowError>]) {
    let rules = bundled();
    for brand in rules.brands.values() {
        let mut collector = Collector::new(
            rules,
            brand,
            RankOptions { top: Some(3), keep_filtered: true, notes: 2, ..RankOptions::default() },
        );
        for row in rows {
            collector.push(row.clone());
        }
        let ranking = collector.finish();
        let c = ranking.counts;
        assert_eq!(c.read, rows.len(), "every row is read once");
        assert_eq!(c.read, c.ranked + c.filtered + c.invalid, "read = ranked + filtered + invalid");
    }
}

fn input_error(err: &input::InputError) {
    let _ = err.to_string();
    let _ = err.hint();
    if let input::InputError::Mapping { diagnostics, .. } = err {
        render(diagnostics);
    }
}

/// Target 2, the CSV reader with a mapping profile: the input is a profile (TOML) and a
/// CSV file split at the first [`SEP`]; with no separator it is a CSV file read without a
/// profile. A profile that does not parse is dropped and the CSV read without one. Every
/// row is read and ranked against the bundled brands.
pub fn csv(data: &[u8]) {
    let data = capped(data);
    let (profile, csv) = match data.iter().position(|&b| b == SEP) {
        Some(at) => (Some(String::from_utf8_lossy(&data[..at])), &data[at + 1..]),
        None => (None, data),
    };
    let mapping = profile.and_then(|text| {
        match Mapping::parse("fuzz", Path::new("rules/imports/fuzz.toml"), &text) {
            Ok(mapping) => {
                render(&mapping.check_niches(&bundled().taxonomy));
                Some(Arc::new(mapping))
            }
            Err(diagnostics) => {
                render(&diagnostics);
                None
            }
        }
    });
    let source = Source::Bytes { name: "fuzz.csv".into(), bytes: csv.into() };
    // No splitting across threads: one input, one deterministic path.
    let options =
        ReadOptions { mapping, delimiter: None, min_split: u64::MAX, inferred: Vec::new() };
    match input::read_with(&source, Format::Csv, &options) {
        Ok(rows) => rank_rows(&rows.collect::<Vec<_>>()),
        Err(err) => input_error(&err),
    }
}

/// Target 3, the JSON and NDJSON readers: the first byte's low bit picks the format (0
/// JSON, 1 NDJSON), the rest is the document. Every row is read and ranked.
pub fn json(data: &[u8]) {
    let Some((&first, rest)) = capped(data).split_first() else { return };
    let format = if first & 1 == 0 { Format::Json } else { Format::Ndjson };
    let source = Source::Bytes { name: "fuzz.json".into(), bytes: rest.into() };
    match input::read_with(&source, format, &ReadOptions::default()) {
        Ok(rows) => rank_rows(&rows.collect::<Vec<_>>()),
        Err(err) => input_error(&err),
    }
}

/// Target 4, the human-number parser: each line of the input is a cell, parsed every way
/// scout parses numbers. Values are finite, counts whole, the plain-number fast path agrees
/// with the full parser, and the shown precision is a sane half unit.
pub fn number(data: &[u8]) {
    let text = String::from_utf8_lossy(capped(data));
    for cell in text.split('\n') {
        number_cell(cell);
    }
}

fn number_cell(cell: &str) {
    let _ = number::is_missing(cell);
    let _ = number::text(cell);
    let point = number::parse(cell, Decimal::Point);
    let comma = number::parse(cell, Decimal::Comma);
    for parsed in [&point, &comma] {
        if let Ok(Some(n)) = parsed {
            assert!(n.value.is_finite(), "{cell:?} parsed to {}", n.value);
            assert!(n.half_unit >= 0.0, "{cell:?}: half unit {}", n.half_unit);
        }
        if let Ok(None) = parsed {
            assert!(number::is_missing(cell), "{cell:?} is none but not a missing marker");
        }
    }
    let plain = number::parse_number(cell);
    match (&plain, &point) {
        (Ok(Some(a)), Ok(Some(b))) => assert_eq!(
            a.to_bits(),
            b.value.to_bits(),
            "{cell:?}: parse_number gives {a}, parse gives {}",
            b.value
        ),
        (Ok(None), Ok(None)) | (Err(_), Err(_)) => {}
        _ => panic!("{cell:?}: parse_number {plain:?} disagrees with parse {point:?}"),
    }
    if let Ok(Some(value)) = plain {
        assert!(value.is_finite(), "{cell:?} parsed to {value}");
    }
    match number::parse_count(cell) {
        Ok(Some(count)) => {
            let Ok(Some(value)) = plain else {
                panic!("{cell:?}: a count {count} from a cell that is not a number")
            };
            assert!(value >= 0.0, "{cell:?}: count {count} from negative {value}");
            assert!(
                (value - count as f64).abs() <= 1e-6 * value.max(1.0),
                "{cell:?}: count {count} is not {value}"
            );
        }
        Ok(None) => assert!(matches!(plain, Ok(None)), "{cell:?}: no count but {plain:?}"),
        Err(_) => {}
    }
}

/// The Trailpack brand with `source` as its script, compiled as the loader does (the
/// sandbox, then the fast path with the brand's weights and settings folded in), or `None`
/// when the script does not compile.
fn brand_with_script(rules: &RuleSet, base: &Brand, source: &str) -> Option<Brand> {
    let ast =
        within_deadline("compiling a script", || rules.sandbox.compile_script(source)).ok()?;
    let script = Arc::new(Script { path: "brands/fuzz.rhai".into(), ast });
    Some(base.with_script(script))
}

/// The Trailpack brand with a first tier whose `when` is `source`, covering every follower
/// count, before the scheme's own tiers; `None` when the condition does not compile.
fn brand_with_condition(rules: &RuleSet, base: &Brand, source: &str) -> Option<Brand> {
    let ast = within_deadline("compiling a condition", || rules.sandbox.compile_condition(source))
        .ok()?;
    let fast = FastScript::compile(&ast, &Constants::default()).ok().map(Arc::new);
    let when = Condition { source: Arc::from(source), ast: Arc::new(ast), fast };
    let first =
        base.tiers.default.first().map_or_else(|| Arc::from("fuzz"), |t| Arc::clone(&t.name));
    let tier = Tier {
        name: first,
        min_followers: 0,
        max_followers: None,
        when: Some(when),
        carved_from: None,
    };
    let with_first = |tiers: &[Tier]| {
        std::iter::once(tier.clone()).chain(tiers.iter().cloned()).collect::<Vec<_>>()
    };
    let scheme = TierScheme {
        path: base.tiers.path.clone(),
        description: None,
        default: with_first(&base.tiers.default),
        platforms: base.tiers.platforms.iter().map(|(p, t)| (p.clone(), with_first(t))).collect(),
    };
    Some(base.with_tiers(Arc::new(scheme)))
}

/// Target 5, scripts in the sandbox: the first byte's low bit picks a brand script (0) or
/// a tier's `when` condition (1); the rest is the rhai source. It is compiled as the loader
/// would and evaluated on the fixed candidates, fast path and interpreter. Nothing may
/// panic, every compile and evaluation ends within [`SCRIPT_DEADLINE`] of CPU time, and the
/// fast path agrees with the interpreter.
pub fn script(data: &[u8]) {
    let Some((&first, rest)) = capped(data).split_first() else { return };
    let source = String::from_utf8_lossy(rest);
    let rules = bundled();
    let base = rules.brand("trailpack").expect("the bundled rules have trailpack");
    let brand = if first & 1 == 0 {
        brand_with_script(rules, base, &source)
    } else {
        brand_with_condition(rules, base, &source)
    };
    let Some(brand) = brand else { return };
    for candidate in candidates() {
        evaluate_both(rules, &brand, candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_inputs_load() {
        assert_eq!(candidates().len(), 4);
        evaluate_all(bundled());
    }
}
