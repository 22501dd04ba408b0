//! One meaning of "valid" across commands, rule errors apart from data errors, and what
//! `rank` writes.

use crate::{copy_dir, root, rules_fixture, scout_in, variant, write_rule};

/// The bundled example list, as an absolute path for runs in a temp dir.
fn examples() -> String {
    root().join("examples/candidates.csv").display().to_string()
}

#[test]
fn a_rule_error_is_reported_once_with_its_count() {
    let tmp = rules_fixture("one_brand");
    write_rule(&tmp, "scoring.rhai", &variant("scoring_bonus_column.rhai"));
    let run = scout_in(tmp.path(), &["rank", &examples(), "-b", "glowskin", "-f", "csv"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("rule_error_once", run.stderr.replace(&examples(), "CANDIDATES"));

    let json = scout_in(tmp.path(), &["rank", &examples(), "-b", "glowskin", "-f", "json"], None);
    let doc = crate::json(&json);
    let counts = &doc["counts"];
    assert_eq!(counts["rule_errors"], 13, "{counts}");
    assert_eq!(counts["invalid"], 0, "{counts}");
    let sum: u64 = ["ranked", "filtered", "invalid", "rule_errors"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(counts["read"].as_u64(), Some(sum));
    let errors = doc["rule_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["rows"], 13);
    assert_eq!(errors[0]["path"], "rules/scoring.rhai");
    assert_eq!(errors[0]["line"], 4);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "rule errors are not data errors");
}

#[test]
fn check_catches_a_when_that_fails_on_a_missing_value() {
    let tmp = rules_fixture("one_brand");
    copy_dir(
        &root().join("tests/fixtures/rules/rule_errors/when_missing_value"),
        &tmp.path().join("rules"),
    );
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    insta::assert_snapshot!("check_when_missing_value", run.stderr);
}

#[test]
fn every_command_agrees_a_folder_whose_tests_fail_is_invalid() {
    let tmp = rules_fixture("one_brand");
    write_rule(&tmp, "brands/glowskin.tests.toml", &variant("glowskin_failing.tests.toml"));
    let list = examples();
    let check = scout_in(tmp.path(), &["check"], None);
    assert_eq!(check.code, 2, "check: {}", check.stderr);
    assert!(check.stderr.contains("--> rules/brands/glowskin.tests.toml:"), "{}", check.stderr);
    for args in [
        vec!["rank", &list, "-b", "glowskin"],
        vec!["watch", &list, "-b", "glowskin"],
        vec!["diff", &list, "-b", "glowskin", "--tiers", "rules/tiers.toml"],
    ] {
        let run = scout_in(tmp.path(), &args, None);
        assert_eq!(run.code, 2, "{}: {}", args[0], run.stderr);
        assert!(
            run.stderr.contains("--> rules/brands/glowskin.tests.toml:"),
            "{}: {}",
            args[0],
            run.stderr
        );
    }
    let test = scout_in(tmp.path(), &["test"], None);
    assert_eq!(test.code, 1, "test: {}", test.stderr);
}

#[test]
fn diff_reports_a_pure_score_change() {
    let tmp = rules_fixture("one_brand");
    copy_dir(&tmp.path().join("rules"), &tmp.path().join("after"));
    write_rule(&tmp, "../after/scoring.rhai", &variant("scoring_plus_ten.rhai"));
    let run = scout_in(
        tmp.path(),
        &["diff", &examples(), "-b", "glowskin", "--against", "after", "--top", "3"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("biggest rank moves (0)"), "{}", run.stdout);
    assert!(run.stdout.contains("score changes (83; the 3 biggest)"), "{}", run.stdout);
    assert!(run.stdout.contains("+10.00"), "{}", run.stdout);
    assert!(run.stderr.contains("83 changed score"), "{}", run.stderr);
}

#[test]
fn an_output_extension_scout_cannot_write_is_refused() {
    let tmp = rules_fixture("one_brand");
    for name in ["out.xlsx", "out.html", "out.md", "out.tsv"] {
        let run = scout_in(tmp.path(), &["rank", &examples(), "-b", "glowskin", "-o", name], None);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains("scout cannot write"), "{}", run.stderr);
        assert!(run.stderr.contains("table, csv, json, ndjson"), "{}", run.stderr);
        assert!(!tmp.path().join(name).exists());
    }
    let forced = scout_in(
        tmp.path(),
        &["rank", &examples(), "-b", "glowskin", "-o", "out.tsv", "-f", "csv"],
        None,
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(tmp.path().join("out.tsv").exists());
}
