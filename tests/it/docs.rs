//! The user documentation's relative links resolve: every `[text](path#anchor)` in
//! `README.md` and `docs/*.md` names a file that exists and, for Markdown, a heading in it.

use std::path::{Path, PathBuf};

use crate::root;

/// The lines of a Markdown file outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings, with GitHub's `-1`, `-2` for repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut anchors: Vec<String> = Vec::new();
    for line in prose(text) {
        let Some(heading) = line.strip_prefix('#') else { continue };
        let base = slug(heading.trim_start_matches('#'));
        let repeats = anchors.iter().filter(|a| **a == base).count();
        anchors.push(base.clone());
        if repeats > 0 {
            anchors.push(format!("{base}-{repeats}"));
        }
    }
    anchors
}

/// The link targets of a Markdown file: `](target)` outside code.
fn links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            links.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    links
}

fn user_docs() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    files.extend(pages);
    files
}

fn broken_links(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut broken = Vec::new();
    for link in links(&text) {
        if link.contains("://") || link.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = link.split_once('#').unwrap_or((&link, ""));
        let target =
            if path.is_empty() { file.to_owned() } else { file.parent().unwrap().join(path) };
        if !target.exists() {
            broken.push(format!("{link}: no file `{}`", target.display()));
            continue;
        }
        if !anchor.is_empty() && target.extension().is_some_and(|e| e == "md") {
            let heads = anchors(&std::fs::read_to_string(&target).unwrap());
            if !heads.iter().any(|a| a == anchor) {
                broken.push(format!("{link}: no heading `#{anchor}`"));
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_user_docs_resolves() {
    let mut broken = Vec::new();
    for file in user_docs() {
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        broken.extend(broken_links(&file).into_iter().map(|b| format!("{rel}: {b}")));
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_command_has_a_page_and_the_readme_links_it() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands = [
        "rank",
        "check",
        "inspect",
        "watch",
        "serve",
        "test",
        "explain",
        "diff",
        "schema",
        "new",
        "completions",
    ];
    for command in commands {
        let page = format!("docs/{command}.md");
        assert!(root().join(&page).exists(), "no `{page}`");
        assert!(readme.contains(&format!("]({page})")), "README.md does not link `{page}`");
    }
    assert!(readme.contains("cargo test"), "README.md no longer names the test command");
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug(" Importing real exports"), "importing-real-exports");
    assert_eq!(slug(" `scout rank CANDIDATES --brand NAME`"), "scout-rank-candidates---brand-name");
    assert_eq!(anchors("# a\n## a\n```\n# not a heading\n```\n"), ["a", "a", "a-1"]);
}
