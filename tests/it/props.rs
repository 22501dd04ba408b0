//! Property tests: tier classification is total and agrees with the bounds, on the bundled
//! schemes and on random valid ones; evaluation is deterministic.

use std::sync::Arc;

use proptest::prelude::*;
use scout::engine::{evaluate, Facts, Options, Quick};
use scout::rules::filters::Starts;

use crate::engine::{bundled, candidate};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn classification_is_total_and_agrees_with_bounds(followers in prop_oneof![0u64..2_000_000, any::<u64>()]) {
        let rules = bundled();
        for brand in rules.brands.values() {
            let evaluation = evaluate(rules, brand, &candidate("p", followers), Options::default()).unwrap();
            let tiers = brand.tiers.tiers_for(Some("instagram"));
            let tier = tiers.iter().find(|t| t.name == evaluation.tier.name).unwrap();
            prop_assert!(tier.contains(followers));
            // Exactly one unconditional tier holds any count.
            let holding = tiers.iter().filter(|t| t.when.is_none() && t.contains(followers)).count();
            prop_assert_eq!(holding, 1);
        }
    }

    #[test]
    fn same_input_same_output(followers in 0u64..5_000_000, likes in 0.0f64..100_000.0, fake in 0.0f64..=1.0, cost in proptest::option::of(0.0f64..20_000.0)) {
        let rules = bundled();
        for brand in rules.brands.values() {
            let mut c = candidate("p", followers);
            c.avg_likes = Some(likes);
            c.fake_follower_pct = Some(fake);
            c.cost_per_post = cost;
            let a = evaluate(rules, brand, &c, Options::default()).unwrap();
            let b = evaluate(rules, brand, &c, Options::default()).unwrap();
            prop_assert_eq!(&a, &b);
            if let Some(score) = a.score {
                prop_assert!((0.0..=100.0).contains(&score));
            }
        }
    }
}

/// One generated tier: inclusive bounds and, for a `when` tier, `following < when_below`.
#[derive(Clone, Debug)]
struct GenTier {
    name: String,
    min: u64,
    max: Option<u64>,
    when_below: Option<u64>,
}

/// The largest count a TOML integer can hold.
const TOML_MAX: u64 = i64::MAX as u64;

/// A valid tier list, in file order: unconditional tiers cut at random points so that they
/// tile every follower count (the top one unbounded), shuffled, some with a reachable
/// `when` tier right before them, holding part of their range.
fn tier_list() -> impl Strategy<Value = Vec<GenTier>> {
    let cut = prop_oneof![1u64..20_000, 1u64..=TOML_MAX];
    let when = proptest::option::weighted(0.3, (any::<u64>(), any::<u64>(), 0u64..5_000));
    (proptest::collection::btree_set(cut, 0..7), proptest::collection::vec(when, 8))
        .prop_flat_map(|(cuts, whens)| {
            let mins: Vec<u64> = std::iter::once(0).chain(cuts).collect();
            let groups: Vec<Vec<GenTier>> = mins
                .iter()
                .enumerate()
                .map(|(i, &min)| {
                    let max = mins.get(i + 1).map(|next| next - 1);
                    let plain = GenTier { name: format!("t{i}"), min, max, when_below: None };
                    let Some((a, b, below)) = whens[i] else { return vec![plain] };
                    let top = max.unwrap_or(TOML_MAX);
                    let lo = min + a % (top - min + 1);
                    let hi = lo + b % (top - lo + 1);
                    let hi = if max.is_none() && b % 2 == 0 { None } else { Some(hi) };
                    let conditional = GenTier {
                        name: format!("w{i}"),
                        min: lo,
                        max: hi,
                        when_below: Some(below),
                    };
                    vec![conditional, plain]
                })
                .collect();
            Just(groups).prop_shuffle()
        })
        .prop_map(|groups| groups.into_iter().flatten().collect())
}

/// The tier list as TOML array tables named `table`.
fn toml_list(table: &str, tiers: &[GenTier]) -> String {
    let mut text = String::new();
    for tier in tiers {
        text.push_str(&format!(
            "[[{table}]]\nname = \"{}\"\nmin_followers = {}\n",
            tier.name, tier.min
        ));
        if let Some(max) = tier.max {
            text.push_str(&format!("max_followers = {max}\n"));
        }
        if let Some(below) = tier.when_below {
            text.push_str(&format!("when = \"following < {below}\"\n"));
        }
        text.push('\n');
    }
    text
}

