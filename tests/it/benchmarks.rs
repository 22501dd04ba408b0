//! Engagement bases per platform, benchmark curves, brand-local benchmarks and tiers carved
//! out of others: through the binary on the `one_brand` fixture with whole-file overlays,
//! and through the library.

use scout::engine::{evaluate, Evaluation, Options};
use scout::model::Candidate;
use scout::rules::RuleSet;

use crate::{copy_dir, json, root, rules_fixture, scout_in, write_rule};

/// The `one_brand` fixture with the whole files of `tests/fixtures/rules/<overlay>` over it.
fn fixture_with(overlay: &str) -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    copy_dir(&root().join("tests/fixtures/rules").join(overlay), &tmp.path().join("rules"));
    tmp
}

fn load(tmp: &tempfile::TempDir) -> RuleSet {
    scout::rules::load(&tmp.path().join("rules")).unwrap_or_else(|d| panic!("{d:?}"))
}

/// One beauty creator in the US who follows few accounts.
fn creator(platform: &str, followers: u64, avg_likes: f64) -> Candidate {
    Candidate {
        handle: format!("{platform}.{followers}"),
        platform: Some(platform.to_owned()),
        followers,
        following: Some(500),
        avg_likes: Some(avg_likes),
        niches: vec!["beauty".to_owned()],
        country: Some("US".to_owned()),
        fake_follower_pct: Some(0.05),
        cost_per_post: Some(100.0),
        ..Candidate::default()
    }
}

/// Evaluates on the fast path and in the interpreter, which must agree.
fn both(rules: &RuleSet, c: &Candidate) -> Evaluation {
    let brand = rules.brand("glowskin").unwrap();
    let fast = evaluate(rules, brand, c, Options { explain: true, interpreted: false }).unwrap();
    let slow = evaluate(rules, brand, c, Options { explain: true, interpreted: true }).unwrap();
    assert_eq!(Evaluation { interpreted: true, ..fast.clone() }, slow, "{}", c.handle);
    fast
}

const TWO_PLATFORMS: &str = "\
handle,platform,followers,avg_likes,avg_comments,avg_views,niches,country,fake_follower_pct,cost_per_post
insta.ivy,instagram,10000,400,20,,beauty,US,0.05,100
tok.tara,tiktok,10000,400,20,8400,beauty,US,0.05,100
";

#[test]
fn a_two_basis_brand_shows_each_rows_er_on_its_own_basis() {
    let tmp = fixture_with("two_basis");
    std::fs::write(tmp.path().join("list.csv"), TWO_PLATFORMS).unwrap();
    let args = ["rank", "list.csv", "--brand", "glowskin", "--format"];

    let csv = scout_in(tmp.path(), &[&args[..], &["csv"]].concat(), None);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |handle: &str| rows.iter().find(|r| &r[column("handle")] == handle).unwrap();
    // Instagram: 420 engagements / 10,000 followers; TikTok: 420 / 8,400 views.
    assert_eq!(&row("insta.ivy")[column("engagement_rate")], "0.042");
    assert_eq!(&row("insta.ivy")[column("er_basis")], "followers");
    assert_eq!(&row("tok.tara")[column("engagement_rate")], "0.05");
    assert_eq!(&row("tok.tara")[column("er_basis")], "views");

    let run = scout_in(tmp.path(), &[&args[..], &["json"]].concat(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let results = doc["results"].as_array().unwrap();
    let result = |handle: &str| results.iter().find(|r| r["handle"] == handle).unwrap();
    assert_eq!(result("insta.ivy")["engagement_rate"], 0.042);
    assert_eq!(result("insta.ivy")["er_basis"], "followers");
    assert_eq!(result("tok.tara")["engagement_rate"], 0.05);
    assert_eq!(result("tok.tara")["er_basis"], "views");
    // TikTok's views-based row is judged against the fixture's `[tiktok]` micro benchmark.
    assert_eq!(result("tok.tara")["benchmark"], 0.089);

    let table = scout_in(tmp.path(), &[&args[..], &["table"]].concat(), None);
    let line = table.stdout.lines().find(|l| l.contains("@tok.tara")).unwrap();
    assert!(line.contains("5.00%") && line.contains("views"), "{line}");
}

#[test]
fn a_tier_carved_from_micro_reads_micros_benchmark() {
    // experiments/meta.toml: `meta` carved from micro, ER ≥ 2 × parent_benchmark; the
    // brand gives meta's own benchmark (3%) in its file. Micro's is 2.28% on Instagram, so
    // the line falls at 456 likes on 10,000 followers (4.56%).
    let tmp = fixture_with("brand_benchmark");
    let rules = load(&tmp);
    let at_2x = both(&rules, &creator("instagram", 10_000, 456.0));
    assert_eq!(&*at_2x.tier.name, "meta");
    assert_eq!(at_2x.tier.parent_benchmark, Some(0.0228));
    assert_eq!(at_2x.tier.benchmark, Some(0.03));
    assert_eq!((at_2x.tier.min_followers, at_2x.tier.max_followers), (2_000, Some(100_000)));
    let at_1_99x = both(&rules, &creator("instagram", 10_000, 1.99 * 228.0));
    assert_eq!(&*at_1_99x.tier.name, "micro");
    assert_eq!(at_1_99x.tier.parent_benchmark, None, "micro is carved from nothing");
    // TikTok: micro's benchmark there is 8.9%, so 2 × that is the line.
    assert_eq!(&*both(&rules, &creator("tiktok", 10_000, 1_780.0)).tier.name, "meta");
    assert_eq!(&*both(&rules, &creator("tiktok", 10_000, 1_771.1)).tier.name, "micro");
    // Meta starts where micro starts.
    assert_eq!(&*both(&rules, &creator("instagram", 2_000, 100.0)).tier.name, "meta");
    assert_eq!(&*both(&rules, &creator("instagram", 1_999, 100.0)).tier.name, "nano");
}

#[test]
fn a_brand_local_benchmark_is_accepted_by_check() {
    let tmp = fixture_with("brand_benchmark");
    let shared = std::fs::read_to_string(tmp.path().join("rules/benchmarks.toml")).unwrap();
    assert!(!shared.contains("meta"), "the shared benchmarks do not know `meta`");
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("`rules` is valid"), "{}", run.stderr);
}

#[test]
fn a_curve_gives_the_benchmark_where_it_exists() {
    let tmp = rules_fixture("one_brand");
    let shared = std::fs::read_to_string(tmp.path().join("rules/benchmarks.toml")).unwrap();
    let curve = "\n[curve.instagram]\npoints = [[1_000, 0.04], [100_000, 0.02]]\n";
    write_rule(&tmp, "benchmarks.toml", &format!("{shared}{curve}"));
    let rules = load(&tmp);
    // 10,000 lies halfway between the anchors on log10 followers: 3%, whatever the tier.
    let micro = both(&rules, &creator("instagram", 10_000, 300.0));
    assert_eq!(micro.tier.benchmark, Some(0.03));
    let nano = both(&rules, &creator("instagram", 500, 20.0));
    assert_eq!((&*nano.tier.name, nano.tier.benchmark), ("nano", Some(0.04)));
    let top = both(&rules, &creator("instagram", 5_000_000, 1.0));
    assert_eq!(top.tier.benchmark, Some(0.02));
    // No curve for TikTok: the tier table decides.
    let tiktok = both(&rules, &creator("tiktok", 10_000, 300.0));
    assert_eq!(tiktok.tier.benchmark, Some(0.089));
}
