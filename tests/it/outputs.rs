//! Output files under hostile paths: inputs as outputs, special files, permissions, and
//! signals while a file is written.

use std::fs;
use std::path::Path;

use crate::{root, scout_in};

const BASIC: &str = "tests/fixtures/candidates/basic.csv";

/// A temp dir with a copy of `basic.csv` as `list.csv` and the `one_brand` rules as `rules/`.
fn workspace() -> tempfile::TempDir {
    let tmp = crate::rules_fixture("one_brand");
    fs::copy(root().join(BASIC), tmp.path().join("list.csv")).unwrap();
    tmp
}

fn rank_in(dir: &Path, extra: &[&str]) -> crate::Run {
    let mut args = vec!["rank", "list.csv", "--brand", "glowskin", "--rules", "rules"];
    args.extend_from_slice(extra);
    scout_in(dir, &args, None)
}

/// Asserts a refusal that names both paths, with a hint, and that `input` is unchanged.
fn assert_refused(run: &crate::Run, output: &str, input: &str, before: &[u8], after: &Path) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    let error = run.stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_default();
    assert!(error.contains(&format!("`{output}`")), "{}", run.stderr);
    assert!(error.contains(&format!("`{input}`")), "{}", run.stderr);
    assert!(run.stderr.contains("\nhint: "), "{}", run.stderr);
    assert_eq!(fs::read(after).unwrap(), before, "the input was changed");
}

#[test]
fn an_output_that_is_the_candidate_list_is_refused() {
    let tmp = workspace();
    let before = fs::read(tmp.path().join("list.csv")).unwrap();
    for flag in ["--output", "--rejects"] {
        let run = rank_in(tmp.path(), &[flag, "list.csv"]);
        assert_refused(&run, "list.csv", "list.csv", &before, &tmp.path().join("list.csv"));
        let run = rank_in(tmp.path(), &[flag, "./rules/../list.csv"]);
        assert_refused(
            &run,
            "./rules/../list.csv",
            "list.csv",
            &before,
            &tmp.path().join("list.csv"),
        );
    }
}

#[cfg(unix)]
#[test]
fn an_output_linked_to_an_input_is_refused() {
    let tmp = workspace();
    let list = tmp.path().join("list.csv");
    let before = fs::read(&list).unwrap();
    std::os::unix::fs::symlink("list.csv", tmp.path().join("soft.csv")).unwrap();
    fs::hard_link(&list, tmp.path().join("hard.csv")).unwrap();
    for output in ["soft.csv", "hard.csv"] {
        let run = rank_in(tmp.path(), &["--output", output]);
        assert_refused(&run, output, "list.csv", &before, &list);
    }
    // Stdin redirected from the list is the list too.
    let run = crate::sh_in(
        tmp.path(),
        &format!(
            "{} rank - --brand glowskin --rules rules --output hard.csv < list.csv",
            env!("CARGO_BIN_EXE_scout")
        ),
    );
    assert_refused(&run, "hard.csv", "-", &before, &list);
}

#[test]
fn an_output_that_is_a_rule_file_or_the_mapping_profile_is_refused() {
    let tmp = workspace();
    let brand = tmp.path().join("rules/brands/glowskin.toml");
    let before = fs::read(&brand).unwrap();
    let run = rank_in(tmp.path(), &["--output", "rules/brands/glowskin.toml"]);
    assert_refused(
        &run,
        "rules/brands/glowskin.toml",
        "rules/brands/glowskin.toml",
        &before,
        &brand,
    );

    // A profile outside the rule folder, with the bundled rules whose niches it maps onto.
    let tmp = crate::rules_with(&[]);
    fs::copy(root().join(BASIC), tmp.path().join("list.csv")).unwrap();
    let profile = tmp.path().join("profile.toml");
    fs::copy(root().join("rules/imports/instagram-reach.toml"), &profile).unwrap();
    let before = fs::read(&profile).unwrap();
    let run = rank_in(tmp.path(), &["--mapping", "profile.toml", "--rejects", "profile.toml"]);
    assert_refused(&run, "profile.toml", "profile.toml", &before, &profile);
}

