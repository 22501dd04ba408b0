//! `scout evaluate`: hand-computed figures on small rows, the order of rows changing
//! nothing, every left-out row accounted for, and a comparison of two tier schemes.

use proptest::prelude::*;
use scout::evaluate::{evaluate, join, Candidate, Figures, Kind, Measured, Options, Prediction};

use crate::{json, root, rules_fixture, scout, scout_in};

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn rows(scores: &[f64], values: &[f64]) -> Vec<Measured> {
    scores
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (&score, &value))| Measured {
            handle: format!("h{i}"),
            platform: None,
            line: i as u64 + 2,
            value,
            predictions: vec![Prediction { score: Some(score), passed: score >= 0.7 }],
        })
        .collect()
}

#[test]
fn numeric_figures_match_hand_computed_values() {
    // Score ranks 4 3 2 1, outcome ranks 1 3 2 4: Σd² = 18, ρ = 1 − 6·18 / (4·15) = −0.8.
    let measured = rows(&[4.0, 3.0, 2.0, 1.0], &[10.0, 30.0, 20.0, 40.0]);
    let e = evaluate(&measured, Kind::Numeric, Options { k: 2, ..Options::default() });
    let Figures::Numeric { spearman, precision_at_k, ndcg_at_k } = &e.sides[0] else {
        panic!("numeric figures: {e:?}")
    };
    close(spearman.value.unwrap(), -0.8);
    // Top 2 by score hold outcomes 10 and 30; the top 2 outcomes are 40 and 30.
    close(precision_at_k.value.unwrap(), 0.5);
    // DCG = 10 + 30/log2(3); ideal = 40 + 30/log2(3).
    let l3 = 3f64.log2();
    close(ndcg_at_k.value.unwrap(), (10.0 + 30.0 / l3) / (40.0 + 30.0 / l3));
    assert_eq!(spearman.n, 4);
    let (lo, hi) = spearman.ci.unwrap();
    assert!(lo <= hi && (-1.0..=1.0).contains(&lo) && (-1.0..=1.0).contains(&hi));
    assert!(e.differences.is_empty());
}

#[test]
fn label_figures_match_hand_computed_values() {
    // Positives score 0.9 and 0.7, negatives 0.8, 0.6, 0.5: 5 of 6 pairs ordered right.
    let measured = rows(&[0.9, 0.8, 0.7, 0.6, 0.5], &[1.0, 0.0, 1.0, 0.0, 0.0]);
    let e = evaluate(&measured, Kind::Label, Options::default());
    let Figures::Label(l) = &e.sides[0] else { panic!("label figures: {e:?}") };
    close(l.auc.value.unwrap(), 5.0 / 6.0);
    // ≥ 0.7 predicts 0.9, 0.8, 0.7 true: tp 2, fp 1, fn 0 → F1 0.8, the best threshold.
    assert_eq!(l.threshold, Some(0.7));
    assert_eq!(l.threshold_from, "max-f1");
    assert_eq!((l.confusion.tp, l.confusion.fp, l.confusion.fn_, l.confusion.tn), (2, 1, 0, 2));
    close(l.f1.value.unwrap(), 0.8);
    close(l.precision.value.unwrap(), 2.0 / 3.0);
    close(l.recall.value.unwrap(), 1.0);
    // Negative class: precision 1, recall 2/3, F1 0.8; macro-F1 0.8.
    close(l.macro_f1.value.unwrap(), 0.8);
    assert_eq!(e.positives, Some(2));
    let given =
        evaluate(&measured, Kind::Label, Options { threshold: Some(0.85), ..Options::default() });
    let Figures::Label(l) = &given.sides[0] else { panic!() };
    assert_eq!((l.threshold_from, l.confusion.tp, l.confusion.fp), ("given", 1, 0));
}

fn candidates(scores: &[(f64, f64)]) -> Vec<Candidate> {
    scores
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| Candidate {
            handle: format!("c{i}"),
            platform: Some("instagram".into()),
            line: i as u64 + 2,
            predictions: vec![
                Prediction { score: Some(a), passed: a > 50.0 },
                Prediction { score: Some(b), passed: b > 50.0 },
            ],
        })
        .collect()
}

fn outcomes(values: &[f64]) -> scout::evaluate::Outcomes {
    let headers: Vec<String> = ["platform", "handle", "er"].map(String::from).to_vec();
    let records: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| Ok((i as u64 + 2, vec!["instagram".into(), format!("C{i}"), v.to_string()])))
        .collect();
    scout::evaluate::read_outcomes("o.csv", &headers, records, "er", Some(Kind::Numeric), false)
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Shuffling the candidate list and the outcomes file changes no figure.
    #[test]
    fn a_permutation_of_the_rows_changes_nothing(
        data in proptest::collection::vec((0u8..100, 0u8..100, 0u8..50), 3..25)
            .prop_flat_map(|d| {
                let n = d.len();
                (Just(d), Just((0..n).collect::<Vec<_>>()).prop_shuffle(), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
            })
    ) {
        let (data, p, q) = data;
        let scores: Vec<(f64, f64)> = data.iter().map(|&(a, b, _)| (f64::from(a), f64::from(b))).collect();
        let values: Vec<f64> = data.iter().map(|&(_, _, v)| f64::from(v)).collect();
        let options = Options { k: 3, samples: 50, ..Options::default() };
        let (rows, _) = join(&candidates(&scores), &outcomes(&values));
        let base = evaluate(&rows, Kind::Numeric, options);
        let shuffled_candidates: Vec<Candidate> = p.iter().map(|&i| candidates(&scores)[i].clone()).collect();
        let all = outcomes(&values);
        let mut shuffled = all.clone();
        shuffled.rows = q.iter().map(|&i| all.rows[i].clone()).collect();
        let (rows2, accounting) = join(&shuffled_candidates, &shuffled);
        prop_assert_eq!(accounting.measured, data.len());
        prop_assert_eq!(&base, &evaluate(&rows2, Kind::Numeric, options));
        let labels: Vec<Measured> = rows.iter().map(|r| Measured { value: f64::from(r.value > 20.0), ..r.clone() }).collect();
        let labels2: Vec<Measured> = rows2.iter().map(|r| Measured { value: f64::from(r.value > 20.0), ..r.clone() }).collect();
        prop_assert_eq!(evaluate(&labels, Kind::Label, options), evaluate(&labels2, Kind::Label, options));
    }
}

