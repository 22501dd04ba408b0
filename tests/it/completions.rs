//! `scout completions` and `scout man`: generated from the clap definitions, so every
//! command and flag shows up without anyone keeping a list.

use crate::{scout, scout_in};

#[test]
fn bash_completion_knows_the_commands_and_their_flags() {
    let run = scout(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("_scout()"), "{}", run.stdout);
    for word in ["rank", "explain", "completions", "man", "--brand", "--rules", "--top"] {
        assert!(run.stdout.contains(word), "`{word}` is missing");
    }
    assert!(run.stdout.contains("complete -F _scout"), "no `complete` line");
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = scout(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        // fish spells a long flag `-l brand`; the others write `--brand`.
        let brand = if shell == "fish" { "-l brand" } else { "--brand" };
        assert!(run.stdout.contains(brand), "{shell}: no `{brand}`");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let run = scout(&["completions", "tcsh"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("possible values: bash"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

/// The first request of a roff page after the preamble that defines the `Aq` string.
fn title_line(page: &str) -> &str {
    page.lines().find(|line| !line.starts_with(".ie") && !line.starts_with(".el")).unwrap()
}

#[test]
fn man_prints_the_top_page() {
    let run = scout(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with('.'), "not roff: {}", run.stdout);
    assert!(title_line(&run.stdout).starts_with(".TH scout 1 "), "{}", run.stdout);
    assert!(run.stdout.contains(".SH SUBCOMMANDS"));
    assert!(run.stdout.contains("scout\\-rank(1)"), "no reference to scout-rank(1)");
}

#[test]
fn man_output_writes_a_page_per_command() {
    let tmp = tempfile::tempdir().unwrap();
    let run = scout_in(tmp.path(), &["man", "--output", "man/man1"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let dir = tmp.path().join("man/man1");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in ["scout.1", "scout-rank.1", "scout-new-brand.1", "scout-completions.1"] {
        assert!(names.iter().any(|n| n == name), "no `{name}` in {names:?}");
    }
    // Only pages: the atomic writer's temp files are gone.
    assert!(names.iter().all(|n| n.ends_with(".1")), "{names:?}");
    assert!(!names.iter().any(|n| n == "scout-help.1"), "{names:?}");
    for name in &names {
        let page = std::fs::read_to_string(dir.join(name)).unwrap();
        let stem = name.trim_end_matches(".1");
        assert!(
            title_line(&page).starts_with(&format!(".TH {stem} 1 ")),
            "{name}: {}",
            title_line(&page)
        );
        assert!(run.stderr.contains(&format!("wrote `man/man1/{name}`")), "{}", run.stderr);
    }
    let rank = std::fs::read_to_string(dir.join("scout-rank.1")).unwrap();
    assert!(rank.contains("\\-\\-brand"), "scout-rank.1 does not document --brand");
}
