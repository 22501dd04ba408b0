//! What a rule change does to a ranking: `changes::compare` on real rankings of the bundled
//! example list.

use std::path::Path;

use scout::changes::{compare, compare_with, Changes, Side, Standing};
use scout::input::{self, Format, Source};
use scout::rank::{rank, rank_slice, RankOptions, Ranking};

use crate::{glowskin_toml, root, rules_fixture, variant, write_rule, GLOWSKIN_WEIGHTS};

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
    let tmp = rules_fixture("one_brand");
    let before = ranking(&tmp.path().join("rules"), "glowskin");
    let niches = "beauty = 0.5\nwellness = 1.0\nfashion = 0.5\nlifestyle = 0.4\n";
    write_rule(&tmp, "brands/glowskin.toml", &glowskin_toml(niches, GLOWSKIN_WEIGHTS));
    let after = ranking(&tmp.path().join("rules"), "glowskin");
    let changes = compare(&before, &after, 5);
    assert_eq!(changes.from_revision, before.revision);
    assert_eq!(changes.to_revision, after.revision);
    assert_eq!(changes.entered().count(), changes.left().count(), "the top 5 stays 5 long");
    insta::assert_snapshot!(lines(&changes));
}

#[test]
fn tier_changes_and_filtered_candidates() {
    let tmp = rules_fixture("one_brand");
    let before = ranking(&tmp.path().join("rules"), "glowskin");
    // Nano now reaches 2,999: @lashes.by.lena (2,000) becomes nano; and micro ends at
    // 12,000, so @glossy.graham (12,300) becomes mid and is filtered out.
    write_rule(&tmp, "tiers.toml", &variant("tiers_nano_to_2999_micro_to_12000.toml"));
    let after = ranking(&tmp.path().join("rules"), "glowskin");
    let changes = compare(&before, &after, 8);
    let lena = changes.movements.iter().find(|m| m.handle == "lashes.by.lena").unwrap();
    assert_eq!(lena.tier_change(), Some(("micro", "nano")));
    let graham = changes.movements.iter().find(|m| m.handle == "glossy.graham").unwrap();
    assert!(graham.left(8));
    assert!(graham.after.filtered[0].contains("`mid`"), "{:?}", graham.after);
    insta::assert_snapshot!(lines(&changes));
}

/// `scout watch` ranks without writing out filtered rows' reasons and works out only those
/// a comparison shows: the same changes as rankings that keep every reason.
#[test]
fn reasons_worked_out_on_demand_are_the_reasons_kept() {
    let tmp = rules_fixture("one_brand");
    let source = Source::File(root().join("examples/candidates.csv"));
    let rows: Vec<_> = input::read(&source, Format::Csv).unwrap().collect();
    let load = || scout::rules::load(&tmp.path().join("rules")).unwrap();
    let rank_both = |rules: &scout::rules::RuleSet| {
        let brand = rules.brand("glowskin").unwrap();
        let eager = RankOptions { top: None, ..RankOptions::default() };
        let lazy = RankOptions { reasons: false, ..eager };
        (rank_slice(rules, brand, &rows, eager), rank_slice(rules, brand, &rows, lazy))
    };
    let before_rules = load();
    let (before, before_lazy) = rank_both(&before_rules);
    write_rule(&tmp, "tiers.toml", &variant("tiers_nano_to_2999_micro_to_12000.toml"));
    let after_rules = load();
    let (after, after_lazy) = rank_both(&after_rules);
    assert!(after_lazy.filtered.iter().all(|f| f.reasons.is_empty()));

    let eager = compare(&before, &after, 8);
    let lazy = compare_with(&before_lazy, &after_lazy, 8, |side, filtered| {
        let rules = match side {
            Side::Before => &before_rules,
            Side::After => &after_rules,
        };
        scout::rank::row::reasons_of(rules, rules.brand("glowskin").unwrap(), &rows, filtered)
    });
    assert!(eager.movements.iter().any(|m| !m.after.filtered.is_empty()), "{eager:?}");
    assert_eq!(lazy, eager);
}
