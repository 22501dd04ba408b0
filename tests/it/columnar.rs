//! Parquet and Arrow IPC input: the same rows written as CSV, Parquet and Arrow IPC rank
//! identically (rows numbered from 1 where CSV lines start at 2), through scout's own
//! column names and through aliases; unread columns change nothing; row groups read on
//! several threads give what one thread gives; broken files and stdin are refused clearly.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use crate::{root, scout_in, Run};

/// The generated rows' column names: scout's own, or built-in aliases for two of them.
const OWN: [&str; 9] = [
    "handle",
    "platform",
    "followers",
    "avg_likes",
    "avg_comments",
    "niches",
    "country",
    "cost_per_post",
    "bio",
];
const ALIASED: [&str; 9] = [
    "Username",
    "platform",
    "Follower Count",
    "avg_likes",
    "avg_comments",
    "niches",
    "country",
    "cost_per_post",
    "bio",
];

/// `rows` generated rows with nulls, text numbers (`12.5K`, `N/A`), a bad cell every 17th
/// row, repeated accounts and a `bio` column no rule reads (`bio_len` bytes long).
fn generated(rows: usize, headers: [&str; 9], bio_len: usize) -> RecordBatch {
    let handle = |i: usize| if i % 97 == 96 { "user0".to_owned() } else { format!("user{i}") };
    let followers = |i: usize| (i % 11 != 10).then(|| 5_000 + i as i64 * 13);
    let likes = |i: usize| match i {
        i if i % 17 == 16 => "lots".to_owned(),
        i if i % 13 == 0 => "N/A".to_owned(),
        i if i % 5 == 0 => "12.5K".to_owned(),
        i => (300 + i % 50).to_string(),
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values((0..rows).map(handle))),
        Arc::new(StringArray::from_iter_values((0..rows).map(|i| {
            if i % 3 == 0 {
                "youtube"
            } else {
                "instagram"
            }
        }))),
        Arc::new(Int64Array::from_iter((0..rows).map(followers))),
        Arc::new(StringArray::from_iter_values((0..rows).map(likes))),
        Arc::new(Float64Array::from_iter(
            (0..rows).map(|i| (i % 7 != 0).then_some(10.5 + (i % 9) as f64)),
        )),
        Arc::new(StringArray::from_iter_values((0..rows).map(|i| {
            if i % 4 == 0 {
                "fitness"
            } else {
                "beauty;skincare"
            }
        }))),
        Arc::new(StringArray::from_iter((0..rows).map(|i| match i % 5 {
            0 => None,
            1 => Some("GB"),
            _ => Some("US"),
        }))),
        Arc::new(Float64Array::from_iter_values((0..rows).map(|i| 50.25 + (i % 200) as f64))),
        Arc::new(StringArray::from_iter_values((0..rows).map(|i| {
            let mut bio = format!("bio {i} ");
            bio.extend(std::iter::repeat_n('x', bio_len));
            bio
        }))),
    ];
    RecordBatch::try_from_iter(headers.into_iter().zip(columns)).unwrap()
}

