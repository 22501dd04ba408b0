//! Importing the candidate lists people really have: bundled mapping profiles on fixtures in
//! the real exports' layouts, one fixture per quirk, `scout inspect`, `--rejects`, profile
//! diagnostics, and property tests of the number parser and the column plan.

use std::path::Path;

use crate::{json, root, rules_with, scout, scout_in, Run};

const FIXTURES: &str = "tests/fixtures/import";
const QUIRKS: &str = "tests/fixtures/import/quirks";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn quirk(name: &str) -> String {
    format!("{QUIRKS}/{name}")
}

/// Asserts `read = ranked + filtered + invalid` and returns the counts as a tuple.
fn counts(doc: &serde_json::Value) -> (u64, u64, u64, u64) {
    let c = &doc["counts"];
    let get = |k: &str| c[k].as_u64().unwrap();
    let counts = (get("read"), get("ranked"), get("filtered"), get("invalid"));
    assert_eq!(counts.0, counts.1 + counts.2 + counts.3, "{c}");
    counts
}

fn result<'a>(doc: &'a serde_json::Value, handle: &str) -> &'a serde_json::Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["handle"] == handle)
        .unwrap_or_else(|| panic!("`{handle}` is not ranked: {doc:#}"))
}

/// Reads a fixture with a bundled profile through the library.
fn read(profile: &str, file: &str) -> Vec<Result<scout::model::Candidate, scout::model::RowError>> {
    let path = root().join(format!("rules/imports/{profile}.toml"));
    let mapping = scout::rules::mapping::Mapping::load(&path, None).unwrap();
    let options = scout::input::ReadOptions {
        mapping: Some(std::sync::Arc::new(mapping)),
        ..Default::default()
    };
    let source = scout::input::Source::File(root().join(fixture(file)));
    scout::input::read_with(&source, scout::input::Format::Csv, &options).unwrap().collect()
}

fn rank_json(file: &str, args: &[&str]) -> (Run, serde_json::Value) {
    let mut all = vec!["rank", file, "--format", "json"];
    all.extend_from_slice(args);
    let run = scout(&all);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let doc = json(&run);
    (run, doc)
}

// ---------------------------------------------------------------------------------------
// Bundled profiles, one fixture each (the real layout, made-up rows).

/// (profile, brand, read, invalid)
const PROFILES: &[(&str, &str, u64, u64)] = &[
    ("top1000-instagram", "glowskin", 5, 1),
    ("top1000-instagram-sep", "glowskin", 4, 1),
    ("top1000-tiktok", "glowskin", 4, 0),
    ("top1000-tiktok-sep", "glowskin", 3, 1),
    ("top1000-youtube", "trailpack", 4, 0),
    ("top1000-youtube-sep", "trailpack", 3, 0),
    ("top-insta-200", "trailpack", 4, 0),
    ("instagram-reach", "glowskin", 4, 1),
];

#[test]
fn every_bundled_profile_reads_its_layout() {
    for (profile, brand, read, invalid) in PROFILES {
        let file = fixture(&format!("{profile}.csv"));
        let inspect = scout(&["inspect", &file, "--mapping", profile]);
        assert_eq!(inspect.code, if *invalid > 0 { 1 } else { 0 }, "{profile}: {}", inspect.stderr);
        insta::assert_snapshot!(format!("inspect_{profile}"), inspect.stdout);

        let (run, doc) = rank_json(&file, &["--mapping", profile, "--brand", brand]);
        let (got_read, _, _, got_invalid) = counts(&doc);
        assert_eq!((got_read, got_invalid), (*read, *invalid), "{profile}: {}", run.stderr);
    }
}

#[test]
fn every_bundled_profile_is_valid() {
    let run = scout(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("9 mapping profiles"), "{}", run.stderr);
    for (profile, ..) in PROFILES {
        assert!(root().join(format!("rules/imports/{profile}.toml")).is_file(), "{profile}");
    }
}

#[test]
fn instagram_engagement_total_becomes_likes_and_categories_map_to_niches() {
    let (_, doc) = rank_json(
        &fixture("top1000-instagram.csv"),
        &["--mapping", "top1000-instagram", "--brand", "glowskin"],
    );
    let gwen = result(&doc, "glow.with.gwen");
    assert_eq!(gwen["followers"], 48_500, "the raw number, not 48.5K rounded");
    assert_eq!(gwen["engagement_rate"], 0.032990, "1,600 engagements / 48,500 followers");
    assert_eq!(gwen["platform"], "instagram", "the profile's default");
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 10, "the header spans five lines");
    assert_eq!(errors[0]["column"], "Followers");
    assert_eq!(errors[0]["message"], "followers `lots` is not a number");
}

