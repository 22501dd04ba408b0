//! Brand filters: custom rhai filters with their own reasons, min/max bounds on every
//! numeric measure, `when_missing` per filter and keyword matching modes.

use crate::{copy_dir, root, rules_fixture, scout_in};

/// `one_brand` with the `filters` overlay: a custom follow-for-follow filter, a $20–$150
/// budget, prefix keywords and `when_missing` per filter.
fn folder() -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    copy_dir(&root().join("tests/fixtures/rules/filters"), &tmp.path().join("rules"));
    tmp
}

fn filtered(tmp: &tempfile::TempDir) -> Vec<(String, Vec<String>)> {
    let run = scout_in(
        tmp.path(),
        &["rank", "rules/fixtures/filters.csv", "--brand", "glowskin", "--format", "json"],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect(&run.stderr);
    json["filtered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let reasons = f["reasons"].as_array().unwrap();
            (
                f["handle"].as_str().unwrap().to_owned(),
                reasons.iter().map(|r| r.as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn custom_filters_bounds_missing_values_and_keywords_give_their_reasons() {
    let tmp = folder();
    let filtered = filtered(&tmp);
    let reasons = |handle: &str| {
        filtered.iter().find(|(h, _)| h == handle).map(|(_, r)| r.clone()).unwrap_or_default()
    };
    // The custom filter's own reason, with its numbers as people write them.
    assert_eq!(reasons("f4f.fran"), ["following 4,100 / followers 3,900 = 1.05 > 0.8"]);
    // Bounds are inclusive at both ends: 20 and 150 pass, 19 and 151 do not.
    assert_eq!(reasons("cheap.cat"), ["cost_per_post 19 < min 20"]);
    assert_eq!(reasons("over.olga"), ["cost_per_post 151 > max 150"]);
    assert!(reasons("edge.low").is_empty() && reasons("edge.high").is_empty());
    // when_missing per filter: the fake share fails, the custom filter's `following` passes.
    assert_eq!(reasons("no.fake"), ["fake_follower_pct missing (fails: when_missing = \"fail\")"]);
    assert!(reasons("no.following").is_empty());
    // keyword_match = "prefix": `crypto` catches "cryptocurrency".
    assert_eq!(reasons("coin.carl"), ["excluded keyword `crypto` in bio"]);
    assert_eq!(filtered.len(), 5, "{filtered:?}");
}

/// `needs` may name values the condition does not read (a field, a component): they are
/// worked out all the same, so a row that has them is judged by the condition, and only a
/// row without one is "missing". (They were left out of the row's script values, so every
/// row was missing them.)
#[test]
fn a_custom_filter_needs_values_its_condition_does_not_read() {
    let tmp = folder();
    let brand = tmp.path().join("rules/brands/glowskin.toml");
    let mut text = std::fs::read_to_string(&brand).unwrap();
    text.push_str(
        r#"
[[filters.custom]]
name = "small"
reject_when = "followers < 3000"
needs = ["cost_per_post", "engagement"]
when_missing = "fail"
reason = "fewer than 3,000 followers"
"#,
    );
    std::fs::write(&brand, text).unwrap();
    let list = "handle,platform,followers,following,avg_likes,avg_comments,niches,country,\
                fake_follower_pct,cost_per_post,bio\n\
                small.priced,instagram,2500,300,200,10,beauty,US,0.05,60,\n\
                small.unpriced,instagram,2500,300,200,10,beauty,US,0.05,,\n\
                big.priced,instagram,3900,300,200,10,beauty,US,0.05,60,\n";
    std::fs::write(tmp.path().join("rules/fixtures/filters.csv"), list).unwrap();
    let filtered = filtered(&tmp);
    assert_eq!(
        filtered,
        [
            ("small.priced".to_owned(), vec!["fewer than 3,000 followers".to_owned()]),
            (
                "small.unpriced".to_owned(),
                vec!["cost_per_post missing (fails: when_missing = \"fail\")".to_owned()]
            ),
        ]
    );
}

#[test]
fn explain_shows_a_custom_filter_like_the_built_in_ones() {
    let tmp = folder();
    let run = scout_in(
        tmp.path(),
        &["explain", "--brand", "glowskin", "f4f.fran", "rules/fixtures/filters.csv"],
        None,
    );
    assert!(
        run.stdout.contains("FAIL: following 4,100 / followers 3,900 = 1.05 > 0.8"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("filtered by follow_for_follow"), "{}", run.stdout);
}

#[test]
fn keyword_modes_word_and_substring() {
    for (mode, caught) in [("word", false), ("substring", true)] {
        let tmp = folder();
        let brand = tmp.path().join("rules/brands/glowskin.toml");
        let text = std::fs::read_to_string(&brand)
            .unwrap()
            .replace("keyword_match = \"prefix\"", &format!("keyword_match = \"{mode}\""));
        std::fs::write(&brand, text).unwrap();
        let caught_now = filtered(&tmp).iter().any(|(h, _)| h == "coin.carl");
        assert_eq!(caught_now, caught, "{mode}");
    }
}
