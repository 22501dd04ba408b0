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