/// Follower counts worth trying on a list: 0, the largest count, and each bound and its
/// neighbours.
fn edges(tiers: &[GenTier]) -> Vec<u64> {
    let mut counts = vec![0, u64::MAX];
    for tier in tiers {
        counts.extend([tier.min.saturating_sub(1), tier.min, tier.min.saturating_add(1)]);
        if let Some(max) = tier.max {
            counts.extend([max.saturating_sub(1), max, max.saturating_add(1)]);
        }
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any valid scheme loads, and under it every follower count falls into exactly one
    /// unconditional tier and classifies to the first tier, in file order, that holds it.
    #[test]
    fn classification_is_total_for_random_schemes(
        default in tier_list(),
        tiktok in proptest::option::of(tier_list()),
        samples in proptest::collection::vec(any::<u64>(), 8),
        following in 0u64..5_000,
    ) {
        let mut text = toml_list("tier", &default);
        if let Some(list) = &tiktok {
            text.push_str(&toml_list("platform.tiktok.tier", list));
        }
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("scheme.toml");
        std::fs::write(&path, &text).unwrap();
        let scheme = scout::rules::load::load_scheme(&path).map_err(|diagnostics| {
            let rendered: Vec<String> = diagnostics.iter().map(|d| d.render(false)).collect();
            TestCaseError::fail(format!("{text}\n{}", rendered.join("\n")))
        })?;
        let brand = bundled().brand("glowskin").unwrap().with_tiers(Arc::new(scheme));
        for (platform, list) in [("instagram", &default), ("tiktok", tiktok.as_ref().unwrap_or(&default))] {
            let tiers = brand.tiers.tiers_for(Some(platform));
            for followers in edges(list).into_iter().chain(samples.iter().copied()) {
                let holding = tiers.iter().filter(|t| t.when.is_none() && t.contains(followers)).count();
                prop_assert_eq!(holding, 1, "{} followers on {}", followers, platform);
                let mut c = candidate("p", followers);
                c.platform = Some(platform.to_owned());
                c.following = Some(following);
                let evaluation = evaluate(bundled(), &brand, &c, Options::default()).unwrap();
                let expected = list
                    .iter()
                    .find(|t| {
                        followers >= t.min
                            && t.max.is_none_or(|max| followers <= max)
                            && t.when_below.is_none_or(|below| following < below)
                    })
                    .unwrap();
                prop_assert_eq!(&*evaluation.tier.name, expected.name.as_str(), "{} followers on {}", followers, platform);
            }
        }
    }
}

/// The bundled rules and a brand whose custom filters read the row's own numbers, its
/// tier and components, and its history, or need values they do not read.
fn judged_rules() -> &'static scout::rules::RuleSet {
    static RULES: std::sync::OnceLock<scout::rules::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        let brand = r#"name = "Judged"
[niches]
beauty = 1.0
fitness = 0.5
[filters]
max_followers = 2_000_000
max_collaborations = 10
when_missing = "pass"
# Before any filter that works the components out.
[[filters.custom]]
name = "needy"
reject_when = "followers < 100"
needs = ["engagement"]
when_missing = "fail"
reason = "tiny"
[[filters.custom]]
name = "follow_back"
reject_when = "following / followers > 0.5"
reason = "follows back"
[[filters.custom]]
name = "weak_fit"
reject_when = "niche_fit < 0.7 && tier != \"nano\""
reason = "fit {niche_fit}"
[[filters.custom]]
name = "sleepy"
reject_when = "engagement < 0.3 || benchmark > 0.02"
reason = "asleep"
[weights]
engagement = 0.4
niche_fit = 0.3
cost_efficiency = 0.2
relationship = 0.1
[history]
file = "history/glowskin.csv"
"#;
        let tmp = crate::rules_with(&[("brands/judged.toml", brand)]);
        scout::rules::load(&tmp.path().join("rules")).expect("the rules load")
    })
}

