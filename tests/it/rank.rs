//! `scout rank`: outputs, accounting, exit codes and inputs.

use crate::{json, root, rules_fixture, rules_with, scout, scout_in, variant, write_rule};

const BASIC: &str = "tests/fixtures/candidates/basic.csv";

#[test]
fn json_output_keeps_the_contract() {
    let run = scout(&["rank", BASIC, "--brand", "glowskin", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    for key in ["revision", "brand", "counts", "results", "filtered", "errors"] {
        assert!(doc.get(key).is_some(), "missing `{key}`");
    }
    let c = &doc["counts"];
    let read = c["read"].as_u64().unwrap();
    assert_eq!(read, 13);
    assert_eq!(
        read,
        c["ranked"].as_u64().unwrap()
            + c["filtered"].as_u64().unwrap()
            + c["invalid"].as_u64().unwrap()
    );
    let first = &doc["results"][0];
    for key in ["rank", "handle", "platform", "tier", "score", "engagement_rate", "components"] {
        assert!(first.get(key).is_some(), "result lacks `{key}`");
    }
    for filtered in doc["filtered"].as_array().unwrap() {
        assert!(filtered["line"].is_u64() && !filtered["reasons"].as_array().unwrap().is_empty());
    }
    insta::assert_json_snapshot!("rank_basic_json", doc, {".revision" => "[revision]", ".results[].revision" => "[revision]"});
}

#[test]
fn table_output() {
    let run = scout(&["rank", BASIC, "--brand", "glowskin", "--format", "table", "--top", "5"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("rank_basic_table", run.stdout);
}

#[test]
fn csv_output_is_the_default_when_piped() {
    let run = scout(&["rank", BASIC, "--brand", "glowskin", "--top", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert!(lines.next().unwrap().starts_with("rank,handle,platform,tier,followers,score"));
    assert_eq!(lines.count(), 3);
}

#[test]
fn every_filter_reason_is_explained() {
    let run = scout(&["rank", BASIC, "--brand", "glowskin", "--format", "json"]);
    let doc = json(&run);
    let reasons: Vec<String> = doc["filtered"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned())
        })
        .collect();
    for expected in [
        "fake_follower_pct 0.41 > max 0.25",
        "cost_per_post 900 > max 400",
        "excluded keyword `vape` in handle",
        "country `DE` not in [US, GB, CA, AU, IE, NZ]",
        "platform `youtube` not in [instagram, tiktok]",
        "tier `mid` not in [nano, micro]",
        "followers 100,001 > max 100,000",
    ] {
        assert!(reasons.iter().any(|r| r == expected), "no `{expected}` in {reasons:#?}");
    }
    assert!(
        reasons.iter().any(|r| r.starts_with("engagement_rate 0.0031 < min 0.0100")),
        "{reasons:#?}"
    );
}

#[test]
fn seed_boundaries_classify_exactly() {
    let doc = json(&scout(&["rank", BASIC, "--brand", "glowskin", "--format", "json"]));
    let tier_of = |handle: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["handle"] == handle)
            .map(|r| r["tier"].as_str().unwrap().to_owned())
    };
    assert_eq!(tier_of("boundary_low").as_deref(), Some("nano"));
    assert_eq!(tier_of("boundary_micro").as_deref(), Some("micro"));
    assert_eq!(tier_of("boundary_top").as_deref(), Some("micro"));
    assert_eq!(tier_of("boundary_mid"), None, "100,001 is mid, which glowskin filters out");
}

#[test]
fn bad_rows_are_reported_and_the_batch_goes_on() {
    let run = scout(&[
        "rank",
        "tests/fixtures/candidates/bad_rows.csv",
        "--brand",
        "glowskin",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(
        doc["counts"],
        serde_json::json!({"read": 7, "ranked": 2, "filtered": 0, "invalid": 5, "rule_errors": 0})
    );
    insta::assert_json_snapshot!("rank_bad_rows_errors", doc["errors"]);
    insta::assert_snapshot!(
        "rank_bad_rows_stderr",
        run.stderr.replace(doc["revision"].as_str().unwrap(), "[revision]")
    );
}

#[test]
fn every_bundled_brand_ranks_the_examples() {
    let rules = scout::rules::load(&root().join("rules")).unwrap();
    assert!(rules.brands.len() >= 3);
    for brand in rules.brands.keys() {
        let run = scout(&["rank", "examples/candidates.csv", "--brand", brand, "--format", "json"]);
        assert_eq!(run.code, 0, "{brand}: {}", run.stderr);
        let doc = json(&run);
        assert!(doc["counts"]["ranked"].as_u64().unwrap() >= 5, "{brand}: {}", doc["counts"]);
        assert!(doc["counts"]["filtered"].as_u64().unwrap() >= 5, "{brand}: {}", doc["counts"]);
        assert_eq!(doc["counts"]["invalid"], 0, "{brand}");
    }
}

#[test]
fn runaway_script_stops_with_an_error_naming_script_and_candidate() {
    let tmp =
        rules_with(&[("brands/glowskin.rhai", "if handle == \"dewy_dani\" { loop { } }\n50.0\n")]);
    // A flat 50 fails glowskin's own tests, and a folder whose tests fail is not valid.
    std::fs::remove_file(tmp.path().join("rules/brands/glowskin.tests.toml")).unwrap();
    let candidates = root().join(BASIC);
    let run = scout_in(
        tmp.path(),
        &["rank", candidates.to_str().unwrap(), "--brand", "glowskin", "--format", "json"],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    let errors = doc["rule_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "rules/brands/glowskin.rhai");
    assert_eq!(errors[0]["first_handle"], "dewy_dani");
    assert_eq!(errors[0]["rows"], 1);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "a rule error is not a bad row");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("ran past its budget of 100,000 operations")
            || message.contains("ran longer than its budget of 100 ms"),
        "{message}"
    );
    assert!(doc["counts"]["ranked"].as_u64().unwrap() > 0, "the batch goes on");
}

#[test]
fn json_input_with_post_samples_and_extra_keys() {
    let run = scout(&[
        "rank",
        "tests/fixtures/candidates/samples.json",
        "--brand",
        "glowskin",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    let sue =
        doc["results"].as_array().unwrap().iter().find(|r| r["handle"] == "sampled_sue").unwrap();
    // mean of (320, 540, 100) engagements over 10,000 followers
    assert_eq!(sue["engagement_rate"], 0.032);
    assert_eq!(doc["errors"][0]["line"], 8);
    assert_eq!(doc["errors"][0]["message"], "followers `many` is not a number");
}

#[test]
fn ndjson_from_stdin() {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/candidates/lines.ndjson")).unwrap();
    let run = crate::scout_in(
        &root(),
        &["rank", "-", "--input-format", "ndjson", "--brand", "glowskin", "--format", "json"],
        Some(&text),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(doc["counts"]["read"], 3);
    assert_eq!(doc["counts"]["invalid"], 1);
    assert_eq!(doc["errors"][0]["line"], 3);
}

#[test]
fn output_file_is_written_whole_and_format_follows_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ranking.json");
    let run = scout(&["rank", BASIC, "--brand", "glowskin", "--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["brand"], "glowskin");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temp files left behind");
}

#[test]
fn unknown_brand_is_fatal_with_a_suggestion() {
    let run = scout(&["rank", BASIC, "--brand", "glowskn"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: unknown brand `glowskn`\nhint: did you mean `glowskin`?\n");
}

#[test]
fn missing_required_column_is_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("x.csv");
    std::fs::write(&file, "title,followers\nAnn Lee,100\n").unwrap();
    let run = scout(&["rank", file.to_str().unwrap(), "--brand", "glowskin"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no `handle` column"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: columns found: `title`, `followers`"), "{}", run.stderr);
}

#[test]
fn invalid_rules_are_fatal_for_rank() {
    let tmp = rules_fixture("one_brand");
    write_rule(&tmp, "tiers.toml", &variant("tiers_overlapping.toml"));
    let candidates = root().join(BASIC);
    let run =
        scout_in(tmp.path(), &["rank", candidates.to_str().unwrap(), "--brand", "glowskin"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--> rules/tiers.toml:13:17"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2() {
    let run = scout(&["rank", BASIC, "--brand", "glowskin", "--format", "xml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'xml'"), "{}", run.stderr);
}
