//! Bounded output and streaming input: the JSON document lists a capped sample of filtered
//! and unusable rows (counting them all), `--filtered` streams every filtered row, and
//! NDJSON is read line by line with the same rows and line numbers.

use crate::{root, scout_in};

/// A generated list: every 3rd row on a platform glowskin filters out, every 7th unusable.
fn generated(rows: usize) -> String {
    let mut text = String::from(
        "handle,platform,followers,avg_likes,avg_comments,niches,country,cost_per_post\n",
    );
    for i in 0..rows {
        let platform = if i % 3 == 0 { "youtube" } else { "instagram" };
        let followers = if i % 7 == 0 { "lots".to_owned() } else { (5_000 + i * 13).to_string() };
        text.push_str(&format!(
            "user{i},{platform},{followers},{},{},beauty;skincare,US,{}\n",
            300 + i % 50,
            10 + i % 9,
            50 + i % 200
        ));
    }
    text
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("the output is JSON")
}

#[test]
fn the_json_document_samples_filtered_and_unusable_rows_and_counts_them_all() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("list.csv");
    std::fs::write(&list, generated(1_000)).unwrap();
    let filtered = tmp.path().join("filtered.ndjson");
    let rules = root().join("rules");
    let run = scout_in(
        tmp.path(),
        &[
            "rank",
            list.to_str().unwrap(),
            "--brand",
            "glowskin",
            "--rules",
            rules.to_str().unwrap(),
            "--top",
            "10",
            "--format",
            "json",
            "--filtered",
            filtered.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run.stdout);
    let c = &doc["counts"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(n(&c["read"]), 1_000);
    assert_eq!(
        n(&c["read"]),
        n(&c["ranked"]) + n(&c["filtered"]) + n(&c["invalid"]) + n(&c["rule_errors"])
    );
    let sample = doc["filtered"].as_array().unwrap();
    assert_eq!(sample.len(), 100);
    assert_eq!(n(&doc["filtered_truncated"]) + 100, n(&c["filtered"]));
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 100);
    assert_eq!(n(&doc["errors_truncated"]) + 100, n(&c["invalid"]));
    // The first by line.
    let lines: Vec<u64> = errors.iter().map(|e| n(&e["line"])).collect();
    let expected: Vec<u64> =
        (0..1_000u64).filter(|i| i % 7 == 0).map(|i| i + 2).take(100).collect();
    assert_eq!(lines, expected);
    assert!(n(&doc["filter_counts"]["platforms"]) > 0);
    // `--filtered` has every filtered row, once.
    let text = std::fs::read_to_string(&filtered).unwrap();
    let mut rows: Vec<serde_json::Value> = text.lines().map(json).collect();
    assert_eq!(rows.len() as u64, n(&c["filtered"]));
    rows.sort_by_key(|r| n(&r["line"]));
    let first: Vec<&serde_json::Value> = rows.iter().take(100).collect();
    let listed: Vec<&serde_json::Value> = sample.iter().collect();
    assert_eq!(first, listed);
    let mut lines: Vec<u64> = rows.iter().map(|r| n(&r["line"])).collect();
    lines.dedup();
    assert_eq!(lines.len(), rows.len());
}

