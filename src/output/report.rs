//! `scout report`'s output: one self-contained HTML page for a client who never runs scout.
//!
//! The page holds everything it shows: styles inline, charts as inline SVG from
//! [`super::chart`], no scripts, fonts or images from anywhere, so it opens from a USB stick
//! and prints (a print stylesheet opens the collapsed sections and keeps the colours).
//! It shows the brand, the rule revision, the date, the input file and the row accounting
//! (`read = ranked + filtered + invalid + rule errors`); the ranking with its four
//! components; engagement against followers with the brand's benchmarks; the score
//! distribution; the filter funnel; the plan, when there is one; and the filtered rows with
//! their reasons. Every piece of data goes through [`html`]: terminal controls and
//! bidirectional overrides are made visible ([`printable`]), then HTML is escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::chart::{self, escape, Bar, Bars, Bin, Format, Histogram, Line, Scatter};
use super::chart::{ScatterGroup, ScatterPoint, Segment, Stacked};
use crate::plan::{money, Plan};
use crate::rank::{Ranked, Ranking};
use crate::rules::Brand;
use crate::text::{printable, thousands};

/// The tier colours, in the brand's tier order; tiers past the end wrap around.
pub const TIER_COLORS: [&str; 8] =
    ["#2563eb", "#0d9488", "#d97706", "#db2777", "#7c3aed", "#65a30d", "#dc2626", "#0891b2"];

/// The colours of the row accounting: ranked, filtered, invalid, rule errors.
const ACCOUNT_COLORS: [&str; 4] = ["#0d9488", "#94a3b8", "#f59e0b", "#dc2626"];

/// At most this many ranked rows are listed in the table (the charts use every row).
pub const TABLE_ROWS: usize = 500;

/// What one report shows.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// The brand.
    pub brand: &'a Brand,
    /// The ranking, with every result and every filtered row (`keep_filtered`).
    pub ranking: &'a Ranking,
    /// The plan when a budget was given: the plan, or why there is none.
    pub plan: Option<Result<&'a Plan, &'a str>>,
    /// The candidate list's file name, as the client knows it.
    pub input: &'a str,
    /// The date the report was made, `YYYY-MM-DD`.
    pub date: &'a str,
}

/// Data as HTML text: unprintable characters shown as escapes, then HTML-escaped.
pub fn html(text: &str) -> String {
    escape(&printable(text))
}

