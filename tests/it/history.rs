//! Brand history (`[history]`): metrics on hand-computed rows, bad rows located, no
//! history neutral or zero, the under-delivery filter's reason.

use crate::{json, rules_fixture, scout_in, write_rule};

const HISTORY: &str = "\
date,platform,handle,price,likes,comments,shares,views,revenue,note
2025-01-01,instagram,repeat.partner,100,270,30,0,,500,spring launch
2025-03-02,instagram,@Repeat.Partner,100,150,0,0,,,
2025-02-01,instagram,flaky.one,50,100,0,0,,,
2025-03-01,instagram,flaky.one,50,120,0,0,,,
2025-02-15,,ghost.creator,10,1,0,0,,,not in the list: fine
";

const CANDIDATES: &str = "\
handle,platform,followers,avg_likes,avg_comments,niches,fake_follower_pct,country
repeat.partner,instagram,10000,300,0,beauty,0.1,US
new.stranger,instagram,10000,300,0,beauty,0.1,US
flaky.one,instagram,10000,300,0,beauty,0.1,US
";

const SCORING: &str = "let neutral = 0.5;
100.0 * (weights.engagement * (engagement ?? neutral)
    + weights.niche_fit * niche_fit
    + weights.cost_efficiency * (cost_efficiency ?? neutral)
    + weights.authenticity * (authenticity ?? neutral)
    + weights.relationship * (relationship ?? neutral))
";

fn brand(extra_filters: &str, history: &str) -> String {
    format!(
        "name = \"Partner\"\n[niches]\nbeauty = 1.0\n[filters]\n{extra_filters}\n\
         [weights]\nengagement = 0.3\nniche_fit = 0.3\ncost_efficiency = 0.0\n\
         authenticity = 0.2\nrelationship = 0.2\n[history]\nfile = \"history/partner.csv\"\n\
         established = 2\n{history}"
    )
}

fn setup(brand_text: &str, history: &str) -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    std::fs::create_dir_all(tmp.path().join("rules/history")).unwrap();
    write_rule(&tmp, "history/partner.csv", history);
    write_rule(&tmp, "brands/partner.toml", brand_text);
    write_rule(&tmp, "scoring.rhai", SCORING);
    std::fs::write(tmp.path().join("c.csv"), CANDIDATES).unwrap();
    tmp
}

fn rank(tmp: &tempfile::TempDir) -> serde_json::Value {
    let run = scout_in(
        tmp.path(),
        &["rank", "c.csv", "--brand", "partner", "--rules", "rules", "--format", "json"],
        None,
    );
    assert!(run.code <= 1, "{}", run.stderr);
    json(&run)
}

fn reasons_of(value: &serde_json::Value, handle: &str) -> String {
    value.to_string().split(handle).nth(1).unwrap_or_default().chars().take(400).collect()
}

#[test]
fn history_metrics_match_hand_computed_values() {
    // repeat.partner: delivered 300/10,000 = 3% of a promised 3% (ratio 1), then 1.5% (0.5):
    // mean 0.75; CPE 200 / 450; revenue 500 on 100 paid; last on the newest date.
    let probe = "[[filters.custom]]\nname = \"probe\"\nreject_when = \"collaborations > 0\"\n\
                 reason = \"n={collaborations} days={last_collaboration_days} ratio={delivery_ratio:.4} cpe={history_cpe:.4} ros={return_on_spend ?? 0.0:.2} rel={relationship:.4}\"\n";
    let tmp = setup(&brand(probe, ""), HISTORY);
    let out = rank(&tmp);
    let partner = reasons_of(&out, "repeat.partner");
    assert!(
        partner.contains("n=2 days=0 ratio=0.7500 cpe=0.4444 ros=5.00 rel=0.7500"),
        "{partner}"
    );
    // flaky.one: 1% and 1.2% of 3%: (1/3 + 0.4) / 2; last a day before the newest row.
    let flaky = reasons_of(&out, "flaky.one");
    assert!(flaky.contains("n=2 days=1 ratio=0.3667 cpe=0.4545"), "{flaky}");
}

#[test]
fn a_repeat_partner_outranks_an_identical_stranger_and_zero_penalises_strangers() {
    let tmp = setup(&brand("", ""), HISTORY);
    let out = rank(&tmp);
    let text = out.to_string();
    let partner = text.find("\"repeat.partner\"").unwrap();
    let stranger = text.find("\"new.stranger\"").unwrap();
    assert!(partner < stranger, "{text}");
    let neutral = score_of(&out, "new.stranger");
    let tmp = setup(&brand("", "no_history = \"zero\"\n"), HISTORY);
    let zero = score_of(&rank(&tmp), "new.stranger");
    // Neutral: the formula's 0.5 for a missing component; zero: 0.2 × 0.5 × 100 = 10 less.
    assert!((neutral - zero - 10.0).abs() < 1e-6, "{neutral} {zero}");
}

fn score_of(value: &serde_json::Value, handle: &str) -> f64 {
    let after = reasons_of(value, handle);
    let at = after.find("\"score\":").unwrap() + 8;
    after[at..].split([',', '}']).next().unwrap().parse().unwrap()
}

#[test]
fn under_delivering_twice_is_filtered_in_plain_words() {
    let tmp = setup(&brand("max_under_deliveries = 1\n", "under_delivery_ratio = 0.7\n"), HISTORY);
    let flaky = reasons_of(&rank(&tmp), "flaky.one");
    assert!(
        flaky.contains(
            "under_deliveries 2 > max 1: delivered under 70% of the promised engagement rate on 2025-02-01 (33%), 2025-03-01 (40%)"
        ),
        "{flaky}"
    );
}

#[test]
fn a_bad_history_row_is_reported_with_its_line() {
    let bad =
        HISTORY.replace("2025-02-01,instagram,flaky.one,50", "2025-02-30,instagram,flaky.one,lots");
    let tmp = setup(&brand("", ""), &bad);
    let run = scout_in(tmp.path(), &["check", "--rules", "rules"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
}

/// An explanation with its rules' revision masked.
fn explained(tmp: &tempfile::TempDir, handle: &str, format: &str) -> String {
    let run = scout_in(
        tmp.path(),
        &["explain", handle, "--brand", "partner", "--rules", "rules", "c.csv", "--format", format],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .map(|line| match line.split_once(" · revision ") {
            Some((brand, _)) => format!("{brand} · revision [revision]"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn explain_shows_the_history_behind_relationship() {
    let tmp = setup(&brand("", "as_of = \"2025-06-30\"\n"), HISTORY);
    // Text: the collaborations with their lines, days since the last, recency, the formula.
    insta::assert_snapshot!("explain_history_partner", explained(&tmp, "repeat.partner", "text"));
    insta::assert_snapshot!("explain_history_under", explained(&tmp, "flaky.one", "text"));
    insta::assert_snapshot!("explain_history_stranger", explained(&tmp, "new.stranger", "text"));
    // JSON: the same data.
    let doc: serde_json::Value =
        serde_json::from_str(&explained(&tmp, "repeat.partner", "json")).unwrap();
    let history = &doc["history"];
    assert_eq!(history["collaborations"], 2);
    assert_eq!(history["past"][0]["line"], 2);
    assert_eq!(history["last_collaboration_days"], 120.0);
    let relationship =
        doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "relationship").unwrap();
    assert_eq!(relationship["value"], history["relationship"]);
    insta::assert_json_snapshot!("explain_history_json", history);
}