#[test]
fn ndjson_streams_with_the_same_ranking_and_line_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ndjson = String::from("\u{feff}");
    let mut array = vec![];
    for i in 0..500 {
        let followers =
            if i % 11 == 0 { serde_json::json!("lots") } else { serde_json::json!(8_000 + i * 7) };
        let row = serde_json::json!({
            "handle": format!("user{i}"), "platform": "instagram", "followers": followers,
            "avg_likes": 400 + i % 30, "avg_comments": 12, "niches": ["beauty"], "country": "US",
            "cost_per_post": 80,
        });
        ndjson.push_str(&row.to_string());
        ndjson.push_str(if i % 5 == 0 { "\r\n\n" } else { "\n" });
        array.push(row);
    }
    ndjson.push_str("{not json\n");
    std::fs::write(tmp.path().join("list.ndjson"), &ndjson).unwrap();
    std::fs::write(tmp.path().join("list.json"), serde_json::to_string_pretty(&array).unwrap())
        .unwrap();
    let rules = root().join("rules");
    let rank = |file: &str| {
        let run = scout_in(
            tmp.path(),
            &[
                "rank",
                file,
                "--brand",
                "glowskin",
                "--rules",
                rules.to_str().unwrap(),
                "--format",
                "json",
            ],
            None,
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        json(&run.stdout)
    };
    let nd = rank("list.ndjson");
    let js = rank("list.json");
    let handles = |doc: &serde_json::Value| -> Vec<(String, f64)> {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["handle"].as_str().unwrap().to_owned(), r["score"].as_f64().unwrap()))
            .collect()
    };
    assert_eq!(handles(&nd), handles(&js));
    assert_eq!(nd["counts"]["invalid"], js["counts"]["invalid"].as_u64().unwrap() + 1);
    // Line numbers count every line, blank ones and CRLF included.
    let mut line = 1u64;
    let mut expected = vec![];
    for i in 0..500u64 {
        if i % 11 == 0 {
            expected.push(line);
        }
        line += if i % 5 == 0 { 2 } else { 1 };
    }
    expected.push(line);
    let lines: Vec<u64> =
        nd["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, expected);
    let last = nd["errors"].as_array().unwrap().last().unwrap();
    assert!(last["message"].as_str().unwrap().starts_with("not a JSON object"), "{last}");
}

/// An NDJSON file large enough to be split across threads ranks exactly as the same
/// lines streamed one by one from stdin: results, every error's line, counts, duplicates.
#[test]
fn a_split_ndjson_file_ranks_as_the_same_lines_streamed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ndjson = String::new();
    for i in 0..9_000 {
        let followers =
            if i % 13 == 0 { serde_json::json!("lots") } else { serde_json::json!(8_000 + i * 7) };
        let handle = if i % 997 == 5 { "dup".to_owned() } else { format!("user{i}") };
        let row = serde_json::json!({
            "handle": handle, "platform": if i % 4 == 0 { "youtube" } else { "instagram" },
            "followers": followers, "avg_likes": 400 + i % 30, "avg_comments": 12,
            "niches": ["beauty"], "country": "US", "cost_per_post": 80,
            "bio": "a \"quoted\" word, and a long padding text to make the line longer ".repeat(2),
        });
        ndjson.push_str(&row.to_string());
        ndjson.push_str(if i % 9 == 0 { "\r\n\n" } else { "\n" });
    }
    assert!(ndjson.len() > 2 << 20, "large enough to split: {} bytes", ndjson.len());
    std::fs::write(tmp.path().join("list.ndjson"), &ndjson).unwrap();
    let rules = root().join("rules");
    let rank = |file: &str, stdin: Option<&str>| {
        let args = [
            "rank",
            file,
            "--format",
            "json",
            "--brand",
            "glowskin",
            "--rules",
            rules.to_str().unwrap(),
            "--top",
            "50",
        ];
        let mut args = args.to_vec();
        if stdin.is_some() {
            args.extend(["--input-format", "ndjson"]);
        }
        let run = scout_in(tmp.path(), &args, stdin);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let mut doc = json(&run.stdout);
        doc.as_object_mut().unwrap().remove("source");
        doc
    };
    let split = rank("list.ndjson", None);
    let streamed = rank("-", Some(&ndjson));
    assert!(split["counts"]["invalid"].as_u64().unwrap() > 600, "{}", split["counts"]);
    assert!(!split["duplicates"].as_array().unwrap().is_empty());
    assert_eq!(split, streamed);
}

