//! Hostile input: data that tries to drive the terminal, and numbers at the edges of what
//! an export can hold. Texts for people show control characters as escapes; machine
//! formats keep the data verbatim.

use crate::{json, scout, Run};

const ESCAPES: &str = "tests/fixtures/hostile/escapes.csv";

/// Asserts that nothing in `run`'s output can drive a terminal: no ESC, BEL, CSI or bidi
/// override.
fn assert_inert(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let bad = text.chars().find(|&c| scout::text::is_unprintable(c) && c != '\n');
        assert_eq!(bad, None, "{stream} holds a control character:\n{text}");
    }
}

#[test]
fn escapes_in_cells_do_not_reach_the_terminal() {
    let run = scout(&["rank", ESCAPES, "--brand", "glowskin", "--format", "table"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_inert(&run);
    assert!(run.stdout.contains(r"@ok\u{1b}[2J"), "{}", run.stdout);
    assert!(run.stderr.contains(r"`bad\u{1b}[31m`: followers `lots\u{1b}[2J`"), "{}", run.stderr);
    insta::assert_snapshot!("hostile_table", run.stdout);

    let run = scout(&["explain", "ok\x1b[2J", ESCAPES, "--brand", "glowskin"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_inert(&run);
    assert!(run.stdout.starts_with(r"@ok\u{1b}[2J · instagram"), "{}", run.stdout);
}

#[test]
fn machine_formats_keep_escapes_verbatim() {
    let run = scout(&["rank", ESCAPES, "--brand", "glowskin", "--format", "csv"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("ok\x1b[2J,instagram"), "{}", run.stdout);
    assert!(run.stdout.contains("tidy\u{202e}gpj.exe"), "{}", run.stdout);
    let run = scout(&["rank", ESCAPES, "--brand", "glowskin", "--format", "json"]);
    let doc = json(&run);
    let handles: Vec<&str> =
        doc["results"].as_array().unwrap().iter().map(|r| r["handle"].as_str().unwrap()).collect();
    assert!(handles.contains(&"ok\x1b[2J"), "{handles:?}");
    assert_eq!(doc["errors"][0]["handle"], "bad\x1b[31m");
}

const EDGES: &str = "tests/fixtures/hostile/edges.csv";
const MINIFIED: &str = "tests/fixtures/hostile/minified.json";

/// `text` with the ranking's revision hash replaced, for snapshots.
fn revision_free(text: &str, doc: &serde_json::Value) -> String {
    text.replace(doc["revision"].as_str().unwrap(), "[revision]")
}

fn error_of<'a>(doc: &'a serde_json::Value, handle: &str) -> &'a serde_json::Value {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["handle"] == handle)
        .unwrap_or_else(|| panic!("no error for `{handle}`: {doc:#}"))
}

#[test]
fn numbers_at_the_edges_are_read_or_refused_plainly() {
    let run = scout(&["rank", EDGES, "--brand", "bench", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    // `N/A'` is a missing value, not a bad number: the row is read (and filtered for
    // having no likes under `when_missing = "fail"`).
    assert!(doc["filtered"].as_array().unwrap().iter().any(|f| f["handle"] == "stray_quote"));
    // 2^64 does not fit a count; it is not stored as 2^64 − 1.
    let overflow = error_of(&doc, "overflow");
    assert_eq!(overflow["column"], "followers");
    assert!(
        overflow["message"]
            .as_str()
            .unwrap()
            .starts_with("followers `18446744073709551616` is too large"),
        "{overflow}"
    );
    // 1e308 likes would make an infinite engagement rate.
    assert!(error_of(&doc, "absurd_likes")["message"].as_str().unwrap().contains("too large"));
    // A tiny engagement rate keeps its significant digits.
    let tiny = &doc["results"][0];
    assert_eq!(tiny["handle"], "tiny_er");
    assert_eq!(tiny["engagement_rate"].as_f64(), Some(9.5e-6));
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
    }
    insta::assert_snapshot!("hostile_edges_stderr", revision_free(&run.stderr, &doc));

    // 9e15 / 1e-300 is infinite: explain shows no figure, not `inf` and not a made-up 0.
    let run = scout(&["explain", "tiny_likes", EDGES, "--brand", "bench"]);
    let line = run.stdout.lines().find(|l| l.contains("cost_per_engagement  ")).unwrap();
    assert!(line.contains(" –  = "), "{line}");
}

#[test]
fn minified_json_errors_name_the_record() {
    let run = scout(&["rank", MINIFIED, "--brand", "glowskin", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    let shouty = error_of(&doc, "shouty");
    assert_eq!(shouty["line"], 1, "the line stays, for compatibility");
    assert_eq!(shouty["record"], serde_json::json!({"index": 4, "byte": 269}));
    let huge = error_of(&doc, "huge");
    assert!(huge["message"].as_str().unwrap().contains("is too large"), "{huge}");
    assert!(run.stderr.contains("error: record 4 (byte 269): `shouty`"), "{}", run.stderr);
    insta::assert_snapshot!("hostile_minified_stderr", revision_free(&run.stderr, &doc));

    // A document with a record per line keeps plain line numbers.
    let run = scout(&[
        "rank",
        "tests/fixtures/candidates/samples.json",
        "--brand",
        "glowskin",
        "--format",
        "json",
    ]);
    let doc = json(&run);
    let broken = error_of(&doc, "broken_bo");
    assert!(broken.get("record").is_none(), "{broken}");
    assert!(run.stderr.contains(&format!("error: line {}: `broken_bo`", broken["line"])));
}