/// Writes the report to `out`.
pub fn write_report(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// The tiers in the brand's order (default list first, then per-platform lists), then any
/// other tier the rows name, each with its colour.
pub fn tier_colors(report: &Report<'_>) -> Vec<(String, &'static str)> {
    let scheme = &report.brand.tiers;
    let mut names: Vec<String> = Vec::new();
    let known = scheme.default.iter().chain(scheme.platforms.iter().flat_map(|(_, t)| t.iter()));
    let seen = report.ranking.results.iter().map(|r| r.evaluation.tier.name.to_string());
    for name in known.map(|t| t.name.to_string()).chain(seen) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.into_iter().enumerate().map(|(i, n)| (n, TIER_COLORS[i % TIER_COLORS.len()])).collect()
}

fn color_of<'c>(colors: &'c [(String, &'static str)], tier: &str) -> &'c str {
    colors.iter().find(|(n, _)| n == tier).map_or("#64748b", |(_, c)| c)
}

/// How many rows each filter turned away: `(filter, rows failing it, rows it removed
/// first)`, in the brand's filter order. "First" counts a row at the first filter it fails,
/// so the firsts add up to the filtered rows, as in a funnel.
pub fn filter_funnel(report: &Report<'_>) -> Vec<(String, usize, usize)> {
    let mut counts: Vec<(String, usize, usize)> =
        report.brand.filters.specs.iter().map(|s| (s.filter.as_str().to_owned(), 0, 0)).collect();
    for row in &report.ranking.filtered {
        for (i, filter) in row.filters.iter().enumerate() {
            let at = match counts.iter().position(|(n, ..)| n == filter.as_str()) {
                Some(at) => at,
                None => {
                    counts.push((filter.as_str().to_owned(), 0, 0));
                    counts.len() - 1
                }
            };
            counts[at].1 += 1;
            if i == 0 {
                counts[at].2 += 1;
            }
        }
    }
    counts
}

/// The whole page.
pub fn render(report: &Report<'_>) -> String {
    let ranking = report.ranking;
    let brand = report.brand;
    let colors = tier_colors(report);
    let c = ranking.counts;
    let mut s = String::with_capacity(64 * 1024);
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"scout {}\">\n<title>{} · influencer report</title>\n<style>{}</style>\n</head>\n<body>",
        env!("CARGO_PKG_VERSION"),
        html(&brand.name),
        STYLE
    );
    // The header band.
    let _ = write!(
        s,
        "<header class=\"band\"><div class=\"wrap\"><p class=\"eyebrow\">Influencer report</p><h1>{}</h1>",
        html(&brand.name)
    );
    if let Some(description) = &brand.description {
        let _ = write!(s, "<p class=\"lede\">{}</p>", html(description));
    }
    let _ = writeln!(
        s,
        "<dl class=\"meta\"><div><dt>Candidates</dt><dd>{}</dd></div><div><dt>Date</dt><dd>{}</dd></div><div><dt>Brand rules</dt><dd>{}</dd></div><div><dt>Rule revision</dt><dd><code>{}</code></dd></div></dl></div></header>\n<main class=\"wrap\">",
        html(report.input),
        html(report.date),
        html(&brand.id),
        html(&ranking.revision)
    );
    cards(&mut s, report);
    accounting(&mut s, report);
    s.push_str("<div class=\"grid\">\n");
    engagement_chart(&mut s, report, &colors);
    score_chart(&mut s, report, &colors);
    s.push_str("</div>\n");
    funnel(&mut s, report);
    if let Some(plan) = report.plan {
        plan_section(&mut s, plan, &colors);
    }
    ranking_table(&mut s, report, &colors);
    filtered_section(&mut s, report);
    problems_section(&mut s, report);
    let _ = writeln!(
        s,
        "</main>\n<footer class=\"wrap\"><p>Made by scout {} from <code>{}</code> with the rules at revision <code>{}</code> on {}. Every row is accounted for: {} read = {} ranked + {} filtered + {} invalid + {} with rule errors.</p></footer>",
        env!("CARGO_PKG_VERSION"),
        html(report.input),
        html(&ranking.revision),
        html(report.date),
        thousands(c.read as u64),
        thousands(c.ranked as u64),
        thousands(c.filtered as u64),
        thousands(c.invalid as u64),
        thousands(c.rule_errors as u64),
    );
    s.push_str("</body>\n</html>\n");
    s
}

fn card(s: &mut String, label: &str, value: &str, note: &str, class: &str) {
    let _ = write!(
        s,
        "<div class=\"card figure {class}\"><p class=\"label\">{}</p><p class=\"value\">{}</p><p class=\"note\">{}</p></div>",
        escape(label),
        escape(value),
        escape(note)
    );
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.0}% of rows", part as f64 / whole as f64 * 100.0)
    }
}

fn cards(s: &mut String, report: &Report<'_>) {
    let c = report.ranking.counts;
    s.push_str("<section class=\"cards\">");
    card(s, "Candidates read", &thousands(c.read as u64), "rows in the list", "");
    card(s, "Ranked", &thousands(c.ranked as u64), &share(c.ranked, c.read), "good");
    card(s, "Filtered out", &thousands(c.filtered as u64), &share(c.filtered, c.read), "");
    let bad = c.invalid + c.rule_errors;
    card(
        s,
        "Unusable",
        &thousands(bad as u64),
        &format!("{} invalid, {} rule errors", c.invalid, c.rule_errors),
        if bad > 0 { "warn" } else { "" },
    );
    if let Some(best) = report.ranking.results.first() {
        card(
            s,
            "Top score",
            &format!("{:.1}", best.score()),
            &format!("@{}", printable(&best.candidate.handle)),
            "",
        );
    }
    if let Some(Ok(plan)) = report.plan {
        card(
            s,
            "Plan",
            &money(plan.spent),
            &format!("{} creators, budget {}", plan.booked.len(), money(plan.budget)),
            "good",
        );
    }
    s.push_str("</section>\n");
}

