//! `scout check`: every problem in a rule folder, located, in one pass.

use crate::{rules_with, scout, scout_in};

#[test]
fn bundled_rules_are_valid() {
    let run = scout(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("`rules` is valid"), "{}", run.stderr);
}

type Edit = (&'static str, &'static str, &'static str);

/// One mistake per case: (name, file, find, replace).
const CASES: &[(&str, &str, &str, &str)] = &[
    ("misspelled_key", "brands/glowskin.toml", "niche_fit = 0.30", "nich_fit = 0.30"),
    ("unknown_niche", "brands/littlenest.toml", "wellness = 0.4", "welness = 0.4"),
    ("alias_as_niche", "brands/glowskin.toml", "beauty = 1.0", "skincare = 1.0"),
    (
        "bad_tier_name_in_filter",
        "brands/trailpack.toml",
        "\"micro\", \"mid\", \"macro\"",
        "\"micro\", \"mdi\", \"macro\"",
    ),
    ("bad_tier_name", "tiers.toml", "name = \"mega\"", "name = \"mega tier\""),
    ("rhai_syntax_error", "brands/trailpack.rhai", "let bonus = 0.0;", "let bonus = 0.0 +;"),
    (
        "rhai_unknown_variable",
        "scoring.rhai",
        "+ weights.niche_fit * niche_fit",
        "+ weights.niche_fit * nichefit",
    ),
    ("overlapping_tiers", "tiers.toml", "min_followers = 100_001", "min_followers = 90_000"),
    ("tier_gap", "tiers.toml", "min_followers = 500_001", "min_followers = 600_000"),
    (
        "bounded_top_tier",
        "tiers.toml",
        "min_followers = 1_000_001 ",
        "min_followers = 1_000_001\nmax_followers = 50_000_000 ",
    ),
    ("when_does_not_compile", "experiments/meta.toml", "following < 1500", "following < < 1500"),
    ("weights_do_not_add_up", "brands/glowskin.toml", "authenticity = 0.10", "authenticity = 0.20"),
    (
        "percentage_not_fraction",
        "brands/glowskin.toml",
        "max_fake_follower_pct = 0.25",
        "max_fake_follower_pct = 25.0",
    ),
    (
        "integer_for_float",
        "brands/glowskin.toml",
        "min_engagement_rate = 0.01",
        "min_engagement_rate = 1",
    ),
    (
        "unknown_scheme_path",
        "brands/trailpack.toml",
        "experiments/hootsuite.toml\"",
        "experiments/hootsiute.toml\"",
    ),
    (
        "unknown_benchmark_tier",
        "benchmarks.toml",
        "mega = 0.0154       # over 1M: 1.54%",
        "mgea = 0.0154",
    ),
    (
        "missing_benchmark",
        "benchmarks.toml",
        "meta = 0.0228       # the experimental",
        "# meta = 0.0228       # the experimental",
    ),
    ("alias_clash", "niches.toml", "aliases = [\"gym\",", "aliases = [\"ootd\", \"gym\","),
    ("bad_enum_value", "brands/glowskin.toml", "basis = \"followers\"", "basis = \"follower\""),
    ("toml_syntax", "brands/littlenest.toml", "[weights]", "[weights"),
    // What the sandbox disables fails at load time, where it is written, not on every row.
    (
        "import_in_script",
        "brands/trailpack.rhai",
        "let bonus = 0.0;",
        "import \"helpers\" as helpers;\nlet bonus = 0.0;",
    ),
    ("eval_in_script", "brands/trailpack.rhai", "let bonus = 0.0;", "let bonus = eval(\"0.0\");"),
    ("eval_in_when", "experiments/meta.toml", "following < 1500", "eval(\\\"following\\\") < 1500"),
];

#[test]
fn each_mistake_gets_one_located_diagnostic() {
    for (name, file, find, replace) in CASES {
        let tmp = rules_with(&[(file, find, replace)]);
        let run = scout_in(tmp.path(), &["check"], None);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        insta::assert_snapshot!(format!("check_{name}"), run.stderr);
    }
}

/// Mistakes that take more than one edit.
const MULTI_EDIT_CASES: &[(&str, &[Edit])] = &[(
    "unreachable_when_tier",
    &[(
        "experiments/meta.toml",
        "",
        "[[tier]]\nname = \"nano\"\nmax_followers = 1_999\n\n\
         [[tier]]\nname = \"micro\"\nmin_followers = 2_000\nmax_followers = 100_000\n\n\
         # too late: micro already takes 5,000–100,000\n\
         [[tier]]\nname = \"meta\"\nmin_followers = 5_000\nmax_followers = 100_000\nwhen = \"following < 1500\"\n\n\
         [[tier]]\nname = \"mid\"\nmin_followers = 100_001\n",
    )],
)];

#[test]
fn mistakes_needing_several_edits() {
    for (name, edits) in MULTI_EDIT_CASES {
        let tmp = rules_with(edits);
        let run = scout_in(tmp.path(), &["check"], None);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        insta::assert_snapshot!(format!("check_{name}"), run.stderr);
    }
}

#[test]
fn five_mistakes_give_five_diagnostics_in_one_pass() {
    let tmp = rules_with(&[
        ("brands/glowskin.toml", "niche_fit = 0.30", "nich_fit = 0.30"),
        ("brands/littlenest.toml", "wellness = 0.4", "welness = 0.4"),
        ("brands/trailpack.toml", "\"micro\", \"mid\", \"macro\"", "\"micro\", \"mdi\", \"macro\""),
        ("brands/trailpack.rhai", "let bonus = 0.0;", "let bonus = 0.0 +;"),
        ("tiers.toml", "min_followers = 100_001", "min_followers = 90_000"),
    ]);
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    let located = run.stderr.lines().filter(|l| l.trim_start().starts_with("--> rules/")).count();
    assert_eq!(located, 5, "{}", run.stderr);
    assert!(run.stderr.contains("found 5 problems in `rules`"), "{}", run.stderr);

    let json = scout_in(tmp.path(), &["check", "--json"], None);
    let diagnostics: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let diagnostics = diagnostics.as_array().unwrap();
    assert_eq!(diagnostics.len(), 5);
    assert!(
        diagnostics.iter().all(|d| d["line"].is_u64() && d["column"].is_u64()),
        "{diagnostics:?}"
    );
}

#[test]
fn a_missing_rule_folder_is_fatal_with_a_hint() {
    let run = scout(&["check", "--rules", "no/such/folder"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("rule folder `no/such/folder` does not exist"), "{}", run.stderr);
    assert!(run.stderr.contains("help: pass `--rules DIR`"), "{}", run.stderr);
}

#[test]
fn a_missing_required_file_is_reported() {
    let tmp = rules_with(&[]);
    std::fs::remove_file(tmp.path().join("rules/niches.toml")).unwrap();
    let run = scout_in(tmp.path(), &["check"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing `niches.toml`"), "{}", run.stderr);
}
