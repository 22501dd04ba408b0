//! Symbolic links in a rule folder: a loop, or a link leaving the folder, is one located
//! error, and every command that reads the folder refuses it alike.
#![cfg(unix)]

use std::os::unix::fs::symlink;

use crate::{root, rules_fixture, scout_in};

/// Runs the commands that read a rule folder and returns their exit codes and stderr.
fn every_command(dir: &std::path::Path) -> Vec<(i32, String)> {
    let candidates = root().join("tests/fixtures/rules/one_brand/fixtures/candidates.csv");
    let candidates = candidates.to_str().unwrap();
    [
        vec!["check"],
        vec!["test"],
        vec!["rank", candidates, "--brand", "glowskin"],
        vec!["explain", "x", "--brand", "glowskin", candidates],
    ]
    .iter()
    .map(|args| {
        let run = scout_in(dir, args, None);
        (run.code, run.stderr)
    })
    .collect()
}

#[test]
fn a_link_loop_is_refused_by_every_command() {
    let tmp = rules_fixture("one_brand");
    symlink("..", tmp.path().join("rules/brands/loop")).unwrap();
    for (code, stderr) in every_command(tmp.path()) {
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("`brands/loop` is a link back to a folder that contains it: a loop"),
            "{stderr}"
        );
        assert!(!stderr.contains("loop/loop"), "{stderr}");
    }
}

#[test]
fn a_link_out_of_the_folder_is_refused_by_every_command() {
    let tmp = rules_fixture("one_brand");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("extra.toml"), "name = \"x\"\n").unwrap();
    symlink(outside.path().join("extra.toml"), tmp.path().join("rules/brands/extra.toml")).unwrap();
    for (code, stderr) in every_command(tmp.path()) {
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("`brands/extra.toml` is a link to `"), "{stderr}");
        assert!(stderr.contains("outside the rule folder"), "{stderr}");
    }
}

#[test]
fn a_link_inside_the_folder_is_read_once_through_it() {
    let tmp = rules_fixture("one_brand");
    std::fs::create_dir(tmp.path().join("rules/shared")).unwrap();
    symlink("../brands/glowskin.toml", tmp.path().join("rules/shared/glowskin-copy.toml")).unwrap();
    let run = scout_in(tmp.path(), &["check"], None);
    assert!(!run.stderr.contains("is a link"), "{}", run.stderr);
}