#[test]
fn duplicated_columns_prefer_the_raw_number() {
    // `12.5K` and `9999` disagree; the raw figure wins.
    let rows = read("top1000-tiktok", "top1000-tiktok.csv");
    let max = rows.iter().flatten().find(|c| c.handle == "mismatch.max").unwrap();
    assert_eq!(max.followers, 9_999);
    let dara = rows.iter().flatten().find(|c| c.handle == "dance.dara").unwrap();
    assert_eq!((dara.followers, dara.avg_shares), (221_700, Some(2_300.0)));
    let inspect =
        scout(&["inspect", &fixture("top1000-tiktok.csv"), "--mapping", "top1000-tiktok"]);
    assert!(
        inspect.stdout.contains(
            "columns 3, 4 (`Subscribers count`) disagree beyond rounding on 1 row (first: line 5)"
        ),
        "{}",
        inspect.stdout
    );
}

#[test]
fn pick_takes_one_of_the_duplicates_by_position() {
    let text = "[columns]\nhandle = \"Tiktoker name\"\nfollowers = { header = \"Subscribers count\", pick = 1 }\n";
    let mapping =
        scout::rules::mapping::Mapping::parse("first", Path::new("first.toml"), text).unwrap();
    let options = scout::input::ReadOptions {
        mapping: Some(std::sync::Arc::new(mapping)),
        ..Default::default()
    };
    let source = scout::input::Source::File(root().join(fixture("top1000-tiktok.csv")));
    let rows: Vec<_> =
        scout::input::read_with(&source, scout::input::Format::Csv, &options).unwrap().collect();
    let max = rows.iter().flatten().find(|c| c.handle == "mismatch.max").unwrap();
    assert_eq!(max.followers, 12_500, "the first column's `12.5K`, not the raw `9999`");
    assert_eq!(max.platform, None, "no default, no platform");
}

#[test]
fn top_insta_200_engagement_rate_reproduces_the_files_own_figure() {
    let run = scout(&["inspect", &fixture("top-insta-200.csv"), "--mapping", "top-insta-200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "agrees with `60_day_eng_rate` within rounding on 2 of 3 rows (1 without a figure)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("line 4: `winter.wanda`: scout 1.345%, file 2.500%"),
        "{}",
        run.stdout
    );

    // The same through the library.
    let mapping = scout::rules::mapping::Mapping::load(
        &root().join("rules/imports/top-insta-200.toml"),
        None,
    )
    .unwrap();
    let options = scout::input::ReadOptions {
        mapping: Some(std::sync::Arc::new(mapping)),
        ..Default::default()
    };
    let source = scout::input::Source::File(root().join(fixture("top-insta-200.csv")));
    let inspection = scout::inspect::inspect(&source, &options, None, 0).unwrap();
    let check = inspection.check.unwrap();
    assert_eq!((check.agree, check.compared, check.no_figure), (2, 3, 1));
    assert!(inspection.dialect.bom);
}

// ---------------------------------------------------------------------------------------
// One fixture per quirk.

/// The ranked results without their source lines.
fn results_without_lines(doc: &serde_json::Value) -> serde_json::Value {
    let mut results = doc["results"].clone();
    for r in results.as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("line");
    }
    results
}

#[test]
fn delimiters_are_sniffed() {
    let (_, reference) = rank_json(&quirk("semicolon.csv"), &["--brand", "glowskin"]);
    assert_eq!(counts(&reference), (3, 2, 0, 1));
    for file in ["tab.tsv", "pipe.csv", "bom_crlf.csv"] {
        let (_, doc) = rank_json(&quirk(file), &["--brand", "glowskin"]);
        assert_eq!(counts(&doc), (3, 2, 0, 1), "{file}");
        assert_eq!(results_without_lines(&doc), results_without_lines(&reference), "{file}");
    }
}