#[test]
fn every_row_left_out_is_counted_and_bad_rows_name_their_line() {
    let tmp = rules_fixture("one_brand");
    let fixtures = root().join("tests/fixtures/evaluate");
    let run = scout_in(
        tmp.path(),
        &[
            "evaluate",
            fixtures.join("candidates.csv").to_str().unwrap(),
            "--brand",
            "glowskin",
            "--outcomes",
            fixtures.join("outcomes.csv").to_str().unwrap(),
            "--outcome",
            "delivered_er",
            "--format",
            "json",
        ],
        None,
    );
    // Bad outcome rows make the run partial.
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run);
    assert_eq!(report["kind"], "numeric");
    assert_eq!(report["outcome_rows"], 7);
    let bad = report["bad_outcomes"].as_array().unwrap();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert_eq!(bad[0]["line"], 5);
    assert!(bad[0]["message"].as_str().unwrap().contains("`lots`"), "{bad:?}");
    assert_eq!(bad[1]["line"], 6);
    assert!(bad[1]["message"].as_str().unwrap().contains("line 2"), "{bad:?}");
    let a = &report["accounting"];
    assert_eq!(a["candidates"], 5);
    assert_eq!(a["measured"], 3);
    let names = |key: &str| -> Vec<String> {
        a[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["handle"].as_str().unwrap().to_owned())
            .collect()
    };
    // dee.dew's row is bad, so dee.dew has no outcome; cal.care's cell is empty.
    assert_eq!(names("no_outcome"), ["dee.dew"]);
    assert_eq!(names("empty_outcome"), ["cal.care"]);
    assert_eq!(names("no_candidate"), ["zed.zero"]);
    assert_eq!(report["evaluation"]["n"], 3);
    let table = scout_in(
        tmp.path(),
        &[
            "evaluate",
            fixtures.join("candidates.csv").to_str().unwrap(),
            "--brand",
            "glowskin",
            "--outcomes",
            fixtures.join("outcomes.csv").to_str().unwrap(),
            "--outcome",
            "would_book_again",
        ],
        None,
    );
    assert!(table.stdout.contains("(label)"), "{}", table.stdout);
    assert!(
        table.stdout.contains("line 5: `would_book_again`")
            || table.stdout.contains("line 6: @ada.glow"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("outcome rows with no candidate (1): @zed.zero"),
        "{}",
        table.stdout
    );
    assert!(table.stderr.contains("measured"), "{}", table.stderr);
}

#[test]
fn a_missing_outcome_column_is_fatal_and_names_the_columns() {
    let run = scout(&[
        "evaluate",
        "examples/campaign/candidates.csv",
        "--brand",
        "littlenest",
        "--outcomes",
        "examples/campaign/outcomes.csv",
        "--outcome",
        "roas",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no column `roas`") && run.stderr.contains("delivered_er"),
        "{}",
        run.stderr
    );
}

#[test]
fn two_tier_schemes_compare_on_the_same_rows() {
    let compare = |tiers: &str| {
        let run = scout(&[
            "evaluate",
            "examples/campaign/candidates.csv",
            "--brand",
            "littlenest",
            "--outcomes",
            "examples/campaign/outcomes.csv",
            "--outcome",
            "conversions",
            "--tiers",
            tiers,
            "--samples",
            "200",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        json(&run)
    };
    // Littlenest's own scheme against itself: no difference, and the interval says so.
    let same = compare("rules/experiments/meta.toml");
    for d in same["evaluation"]["differences"].as_array().unwrap() {
        assert_eq!(d["value"], 0.0, "{d}");
        assert_eq!(d["excludes_zero"], false, "{d}");
    }
    let other = compare("rules/experiments/hootsuite.toml");
    let e = &other["evaluation"];
    assert_eq!(e["sides"].as_array().unwrap().len(), 2);
    let differences = e["differences"].as_array().unwrap();
    let names: Vec<&str> = differences.iter().map(|d| d["metric"].as_str().unwrap()).collect();
    assert_eq!(names, ["spearman", "precision@k", "ndcg@k"]);
    let d = &differences[0];
    let rules = e["sides"][0]["spearman"]["value"].as_f64().unwrap();
    let hoot = e["sides"][1]["spearman"]["value"].as_f64().unwrap();
    close(d["value"].as_f64().unwrap(), hoot - rules);
    let ci = d["ci"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= ci[1].as_f64().unwrap());
    assert_eq!(other["sides"][1]["label"], "hootsuite");
    assert_eq!(e["n"], other["accounting"]["measured"]);
}
