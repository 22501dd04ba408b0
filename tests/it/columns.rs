//! `scout rank --columns`: the table and CSV columns a marketer picks, from one catalogue;
//! JSON carries the marketing fields always.

use std::fs;

use crate::{root, scout_in};

fn rank(extra: &[&str]) -> crate::Run {
    let tmp = crate::rules_fixture("one_brand");
    fs::copy(root().join("tests/fixtures/candidates/basic.csv"), tmp.path().join("list.csv"))
        .unwrap();
    let mut args = vec!["rank", "list.csv", "--brand", "glowskin", "--rules", "rules"];
    args.extend_from_slice(extra);
    scout_in(tmp.path(), &args, None)
}

const MARKETING: &str =
    "rank,handle,platform,score,cost_per_post,cost_per_engagement,estimated_reach,country,niches";

#[test]
fn the_table_shows_the_picked_columns() {
    let run = rank(&["--format", "table", "--columns", MARKETING]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn csv_shows_the_picked_columns_in_order() {
    let run = rank(&["--format", "csv", "--columns", MARKETING]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn without_columns_the_defaults_hold() {
    let picked =
        rank(&["--format", "csv", "--columns", &scout::output::columns::CSV_DEFAULT.join(",")]);
    let default = rank(&["--format", "csv"]);
    assert_eq!(picked.stdout, default.stdout);
    assert!(default.stdout.starts_with(
        "rank,handle,platform,tier,followers,score,engagement_rate,er_basis,engagement,\
         niche_fit,cost_efficiency,authenticity,line,revision\n"
    ));
}

#[test]
fn an_unknown_column_is_refused_with_the_closest_and_the_list() {
    let run = rank(&["--format", "csv", "--columns", "handle,cost_per_psot"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn json_takes_no_columns_but_carries_the_marketing_fields() {
    let run = rank(&["--format", "json", "--columns", "handle"]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    let run = rank(&["--format", "json", "--top", "1"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let first = &doc["results"][0];
    for key in ["cost_per_post", "country", "niches"] {
        assert!(first.get(key).is_some(), "{key}: {first}");
    }
    for key in ["cost_per_engagement", "estimated_reach"] {
        assert!(first["metrics"].get(key).is_some(), "{key}: {first}");
    }
}
