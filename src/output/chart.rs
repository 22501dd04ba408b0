//! Charts as inline SVG strings, from plain data: a scatter plot over a logarithmic x-axis
//! with reference lines ([`scatter_log_x`]), a stacked histogram ([`histogram`]),
//! horizontal bars ([`bars`]) and one stacked bar ([`stacked_bar`]).
//!
//! The pieces know nothing of rankings or plans: they take labels, numbers and CSS colours,
//! so the HTML report and a later live dashboard draw the same charts. Every text that
//! reaches the SVG goes through [`escape`], and every mark carries a `<title>` (a tooltip
//! in a browser) and a class (`point`, `bin`, `bar`, `segment`) that tests count.
//!
//! **Why a small SVG writer of our own, not plotters.** plotters' SVG backend draws text
//! with fixed pixel fonts and inline styles, so the charts could not share the page's
//! system fonts, CSS colours or print styles; it adds a dependency tree to a crate built on
//! two shared cores; and the four charts scout needs are a few hundred lines of arithmetic.
//! Our SVGs scale with `viewBox`, inherit the page's typography, and stay readable without
//! JavaScript. Inline in HTML, an `<svg>` needs no namespace attribute, so none is written.

use std::fmt::Write as _;

/// Escapes text for HTML and SVG (element content and quoted attribute values).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// How an axis or a value label writes numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `12`, `1.5K`, `2M`.
    Compact,
    /// A fraction as a percentage: `0.025` → `2.5%`.
    Percent,
    /// Dollars: `$1,250`.
    Dollars,
}

impl Format {
    /// `value` written this way.
    pub fn write(self, value: f64) -> String {
        match self {
            Format::Compact => compact(value),
            Format::Percent => {
                let pct = value * 100.0;
                if pct != 0.0 && pct.abs() < 10.0 && (pct * 10.0).round() != pct * 10.0 {
                    format!("{pct:.1}%")
                } else {
                    format!("{}%", trim(pct, 1))
                }
            }
            Format::Dollars => {
                let whole = value.round() as i64;
                let digits = whole.unsigned_abs().to_string();
                let mut out = String::new();
                for (i, ch) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(ch);
                }
                format!("{}${out}", if whole < 0 { "-" } else { "" })
            }
        }
    }
}

/// `value` with at most `digits` decimals, trailing zeros dropped.
fn trim(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `950`, `1.2K`, `12K`, `3.4M`.
fn compact(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e9 {
        (value / 1e9, "B")
    } else if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e3 {
        (value / 1e3, "K")
    } else {
        (value, "")
    };
    format!("{}{suffix}", trim(scaled, if scaled.abs() < 10.0 { 1 } else { 0 }))
}

/// The width and height in user units of the scatter plot and the histogram, drawn for a
/// half-width card; an SVG scales to its container, text with it.
const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 340.0;
/// The width of the bars and the stacked bar, drawn for a full-width card.
const WIDE: f64 = 1000.0;
/// Plot margins: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (60.0, 14.0, 18.0, 50.0);

fn open_svg(out: &mut String, class: &str, label: &str, width: f64, height: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 {width} {height}" role="img" aria-label="{}">"#,
        escape(label)
    );
}

/// "Nice" ticks from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten.
fn nice_ticks(max: f64, count: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let raw = max / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// One point of a scatter plot.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterPoint {
    /// The x value (drawn on a log axis: points at or below 0 are left out).
    pub x: f64,
    /// The y value.
    pub y: f64,
    /// The tooltip.
    pub label: String,
}

/// Points drawn in one colour, named in the legend.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterGroup {
    /// The legend's name.
    pub name: String,
    /// A CSS colour.
    pub color: String,
    /// The points.
    pub points: Vec<ScatterPoint>,
}

/// A reference line through points, in x order.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The legend's name.
    pub name: String,
    /// A CSS colour.
    pub color: String,
    /// Dashed rather than solid.
    pub dashed: bool,
    /// The points `(x, y)`.
    pub points: Vec<(f64, f64)>,
}

/// A scatter plot over a logarithmic x-axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    /// What the chart shows, for screen readers.
    pub title: String,
    /// The x-axis label.
    pub x_label: String,
    /// The y-axis label.
    pub y_label: String,
    /// How x values are written.
    pub x_format: Format,
    /// How y values are written.
    pub y_format: Format,
    /// The point groups.
    pub groups: Vec<ScatterGroup>,
    /// Reference lines drawn under the points.
    pub lines: Vec<Line>,
}

