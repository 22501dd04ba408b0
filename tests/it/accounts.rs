//! One creator, several accounts: a repeated (platform, handle) is ranked once and
//! reported; a brand may rank only each creator's best account.

use std::fs;

use crate::{copy_dir, root, scout_in};

/// The `one_brand` rules (with the whole files of `overlay` written over them, if any) and
/// `tests/fixtures/candidates/accounts.csv` as `list.csv`, ranked with `extra`.
fn rank(overlay: Option<&str>, extra: &[&str]) -> crate::Run {
    let tmp = crate::rules_fixture("one_brand");
    if let Some(overlay) = overlay {
        copy_dir(&root().join("tests/fixtures/rules").join(overlay), &tmp.path().join("rules"));
    }
    fs::copy(root().join("tests/fixtures/candidates/accounts.csv"), tmp.path().join("list.csv"))
        .unwrap();
    let mut args = vec!["rank", "list.csv", "--brand", "glowskin", "--rules", "rules"];
    args.extend_from_slice(extra);
    scout_in(tmp.path(), &args, None)
}

const COLUMNS: &str = "rank,handle,platform,creator_id,score,line";

#[test]
fn a_repeated_account_is_ranked_once_and_reported() {
    let run = rank(None, &["--format", "table", "--columns", COLUMNS]);
    assert_eq!(run.code, 1, "duplicates are invalid rows: {}", run.stderr);
    insta::assert_snapshot!(format!("{}\n{}", run.stdout, run.stderr));

    let run = rank(None, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c = &doc["counts"];
    assert_eq!(c["read"], 5);
    assert_eq!(c["ranked"], 3);
    assert_eq!(c["invalid"], 2);
    let lines: Vec<_> = doc["duplicates"].as_array().unwrap().iter().map(|d| &d["line"]).collect();
    assert_eq!(lines, [5, 6]);
    assert_eq!(doc["duplicates"][0]["first_line"], 2);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn a_repeated_account_stays_out_of_a_top_list() {
    let run = rank(None, &["--format", "csv", "--columns", "handle,platform,line", "--top", "3"]);
    assert_eq!(
        run.stdout,
        "handle,platform,line\nmia.glow,instagram,2\nmia.glow,tiktok,3\ndani,instagram,4\n"
    );
}

#[test]
fn a_brand_may_rank_one_account_per_creator() {
    let overlay = Some("one_account_per_creator");
    let run = rank(overlay, &["--format", "table", "--columns", COLUMNS]);
    insta::assert_snapshot!(format!("{}\n{}", run.stdout, run.stderr));

    let run = rank(overlay, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c = &doc["counts"];
    assert_eq!((c["read"].as_u64(), c["ranked"].as_u64()), (Some(5), Some(2)));
    assert_eq!((c["filtered"].as_u64(), c["invalid"].as_u64()), (Some(1), Some(2)));
    let filtered = &doc["filtered"][0];
    assert_eq!(filtered["line"], 3);
    assert_eq!(
        filtered["reasons"][0],
        "another account of creator `mia` ranks higher: @mia.glow on instagram"
    );
}
