//! `scout check`: every problem in a rule folder, located, in one pass.

use crate::{copy_dir, root, rules_fixture, scout, scout_in};

#[test]
fn bundled_rules_are_valid() {
    let run = scout(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("`rules` is valid"), "{}", run.stderr);
}

/// The `one_brand` fixture with the whole files of `tests/fixtures/rules/<overlay>` written
/// over it.
fn fixture_with(overlay: &str) -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    copy_dir(&root().join("tests/fixtures/rules").join(overlay), &tmp.path().join("rules"));
    tmp
}

/// One mistake per case (a misspelled benchmark tier is also a missing one): each folder
/// under `tests/fixtures/rules/check/` holds the whole files that differ from `one_brand`,
/// and is named for its snapshot.
#[test]
fn each_mistake_gets_one_located_diagnostic() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/rules/check"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    for name in names {
        let tmp = fixture_with(&format!("check/{name}"));
        let run = scout_in(tmp.path(), &["check"], None);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        insta::assert_snapshot!(format!("check_{name}"), run.stderr);
    }
}

#[test]
fn five_mistakes_give_five_diagnostics_in_one_pass() {
    // An unknown key, an unknown niche, weights over 1, a script that does not compile and
    // overlapping tiers, in four files.
    let tmp = fixture_with("check_five_mistakes");
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    let located = run.stderr.lines().filter(|l| l.trim_start().starts_with("--> rules/")).count();
    assert_eq!(located, 5, "{}", run.stderr);
    assert!(run.stderr.contains("found 5 problems in `rules`"), "{}", run.stderr);

    let json = scout_in(tmp.path(), &["check", "--json"], None);
    let diagnostics: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let diagnostics = diagnostics.as_array().unwrap();
    assert_eq!(diagnostics.len(), 5);
    assert!(
        diagnostics.iter().all(|d| d["line"].is_u64() && d["column"].is_u64()),
        "{diagnostics:?}"
    );
}

#[test]
fn a_missing_rule_folder_is_fatal_with_a_hint() {
    let run = scout(&["check", "--rules", "no/such/folder"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("rule folder `no/such/folder` does not exist"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: pass `--rules DIR`"), "{}", run.stderr);
}

#[test]
fn a_missing_required_file_is_reported() {
    let tmp = rules_fixture("one_brand");
    std::fs::remove_file(tmp.path().join("rules/niches.toml")).unwrap();
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing `niches.toml`"), "{}", run.stderr);
}

#[test]
fn three_misspelled_keys_in_three_tables_give_three_diagnostics() {
    let tmp = fixture_with("check_three_keys");
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    let located = run.stderr.lines().filter(|l| l.trim_start().starts_with("--> rules/")).count();
    assert_eq!(located, 3, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn unknown_keys_and_wrong_types_are_reported_together() {
    // A misspelled key, an unknown value and a wrong type in one brand file.
    let tmp = fixture_with("check_key_and_type");
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}
