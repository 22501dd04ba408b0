//! `scout explain`: the explanation of one candidate, as text and as a JSON trace.

use crate::engine::bundled;
use crate::{json, scout};

const LIST: &str = "tests/fixtures/explain/candidates.csv";

fn explain(handle: &str, brand: &str, extra: &[&str]) -> crate::Run {
    let mut args = vec!["explain", handle, "--brand", brand, LIST];
    args.extend_from_slice(extra);
    scout(&args)
}

/// The text, with the rules' revision masked so rule edits elsewhere do not churn snapshots.
fn masked(text: &str) -> String {
    text.replace(&bundled().revision, "[revision]")
}

#[test]
fn explains_tier_metrics_filters_components_and_script() {
    for (name, handle, brand) in [
        ("ranked", "lashes.by.lena", "glowskin"),
        ("filtered", "velvet.vanity", "glowskin"),
        ("missing_values", "pale.and.proud", "glowskin"),
        ("meta_tier", "tinyhumans.tales", "littlenest"),
        ("passed_over_meta", "mama.meals", "littlenest"),
        ("script_note", "nomad.nina", "trailpack"),
    ] {
        let run = explain(handle, brand, &[]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        insta::assert_snapshot!(format!("explain_{name}"), masked(&run.stdout));
    }
}

#[test]
fn json_is_the_same_as_a_structured_trace() {
    let run = explain("@Velvet.Vanity", "glowskin", &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(doc["handle"], "velvet.vanity");
    assert_eq!(doc["tier"]["name"], "mid");
    assert_eq!(doc["passed"], false);
    let failed: Vec<&str> = doc["filters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["passed"] == false)
        .map(|f| f["filter"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["tiers", "max_followers", "max_cost_per_post"]);
    let sum: f64 = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["contribution"].as_f64())
        .sum();
    assert!((sum - doc["weighted_sum"].as_f64().unwrap()).abs() < 1e-5);
    insta::assert_json_snapshot!("explain_json", doc, {".revision" => "[revision]"});
}

#[test]
fn the_explained_score_is_the_ranked_score() {
    let rank = scout(&["rank", LIST, "--brand", "glowskin", "--format", "json"]);
    for result in json(&rank)["results"].as_array().unwrap() {
        let handle = result["handle"].as_str().unwrap();
        if handle == "twice.tara" {
            continue; // listed twice: explain takes the first row
        }
        let run = explain(handle, "glowskin", &["--format", "json"]);
        assert_eq!(json(&run)["script"]["score"], result["score"], "{handle}");
    }
}

#[test]
fn unknown_handles_duplicates_and_bad_rows() {
    let run = explain("lashes.by.lea", "glowskin", &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no candidate `lashes.by.lea`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `lashes.by.lena`?"), "{}", run.stderr);

    let run = explain("twice.tara", "glowskin", &[]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("appears 2 times"), "{}", run.stderr);
    assert!(run.stdout.contains("5,000 followers · line 9"), "{}", run.stdout);

    let run = explain("bad.row", "glowskin", &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("followers `lots` is not a number"), "{}", run.stderr);

    let run = explain("lashes.by.lena", "glowskn", &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `glowskin`?"), "{}", run.stderr);
}

#[test]
fn post_samples_are_explained_with_their_average() {
    let run = scout(&[
        "explain",
        "sampled_sue",
        "--brand",
        "trailpack",
        "tests/fixtures/candidates/samples.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("averages are the median of 3 post samples"), "{}", run.stdout);
}

#[test]
fn reads_a_list_through_a_mapping_profile_and_a_delimiter() {
    let export = "tests/fixtures/import/top1000-instagram-sep.csv";
    let run = scout(&["explain", "glow.with.gwen", "--brand", "glowskin", export]);
    assert!(run.stdout.starts_with("@glow.with.gwen · no platform ·"), "{}", run.stdout);
    let run = scout(&[
        "explain",
        "glow.with.gwen",
        "--brand",
        "glowskin",
        export,
        "--mapping",
        "top1000-instagram-sep",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The profile's `[defaults]` give the platform.
    assert!(
        run.stdout.starts_with("@glow.with.gwen · instagram · 48,500 followers"),
        "{}",
        run.stdout
    );

    let semicolons = "tests/fixtures/import/quirks/semicolon.csv";
    let run =
        scout(&["explain", "glossy.grace", "--brand", "glowskin", semicolons, "--delimiter", ";"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("@glossy.grace · instagram · 12,300 followers"),
        "{}",
        run.stdout
    );
    let run =
        scout(&["explain", "glossy.grace", "--brand", "glowskin", semicolons, "--delimiter", ","]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no `handle` column"), "{}", run.stderr);
}
