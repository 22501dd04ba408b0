//! The script sandbox under hostile scripts: one budget per candidate however the work is
//! nested, and bounded notes.

use std::time::{Duration, Instant};

use scout::input::{self, Format, Source};
use scout::rank::{self, RankOptions};

use crate::{json, root, rules_fixture, scout_in, variant, write_rule};

const CANDIDATES: &str = "tests/fixtures/sandbox/candidates.csv";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/sandbox").join(name)).unwrap()
}

/// The `one_brand` rule fixture with whole files `(file, text)` written over it, without
/// its tier tests (a runaway `when` fails them, and a folder whose tests fail is not valid
/// to rank).
fn rules_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    std::fs::remove_file(tmp.path().join("rules/tiers.tests.toml")).unwrap();
    for (file, text) in files {
        write_rule(&tmp, file, text);
    }
    tmp
}

/// The seed tiers behind a conditional `meta` tier that every follower count reaches, so
/// every row runs `condition`.
fn tiers_with_when(condition: &str) -> String {
    format!(
        "[[tier]]\nname = \"meta\"\nmin_followers = 0\nwhen = \"{}\"\n\n{}",
        condition.replace('"', "\\\""),
        variant("tiers_seed.toml")
    )
}

/// Ranks the small fixture list with whole files `(file, text)` written over the
/// `one_brand` rule fixture.
fn rank_with(files: &[(&str, &str)], brand: &str) -> (crate::Run, Duration) {
    let tmp = rules_with(files);
    let candidates = root().join(CANDIDATES);
    let started = Instant::now();
    let run = scout_in(
        tmp.path(),
        &["rank", candidates.to_str().unwrap(), "--brand", brand, "--format", "json"],
        None,
    );
    (run, started.elapsed())
}

