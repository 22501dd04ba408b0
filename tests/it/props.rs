//! Property tests: tier classification is total and agrees with the bounds; evaluation is
//! deterministic.

use proptest::prelude::*;
use scout::engine::{evaluate, Options};

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