fn accounting(s: &mut String, report: &Report<'_>) {
    let c = report.ranking.counts;
    let parts = [
        ("ranked", c.ranked),
        ("filtered", c.filtered),
        ("invalid", c.invalid),
        ("rule errors", c.rule_errors),
    ];
    let segments = parts
        .iter()
        .zip(ACCOUNT_COLORS)
        .map(|((label, n), color)| Segment {
            label: (*label).to_owned(),
            value: *n as f64,
            color: color.to_owned(),
            value_label: thousands(*n as u64),
        })
        .collect();
    let svg = chart::stacked_bar(&Stacked { title: "Where every row went".into(), segments });
    let _ = writeln!(
        s,
        "<section class=\"card\" id=\"accounting\"><h2>Where every row went</h2><p class=\"sub\">{} read = {} ranked + {} filtered + {} invalid + {} rule errors</p>{svg}</section>",
        thousands(c.read as u64),
        thousands(c.ranked as u64),
        thousands(c.filtered as u64),
        thousands(c.invalid as u64),
        thousands(c.rule_errors as u64)
    );
}

/// Least squares of `y` on `log10 x`: `(slope, intercept)`.
fn log_fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 3 {
        return None;
    }
    let mx = points.iter().map(|p| p.0.log10()).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0.log10() - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0.log10() - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| (sxy / sxx, my - sxy / sxx * mx))
}

/// The engagement chart's pieces: the SVG, its reference lines for the legend, how many
/// creators it plots, and a sentence on the trend.
#[derive(Clone, Debug)]
pub struct EngagementFigure {
    /// The scatter plot.
    pub svg: String,
    /// The reference lines, for a legend: benchmarks per platform, then the trend.
    pub lines: Vec<Line>,
    /// How many ranked creators are plotted.
    pub plotted: usize,
    /// The trend of engagement over followers, in words.
    pub trend: String,
}