/// Every row fails, counted as a rule error reported once, located at the script and
/// naming the budget, and the whole run ends well within a bound no per-call limit would
/// meet.
fn assert_every_row_stopped(run: &crate::Run, took: Duration, script: &str) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(run);
    assert_eq!(doc["counts"]["read"], 6, "{}", doc["counts"]);
    assert_eq!(doc["counts"]["rule_errors"], 6, "{}", doc["counts"]);
    let rule_errors = doc["rule_errors"].as_array().unwrap();
    assert!(!rule_errors.is_empty());
    let rows: u64 = rule_errors.iter().map(|e| e["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, 6);
    for error in rule_errors {
        assert_eq!(error["path"], format!("rules/{script}"), "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("ran past its budget of 100,000 operations for one candidate")
                || message.contains("ran longer than its budget of 100 ms for one candidate"),
            "{message}"
        );
    }
    // Unbounded, the two-level script takes about a second per candidate in a debug build
    // and the three-level one about sixteen.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn nested_closures_in_a_brand_script_share_one_budget() {
    for name in ["nested_map.rhai", "nested_map_3_levels.rhai"] {
        let script = fixture(name);
        let (run, took) = rank_with(&[("brands/glowskin.rhai", &script)], "glowskin");
        assert_every_row_stopped(&run, took, "brands/glowskin.rhai");
    }
}

#[test]
fn nested_closures_in_a_when_condition_share_one_budget() {
    for name in ["nested_map_when.rhai", "nested_map_3_levels_when.rhai"] {
        let tiers = tiers_with_when(fixture(name).trim());
        let benchmarks = fixture("benchmarks_with_meta.toml");
        let (run, took) =
            rank_with(&[("tiers.toml", &tiers), ("benchmarks.toml", &benchmarks)], "glowskin");
        assert_every_row_stopped(&run, took, "tiers.toml");
    }
}

#[test]
fn nested_calls_share_one_budget_in_the_library() {
    let tmp = rules_with(&[("brands/glowskin.rhai", &fixture("nested_map.rhai"))]);
    let rules = scout::rules::load(&tmp.path().join("rules")).unwrap();
    let brand = rules.brand("glowskin").unwrap();
    let rows: Vec<_> = input::read(&Source::File(root().join(CANDIDATES)), Format::Csv)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for candidate in &rows {
        let started = Instant::now();
        let err =
            scout::engine::evaluate(&rules, brand, candidate, Default::default()).unwrap_err();
        assert!(err.to_string().contains("its budget of"), "{err}");
        // The operation budget or the 100 ms bound stops it; a loaded machine gets slack.
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
}

/// A list of `n` candidates that pass GlowSkin's filters.
fn generated_list(n: usize) -> String {
    let mut text = String::from(
        "handle,platform,followers,following,posts,avg_likes,avg_comments,avg_shares,avg_views,niches,country,fake_follower_pct,cost_per_post,bio\n",
    );
    for i in 0..n {
        let followers = 10_000 + i * 37;
        text.push_str(&format!(
            "gen_{i:05},instagram,{followers},300,200,{},20,,,beauty,US,0.05,100,\n",
            followers / 30
        ));
    }
    text
}

fn assert_notes_capped(notes: &[String]) {
    assert_eq!(notes.len(), 17, "16 notes and the count of the rest");
    for note in &notes[..16] {
        assert!(note.len() <= 2_048, "a note of {} bytes", note.len());
        assert!(note.ends_with('…'), "a cut note says so");
    }
    assert_eq!(notes[16], "… 48 more notes");
}

#[test]
fn notes_are_capped_and_kept_only_for_the_results_shown() {
    let tmp = rules_with(&[("brands/glowskin.rhai", &fixture("noisy_notes.rhai"))]);
    let list = tmp.path().join("generated.csv");
    std::fs::write(&list, generated_list(2_000)).unwrap();

    // The library: notes for the best 25 only, across parallel collectors.
    let rules = scout::rules::load(&tmp.path().join("rules")).unwrap();
    let brand = rules.brand("glowskin").unwrap();
    let rows = input::read(&Source::File(list.clone()), Format::Csv).unwrap();
    let options =
        RankOptions { top: None, keep_filtered: false, notes: 25, ..RankOptions::default() };
    let ranking = rank::rank(&rules, brand, rows, options);
    assert_eq!(ranking.counts.ranked, 2_000);
    assert_eq!(ranking.results.len(), 2_000);
    for result in &ranking.results[..25] {
        assert_notes_capped(&result.evaluation.notes);
    }
    assert!(ranking.results[25..].iter().all(|r| r.evaluation.notes.is_empty()));

    // Watch's ranking and the table show no notes, so keep none.
    let rows = input::read(&Source::File(list.clone()), Format::Csv).unwrap();
    let ranking = rank::rank(&rules, brand, rows, RankOptions::default());
    assert!(ranking.results.iter().all(|r| r.evaluation.notes.is_empty()));

    // The CLI: JSON with --top shows the notes of the results it lists.
    let run = scout_in(
        tmp.path(),
        &["rank", "generated.csv", "--brand", "glowskin", "--format", "json", "--top", "10"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    for result in results {
        let notes: Vec<String> = serde_json::from_value(result["notes"].clone()).unwrap();
        assert_notes_capped(&notes);
    }
}

/// `settings` and `weights` are shared by every row without a copy when the brand's scripts
/// only read their properties; a script that writes to them, calls methods on them, passes
/// them on or captures them works on its own copy. Either way no row sees another's change.
#[test]
fn a_script_cannot_change_settings_or_weights_for_the_next_row() {
    let copies = r#"
fn bump(m) { m.cost.target_cost_per_engagement = 77.0; m }
let s = settings;
s.cost.target_cost_per_engagement = 99.0;
let t = bump(settings);
let w = weights;
w.engagement = 5.0;
let f = || settings.cost.target_cost_per_engagement * 2.0;
note(`${settings.cost.target_cost_per_engagement} ${weights.engagement} ${f.call()} ${s.cost.target_cost_per_engagement} ${t.cost.target_cost_per_engagement}`);
50.0
"#;
    assert_eq!(notes_of(copies), "0.05 0.35 0.1 99.0 77.0");
    for write in [
        "",
        "settings.cost.target_cost_per_engagement = 1.0;",
        "settings.cost.target_cost_per_engagement += 1.0;",
        "weights.engagement = 1.0;",
        "settings.filters.countries.push(\"FR\");",
        "settings[\"cost\"][\"target_cost_per_engagement\"] = 2.0;",
        "clear(weights);",
        "settings = #{};",
    ] {
        let script = format!(
            "let before = `${{settings.cost.target_cost_per_engagement}} ${{weights.engagement}} ${{settings.filters.countries.len()}}`;\n{write}\nnote(before);\n50.0\n"
        );
        assert_eq!(notes_of(&script), "0.05 0.35 6", "{write}");
    }
}

/// The one note every row of a generated list gets from `script` as glowskin's formula.
fn notes_of(script: &str) -> String {
    let tmp = rules_with(&[("brands/glowskin.rhai", script)]);
    let list = tmp.path().join("generated.csv");
    std::fs::write(&list, generated_list(2_000)).unwrap();
    let rules = scout::rules::load(&tmp.path().join("rules")).unwrap();
    let brand = rules.brand("glowskin").unwrap();
    let rows = input::read(&Source::File(list), Format::Csv).unwrap();
    let options =
        RankOptions { top: None, keep_filtered: false, notes: 2_000, ..RankOptions::default() };
    let ranking = rank::rank(&rules, brand, rows, options);
    assert_eq!(ranking.counts.ranked, 2_000, "{script}");
    let note = ranking.results[0].evaluation.notes.join("\n");
    for result in &ranking.results {
        assert_eq!(result.evaluation.notes.join("\n"), note, "{script}");
    }
    note
}
