//! `scout report`: the page is well-formed, self-contained, has every chart with the right
//! number of marks, and escapes hostile data. (`scripts/report-browser-check.sh` renders it
//! in a real browser.)

use crate::{root, scout_in};

/// Runs `scout report` in the project root with `args`, writing to a temp file; the page.
fn report(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report.html");
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", out.to_str().unwrap()]);
    let run = scout_in(&root(), &all, None);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    assert!(run.stderr.contains("wrote `"), "{}", run.stderr);
    std::fs::read_to_string(out).unwrap()
}

const VOID: &[&str] = &["meta", "br", "img", "input", "link", "hr", "wbr", "col", "source"];

/// A small well-formedness check: every tag closes in order (void elements and `/>` aside),
/// attributes are quoted, raw `<` never starts text, `<style>` is skipped whole.
fn check_well_formed(page: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = page.strip_prefix("<!DOCTYPE html>").expect("a doctype first");
    while let Some(at) = rest.find('<') {
        let after = &rest[at + 1..];
        let end = after.find('>').unwrap_or_else(|| panic!("an unclosed tag at {}", &after[..40]));
        let tag = &after[..end];
        rest = &after[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("`</{name}>` closes nothing"));
            assert_eq!(open, name, "`</{name}>` closes `<{open}>`");
            continue;
        }
        let name: String =
            tag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        assert!(!name.is_empty(), "a `<` that starts no tag: `<{}`", &tag[..tag.len().min(30)]);
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in `<{tag}>`");
        if name == "style" {
            let close = rest.find("</style>").expect("</style>");
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

/// The part of `page` from `id="<id>"` to the end of its section.
fn section<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let end = page[start..].find("</section>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// Every value of `attr="…"` in `page`.
fn attributes<'p>(page: &'p str, attr: &str) -> Vec<&'p str> {
    let needle = format!(" {attr}=\"");
    page.match_indices(&needle)
        .map(|(at, _)| {
            let value = &page[at + needle.len()..];
            &value[..value.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn the_report_is_well_formed_and_has_every_chart() {
    let page = report(&["examples/candidates.csv", "--brand", "glowskin", "--budget", "1000"]);
    check_well_formed(&page);
    // The header: brand, description, input, revision; the accounting adds up.
    assert!(page.contains("<h1>GlowSkin</h1>"));
    assert!(page.contains("candidates.csv"));
    assert!(page.contains("83 read = 19 ranked + 64 filtered + 0 invalid + 0 rule errors"));
    for chart in ["scatter", "histogram", "bars", "stacked"] {
        assert!(page.contains(&format!("class=\"chart {chart}\"")), "no {chart} chart");
    }
    // Every ranked row has an engagement rate in the examples: 19 points.
    assert_eq!(section(&page, "engagement").matches("class=\"point\"").count(), 19);
    // Benchmark lines for both platforms, and the trend.
    assert_eq!(section(&page, "engagement").matches("class=\"line\"").count(), 3);
    assert_eq!(section(&page, "scores").matches("class=\"bin\"").count(), 20);
    // One funnel bar per glowskin filter.
    assert_eq!(section(&page, "funnel").matches("class=\"bar\"").count(), 9);
    // The accounting: ranked and filtered segments (invalid and rule errors are 0).
    assert_eq!(section(&page, "accounting").matches("class=\"segment\"").count(), 2);
    // The plan: one bar per booked creator, one segment per tier plus what is left.
    let plan = section(&page, "plan");
    let booked = plan.matches("class=\"bar\"").count();
    assert!(booked >= 3, "{booked} booked");
    assert_eq!(plan.matches("class=\"segment\"").count(), 3);
    // The ranking lists every ranked row; filtered rows sit in a closed <details>.
    assert_eq!(section(&page, "ranking").matches("<tr>").count(), 20);
    assert!(page.contains("<details class=\"card\" id=\"filtered\">"));
    assert_eq!(page.matches("<ul class=\"reasons\">").count(), 64);
}

#[test]
fn the_report_loads_nothing_from_anywhere() {
    let page = report(&["examples/candidates.csv", "--brand", "pulsefit"]);
    check_well_formed(&page);
    for attr in ["src", "href", "xlink:href", "action"] {
        for value in attributes(&page, attr) {
            assert!(value.starts_with('#'), "{attr}=\"{value}\" points outside the page");
        }
    }
    for url in ["http://", "https://", "url(", "@import", "<script", "<link", "<img"] {
        assert!(!page.contains(url), "the page contains `{url}`");
    }
    assert!(!attributes(&page, "src").iter().any(|v| v.starts_with("//")));
    // No budget, no plan section.
    assert!(!page.contains("id=\"plan\""));
}

#[test]
fn hostile_handles_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("hostile.csv");
    let header = "handle,platform,followers,following,posts,avg_likes,avg_comments,avg_shares,avg_views,niches,country,fake_follower_pct,cost_per_post,bio";
    // The first row ranks (brushed.by.bree's figures); the second is filtered (Brazil).
    std::fs::write(
        &csv,
        format!(
            "{header}\n\"<script>alert(1)</script>\",tiktok,68000,2300,450,3083,41,140,31210,beauty,AU,0.11,240,x\n\"\"\"><img src=x onerror=alert(2)>\x1b[2J\",instagram,36000,1400,920,1094,32,26,,makeup,BR,0.07,180,y\n"
        ),
    )
    .unwrap();
    let page = report(&[csv.to_str().unwrap(), "--brand", "glowskin", "--budget", "500"]);
    check_well_formed(&page);
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img"));
    assert!(page.contains("@&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\\u{1b}[2J"));
    assert!(!page.contains('\x1b'));
}