/// Engagement rate against followers (log scale), by tier, with the brand's benchmarks
/// and the list's trend: the report's chart, for any page that shows a ranking.
pub fn engagement_figure(
    report: &Report<'_>,
    colors: &[(String, &'static str)],
) -> EngagementFigure {
    let mut groups: Vec<ScatterGroup> = colors
        .iter()
        .map(|(name, color)| ScatterGroup {
            name: name.clone(),
            color: (*color).to_owned(),
            points: Vec::new(),
        })
        .collect();
    let mut data = Vec::new();
    let mut benchmarks: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in &report.ranking.results {
        let e = &r.evaluation;
        let Some(er) = e.metrics.engagement_rate.filter(|v| v.is_finite()) else { continue };
        let followers = r.candidate.followers as f64;
        if followers <= 0.0 {
            continue;
        }
        data.push((followers, er));
        let platform = r.candidate.platform.clone().unwrap_or_else(|| "any platform".into());
        if let Some(group) = groups.iter_mut().find(|g| *g.name == *e.tier.name) {
            group.points.push(ScatterPoint {
                x: followers,
                y: er,
                label: point_label(r, &platform, er),
            });
        }
        if let Some(b) = e.tier.benchmark.filter(|b| b.is_finite()) {
            benchmarks.entry(platform).or_default().push((followers, b));
        }
    }
    let fit = log_fit(&data);
    let lines = reference_lines(benchmarks, fit, &data);
    let svg = chart::scatter_log_x(&Scatter {
        title: "Engagement rate against followers".into(),
        x_label: "followers (log scale)".into(),
        y_label: "engagement rate".into(),
        x_format: Format::Compact,
        y_format: Format::Percent,
        groups: groups.into_iter().filter(|g| !g.points.is_empty()).collect(),
        lines: lines.clone(),
    });
    EngagementFigure { svg, lines, plotted: data.len(), trend: trend_sentence(fit) }
}

fn point_label(r: &Ranked, platform: &str, er: f64) -> String {
    format!(
        "@{} · {} · {} followers · ER {} on {}",
        printable(&r.candidate.handle),
        printable(platform),
        thousands(r.candidate.followers),
        Format::Percent.write(er),
        r.evaluation.metrics.basis.name()
    )
}

/// The benchmark line of each platform (dashed), then the list's trend line.
fn reference_lines(
    benchmarks: BTreeMap<String, Vec<(f64, f64)>>,
    fit: Option<(f64, f64)>,
    data: &[(f64, f64)],
) -> Vec<Line> {
    let dashes = ["#334155", "#64748b", "#0f172a", "#94a3b8"];
    let mut lines: Vec<Line> = benchmarks
        .into_iter()
        .enumerate()
        .map(|(i, (platform, mut points))| {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Line {
                name: format!("benchmark, {}", printable(&platform)),
                color: dashes[i % dashes.len()].to_owned(),
                dashed: true,
                points,
            }
        })
        .collect();
    if let Some((slope, intercept)) = fit {
        let (lo, hi) =
            data.iter().fold((f64::INFINITY, 0f64), |(l, h), p| (l.min(p.0), h.max(p.0)));
        let at = |x: f64| (slope * x.log10() + intercept).max(0.0);
        lines.push(Line {
            name: "trend in this list".into(),
            color: "#e11d48".into(),
            dashed: false,
            points: vec![(lo, at(lo)), (hi, at(hi))],
        });
    }
    lines
}

fn trend_sentence(fit: Option<(f64, f64)>) -> String {
    match fit {
        Some((slope, _)) if slope < 0.0 => format!(
            "Here engagement falls by {} points for every tenfold rise in followers.",
            trim_pct(-slope)
        ),
        Some((slope, _)) => format!(
            "Here engagement rises by {} points for every tenfold rise in followers.",
            trim_pct(slope)
        ),
        None => "Too few ranked rows to draw a trend.".to_owned(),
    }
}

fn engagement_chart(s: &mut String, report: &Report<'_>, colors: &[(String, &'static str)]) {
    let figure = engagement_figure(report, colors);
    let legend_lines: String = figure
        .lines
        .iter()
        .map(|l| {
            format!(
                "<span class=\"key\"><i class=\"{}\" style=\"border-color:{}\"></i>{}</span>",
                if l.dashed { "dash" } else { "solid" },
                escape(&l.color),
                escape(&l.name)
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "<section class=\"card\" id=\"engagement\"><h2>Engagement against reach</h2><p class=\"sub\">{} ranked creators, coloured by tier. Engagement usually falls as followers grow; dashed lines are the rule set's benchmark for each creator's platform and tier. {}</p>{}<p class=\"legend\">{}{legend_lines}</p></section>",
        figure.plotted,
        escape(&figure.trend),
        figure.svg,
        tier_legend(colors, report)
    );
}

fn trim_pct(fraction: f64) -> String {
    format!("{:.2}", fraction * 100.0)
}

fn tier_legend(colors: &[(String, &'static str)], report: &Report<'_>) -> String {
    shown_tiers(report, colors)
        .into_iter()
        .map(|(name, color)| {
            format!(
                "<span class=\"key\"><i class=\"dot\" style=\"background:{color}\"></i>{}</span>",
                html(name)
            )
        })
        .collect()
}

/// The tiers of `colors` that some ranked row is in.
pub fn shown_tiers<'c>(
    report: &Report<'_>,
    colors: &'c [(String, &'static str)],
) -> Vec<&'c (String, &'static str)> {
    colors
        .iter()
        .filter(|(name, _)| {
            report.ranking.results.iter().any(|r| *r.evaluation.tier.name == **name)
        })
        .collect()
}