/// The batch as CSV: nulls are empty cells, numbers as Rust writes them.
fn write_csv(batch: &RecordBatch, path: &Path) {
    let schema = batch.schema();
    let mut text = schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(",");
    text.push('\n');
    let options = arrow_cast::display::FormatOptions::default();
    let formatters: Vec<_> = batch
        .columns()
        .iter()
        .map(|c| arrow_cast::display::ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
        .collect();
    for row in 0..batch.num_rows() {
        let cells: Vec<String> = formatters.iter().map(|f| f.value(row).to_string()).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn write_parquet(batch: &RecordBatch, path: &Path, group_rows: usize) {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let mut writer =
        ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

fn write_ipc(batch: &RecordBatch, path: &Path, batch_rows: usize) {
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new(File::create(path).unwrap(), &batch.schema())
            .unwrap();
    for start in (0..batch.num_rows()).step_by(batch_rows) {
        writer.write(&batch.slice(start, batch_rows.min(batch.num_rows() - start))).unwrap();
    }
    writer.finish().unwrap();
}

/// The batch written as `list.csv`, `list.parquet` (row groups of 500) and `list.arrow`
/// (batches of 700) in `dir`.
fn write_all(batch: &RecordBatch, dir: &Path) -> [PathBuf; 3] {
    let files = [dir.join("list.csv"), dir.join("list.parquet"), dir.join("list.arrow")];
    write_csv(batch, &files[0]);
    write_parquet(batch, &files[1], 500);
    write_ipc(batch, &files[2], 700);
    files
}

fn rank_json(dir: &Path, file: &Path, extra: &[&str]) -> (Value, Run) {
    let rules = root().join("rules");
    let mut args = vec!["rank", file.to_str().unwrap(), "--brand", "glowskin", "--format", "json"];
    args.extend(["--rules", rules.to_str().unwrap()]);
    args.extend(extra);
    let run = scout_in(dir, &args, None);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    (serde_json::from_str(&run.stdout).expect("JSON output"), run)
}

/// Every `line` and `first_line` one less, in messages too: CSV line N is columnar row
/// N - 1.
fn lines_as_rows(value: &mut Value) {
    match value {
        Value::String(text) if text.contains("duplicate of line ") => {
            let (head, tail) = text.split_once("duplicate of line ").unwrap();
            let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
            let line: u64 = digits.parse().unwrap();
            *text = format!("{head}duplicate of line {}{}", line - 1, &tail[digits.len()..]);
        }
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::Number(n) if key == "line" || key == "first_line" => {
                        *v = Value::from(n.as_u64().unwrap() - 1);
                    }
                    _ => lines_as_rows(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(lines_as_rows),
        _ => {}
    }
}

/// Equal JSON, or a panic showing the first line that differs.
fn assert_same_json(got: &Value, expected: &Value, file: &Path) {
    let (got, expected) = (
        serde_json::to_string_pretty(got).unwrap(),
        serde_json::to_string_pretty(expected).unwrap(),
    );
    if let Some((n, (g, e))) =
        got.lines().zip(expected.lines()).enumerate().find(|(_, (g, e))| g != e)
    {
        panic!("{}: line {n} of the JSON differs:\n got {g}\nwant {e}", file.display());
    }
    assert_eq!(got.lines().count(), expected.lines().count(), "{}", file.display());
}

fn assert_same_ranking(headers: [&str; 9]) {
    let tmp = tempfile::tempdir().unwrap();
    let [csv, parquet, ipc] = write_all(&generated(3_000, headers, 10), tmp.path());
    let (mut expected, csv_run) = rank_json(tmp.path(), &csv, &[]);
    lines_as_rows(&mut expected);
    assert!(expected["counts"]["invalid"].as_u64().unwrap() > 100, "{expected}");
    assert!(expected["counts"]["ranked"].as_u64().unwrap() > 100, "{expected}");
    for file in [parquet, ipc] {
        let (got, run) = rank_json(tmp.path(), &file, &[]);
        assert_same_json(&got, &expected, &file);
        assert_eq!(run.code, csv_run.code);
    }
}

#[test]
fn parquet_and_arrow_rank_as_the_same_rows_in_csv() {
    assert_same_ranking(OWN);
}

#[test]
fn aliased_columns_rank_as_the_same_rows_in_csv() {
    assert_same_ranking(ALIASED);
}

#[test]
fn a_bad_cell_names_its_row_and_column_and_the_rest_is_ranked() {
    let tmp = tempfile::tempdir().unwrap();
    let [_, parquet, _] = write_all(&generated(40, OWN, 1), tmp.path());
    let (json, run) = rank_json(tmp.path(), &parquet, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Row 17 is the first with `lots` likes (the 0-based 16th).
    let bad = json["errors"].as_array().unwrap().iter().find(|e| e["line"] == 17).unwrap();
    assert_eq!(bad["column"], "avg_likes", "{bad}");
    assert!(
        run.stderr.contains("line 17: `user16`: avg_likes `lots` is not a number"),
        "{}",
        run.stderr
    );
    let c = &json["counts"];
    let sum: u64 = ["ranked", "filtered", "invalid", "rule_errors"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .sum();
    assert_eq!((c["read"].as_u64().unwrap(), sum), (40, 40));
}

#[test]
fn a_huge_column_no_rule_reads_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let small = tmp.path().join("small.parquet");
    let huge = tmp.path().join("huge.parquet");
    write_parquet(&generated(600, OWN, 1), &small, 200);
    write_parquet(&generated(600, OWN, 20_000), &huge, 200);
    let (expected, _) = rank_json(tmp.path(), &small, &[]);
    let (got, _) = rank_json(tmp.path(), &huge, &[]);
    assert_eq!(got, expected);
    // A profile that ignores it: the column is not even decoded.
    let imports = tmp.path().join("no-bio.toml");
    std::fs::write(&imports, "description = \"drops bio\"\nignore = [\"bio\"]\n").unwrap();
    let (ignored, _) = rank_json(tmp.path(), &huge, &["--mapping", imports.to_str().unwrap()]);
    assert_eq!(ignored["results"], expected["results"]);
}

#[test]
fn row_groups_on_several_threads_rank_as_one_thread_does() {
    let tmp = tempfile::tempdir().unwrap();
    let parquet = tmp.path().join("list.parquet");
    write_parquet(&generated(5_000, OWN, 1), &parquet, 250);
    let rules = root().join("rules");
    let args = [
        "rank",
        parquet.to_str().unwrap(),
        "--brand",
        "glowskin",
        "--format",
        "json",
        "--rules",
        rules.to_str().unwrap(),
    ];
    let one = std::process::Command::new(env!("CARGO_BIN_EXE_scout"))
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let many = std::process::Command::new(env!("CARGO_BIN_EXE_scout"))
        .args(args)
        .env("RAYON_NUM_THREADS", "4")
        .output()
        .unwrap();
    assert!(!one.stdout.is_empty());
    assert_eq!(String::from_utf8(one.stdout).unwrap(), String::from_utf8(many.stdout).unwrap());
}

#[test]
fn several_brands_and_explain_read_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let [csv, parquet, _] = write_all(&generated(300, OWN, 1), tmp.path());
    let rules = root().join("rules");
    let rules = rules.to_str().unwrap();
    for (file, out) in [(&csv, "csv-{brand}.json"), (&parquet, "pq-{brand}.json")] {
        let args = ["rank", file.to_str().unwrap(), "--brand", "glowskin", "--brand", "pulsefit"];
        let mut args = args.to_vec();
        args.extend(["--rules", rules, "--format", "json", "--output", out]);
        let run = scout_in(tmp.path(), &args, None);
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
    for brand in ["glowskin", "pulsefit"] {
        let read = |name: String| -> Value {
            serde_json::from_str(&std::fs::read_to_string(tmp.path().join(name)).unwrap()).unwrap()
        };
        let mut expected = read(format!("csv-{brand}.json"));
        lines_as_rows(&mut expected);
        assert_same_json(&read(format!("pq-{brand}.json")), &expected, Path::new(brand));
    }
    let explain = |file: &Path| {
        let args = ["explain", "user1", file.to_str().unwrap(), "--brand", "glowskin"];
        scout_in(tmp.path(), &[&args[..], &["--rules", rules]].concat(), None)
    };
    let (from_parquet, from_csv) = (explain(&parquet), explain(&csv));
    assert_eq!(from_parquet.code, 0, "{}", from_parquet.stderr);
    assert_eq!(from_parquet.stdout.replace("· line 2\n", "· line 3\n"), from_csv.stdout);
}

#[test]
fn a_truncated_parquet_file_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let [_, parquet, ipc] = write_all(&generated(300, OWN, 1), tmp.path());
    for (file, what) in [(&parquet, "Parquet"), (&ipc, "Arrow IPC")] {
        let bytes = std::fs::read(file).unwrap();
        std::fs::write(file, &bytes[..bytes.len() / 2]).unwrap();
        let (name, run) = (file.display().to_string(), rank_run(tmp.path(), file, &[]));
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("`{name}` is not a readable {what} file")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("truncated"), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn a_csv_file_named_parquet_is_refused_not_misread() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("list.parquet");
    std::fs::write(&file, "handle,followers\na,10\n").unwrap();
    let run = rank_run(tmp.path(), &file, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is not a readable Parquet file"), "{}", run.stderr);
    let run = rank_run(tmp.path(), &file, &["--input-format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn stdin_and_rejects_are_refused_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let [_, parquet, _] = write_all(&generated(20, OWN, 1), tmp.path());
    let run = rank_run(tmp.path(), Path::new("-"), &["--input-format", "parquet"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("Parquet input is read from a file, not from `<stdin>`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("save it to a file"), "{}", run.stderr);
    let run = rank_run(tmp.path(), &parquet, &["--rejects", "bad.parquet"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`--rejects` copies unusable rows out of a text list"),
        "{}",
        run.stderr
    );
}

fn rank_run(dir: &Path, file: &Path, extra: &[&str]) -> Run {
    let rules = root().join("rules");
    let mut args = vec!["rank", file.to_str().unwrap(), "--brand", "glowskin"];
    args.extend(["--rules", rules.to_str().unwrap(), "--format", "csv"]);
    args.extend(extra);
    scout_in(dir, &args, None)
}
