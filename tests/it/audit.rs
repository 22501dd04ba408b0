//! `scout audit`: follower samples judged by the audience rules, labelled evaluation,
//! Wilson intervals, bad rows accounted for, and estimates merged into a candidate list.

use crate::{json, root, rules_fixture, scout, scout_in};

use scout::metrics::{roc_auc, wilson, Confusion, Z95};

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-3, "{a} != {b}");
}

#[test]
fn labelled_fixture_gives_hand_computed_metrics() {
    // 3 fakes (suspicion 1.0, 0.6, 0.2) and 5 real accounts (0.7, 0, 0.2, 0, 0.3),
    // threshold 0.6: tp 2, fn 1, fp 1, tn 4.
    let run = scout(&[
        "audit",
        "tests/fixtures/audit/labelled.json",
        "--mapping",
        "instafake",
        "--labels",
        "isFake",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let labels = &doc["labels"];
    assert_eq!(labels["confusion"], serde_json::json!({"tp": 2, "fp": 1, "fn_": 1, "tn": 4}));
    close(labels["fake"]["precision"].as_f64().unwrap(), 2.0 / 3.0);
    close(labels["fake"]["recall"].as_f64().unwrap(), 2.0 / 3.0);
    close(labels["real"]["f1"].as_f64().unwrap(), 0.8);
    close(labels["macro_f1"].as_f64().unwrap(), (2.0 / 3.0 + 0.8) / 2.0);
    // Fake > real pairs: 5 + 4 + 2 wins and one tie (0.2 = 0.2), of 15.
    close(labels["roc_auc"].as_f64().unwrap(), 11.5 / 15.0);
    close(labels["threshold"].as_f64().unwrap(), 0.6);
}

#[test]
fn bundled_rules_meet_the_target_on_the_library_functions() {
    // The figures of docs/audit.md's labelled run, recomputed from its confusion matrix.
    let c = Confusion { tp: 122, fp: 9, fn_: 18, tn: 687 };
    assert!(c.macro_f1() >= 0.92 && c.positive().precision >= 0.85 && c.positive().recall >= 0.85);
    close(roc_auc(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, false]).unwrap(), 0.875);
}

#[test]
fn wilson_matches_known_values() {
    let (lo, hi) = wilson(2, 4, Z95).unwrap();
    close(lo, 0.150);
    close(hi, 0.850);
    let (lo, hi) = wilson(0, 4, Z95).unwrap();
    close(lo, 0.0);
    close(hi, 0.4899);
    // 81 of 263: 0.2553 to 0.3662.
    let (lo, hi) = wilson(81, 263, Z95).unwrap();
    close(lo, 0.2553);
    close(hi, 0.3662);
}

#[test]
fn bad_rows_are_accounted_for() {
    let run = scout(&["audit", "tests/fixtures/audit/followers.csv", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(doc["counts"], serde_json::json!({"read": 9, "judged": 8, "invalid": 1}));
    assert_eq!(doc["errors"][0]["line"], 5);
    assert!(run.stderr.contains("followers `many` is not a number"), "{}", run.stderr);
    let influencers = doc["influencers"].as_array().unwrap();
    let sample: u64 = influencers.iter().map(|i| i["sample"].as_u64().unwrap()).sum();
    assert_eq!(sample, 8);
    assert_eq!(influencers[1]["influencer"], "skinsavvy");
    assert_eq!(influencers[1]["suspicious"], 2);
    assert_eq!(influencers[1]["verdict"], "suspicious");
    close(influencers[1]["ci_low"].as_f64().unwrap(), 0.150);
    assert_eq!(influencers[0]["verdict"], "genuine");
}

#[test]
fn merged_estimates_rank_as_expected() {
    let tmp = rules_fixture("one_brand");
    std::fs::copy(root().join("rules/audience.toml"), tmp.path().join("rules/audience.toml"))
        .unwrap();
    let fixtures = root().join("tests/fixtures/audit");
    let merged = tmp.path().join("merged.csv");
    let run = scout_in(
        tmp.path(),
        &[
            "audit",
            fixtures.join("followers.csv").to_str().unwrap(),
            "--into",
            fixtures.join("candidates.csv").to_str().unwrap(),
            "--output",
            merged.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("merged estimates for 2 of 2 influencers"), "{}", run.stderr);
    let text = std::fs::read_to_string(&merged).unwrap();
    assert!(text.starts_with("handle,platform,followers,avg_likes,avg_comments,niches,country,cost_per_post,fake_follower_pct,fake_follower_ci_low,fake_follower_ci_high,fake_follower_sample,fake_follower_source,fake_follower_reasons\n"), "{text}");
    assert!(
        text.contains("skinsavvy,instagram,5000,200,10,beauty,US,50,0.5,0.15,0.85,4,audit,follows_10x_back;no_posts;no_biography\n"),
        "{text}"
    );
    assert!(text.contains("noaudit,instagram,5000,200,10,beauty,US,50,,,,,,\n"), "{text}");
    // glowskin filters out fake shares above 25 % and prefers the audited-genuine account
    // to the one with no figure.
    let run = scout_in(
        tmp.path(),
        &["rank", merged.to_str().unwrap(), "--brand", "glowskin", "--format", "json"],
        None,
    );
    let doc = json(&run);
    let ranked: Vec<&str> =
        doc["results"].as_array().unwrap().iter().map(|r| r["handle"].as_str().unwrap()).collect();
    assert_eq!(ranked[0], "glowup", "{}", run.stdout);
    assert!(!ranked.contains(&"skinsavvy"), "{}", run.stdout);
}

#[test]
fn the_output_is_never_an_input() {
    let tmp = rules_fixture("one_brand");
    std::fs::copy(root().join("rules/audience.toml"), tmp.path().join("rules/audience.toml"))
        .unwrap();
    let list = tmp.path().join("list.csv");
    std::fs::copy(root().join("tests/fixtures/audit/candidates.csv"), &list).unwrap();
    let followers = root().join("tests/fixtures/audit/followers.csv");
    let run = scout_in(
        tmp.path(),
        &["audit", followers.to_str().unwrap(), "--into", "list.csv", "--output", "list.csv"],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&list).unwrap(),
        std::fs::read_to_string(root().join("tests/fixtures/audit/candidates.csv")).unwrap()
    );
}

#[test]
fn a_folder_without_audience_rules_says_so() {
    let tmp = rules_fixture("one_brand");
    let followers = root().join("tests/fixtures/audit/followers.csv");
    let run = scout_in(tmp.path(), &["audit", followers.to_str().unwrap()], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no `audience.toml`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: copy `audience.toml`"), "{}", run.stderr);
}

#[test]
fn json_input_goes_through_mapping_profiles() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("export.json");
    std::fs::write(
        &file,
        r#"[{"channel_info": "@trail_amy", "followers": "48.2k", "posts": 310, "new_post_avg_like": "1.9k", "country": "United States", "60_day_eng_rate": "3.9%"},
{"channel_info": "hike.hank", "followers": 9100, "posts": "n/a", "new_post_avg_like": 350, "country": null, "60_day_eng_rate": "3.8%"}]"#,
    )
    .unwrap();
    let run = scout(&[
        "rank",
        file.to_str().unwrap(),
        "--mapping",
        "top-insta-200",
        "--brand",
        "trailpack",
        "--format",
        "json",
    ]);
    let doc = json(&run);
    assert_eq!(doc["counts"]["read"], 2, "{}", run.stderr);
    assert_eq!(doc["counts"]["invalid"], 0, "{}", run.stderr);
    let handles: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(doc["filtered"].as_array().unwrap())
        .map(|r| r["handle"].as_str().unwrap())
        .collect();
    assert!(handles.contains(&"trail_amy") && handles.contains(&"hike.hank"), "{}", run.stdout);
}

#[test]
fn script_conditions_and_missing_values() {
    let tmp = rules_fixture("one_brand");
    std::fs::write(
        tmp.path().join("rules/audience.toml"),
        r#"threshold = 0.5

[[signal]]
name = "follows_back_little"
when = "following > 3.0 * followers && posts < 10"
weight = 0.5
reason = "follows {following}, followed by {followers}"

[[signal]]
name = "private"
when = "is_private"
weight = -0.2
reason = "private"

[[band]]
name = "fine"
max_fake_share = 0.5

[[band]]
name = "bad"
"#,
    )
    .unwrap();
    let followers = "influencer,followers,following,posts,is_private\n\
                     a,10,100,2,0\n\
                     a,10,100,2,1\n\
                     a,10,100,,0\n\
                     a,10,20,2,\n";
    let run = scout_in(tmp.path(), &["audit", "-", "--format", "json"], Some(followers));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    // Row 1 fires (0.5); row 2 is private (0.3); row 3 has no posts, so the script signal
    // is not judged; row 4 follows little.
    assert_eq!(doc["influencers"][0]["suspicious"], 1, "{}", run.stdout);
    assert_eq!(doc["influencers"][0]["sample"], 4);
    assert_eq!(doc["influencers"][0]["verdict"], "fine");
    assert_eq!(doc["influencers"][0]["reasons"][0]["signal"], "follows_back_little");
}

#[test]
fn a_broken_audience_file_stops_the_audit_with_located_diagnostics() {
    let tmp = rules_fixture("one_brand");
    std::fs::write(
        tmp.path().join("rules/audience.toml"),
        "threshold = 60\n\n[[signal]]\nname = \"x\"\nwhen = \"posts ==\"\nweight = 2\nreason = \"r\"\n",
    )
    .unwrap();
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("audit_broken_audience", run.stderr);
}

#[test]
fn the_no_sample_estimate_is_marked_and_opt_in() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("list.csv");
    std::fs::write(
        &list,
        "handle,platform,followers,following,avg_likes,avg_comments,fake_follower_pct\n\
         glowup,instagram,5000,300,200,10,\n\
         quiet,instagram,8000,9000,40,0.2,\n\
         listed,instagram,5000,300,200,10,0.02\n",
    )
    .unwrap();
    let merged = tmp.path().join("merged.csv");
    let followers = root().join("tests/fixtures/audit/followers.csv");
    let args = [
        "audit",
        followers.to_str().unwrap(),
        "--into",
        list.to_str().unwrap(),
        "--output",
        merged.to_str().unwrap(),
    ];
    let run = scout(&[&args[..], &["--estimate", "--brand", "glowskin"]].concat());
    assert!(
        run.stderr.contains("estimated the fake-follower share of 1 candidate"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&merged).unwrap();
    // base 0.10 + following > followers 0.10 + ER under a quarter of the benchmark 0.15
    // + 200 likes a comment 0.10.
    assert!(text.contains("quiet,instagram,8000,9000,40,0.2,0.45,,,,estimated,follows_more_than_followed;engagement_far_below_benchmark;likes_without_comments\n"), "{text}");
    assert!(text.contains("listed,instagram,5000,300,200,10,0.02,,,,list,\n"), "{text}");
    // Without --estimate, no estimate.
    let run = scout(&args);
    assert!(!run.stderr.contains("estimated"), "{}", run.stderr);
    let text = std::fs::read_to_string(&merged).unwrap();
    assert!(text.contains("quiet,instagram,8000,9000,40,0.2,,,,,,\n"), "{text}");
}

/// A row whose fake-follower share `scout audit --estimate` estimated is marked in JSON
/// and explain, and a brand with `[ranking] estimated_authenticity = false` judges it as if
/// it had no figure.
#[test]
fn a_brand_can_ignore_estimated_authenticity() {
    let tmp = rules_fixture("one_brand");
    let list = tmp.path().join("estimated.csv");
    std::fs::write(
        &list,
        "handle,platform,followers,avg_likes,avg_comments,niches,country,cost_per_post,fake_follower_pct,fake_follower_source\n\
         guessed,instagram,5000,200,10,beauty,US,50,0.10,estimated\n\
         sampled,instagram,5000,200,10,beauty,US,50,0.10,audit\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let rank = |tmp: &tempfile::TempDir| {
        let run =
            scout_in(tmp.path(), &["rank", list, "--brand", "glowskin", "--format", "json"], None);
        json(&run)
    };
    let used = rank(&tmp);
    let results = used["results"].as_array().unwrap();
    let guessed = results.iter().find(|r| r["handle"] == "guessed").unwrap();
    assert_eq!(guessed["authenticity_estimated"], true, "{guessed}");
    assert!(results.iter().find(|r| r["handle"] == "sampled").unwrap()["authenticity_estimated"]
        .is_null());

    let brand = std::fs::read_to_string(tmp.path().join("rules/brands/glowskin.toml")).unwrap();
    std::fs::write(
        tmp.path().join("rules/brands/glowskin.toml"),
        format!("{brand}\n[ranking]\nestimated_authenticity = false\n"),
    )
    .unwrap();
    let ignored = rank(&tmp);
    let results = ignored["results"].as_array().unwrap();
    let guessed = results.iter().find(|r| r["handle"] == "guessed").unwrap();
    let sampled = results.iter().find(|r| r["handle"] == "sampled").unwrap();
    assert!(guessed["components"]["authenticity"].is_null(), "{guessed}");
    assert_eq!(guessed["authenticity_estimated"], false);
    assert_eq!(sampled["components"]["authenticity"], 0.9);
    let explain = scout_in(tmp.path(), &["explain", "guessed", "--brand", "glowskin", list], None);
    assert!(
        explain.stdout.contains("an estimated fake-follower figure, which the brand does not use"),
        "{}",
        explain.stdout
    );
}