/// The score distribution: ranked creators in bins of 5 points, stacked by tier.
pub fn score_figure(report: &Report<'_>, colors: &[(String, &'static str)]) -> String {
    const WIDTH: f64 = 5.0;
    let shown = shown_tiers(report, colors);
    let mut bins: Vec<Bin> = (0..20)
        .map(|i| Bin {
            from: i as f64 * WIDTH,
            to: (i + 1) as f64 * WIDTH,
            counts: vec![0; shown.len()],
        })
        .collect();
    for r in &report.ranking.results {
        let at = ((r.score() / WIDTH).floor().max(0.0) as usize).min(bins.len() - 1);
        if let Some(series) = shown.iter().position(|(n, _)| **n == *r.evaluation.tier.name) {
            bins[at].counts[series] += 1;
        }
    }
    chart::histogram(&Histogram {
        title: "Score distribution of ranked creators".into(),
        x_label: "score (0–100)".into(),
        y_label: "creators".into(),
        series: shown.iter().map(|(n, c)| (n.clone(), (*c).to_owned())).collect(),
        bins,
    })
}

fn score_chart(s: &mut String, report: &Report<'_>, colors: &[(String, &'static str)]) {
    let svg = score_figure(report, colors);
    let c = report.ranking.counts;
    let _ = writeln!(
        s,
        "<section class=\"card\" id=\"scores\"><h2>Score distribution</h2><p class=\"sub\">{} ranked creators by score, stacked by tier; {} filtered rows have no score.</p>{svg}<p class=\"legend\">{}</p></section>",
        thousands(c.ranked as u64),
        thousands(c.filtered as u64),
        tier_legend(colors, report)
    );
}

fn funnel(s: &mut String, report: &Report<'_>) {
    let counts = filter_funnel(report);
    let c = report.ranking.counts;
    let scored = c.ranked + c.filtered;
    let mut left = scored;
    let mut bars = Vec::new();
    for (filter, failing, first) in &counts {
        left -= (*first).min(left);
        bars.push(Bar {
            label: filter.clone(),
            value: *first as f64,
            color: "#f97316".into(),
            value_label: format!(
                "−{} ({} fail it) → {} left",
                thousands(*first as u64),
                thousands(*failing as u64),
                thousands(left as u64)
            ),
        });
    }
    let body = if bars.is_empty() {
        "<p class=\"empty\">The brand sets no filters.</p>".to_owned()
    } else {
        chart::bars(&Bars { title: "Rows removed by each filter".into(), bars })
    };
    let _ = writeln!(
        s,
        "<section class=\"card\" id=\"funnel\"><h2>Filter funnel</h2><p class=\"sub\">The brand's filters in order, starting from {} usable rows: each bar is how many rows that filter removed first (a row that fails several filters counts at the first); {} rows pass them all.</p>{body}</section>",
        thousands(scored as u64),
        thousands(c.ranked as u64)
    );
}

