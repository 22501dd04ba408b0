//! `scout diff`: a rule change's effect on a candidate list.

use crate::{copy_dir, json, root, rules_fixture, scout, scout_in, variant};

const BASIC: &str = "tests/fixtures/candidates/basic.csv";
const NANO5K: &str = "tests/fixtures/diff/nano5k.toml";

fn masked(text: &str, revisions: &[&str]) -> String {
    revisions.iter().fold(text.to_owned(), |text, r| text.replace(r, "[revision]"))
}

#[test]
fn another_tier_scheme() {
    let run = scout(&["diff", BASIC, "--brand", "glowskin", "--tiers", NANO5K]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let revision = crate::engine::bundled().revision.clone();
    insta::assert_snapshot!("diff_tiers_text", masked(&run.stdout, &[&revision]));
    assert!(run.stderr.contains("compared 13 of 13 candidates"), "{}", run.stderr);
}

#[test]
fn another_rule_folder() {
    // The changed folder: stricter on fake followers, open to Germany, niche fit over
    // engagement.
    let tmp = rules_fixture("one_brand");
    copy_dir(&tmp.path().join("rules"), &tmp.path().join("changed"));
    let brand = tmp.path().join("changed/brands/glowskin.toml");
    std::fs::write(&brand, variant("glowskin_strict.toml")).unwrap();
    let list = root().join(BASIC);
    let list = list.to_str().unwrap();
    let run = scout_in(
        tmp.path(),
        &["diff", list, "--brand", "glowskin", "--against", "changed", "--top", "5"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before = scout::rules::load(&tmp.path().join("rules")).unwrap().revision;
    let after = scout::rules::load(&tmp.path().join("changed")).unwrap().revision;
    assert_ne!(before, after);
    insta::assert_snapshot!("diff_against_text", masked(&run.stdout, &[&before, &after]));

    let run = scout_in(
        tmp.path(),
        &["diff", list, "--brand", "glowskin", "--against", "changed", "--format", "json"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let compared = doc["candidates"].as_u64().unwrap();
    assert_eq!(doc["read"].as_u64().unwrap(), compared + doc["invalid"].as_u64().unwrap());
    let in_matrix: u64 = doc["migration"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(in_matrix, compared, "every candidate is counted once in the matrix");
    let flipped: Vec<(&str, &str)> = doc["flips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["handle"].as_str().unwrap(), f["filter"].as_str().unwrap()))
        .collect();
    assert!(flipped.contains(&("berlin_beauty", "countries")), "{flipped:?}");
    assert!(flipped.contains(&("dewy_dani", "max_fake_follower_pct")), "{flipped:?}");
    insta::assert_json_snapshot!("diff_against_json", doc, {
        ".before.revision" => "[revision]",
        ".after.revision" => "[revision]",
        ".before.rules" => "[rules]",
        ".after.rules" => "[rules]",
    });
}

#[test]
fn tiers_the_brand_filters_on_must_exist_in_the_new_scheme() {
    let run = scout(&[
        "diff",
        BASIC,
        "--brand",
        "littlenest",
        "--tiers",
        "rules/experiments/hootsuite.toml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("`filters.tiers` names `meta`, which `rules/experiments/hootsuite.toml` does not define"),
        "{}",
        run.stderr
    );
    let doc = json(&run);
    assert_eq!(doc["migration"]["after"][0], "emerging");
}

#[test]
fn mistakes_are_fatal_with_a_hint() {
    let run = scout(&["diff", BASIC, "--brand", "glowskin"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nothing to compare with"), "{}", run.stderr);
    assert!(run.stderr.contains("--against DIR"), "{}", run.stderr);

    let run =
        scout(&["diff", BASIC, "--brand", "glowskin", "--tiers", "tests/fixtures/diff/gap.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("followers 5,000–5,999 fall into no tier"), "{}", run.stderr);
    assert!(run.stderr.contains("--> tests/fixtures/diff/gap.toml:7:17"), "{}", run.stderr);

    let run = scout(&["diff", BASIC, "--brand", "glowskin", "--against", "no/such/rules"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("rule folder `no/such/rules` does not exist"), "{}", run.stderr);
}

#[test]
fn unusable_rows_are_counted_and_make_the_exit_code_1() {
    let run = scout(&[
        "diff",
        "tests/fixtures/candidates/bad_rows.csv",
        "--brand",
        "glowskin",
        "--tiers",
        NANO5K,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert!(doc["invalid"].as_u64().unwrap() > 0);
    assert_eq!(
        doc["read"].as_u64().unwrap(),
        doc["candidates"].as_u64().unwrap() + doc["invalid"].as_u64().unwrap()
    );
}

#[test]
fn reads_a_list_through_a_mapping_profile_and_a_delimiter() {
    let export = "tests/fixtures/import/top1000-youtube.csv";
    let ranked = |extra: &[&str]| {
        let mut args =
            vec!["diff", export, "--brand", "trailpack", "--tiers", NANO5K, "--format", "json"];
        args.extend_from_slice(extra);
        let run = scout(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        json(&run)["ranked_before"].as_u64().unwrap()
    };
    // Read by column names alone, one fewer channel passes; the profile reads it all.
    assert_eq!(ranked(&[]), 1);
    assert_eq!(ranked(&["--mapping", "top1000-youtube"]), 2);

    let semicolons = "tests/fixtures/import/quirks/semicolon.csv";
    let run =
        scout(&["diff", semicolons, "--brand", "glowskin", "--tiers", NANO5K, "--delimiter", ";"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("compared 2 of 3 candidates"), "{}", run.stderr);
    let run =
        scout(&["diff", semicolons, "--brand", "glowskin", "--tiers", NANO5K, "--delimiter", ","]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no `handle` column"), "{}", run.stderr);
}