#[test]
fn the_two_outputs_must_differ() {
    let tmp = workspace();
    let run = rank_in(tmp.path(), &["--output", "out.csv", "--rejects", "./out.csv"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`out.csv`") && run.stderr.contains("`./out.csv`"));
    assert!(!tmp.path().join("out.csv").exists());
}

#[cfg(unix)]
#[test]
fn special_files_are_written_in_place() {
    use std::os::unix::fs::FileTypeExt as _;
    let tmp = workspace();
    // A link to a character device: the device is written, the link stays a link.
    std::os::unix::fs::symlink("/dev/null", tmp.path().join("null.csv")).unwrap();
    let run = rank_in(tmp.path(), &["--output", "null.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kind = fs::metadata(tmp.path().join("null.csv")).unwrap().file_type();
    assert!(kind.is_char_device(), "`null.csv` now is {kind:?}");

    // A FIFO gets the ranking through the pipe, and stays a FIFO.
    let fifo = tmp.path().join("fifo.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        // Blocks until scout opens the FIFO; never joined if it does not.
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let run = rank_in(tmp.path(), &["--output", "fifo.csv", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "`fifo.csv` now is {kind:?}");
    let text = reader.join().unwrap();
    assert!(text.starts_with("rank,handle,"), "{text}");
    assert_eq!(text.lines().count(), 7);
}

#[cfg(unix)]
#[test]
fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = workspace();
    let scout = env!("CARGO_BIN_EXE_scout");
    let mode =
        |name: &str| fs::metadata(tmp.path().join(name)).unwrap().permissions().mode() & 0o7777;
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let name = format!("new-{umask}.csv");
        let run = crate::sh_in(
            tmp.path(),
            &format!("umask {umask}; {scout} rank list.csv -b glowskin --rules rules -o {name} --rejects rejects-{name}"),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(mode(&name), expected, "umask {umask}");
        assert_eq!(mode(&format!("rejects-{name}")), expected, "umask {umask}");
    }
    for existing in [0o640, 0o604, 0o755] {
        fs::write(tmp.path().join("old.csv"), "old").unwrap();
        fs::set_permissions(tmp.path().join("old.csv"), fs::Permissions::from_mode(existing))
            .unwrap();
        let run = crate::sh_in(
            tmp.path(),
            &format!("umask 077; {scout} rank list.csv -b glowskin --rules rules -o old.csv"),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(mode("old.csv"), existing);
        assert!(fs::read_to_string(tmp.path().join("old.csv")).unwrap().starts_with("rank,"));
    }
}

/// `rows` candidates that all pass glowskin's filters, so the ranking is as big as the list.
fn big_list(rows: usize) -> String {
    let mut text = String::from(
        "handle,platform,followers,following,posts,avg_likes,avg_comments,avg_shares,avg_views,niches,country,fake_follower_pct,cost_per_post,bio\n",
    );
    for i in 0..rows {
        let followers = 5_000 + i % 40_000;
        text.push_str(&format!(
            "creator_{i},instagram,{followers},300,400,{},{},,,skincare,US,0.05,{},about skin\n",
            followers / 20,
            followers / 400,
            50 + i % 200
        ));
    }
    text
}

#[cfg(unix)]
#[test]
fn a_signal_while_writing_leaves_no_temp_file() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let tmp = workspace();
    fs::write(tmp.path().join("big.csv"), big_list(300_000)).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("ranking.csv");
    fs::write(&out, "the previous ranking\n").unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_scout"))
        .args(["rank", "big.csv", "--brand", "glowskin", "--rules", "rules", "--output"])
        .arg(&out)
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Signal as soon as the temp file shows up (ranking comes first), or after a while.
    let started = Instant::now();
    let others = || {
        fs::read_dir(out_dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "ranking.csv")
            .collect::<Vec<_>>()
    };
    while others().is_empty()
        && started.elapsed() < Duration::from_secs(60)
        && child.try_wait().unwrap().is_none()
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    let signalled_while_writing = !others().is_empty();
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();

    assert_eq!(others(), Vec::<String>::new(), "a temp file was left behind");
    let text = fs::read_to_string(&out).unwrap();
    if status.success() {
        // The run finished before the signal: the ranking replaced the file whole.
        assert!(text.starts_with("rank,handle,"));
        assert_eq!(text.lines().count(), 300_001);
    } else {
        assert!(killed.success());
        assert_eq!(status.code(), Some(130), "{status:?}");
        assert_eq!(text, "the previous ranking\n", "the output was changed");
    }
    // A fast machine may finish first; the checks above hold either way.
    eprintln!("signalled while writing: {signalled_while_writing}, {status:?}");
}
