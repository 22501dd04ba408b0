//! `scout test`: the bundled rule tests pass; failures and bad test files are reported with
//! their location; the reload validator agrees.

use scout::authoring::ruletest;

use crate::{root, rules_fixture, scout, scout_in, variant, write_rule};

#[test]
fn bundled_rule_tests_pass() {
    let run = scout(&["test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    insta::assert_snapshot!("test_bundled", run.stdout);
}

#[test]
fn bundled_tests_cover_the_seed_boundaries_for_every_brand_and_scheme() {
    let rules = scout::rules::load(&root().join("rules")).unwrap();
    let mut covered = std::collections::BTreeSet::new();
    for file in &rules.test_files {
        for followers in ["1_999", "2_000", "100_000", "100_001"] {
            let key = format!("followers = {followers}");
            let exact = file.text.match_indices(&key).any(|(at, _)| {
                !file.text[at + key.len()..].starts_with(|c: char| c.is_ascii_digit() || c == '_')
            });
            if exact {
                covered.insert((file.rel.clone(), followers));
            }
        }
    }
    let files: Vec<&str> = rules.test_files.iter().map(|f| f.rel.as_str()).collect();
    for brand in rules.brands.keys() {
        assert!(files.contains(&format!("brands/{brand}.tests.toml").as_str()), "{brand}");
    }
    for scheme in rules.schemes.keys() {
        let tests = scheme.display().to_string().replace(".toml", ".tests.toml");
        assert!(files.contains(&tests.as_str()), "{tests}");
    }
    for file in files {
        for followers in ["1_999", "2_000", "100_000", "100_001"] {
            assert!(covered.contains(&(file.to_owned(), followers)), "{file} lacks {followers}");
        }
    }
}

#[test]
fn failing_cases_show_expected_actual_and_location() {
    // Two failures in a brand's tests (a tier and verdict, a note), one in a scheme's.
    let tmp = rules_fixture("one_brand");
    write_rule(&tmp, "brands/glowskin.tests.toml", &variant("glowskin_failing.tests.toml"));
    write_rule(&tmp, "tiers.tests.toml", &variant("tiers_wrong.tests.toml"));
    let run = scout_in(tmp.path(), &["test"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.ends_with("3 passed, 3 failed\n"), "{}", run.stdout);
    insta::assert_snapshot!("test_failures", run.stdout);
}

#[test]
fn brand_filter_runs_that_brands_files_only() {
    let run = scout(&["test", "--brand", "trailpack"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("rules/brands/trailpack.tests.toml"));
    assert!(run.stdout.contains("rules/experiments/hootsuite.tests.toml"));
    assert!(!run.stdout.contains("glowskin"), "{}", run.stdout);

    let run = scout(&["test", "--brand", "glowskn"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown brand `glowskn`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `glowskin`?"), "{}", run.stderr);
}

#[test]
fn problems_in_test_files_are_located_and_nothing_runs() {
    // An unknown handle, an unknown tier, an empty expectation and a negative count in one
    // file; a misspelled expectation key in another.
    let tmp = rules_fixture("one_brand");
    write_rule(&tmp, "brands/glowskin.tests.toml", &variant("glowskin_bad.tests.toml"));
    write_rule(&tmp, "tiers.tests.toml", &variant("tiers_bad.tests.toml"));
    let run = scout_in(tmp.path(), &["test"], None);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stdout, "", "no case runs");
    insta::assert_snapshot!("test_bad_files", run.stderr);
}

#[test]
fn scheme_tests_need_a_brand_when_no_brand_uses_the_scheme() {
    let tmp = rules_fixture("one_brand");
    let scheme = std::fs::read_to_string(tmp.path().join("rules/tiers.toml")).unwrap();
    std::fs::create_dir(tmp.path().join("rules/experiments")).unwrap();
    write_rule(&tmp, "experiments/seed_copy.toml", &scheme);
    write_rule(
        &tmp,
        "experiments/seed_copy.tests.toml",
        "[[case]]\nname = \"2,000 is micro\"\ncandidate = { handle = \"a\", followers = 2_000 }\nexpect = { tier = \"micro\" }\n",
    );
    let run = scout_in(tmp.path(), &["test"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no brand uses `experiments/seed_copy.toml`"), "{}", run.stderr);

    let path = tmp.path().join("rules/experiments/seed_copy.tests.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("brand = \"glowskin\"\n{text}")).unwrap();
    let run = scout_in(tmp.path(), &["test", "--brand", "glowskin"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("rules/experiments/seed_copy.tests.toml"), "{}", run.stdout);
}

#[test]
fn the_reload_validator_rejects_a_folder_whose_tests_fail() {
    let bundled = scout::rules::load(&root().join("rules")).unwrap();
    assert!(ruletest::validate(&bundled).is_ok());

    // Micro now ends at 99,999, which the fixture's tier tests say is wrong.
    let tmp = rules_fixture("one_brand");
    write_rule(&tmp, "tiers.toml", &variant("tiers_100000_is_mid.toml"));
    let rules =
        scout::rules::load(&tmp.path().join("rules")).expect("the rules themselves are valid");
    let diagnostics = ruletest::validate(&rules).unwrap_err();
    assert!(!diagnostics.is_empty());
    let first = &diagnostics[0];
    assert!(first.message.starts_with("rule test `"), "{}", first.message);
    assert!(first.line_col().is_some(), "located");
    let rendered: Vec<String> = diagnostics.iter().map(|d| d.render(false)).collect();
    assert!(
        rendered.iter().any(|r| r.contains("tier: expected `micro`, got `mid`")),
        "{}",
        rendered.join("\n")
    );
}

#[test]
fn a_test_file_reads_its_list_with_a_mapping_profile_and_a_delimiter() {
    let tmp = rules_fixture("one_brand");
    let rules = tmp.path().join("rules");
    std::fs::create_dir_all(rules.join("imports")).unwrap();
    for (from, to) in [
        ("rules/imports/top1000-instagram-sep.toml", "imports/top1000-instagram-sep.toml"),
        ("tests/fixtures/import/top1000-instagram-sep.csv", "fixtures/export.csv"),
        ("tests/fixtures/import/quirks/semicolon.csv", "fixtures/semicolon.csv"),
    ] {
        std::fs::copy(root().join(from), rules.join(to)).unwrap();
    }
    let test_file = |list: &str, keys: &str, handle: &str| {
        format!(
            "candidates = \"fixtures/{list}\"\n{keys}\n\n[[case]]\nname = \"read\"\nhandle = \"{handle}\"\nexpect = {{ tier = \"micro\" }}\n"
        )
    };
    let dir = rules.to_str().unwrap();
    for (list, keys, handle) in [
        ("export.csv", "mapping = \"top1000-instagram-sep\"", "glow.with.gwen"),
        ("semicolon.csv", "delimiter = \";\"", "glossy.grace"),
    ] {
        write_rule(&tmp, "brands/glowskin.tests.toml", &test_file(list, keys, handle));
        let run = scout(&["test", "--rules", dir]);
        assert_eq!(run.code, 0, "{keys}: {}{}", run.stdout, run.stderr);
    }
    for (list, keys, problem) in [
        (
            "export.csv",
            "mapping = \"top1000-instagram-sepp\"",
            "did you mean `top1000-instagram-sep`?",
        ),
        ("semicolon.csv", "delimiter = \",\"", "has no `handle` column"),
        ("semicolon.csv", "delimiter = \";;\"", "invalid delimiter: `;;` is not one character"),
        (
            "semicolon.csv",
            "mapping = \"top1000-instagram-sep\"",
            "mapping `top1000-instagram-sep` does not fit",
        ),
    ] {
        write_rule(&tmp, "brands/glowskin.tests.toml", &test_file(list, keys, "glossy.grace"));
        let run = scout(&["test", "--rules", dir]);
        assert_eq!(run.code, 2, "{keys}: {}", run.stderr);
        assert!(run.stderr.contains(problem), "{keys}: {}", run.stderr);
        assert!(run.stderr.contains("rules/brands/glowskin.tests.toml:"), "{keys}: {}", run.stderr);
    }
}