/// The scatter plot as SVG: decade ticks on the x-axis (with 2× and 5× when the data spans
/// less than two decades), nice ticks from 0 on the y-axis, lines under the points.
pub fn scatter_log_x(chart: &Scatter) -> String {
    let (ml, mr, mt, mb) = MARGIN;
    let usable = |x: f64, y: f64| x > 0.0 && x.is_finite() && y.is_finite();
    let xs = chart
        .groups
        .iter()
        .flat_map(|g| g.points.iter().filter(|p| usable(p.x, p.y)).map(|p| p.x))
        .chain(chart.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)))
        .filter(|x| *x > 0.0 && x.is_finite());
    let (lo, hi) = xs.fold((f64::INFINITY, 0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (1.0, 10.0) };
    let (d0, d1) = (lo.log10().floor(), hi.log10().ceil().max(lo.log10().floor() + 1.0));
    let ys = chart
        .groups
        .iter()
        .flat_map(|g| g.points.iter().filter(|p| usable(p.x, p.y)).map(|p| p.y))
        .chain(chart.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)));
    let y_max = ys.filter(|y| y.is_finite()).fold(0f64, f64::max);
    let y_ticks = nice_ticks(y_max, 5);
    let y_top = *y_ticks.last().unwrap_or(&1.0);
    let (w, h) = (WIDTH - ml - mr, HEIGHT - mt - mb);
    let px = |x: f64| ml + (x.log10() - d0) / (d1 - d0) * w;
    let py = |y: f64| mt + h - (y.max(0.0) / y_top).min(1.0) * h;

    let mut out = String::new();
    open_svg(&mut out, "scatter", &chart.title, WIDTH, HEIGHT);
    out.push_str(r#"<g class="grid">"#);
    for y in &y_ticks {
        let _ = write!(
            out,
            r#"<line x1="{ml}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            ml + w,
            ml - 6.0,
            py(*y) + 4.0,
            escape(&chart.y_format.write(*y)),
            y = py(*y),
        );
    }
    let multiples: &[f64] = if d1 - d0 <= 2.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    let mut decade = d0;
    while decade <= d1 {
        for m in multiples {
            let x = m * 10f64.powf(decade);
            if x.log10() > d1 + 1e-9 {
                continue;
            }
            let _ = write!(
                out,
                r#"<line x1="{x:.1}" x2="{x:.1}" y1="{mt}" y2="{:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                mt + h,
                mt + h + 16.0,
                escape(&chart.x_format.write(10f64.powf(decade) * m)),
                x = px(x),
            );
        }
        decade += 1.0;
    }
    out.push_str("</g>");
    axis_labels(&mut out, &chart.x_label, &chart.y_label, HEIGHT);
    for line in &chart.lines {
        let points: Vec<String> = line
            .points
            .iter()
            .filter(|(x, y)| usable(*x, *y))
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        if points.len() < 2 {
            continue;
        }
        let _ = write!(
            out,
            r#"<polyline class="line" fill="none" stroke="{}" stroke-width="2"{} points="{}"><title>{}</title></polyline>"#,
            escape(&line.color),
            if line.dashed { r#" stroke-dasharray="6 4""# } else { "" },
            points.join(" "),
            escape(&line.name)
        );
    }
    for group in &chart.groups {
        let _ = write!(out, r#"<g fill="{}">"#, escape(&group.color));
        for p in group.points.iter().filter(|p| usable(p.x, p.y)) {
            let _ = write!(
                out,
                r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="4.5"><title>{}</title></circle>"#,
                px(p.x),
                py(p.y),
                escape(&p.label)
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

fn axis_labels(out: &mut String, x_label: &str, y_label: &str, height: f64) {
    let (ml, mr, mt, mb) = MARGIN;
    let h = height - mt - mb;
    let _ = write!(
        out,
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="axis-label" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        ml + (WIDTH - ml - mr) / 2.0,
        height - 8.0,
        escape(x_label),
        mt + h / 2.0,
        escape(y_label)
    );
}

/// One bin of a histogram: its range and a count per series.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// The bin's lower bound.
    pub from: f64,
    /// The bin's upper bound.
    pub to: f64,
    /// A count per series, in the order of [`Histogram::series`].
    pub counts: Vec<u64>,
}

/// A histogram whose bars stack one count per series.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// What the chart shows, for screen readers.
    pub title: String,
    /// The x-axis label.
    pub x_label: String,
    /// The y-axis label.
    pub y_label: String,
    /// The series: name and CSS colour.
    pub series: Vec<(String, String)>,
    /// The bins, left to right.
    pub bins: Vec<Bin>,
}

/// The histogram as SVG: one `bin` group per bin, its series stacked bottom up.
pub fn histogram(chart: &Histogram) -> String {
    let (ml, mr, mt, mb) = MARGIN;
    let (w, h) = (WIDTH - ml - mr, HEIGHT - mt - mb);
    let max = chart.bins.iter().map(|b| b.counts.iter().sum::<u64>()).max().unwrap_or(0);
    let ticks = nice_ticks(max.max(1) as f64, 5);
    let top = *ticks.last().unwrap_or(&1.0);
    let py = |y: f64| mt + h - y / top * h;
    let mut out = String::new();
    open_svg(&mut out, "histogram", &chart.title, WIDTH, HEIGHT);
    out.push_str(r#"<g class="grid">"#);
    for t in &ticks {
        let _ = write!(
            out,
            r#"<line x1="{ml}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            ml + w,
            ml - 6.0,
            py(*t) + 4.0,
            trim(*t, 1),
            y = py(*t),
        );
    }
    out.push_str("</g>");
    axis_labels(&mut out, &chart.x_label, &chart.y_label, HEIGHT);
    let n = chart.bins.len().max(1) as f64;
    let slot = w / n;
    for (i, bin) in chart.bins.iter().enumerate() {
        let x = ml + i as f64 * slot;
        let total: u64 = bin.counts.iter().sum();
        let range = format!("{}–{}", trim(bin.from, 1), trim(bin.to, 1));
        let _ = write!(out, r#"<g class="bin"><title>{}: {total}</title>"#, escape(&range));
        let mut base = 0u64;
        for (count, (_, color)) in bin.counts.iter().zip(&chart.series) {
            if *count == 0 {
                continue;
            }
            let (y0, y1) = (py(base as f64), py((base + count) as f64));
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{y1:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                x + 1.5,
                (slot - 3.0).max(1.0),
                (y0 - y1).max(0.0),
                escape(color)
            );
            base += count;
        }
        if total > 0 {
            let _ = write!(
                out,
                r#"<text class="value" x="{:.1}" y="{:.1}" text-anchor="middle">{total}</text>"#,
                x + slot / 2.0,
                py(total as f64) - 4.0
            );
        }
        out.push_str("</g>");
        if i % 2 == 0 || n <= 10.0 {
            let _ = write!(
                out,
                r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                mt + h + 16.0,
                trim(bin.from, 1)
            );
        }
    }
    if let Some(last) = chart.bins.last() {
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            ml + w,
            mt + h + 16.0,
            trim(last.to, 1)
        );
    }
    out.push_str("</svg>");
    out
}

/// One horizontal bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The label left of the bar.
    pub label: String,
    /// Its length.
    pub value: f64,
    /// A CSS colour.
    pub color: String,
    /// The text right of the bar (the value, written as the caller likes).
    pub value_label: String,
}

/// Horizontal bars, one per row, top to bottom, from a shared zero.
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    /// What the chart shows, for screen readers.
    pub title: String,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// The bars as SVG; the height grows with the number of bars.
pub fn bars(chart: &Bars) -> String {
    const ROW: f64 = 30.0;
    const LABEL: f64 = 200.0;
    const VALUE: f64 = 260.0;
    let height = (chart.bars.len().max(1) as f64) * ROW + 8.0;
    let max = chart.bars.iter().map(|b| b.value).filter(|v| v.is_finite()).fold(0f64, f64::max);
    let w = WIDE - LABEL - VALUE;
    let mut out = String::new();
    open_svg(&mut out, "bars", &chart.title, WIDE, height);
    for (i, bar) in chart.bars.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let len =
            if max > 0.0 && bar.value.is_finite() { bar.value.max(0.0) / max * w } else { 0.0 };
        let label = escape(&bar.label);
        let _ = write!(
            out,
            r#"<g class="bar"><title>{label}: {}</title><text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{LABEL}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="{}"/><text class="value" x="{:.1}" y="{:.1}">{}</text></g>"#,
            escape(&bar.value_label),
            LABEL - 10.0,
            y + ROW / 2.0 + 4.0,
            escape(&ellipsis(&bar.label, 22)),
            y + 4.0,
            len.max(1.0),
            ROW - 8.0,
            escape(&bar.color),
            LABEL + len + 8.0,
            y + ROW / 2.0 + 4.0,
            escape(&bar.value_label),
        );
    }
    out.push_str("</svg>");
    out
}

/// `text` cut to `max` characters, with `…` when cut.
fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// One part of a stacked bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// The legend's name.
    pub label: String,
    /// Its size.
    pub value: f64,
    /// A CSS colour.
    pub color: String,
    /// The value as written in the legend.
    pub value_label: String,
}

/// One horizontal bar split into parts, with a legend below it.
#[derive(Clone, Debug, PartialEq)]
pub struct Stacked {
    /// What the chart shows, for screen readers.
    pub title: String,
    /// The parts, left to right.
    pub segments: Vec<Segment>,
}

/// The stacked bar as SVG: one `segment` per part of non-zero size, a legend entry for
/// every part.
pub fn stacked_bar(chart: &Stacked) -> String {
    const BAR: f64 = 30.0;
    const ENTRY: f64 = 200.0;
    let per_row = (WIDE / ENTRY).floor().max(1.0) as usize;
    let rows = chart.segments.len().div_ceil(per_row).max(1);
    let height = BAR + 16.0 + rows as f64 * 22.0;
    let total: f64 = chart.segments.iter().map(|s| s.value.max(0.0)).sum();
    let mut out = String::new();
    open_svg(&mut out, "stacked", &chart.title, WIDE, height);
    let mut x = 0.0;
    for s in &chart.segments {
        if s.value.is_nan() || s.value <= 0.0 || total <= 0.0 {
            continue;
        }
        let w = s.value / total * WIDE;
        let _ = write!(
            out,
            r#"<rect class="segment" x="{x:.1}" y="0" width="{w:.1}" height="{BAR}" fill="{}"><title>{}: {}</title></rect>"#,
            escape(&s.color),
            escape(&s.label),
            escape(&s.value_label)
        );
        x += w;
    }
    for (i, s) in chart.segments.iter().enumerate() {
        let (col, row) = (i % per_row, i / per_row);
        let (lx, ly) = (col as f64 * ENTRY, BAR + 16.0 + row as f64 * 22.0);
        let _ = write!(
            out,
            r#"<g class="legend"><rect x="{lx:.1}" y="{:.1}" width="12" height="12" rx="2" fill="{}"/><text x="{:.1}" y="{:.1}">{} <tspan class="muted">{}</tspan></text></g>"#,
            ly,
            escape(&s.color),
            lx + 18.0,
            ly + 10.5,
            escape(&ellipsis(&s.label, 18)),
            escape(&s.value_label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_as_people_write_them() {
        assert_eq!(Format::Compact.write(950.0), "950");
        assert_eq!(Format::Compact.write(1_500.0), "1.5K");
        assert_eq!(Format::Compact.write(100_000.0), "100K");
        assert_eq!(Format::Compact.write(3_400_000.0), "3.4M");
        assert_eq!(Format::Percent.write(0.025), "2.5%");
        assert_eq!(Format::Percent.write(0.1), "10%");
        assert_eq!(Format::Dollars.write(1250.0), "$1,250");
    }

    #[test]
    fn nice_ticks_cover_the_maximum() {
        assert_eq!(nice_ticks(9.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let ticks = nice_ticks(0.137, 5);
        assert!(*ticks.last().unwrap() >= 0.137 && ticks.len() <= 7, "{ticks:?}");
    }

    #[test]
    fn text_is_escaped() {
        let svg = bars(&Bars {
            title: "t".into(),
            bars: vec![Bar {
                label: "<script>".into(),
                value: 1.0,
                color: "red".into(),
                value_label: "\"1\"".into(),
            }],
        });
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