/// A candidate of any shape the fields allow: values missing or not, platforms and
/// countries the brands filter on and others, niches they weigh and others.
fn any_candidate() -> impl Strategy<Value = scout::model::Candidate> {
    let platform = proptest::option::of(prop_oneof![
        Just("instagram"),
        Just("tiktok"),
        Just("youtube"),
        Just("twitch")
    ]);
    let country = proptest::option::of(prop_oneof![Just("US"), Just("gb"), Just("DE"), Just("CA")]);
    let niche = prop_oneof![
        Just("beauty"),
        Just("skincare"),
        Just("fitness"),
        Just("gaming"),
        Just("vape"),
        Just("Casino Nights")
    ];
    // A few rows name more niches than a row's facts hold inline.
    let niches = prop_oneof![
        4 => proptest::collection::vec(niche.clone(), 0..3),
        1 => proptest::collection::vec(niche, 8..11),
    ];
    // Handles some brands' excluded keywords occur in, or only start to.
    let handle = prop_oneof![Just("h"), Just("Crypto.King_"), Just("va"), Just("gambler")];
    let number = |max: f64| proptest::option::of(0.0..max);
    (
        (platform, 0u64..3_000_000, number(50_000.0), number(5_000.0), number(2_000.0), handle),
        (
            number(500_000.0),
            country,
            niches,
            number(1.0),
            number(20_000.0),
            proptest::option::of(0u64..5_000),
            proptest::option::of(0u64..100_000),
        ),
    )
        .prop_map(|((platform, followers, likes, comments, shares, handle), rest)| {
            let (views, country, niches, fake, cost, posts, following) = rest;
            scout::model::Candidate {
                handle: format!("{handle}{followers}"),
                platform: platform.map(str::to_owned),
                followers,
                avg_likes: likes,
                avg_comments: comments,
                avg_shares: shares,
                avg_views: views,
                niches: niches.into_iter().map(str::to_owned).collect(),
                country: country.map(str::to_owned),
                fake_follower_pct: fake,
                cost_per_post: cost,
                posts,
                following,
                ..scout::model::Candidate::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `engine::quick`, which the ranking trusts for most rows, says what `evaluate` says:
    /// the same failed filters, or the same score to the bit; whether the row's facts are
    /// worked out for the brand alone or shared by every brand of a read.
    #[test]
    fn quick_verdicts_are_the_evaluations(c in any_candidate()) {
        let rules = judged_rules();
        let screen = Starts::union(rules.brands.values().map(|b| &b.filters.exclude_keywords));
        let shared = Facts::new(&c, &screen);
        for (brand, alone) in rules.brands.values().flat_map(|b| [(b, false), (b, true)]) {
            let evaluation = evaluate(rules, brand, &c, Options::default()).unwrap();
            let own = Facts::new(&c, brand.filters.exclude_keywords.starts());
            match scout::engine::quick(rules, brand, if alone { &own } else { &shared }) {
                Quick::Filtered(failed) => {
                    let expected: Vec<_> = brand.filters.specs.iter().enumerate()
                        .filter(|(i, _)| failed >> i & 1 == 1)
                        .map(|(_, spec)| spec.filter.clone())
                        .collect();
                    let got: Vec<_> = evaluation.verdicts.iter().filter(|v| !v.passed).map(|v| v.filter.clone()).collect();
                    prop_assert_eq!(got, expected, "{}", brand.id);
                }
                Quick::Scored(score) => {
                    prop_assert!(evaluation.passed(), "{}", brand.id);
                    prop_assert_eq!(evaluation.score.map(f64::to_bits), Some(score.to_bits()), "{}", brand.id);
                }
                Quick::Full => {}
            }
        }
    }
}

#[test]
fn quick_judges_the_brands_without_interpreted_scripts() {
    let rules = bundled();
    let c = crate::engine::candidate("p", 20_000);
    for brand in ["bench", "glowskin", "littlenest"] {
        let brand = rules.brand(brand).unwrap();
        let facts = Facts::new(&c, brand.filters.exclude_keywords.starts());
        let quick = scout::engine::quick(rules, brand, &facts);
        assert_ne!(quick, Quick::Full, "{}", brand.id);
    }
}