fn plan_section(s: &mut String, plan: Result<&Plan, &str>, colors: &[(String, &'static str)]) {
    let plan = match plan {
        Ok(plan) => plan,
        Err(reason) => {
            let _ = writeln!(
                s,
                "<section class=\"card\" id=\"plan\"><h2>Budget plan</h2><p class=\"empty\">No plan: {}</p></section>",
                html(reason)
            );
            return;
        }
    };
    let mut by_tier: Vec<(String, f64)> = Vec::new();
    for b in &plan.booked {
        match by_tier.iter_mut().find(|(t, _)| *t == b.tier) {
            Some(entry) => entry.1 += b.price,
            None => by_tier.push((b.tier.clone(), b.price)),
        }
    }
    by_tier.sort_by_key(|(t, _)| colors.iter().position(|(n, _)| n == t).unwrap_or(usize::MAX));
    let mut segments: Vec<Segment> = by_tier
        .iter()
        .map(|(tier, spent)| Segment {
            label: tier.clone(),
            value: *spent,
            color: color_of(colors, tier).to_owned(),
            value_label: money(*spent),
        })
        .collect();
    segments.push(Segment {
        label: "unspent".into(),
        value: plan.left.max(0.0),
        color: "#e2e8f0".into(),
        value_label: money(plan.left.max(0.0)),
    });
    let split = chart::stacked_bar(&Stacked { title: "Budget split by tier".into(), segments });
    let bars = chart::bars(&Bars {
        title: "Budget split by creator".into(),
        bars: plan
            .booked
            .iter()
            .map(|b| Bar {
                label: format!("@{}", printable(&b.handle)),
                value: b.price,
                color: color_of(colors, &b.tier).to_owned(),
                value_label: format!(
                    "{}{} · {}",
                    money(b.price),
                    if b.estimated { "*" } else { "" },
                    b.tier
                ),
            })
            .collect(),
    });
    let estimated = if plan.booked.iter().any(|b| b.estimated) {
        "<p class=\"note\">* estimated price (the list gives none): from the rule set's price table.</p>"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "<section class=\"card\" id=\"plan\"><h2>Budget plan</h2><p class=\"sub\">{} {} booked for {} of {} ({} left), maximising {}: the exact best plan under the brand's quotas.</p><h3>By tier</h3>{split}<h3>By creator</h3>{bars}{estimated}</section>",
        plan.booked.len(),
        crate::text::plural(plan.booked.len(), "creator"),
        money(plan.spent),
        money(plan.budget),
        money(plan.left),
        escape(plan.objective.name()),
    );
}

fn component(value: Option<f64>) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!(
            "<td class=\"num comp\"><span class=\"meter\"><span style=\"width:{:.0}%\"></span></span>{v:.2}</td>",
            (v.clamp(0.0, 1.0) * 100.0)
        ),
        None => "<td class=\"num comp missing\">–</td>".to_owned(),
    }
}

fn row(s: &mut String, r: &Ranked, colors: &[(String, &'static str)]) {
    let c = &r.candidate;
    let e = &r.evaluation;
    let er = e.metrics.engagement_rate.filter(|v| v.is_finite());
    let notes: String =
        e.notes.iter().map(|n| format!("<span class=\"noteline\">{}</span>", html(n))).collect();
    let _ = writeln!(
        s,
        "<tr><td class=\"num\">{}</td><td class=\"handle\">@{}{}</td><td>{}</td><td><span class=\"chip\" style=\"background:{}\">{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}<span class=\"basis\">{}</span></td>{}{}{}{}<td class=\"num\">{}</td><td class=\"num score\">{:.1}</td></tr>",
        r.rank,
        html(&c.handle),
        if notes.is_empty() { String::new() } else { format!("<span class=\"notes\">{notes}</span>") },
        html(c.platform.as_deref().unwrap_or("–")),
        color_of(colors, &e.tier.name),
        html(&e.tier.name),
        thousands(c.followers),
        er.map_or("–".to_owned(), |v| Format::Percent.write(v)),
        e.metrics.basis.name(),
        component(e.components.engagement),
        component(Some(e.components.niche_fit)),
        component(e.components.cost_efficiency),
        component(e.components.authenticity),
        c.cost_per_post.filter(|v| v.is_finite()).map_or("–".to_owned(), money),
        r.score(),
    );
}

fn ranking_table(s: &mut String, report: &Report<'_>, colors: &[(String, &'static str)]) {
    let results = &report.ranking.results;
    let _ = write!(
        s,
        "<section class=\"card\" id=\"ranking\"><h2>Ranking</h2><p class=\"sub\">Creators that pass every filter, best first. Components run from 0 to 1 (– where the list lacks the data); the score is 0–100. Notes come from the brand's scoring script.</p>"
    );
    if results.is_empty() {
        s.push_str("<p class=\"empty\">No candidate passes the brand's filters: see the filter funnel above and the filtered rows below.</p></section>\n");
        return;
    }
    s.push_str("<div class=\"scroll\"><table class=\"ranking\"><thead><tr><th class=\"num\">#</th><th>creator</th><th>platform</th><th>tier</th><th class=\"num\">followers</th><th class=\"num\">ER</th><th class=\"num\">engagement</th><th class=\"num\">niche fit</th><th class=\"num\">cost</th><th class=\"num\">authenticity</th><th class=\"num\">price</th><th class=\"num\">score</th></tr></thead><tbody>\n");
    for r in results.iter().take(TABLE_ROWS) {
        row(s, r, colors);
    }
    s.push_str("</tbody></table></div>");
    if results.len() > TABLE_ROWS {
        let _ = write!(
            s,
            "<p class=\"note\">The best {TABLE_ROWS} of {} are listed; the charts use them all.</p>",
            thousands(results.len() as u64)
        );
    }
    s.push_str("</section>\n");
}