#[test]
fn several_brands_in_one_read_equal_single_brand_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("list.csv");
    // Accounts listed again, ranked and filtered, the second time with other numbers; and
    // rows one brand's excluded keywords turn away (in the handle, in a niche), which the
    // read screens once for every brand: scored below the cut otherwise, so only the
    // screen (not a full evaluation) judges them.
    let repeats =
        "user1,instagram,9000,900,40,beauty,US,60\nUSER3,YouTube,5000,10,1,beauty,US,50\n";
    let keywords = "Vape.Daily,instagram,9000,100,5,beauty,US,300\n\
                    va.vavoom,instagram,9000,100,5,Casino Nights;beauty,US,300\n";
    std::fs::write(&list, generated(600) + repeats + keywords).unwrap();
    let rules = root().join("rules");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> =
            ["rank", list.to_str().unwrap(), "--rules", rules.to_str().unwrap(), "--top", "20"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        scout_in(tmp.path(), &args, None)
    };
    let several = run(args(&[
        "--brand",
        "glowskin",
        "--brand",
        "pulsefit",
        "--brand",
        "bench",
        "--format",
        "json",
        "--output",
        "{brand}.json",
    ]));
    assert_eq!(several.code, 1, "{}", several.stderr);
    for brand in ["glowskin", "pulsefit", "bench"] {
        let single = run(args(&["--brand", brand, "--format", "json"]));
        let written = std::fs::read_to_string(tmp.path().join(format!("{brand}.json"))).unwrap();
        let written = json(&written);
        assert_eq!(json(&single.stdout), written, "{brand}");
        // One account record a row serves every brand: each finds the repeats.
        assert!(!written["duplicates"].as_array().unwrap().is_empty(), "{brand}");
        let turned_away = &written["filter_counts"]["exclude_keywords"];
        assert_eq!(turned_away.as_u64(), (brand == "glowskin").then_some(2), "{brand}");
    }
    // Several brands need a file per brand.
    let refused = run(args(&["--brand", "glowskin", "--brand", "bench"]));
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("{brand}"), "{}", refused.stderr);
    // Every brand of the folder.
    let all = run(args(&["--all-brands", "--format", "csv", "--output", "all-{brand}.csv"]));
    assert_eq!(all.code, 1, "{}", all.stderr);
    let single = run(args(&["--brand", "littlenest", "--format", "csv"]));
    let written = std::fs::read_to_string(tmp.path().join("all-littlenest.csv")).unwrap();
    assert_eq!(single.stdout, written);
}

/// Duplicate accounts found through the run's shared hash set (parallel CSV reading) are
/// the ones the per-collector string sets find (rows in memory).
#[test]
fn hashed_accounts_find_the_same_duplicates_as_strings() {
    use scout::input::{self, ReadOptions};
    use scout::rank::{self, RankOptions};
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "handle,platform,followers,avg_likes,avg_comments,niches,country,cost_per_post\n",
    );
    for i in 0..3_000 {
        let handle = if i % 10 == 9 { format!("User{}", i / 3) } else { format!("user{i}") };
        let platform = if i % 4 == 0 { "TikTok" } else { "instagram" };
        text.push_str(&format!("{handle},{platform},{},300,12,beauty,US,80\n", 9_000 + i));
    }
    let path = tmp.path().join("list.csv");
    std::fs::write(&path, &text).unwrap();
    let rules = crate::engine::bundled();
    let brand = rules.brand("glowskin").unwrap();
    let options =
        RankOptions { top: Some(50), keep_filtered: true, notes: 0, ..RankOptions::default() };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let parallel = pool.install(|| {
        let read = ReadOptions { min_split: 1, ..ReadOptions::default() };
        let file = input::open_csv_file(&path, &read).unwrap();
        rank::rank_csv(rules, brand, file, options, &|_| {}).unwrap()
    });
    let rows: Vec<_> = input::read(&scout::input::Source::File(path.clone()), input::Format::Csv)
        .unwrap()
        .collect();
    let strings = rank::rank_slice(rules, brand, &rows, options);
    assert!(!strings.duplicates.is_empty());
    let lines = |r: &rank::Ranking| -> Vec<(u64, u64)> {
        r.duplicates.iter().map(|d| (d.line, d.first_line)).collect()
    };
    assert_eq!(lines(&parallel), lines(&strings));
    assert_eq!(parallel.counts, strings.counts);
    assert_eq!(parallel.results, strings.results);
}