#[test]
fn a_given_delimiter_overrides_sniffing() {
    let run = scout(&["rank", &quirk("semicolon.csv"), "--brand", "glowskin", "--delimiter", ","]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no `handle` column"), "{}", run.stderr);
    let run = scout(&["rank", &quirk("tab.tsv"), "--brand", "glowskin", "--delimiter", "tab"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = scout(&["rank", &quirk("tab.tsv"), "--brand", "glowskin", "--delimiter", ";;"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`;;` is not one character"), "{}", run.stderr);
}

#[test]
fn bom_crlf_and_multi_line_headers_keep_line_numbers_right() {
    let (run, doc) = rank_json(&quirk("bom_crlf.csv"), &["--brand", "glowskin"]);
    assert_eq!(doc["errors"][0]["line"], 5, "BOM, then a header over two CRLF lines");
    assert_eq!(doc["errors"][0]["column"], "followers count");
    assert!(
        run.stderr.contains(
            "line 5: `bad.count`: followers `lots` is not a number (column 3 `followers count`)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn no_value_markers_stay_missing_never_zero() {
    let (_, doc) = rank_json(&quirk("missing_markers.csv"), &["--brand", "glowskin"]);
    assert_eq!(counts(&doc), (3, 3, 0, 0));
    let no_likes = result(&doc, "no.likes");
    assert!(no_likes["engagement_rate"].is_null(), "{no_likes}");
    assert!(no_likes["components"]["engagement"].is_null());
    assert!(no_likes["components"]["authenticity"].is_null(), "`NaN` fake share is missing");
    let no_cost = result(&doc, "no.cost");
    assert_eq!(no_cost["metrics"]["engagements_per_post"], 200.0, "`NaN` comments add nothing");
    assert!(no_cost["components"]["cost_efficiency"].is_null(), "`#VALUE!` price is missing");
}

#[test]
fn common_headers_work_without_a_profile() {
    let (_, doc) = rank_json(&quirk("aliases.csv"), &["--brand", "glowskin"]);
    assert_eq!(counts(&doc), (2, 2, 0, 0));
    assert_eq!(result(&doc, "glossy.grace")["followers"], 12_300);
    // The raw copy says `#VALOR!`: the human one is used.
    assert_eq!(result(&doc, "raw.missing")["followers"], 3_600);
}

#[test]
fn decimal_commas_with_a_profile() {
    let profile = quirk("decimal_comma.toml");
    let (_, doc) =
        rank_json(&quirk("decimal_comma.csv"), &["--mapping", &profile, "--brand", "glowskin"]);
    assert_eq!(counts(&doc), (2, 2, 0, 0));
    assert_eq!(result(&doc, "glossy.grace")["followers"], 12_300);
    assert_eq!(result(&doc, "dewy.dana")["followers"], 3_600, "`3.600` groups thousands");
    // Without the profile the same cells are an error that says what to do.
    let run = scout(&["inspect", &quirk("decimal_comma.csv")]);
    assert!(run.stdout.contains("delimiter `;`"), "{}", run.stdout);
}

#[test]
fn likes_derived_from_an_engagement_rate() {
    let profile = quirk("engagement_rate.toml");
    let (_, doc) =
        rank_json(&quirk("engagement_rate.csv"), &["--mapping", &profile, "--brand", "glowskin"]);
    assert_eq!(counts(&doc), (3, 2, 0, 1));
    assert_eq!(result(&doc, "glossy.grace")["engagement_rate"], 0.032, "3.2 (percent) of 10,000");
    assert!(result(&doc, "no.rate")["engagement_rate"].is_null(), "no rate, no likes");
    let error = &doc["errors"][0];
    assert_eq!(error["column"], "ER");
    assert_eq!(
        error["message"],
        "engagement_rate 0.001 × followers 10000 gives 10 engagements, fewer than comments + shares (20) (column 3 `ER`)"
    );
}

// ---------------------------------------------------------------------------------------
// --rejects

#[test]
fn rejects_are_written_untouched_and_rank_again() {
    let tmp = tempfile::tempdir().unwrap();
    let rejects = tmp.path().join("rejects.csv");
    let file = root().join(fixture("top1000-instagram.csv"));
    let run = scout(&[
        "rank",
        file.to_str().unwrap(),
        "--mapping",
        "top1000-instagram",
        "--brand",
        "glowskin",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("wrote 1 unusable row to"), "{}", run.stderr);
    let original = std::fs::read(&file).unwrap();
    let written = std::fs::read(&rejects).unwrap();
    // The five-line header and the bad row, byte for byte (CRLF kept).
    let header_end = original.windows(5).position(|w| w == b"glow.").unwrap();
    let bad = b"bad.followers,Bad Row,Beauty,,lots,N/A,India,1K,1000,1.2K,1200\r\n";
    assert_eq!(written, [&original[..header_end], &bad[..]].concat());

    // Ranking the rejects again gives exactly the unusable rows.
    let again = scout(&[
        "rank",
        rejects.to_str().unwrap(),
        "--mapping",
        "top1000-instagram",
        "--brand",
        "glowskin",
        "--format",
        "json",
    ]);
    assert_eq!(counts(&json(&again)), (1, 0, 0, 1));
    let leftovers = std::fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(leftovers, 1, "written atomically, no temp files left");
}

#[test]
fn rejects_from_stdin_and_when_every_row_is_fine() {
    let tmp = tempfile::tempdir().unwrap();
    let rejects = tmp.path().join("rejects.tsv");
    let text = std::fs::read_to_string(root().join(quirk("tab.tsv"))).unwrap();
    let run = scout_in(
        &root(),
        &["rank", "-", "--brand", "glowskin", "--rejects", rejects.to_str().unwrap()],
        Some(&text),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        written,
        "handle\tplatform\tfollowers\tavg_likes\tavg_comments\tniches\tcountry\nbad.count\tinstagram\tlots\t10\t1\tbeauty\tUS\n"
    );

    let clean = tmp.path().join("clean.csv");
    let run = scout(&[
        "rank",
        &quirk("aliases.csv"),
        "--brand",
        "glowskin",
        "--rejects",
        clean.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("wrote 0 unusable rows"), "{}", run.stderr);
    let header = std::fs::read_to_string(&clean).unwrap();
    assert_eq!(header.lines().count(), 1, "only the header: no stale rows from an earlier run");
}

// ---------------------------------------------------------------------------------------
// Profile problems.

#[test]
fn a_profile_that_does_not_fit_points_at_the_header() {
    let run = scout(&[
        "rank",
        &fixture("top1000-tiktok-sep.csv"),
        "--mapping",
        "top1000-youtube",
        "--brand",
        "glowskin",
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("profile_does_not_fit", run.stderr);
}

#[test]
fn unknown_profiles_and_json_input() {
    let run = scout(&[
        "rank",
        &quirk("aliases.csv"),
        "--mapping",
        "top1000-tiktk",
        "--brand",
        "glowskin",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error: no mapping profile `top1000-tiktk`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `top1000-tiktok`?"), "{}", run.stderr);

    let run = scout(&[
        "rank",
        "tests/fixtures/candidates/samples.json",
        "--mapping",
        "top1000-tiktok",
        "--brand",
        "glowskin",
    ]);
    assert_eq!(run.code, 2);
    // JSON keys go through the profile too: this one names columns the file lacks.
    assert!(run.stderr.contains("mapping `top1000-tiktok` does not fit"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------
// No profile at all: built-in aliases, inferred columns, suggested profiles.

/// The handles of every row a ranking accounts for, sorted.
fn handles(doc: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = ["results", "filtered"]
        .iter()
        .flat_map(|k| doc[k].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["handle"].as_str().map(str::to_owned))
        .collect();
    out.sort();
    out
}

#[test]
fn every_layout_ranks_without_a_profile_and_finds_the_same_handles() {
    for (profile, brand, read, _) in PROFILES {
        let file = fixture(&format!("{profile}.csv"));
        let (_, mapped) = rank_json(&file, &["--mapping", profile, "--brand", brand]);
        let (run, bare) = rank_json(&file, &["--brand", brand]);
        assert_eq!(counts(&bare).0, *read, "{profile}: {}", run.stderr);
        assert_eq!(handles(&bare), handles(&mapped), "{profile}: {}", run.stderr);
    }
}

#[test]
fn real_export_headers_are_built_in_aliases() {
    let (run, doc) = rank_json(&fixture("zeroconf/creators.csv"), &["--brand", "glowskin"]);
    assert_eq!(counts(&doc), (3, 2, 1, 0), "{}", run.stderr);
    assert!(!run.stderr.contains("note:"), "nothing inferred: {}", run.stderr);
    let inspect = scout(&["inspect", &fixture("zeroconf/creators.csv")]);
    insta::assert_snapshot!("inspect_zeroconf_creators", inspect.stdout);
}

#[test]
fn handle_and_followers_are_inferred_from_the_cells_with_a_note() {
    let (run, doc) = rank_json(&fixture("zeroconf/inferred.csv"), &["--brand", "glowskin"]);
    assert_eq!(counts(&doc).0, 3);
    assert_eq!(
        run.stderr.lines().filter(|l| l.starts_with("note:")).collect::<Vec<_>>(),
        [
            "note: no `handle` column: using `Profile` (text, 3 distinct values)",
            "note: no `followers` column: using `Reach` (whole numbers, median 48,500)",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn two_columns_that_tie_stop_with_a_hint() {
    let run = scout(&["rank", &fixture("zeroconf/tie.csv"), "--brand", "glowskin"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("has no `handle` column, and `Foo` and `Bar` could both be one"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: rename the right one to `handle`"), "{}", run.stderr);
    // Inspecting still works without one, and says what is missing.
    let run = scout(&["inspect", &quirk("missing_markers.csv")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn bundled_profiles_accept_their_layouts_variants() {
    let (run, doc) = rank_json(
        &fixture("zeroconf/youtube-variant.csv"),
        &["--mapping", "top1000-youtube", "--brand", "trailpack"],
    );
    assert_eq!(counts(&doc).0, 1, "{}", run.stderr);
    let row = &handles(&doc);
    assert_eq!(row, &["trailtalk"]);
}

#[test]
fn a_suggested_profile_checks_and_ranks_as_no_profile_does() {
    let tmp = rules_with(&[]);
    let rules = tmp.path().join("rules");
    let rules = rules.to_str().unwrap();
    for file in ["zeroconf/inferred.csv", "top1000-instagram.csv", "top1000-youtube-sep.csv"] {
        let file = root().join(fixture(file));
        let file = file.to_str().unwrap();
        let args =
            ["inspect", file, "--rules", rules, "--suggest-profile", "-o", "imports/mine.toml"];
        let run = scout_in(tmp.path(), &args, None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("wrote the mapping profile"), "{}", run.stderr);
        let again = scout_in(tmp.path(), &args, None);
        assert_eq!(again.code, 2);
        assert!(again.stderr.contains("already exists"), "{}", again.stderr);
        let check = scout_in(tmp.path(), &["check", "--rules", rules], None);
        assert_eq!(check.code, 0, "{}", check.stderr);
        let rank = |extra: &[&str]| {
            let mut all = vec!["rank", file, "--rules", rules, "--brand", "glowskin"];
            all.extend_from_slice(&["--format", "json"]);
            all.extend_from_slice(extra);
            json(&scout_in(tmp.path(), &all, None))
        };
        let (bare, mapped) = (rank(&[]), rank(&["--mapping", "mine"]));
        assert_eq!(counts(&bare), counts(&mapped), "{file}");
        assert_eq!(handles(&bare), handles(&mapped), "{file}");
        let forced = scout_in(tmp.path(), &[&args[..], &["--force"]].concat(), None);
        assert_eq!(forced.code, 0, "{}", forced.stderr);
        std::fs::remove_file(tmp.path().join("rules/imports/mine.toml")).unwrap();
    }
}

/// One mistake per case: (name, profile text).
const BROKEN_PROFILES: &[(&str, &str)] = &[
    ("import_unknown_field", "[columns]\nfolowers = \"Followers\"\n"),
    ("import_bad_pick", "[columns]\nfollowers = { header = \"Subscribers\", pick = \"rwa\" }\n"),
    ("import_unknown_niche", "[niches]\n\"Daily vlogs\" = \"vlogs\"\n"),
    (
        "import_unit_on_counts",
        "[columns]\nfollowers = { header = \"Subscribers\", unit = \"percent\" }\n",
    ),
    ("import_bad_delimiter", "delimiter = \";;\"\n"),
    ("import_fake_share_as_percent", "[defaults]\nfake_follower_pct = 25\n"),
];

#[test]
fn check_reports_broken_profiles_located() {
    for (name, text) in BROKEN_PROFILES {
        let tmp = rules_with(&[("imports/broken.toml", text)]);
        let run = scout_in(tmp.path(), &["check"], None);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains("--> rules/imports/broken.toml:"), "{name}: {}", run.stderr);
        insta::assert_snapshot!(*name, run.stderr);
    }
}

#[test]
fn a_broken_profile_stops_rank_with_its_diagnostics() {
    let tmp = rules_with(&[("imports/broken.toml", "[niches]\n\"Daily vlogs\" = \"vlogs\"\n")]);
    let file = root().join(quirk("aliases.csv"));
    let run = scout_in(
        tmp.path(),
        &["rank", file.to_str().unwrap(), "--mapping", "broken", "--brand", "glowskin"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown niche `vlogs`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("error: the mapping profile `rules/imports/broken.toml` is invalid"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Properties.

mod props {
    use proptest::prelude::*;
    use scout::input::columns::ColumnPlan;
    use scout::number::{parse_count, parse_number};

    fn grouped(n: u64, sep: char) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            let _ = parse_number(&s);
            let _ = parse_count(&s);
            let _ = scout::number::parse(&s, scout::number::Decimal::Comma);
            let _ = scout::country::code(&s);
        }

        #[test]
        fn never_panics_on_number_like_strings(s in "[-+ ]?[0-9.,' _]{0,12}[kKmMbB%€$]{0,2}( ?[eE][-+]?[0-9]{1,3})?") {
            let _ = parse_number(&s);
            let _ = parse_count(&s);
        }

        #[test]
        fn whole_numbers_round_trip_with_any_grouping(n in 0u64..9_007_199_254_740_992, sep in prop::sample::select(vec![',', ' ', '_', '\''])) {
            prop_assert_eq!(parse_count(&n.to_string()), Ok(Some(n)));
            prop_assert_eq!(parse_count(&grouped(n, sep)), Ok(Some(n)));
            prop_assert_eq!(parse_count(&format!("  {}  ", grouped(n, ','))), Ok(Some(n)));
        }

        #[test]
        fn human_numbers_round_trip(tenths in 0u64..10_000, suffix in prop::sample::select(vec![("K", 1e3), ("k", 1e3), ("M", 1e6), ("m", 1e6), ("B", 1e9), ("b", 1e9)])) {
            let text = format!("{}.{}{}", tenths / 10, tenths % 10, suffix.0);
            let value = parse_number(&text).unwrap().unwrap();
            let expected = tenths as f64 / 10.0 * suffix.1;
            prop_assert!((value - expected).abs() <= expected * 1e-12 + 1e-9, "{} -> {}", text, value);
            prop_assert_eq!(parse_count(&text), Ok(Some(expected.round() as u64)));
        }

        #[test]
        fn percentages_round_trip(hundredths in 0u64..100_000) {
            let text = format!("{}.{:02}%", hundredths / 100, hundredths % 100);
            let value = parse_number(&text).unwrap().unwrap();
            prop_assert!((value - hundredths as f64 / 10_000.0).abs() < 1e-12, "{} -> {}", text, value);
        }

        #[test]
        fn no_value_markers_are_missing_in_any_case(marker in prop::sample::select(vec!["n/a", "nan", "nan%", "#valor!", "#value!", "null", "none", "-", ""]), upper in any::<bool>(), pad in 0usize..3) {
            let marker = if upper { marker.to_uppercase() } else { marker.to_owned() };
            let text = format!("{}{marker}{}", " ".repeat(pad), " ".repeat(pad));
            prop_assert_eq!(parse_number(&text), Ok(None));
            prop_assert_eq!(parse_count(&text), Ok(None));
        }

        #[test]
        fn a_plan_gives_one_result_per_row_whatever_the_cells(rows in prop::collection::vec(prop::collection::vec(any::<String>(), 0..6), 0..20)) {
            let headers = ["handle", "Subscribers", "Subscribers", "Avg. likes", "category_1", "category_2"];
            let plan = ColumnPlan::from_headers("props.csv", headers, None).unwrap();
            for (i, row) in rows.iter().enumerate() {
                let line = i as u64 + 2;
                let result = plan.build(line, row.len(), row.iter().map(String::as_str));
                match result {
                    Ok(candidate) => prop_assert_eq!(candidate.line, line),
                    Err(error) => prop_assert_eq!(error.line, line),
                }
            }
        }
    }
}