fn filtered_section(s: &mut String, report: &Report<'_>) {
    let filtered = &report.ranking.filtered;
    if filtered.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<details class=\"card\" id=\"filtered\"><summary><h2>Filtered out <span class=\"count\">{}</span></h2><span class=\"sub\">Rows a filter turned away, with every reason</span></summary><div class=\"scroll\"><table><thead><tr><th class=\"num\">line</th><th>creator</th><th>why</th></tr></thead><tbody>",
        thousands(filtered.len() as u64)
    );
    for f in filtered {
        let reasons: Vec<String> =
            f.reasons.iter().map(|r| format!("<li>{}</li>", html(r))).collect();
        let _ = writeln!(
            s,
            "<tr><td class=\"num\">{}</td><td class=\"handle\">@{}</td><td><ul class=\"reasons\">{}</ul></td></tr>",
            f.line,
            html(&f.handle),
            reasons.concat()
        );
    }
    s.push_str("</tbody></table></div></details>\n");
}

fn problems_section(s: &mut String, report: &Report<'_>) {
    let ranking = report.ranking;
    if ranking.errors.is_empty() && ranking.rule_errors.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<details class=\"card\" id=\"problems\"><summary><h2>Unusable rows <span class=\"count\">{}</span></h2><span class=\"sub\">Rows with bad values, and rules that failed on rows</span></summary><ul class=\"reasons\">",
        thousands((ranking.counts.invalid + ranking.counts.rule_errors) as u64)
    );
    for e in &ranking.rule_errors {
        let _ = write!(
            s,
            "<li>rule error in <code>{}</code> on {} {} (first on line {}, @{}): {}</li>",
            html(&e.diagnostic.path.display().to_string()),
            e.rows,
            crate::text::plural(e.rows, "row"),
            e.first_line,
            html(&e.first_handle),
            html(&e.diagnostic.message)
        );
    }
    for e in &ranking.errors {
        let _ = write!(s, "<li>{}</li>", html(&e.to_string()));
    }
    s.push_str("</ul></details>\n");
}

