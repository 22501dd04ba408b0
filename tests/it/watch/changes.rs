//! What a rule change does to a ranking: `changes::compare` on real rankings of the bundled
//! example list.

use std::path::Path;

use scout::changes::{compare, Changes, Standing};
use scout::input::{self, Format, Source};
use scout::rank::{rank, RankOptions, Ranking};

use crate::{root, rules_with};

fn ranking(rules: &Path, brand: &str) -> Ranking {
    let rules = scout::rules::load(rules).unwrap();
    let source = Source::File(root().join("examples/candidates.csv"));
    let rows = input::read(&source, Format::Csv).unwrap();
    rank(
        &rules,
        rules.brand(brand).unwrap(),
        rows,
        RankOptions { top: None, ..RankOptions::default() },
    )
}

/// One line per movement, for snapshots.
fn lines(changes: &Changes) -> String {
    let place = |s: &Standing| match (s.rank, s.score, &s.tier) {
        (Some(rank), Some(score), Some(tier)) => format!("#{rank} {tier} {score:.2}"),
        _ if !s.filtered.is_empty() => format!("filtered ({})", s.filtered.join("; ")),
        _ => "unranked".to_owned(),
    };
    changes
        .movements
        .iter()
        .map(|m| {
            let mut flags = Vec::new();
            if m.entered(changes.top) {
                flags.push("entered".to_owned());
            }
            if m.left(changes.top) {
                flags.push("left".to_owned());
            }
            if let Some((from, to)) = m.tier_change() {
                flags.push(format!("tier {from} → {to}"));
            }
            format!(
                "@{}: {} → {} {}\n",
                m.handle,
                place(&m.before),
                place(&m.after),
                flags.join(", ")
            )
        })
        .collect()
}

#[test]
fn the_same_rules_change_nothing() {
    let before = ranking(&root().join("rules"), "glowskin");
    let changes = compare(&before, &before.clone(), 10);
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn a_niche_weight_reorders_the_top() {
    let before = ranking(&root().join("rules"), "glowskin");
    let tmp = rules_with(&[
        ("brands/glowskin.toml", "beauty = 1.0", "beauty = 0.5"),
        ("brands/glowskin.toml", "wellness = 0.6", "wellness = 1.0"),
    ]);
    let after = ranking(&tmp.path().join("rules"), "glowskin");
    let changes = compare(&before, &after, 5);
    assert_eq!(changes.from_revision, before.revision);
    assert_eq!(changes.to_revision, after.revision);
    assert_eq!(changes.entered().count(), changes.left().count(), "the top 5 stays 5 long");
    insta::assert_snapshot!(lines(&changes));
}

#[test]
fn tier_changes_and_filtered_candidates() {
    let before = ranking(&root().join("rules"), "glowskin");
    // Nano now reaches 2,999: @lashes.by.lena (2,000) becomes nano; and micro ends at
    // 12,000, so @glossy.graham (12,300) becomes mid and is filtered out.
    let tmp = rules_with(&[
        ("tiers.toml", "max_followers = 1_999", "max_followers = 2_999"),
        ("tiers.toml", "min_followers = 2_000", "min_followers = 3_000"),
        ("tiers.toml", "max_followers = 100_000", "max_followers = 12_000"),
        ("tiers.toml", "min_followers = 100_001", "min_followers = 12_001"),
    ]);
    let after = ranking(&tmp.path().join("rules"), "glowskin");
    let changes = compare(&before, &after, 8);
    let lena = changes.movements.iter().find(|m| m.handle == "lashes.by.lena").unwrap();
    assert_eq!(lena.tier_change(), Some(("micro", "nano")));
    let graham = changes.movements.iter().find(|m| m.handle == "glossy.graham").unwrap();
    assert!(graham.left(8));
    assert!(graham.after.filtered[0].contains("`mid`"), "{:?}", graham.after);
    insta::assert_snapshot!(lines(&changes));
}