/// The page's stylesheet: system fonts, a header band, cards, and a print style that keeps
/// colours, opens collapsed sections and avoids breaking cards across pages.
const STYLE: &str = r#"
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--accent:#4f46e5}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1120px;margin:0 auto;padding:0 28px}
.band{background:linear-gradient(120deg,#312e81,#4f46e5 60%,#0d9488);color:#fff;padding:36px 0 30px;margin-bottom:28px}
.band h1{margin:0;font-size:38px;line-height:1.1;letter-spacing:-.02em}
.eyebrow{margin:0 0 6px;text-transform:uppercase;letter-spacing:.14em;font-size:12px;opacity:.8}
.lede{margin:10px 0 0;font-size:17px;max-width:720px;opacity:.92}
.meta{display:flex;flex-wrap:wrap;gap:10px 36px;margin:22px 0 0}
.meta div{min-width:0}
.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.1em;opacity:.75}
.meta dd{margin:2px 0 0;font-weight:600;overflow-wrap:anywhere}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.92em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:16px;margin-bottom:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 22px;margin-bottom:20px;box-shadow:0 1px 2px rgba(15,23,42,.04)}
.cards .card{margin:0}
.figure .label{margin:0;color:var(--muted);font-size:13px}
.figure .value{margin:4px 0 2px;font-size:30px;font-weight:700;letter-spacing:-.02em;font-variant-numeric:tabular-nums}
.figure .note{margin:0;color:var(--muted);font-size:13px;overflow-wrap:anywhere}
.figure.good .value{color:#0f766e}
.figure.warn .value{color:#b45309}
h2{margin:0;font-size:19px;letter-spacing:-.01em}
h3{margin:18px 0 8px;font-size:14px;color:var(--muted);text-transform:uppercase;letter-spacing:.08em}
.sub{margin:4px 0 14px;color:var(--muted);font-size:14px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:20px}
.grid .card{margin:0 0 20px}
svg.chart{width:100%;height:auto;display:block;font-size:12px;overflow:visible}
svg .grid line{stroke:#e2e8f0;stroke-width:1}
svg .tick{fill:var(--muted);font-size:13px}
svg .axis-label{fill:var(--muted);font-size:14px}
svg.histogram .value{font-size:13px;font-weight:600}
svg.bars text,svg.stacked text{font-size:15px;fill:var(--ink)}
svg.bars .value{fill:var(--muted)}
svg .muted{fill:var(--muted)}
svg .point{stroke:#fff;stroke-width:1.2;fill-opacity:.85}
.legend{margin:10px 0 0;display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13px;color:var(--muted)}
.key{display:inline-flex;align-items:center;gap:6px}
.key .dot{width:10px;height:10px;border-radius:50%;display:inline-block}
.key .dash,.key .solid{width:22px;height:0;border-top:2px dashed;display:inline-block}
.key .solid{border-top-style:solid}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em;border-bottom:2px solid var(--line);padding:8px 10px;white-space:nowrap}
td{padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:nth-child(even){background:#fbfdff}
.num{text-align:right;white-space:nowrap}
.handle{font-weight:600;overflow-wrap:anywhere;min-width:140px}
.notes{display:block;font-weight:400;color:var(--muted);font-size:12px}
.noteline{display:block}
.basis{display:block;color:var(--muted);font-size:11px}
.chip{display:inline-block;padding:1px 9px;border-radius:999px;color:#fff;font-size:12px;font-weight:600}
.meter{display:inline-block;width:42px;height:6px;border-radius:3px;background:#e2e8f0;margin-right:8px;vertical-align:middle;overflow:hidden}
.meter span{display:block;height:100%;background:var(--accent)}
.comp.missing{color:var(--muted)}
.score{font-weight:700;font-size:14.5px}
details summary{cursor:pointer;list-style:none;display:flex;align-items:baseline;gap:14px;flex-wrap:wrap}
details summary::-webkit-details-marker{display:none}
details summary h2::before{content:"▸ ";color:var(--muted)}
details[open] summary h2::before{content:"▾ "}
details[open] summary{margin-bottom:12px}
.count{display:inline-block;background:#f1f5f9;color:var(--muted);border-radius:999px;padding:0 10px;font-size:14px;font-weight:600}
.reasons{margin:0;padding-left:18px}
.empty{color:var(--muted);font-style:italic}
.note{color:var(--muted);font-size:13px}
footer{color:var(--muted);font-size:12.5px;padding-bottom:40px}
@media print{
  body{background:#fff;font-size:12px}
  .wrap{max-width:none;padding:0 10mm}
  .band{padding:18px 0;margin-bottom:14px}
  .card{box-shadow:none;break-inside:avoid}
  #ranking,#filtered,#problems{break-inside:auto}
  tr{break-inside:avoid}
  .grid{grid-template-columns:1fr 1fr}
  details summary h2::before{content:""}
  details::details-content{content-visibility:visible;display:contents}
  @page{margin:12mm}
}
"#;
