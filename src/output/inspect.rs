//! `scout inspect`'s report as text: what scout will make of a candidate list before
//! ranking it.

use std::fmt::Write as _;

use comfy_table::{Cell, Table};

use super::table::{self, right};
use crate::input::program::{Feed, Origin, Role};
use crate::inspect::Inspection;
use crate::model::{Candidate, Field};
use crate::rules::mapping::{Target, Unit};
use crate::text::{plural, printable_lines, thousands};

fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_owned(),
        other => format!("`{}`", other as char),
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How a feed reads its column, for the table's `how` column.
fn how(feed: &Feed, nth: usize, of: usize, header: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(match (&feed.target, feed.origin) {
        (_, Origin::Profile) => "profile".to_owned(),
        (_, Origin::Inferred) => "inferred from the cells".to_owned(),
        (Target::Field(field), _) if crate::model::headers::is_canonical(header, *field) => {
            "scout's name".to_owned()
        }
        _ => "built-in alias".to_owned(),
    });
    if of > 1 {
        if feed.prefer_raw {
            parts.push(format!("{} of {of}, raw number preferred", ordinal(nth)));
        } else if feed.target == Target::Field(Field::Niches) {
            parts.push(format!("{} of {of}, labels joined", ordinal(nth)));
        } else {
            parts.push(format!("{} of {of}, first with a value", ordinal(nth)));
        }
    }
    if feed.unit == Unit::Percent {
        parts.push("plain numbers are percent".to_owned());
    }
    if feed.scale != 1.0 {
        parts.push(format!("× {}", feed.scale));
    }
    if feed.target == Target::Field(Field::Niches)
        && feed.separators != crate::rules::mapping::DEFAULT_SEPARATORS
    {
        let seps: Vec<String> = feed.separators.iter().map(|s| format!("`{s}`")).collect();
        parts.push(format!("split on {}", seps.join(" ")));
    }
    parts.join(", ")
}

fn feeds_label(target: Target) -> String {
    match target {
        Target::Field(field) => field.name().to_owned(),
        Target::EngagementsPerPost => "avg_likes (derived)".to_owned(),
        Target::EngagementRate(_) => "avg_likes (derived)".to_owned(),
        Target::CheckEngagementRate => "check".to_owned(),
    }
}

/// `scout inspect`'s report as text: the file, how each column is read, what has no
/// source, sample rows, unusable rows, and what the checks found. `niches_checked` says
/// whether a taxonomy was there to check niche labels against.
pub fn render(inspection: &Inspection, niches_checked: bool) -> String {
    let mut out = String::new();
    file_line(&mut out, inspection);
    let _ = writeln!(out, "{}", columns(inspection));
    sources(&mut out, inspection);
    if !inspection.samples.is_empty() {
        let _ = writeln!(
            out,
            "\nfirst {} usable {}:",
            inspection.samples.len(),
            plural(inspection.samples.len(), "row")
        );
        let _ = writeln!(out, "{}", samples(inspection));
    }
    rows(&mut out, inspection);
    disagreements(&mut out, inspection);
    if niches_checked {
        unmatched_niches(&mut out, inspection);
    }
    check(&mut out, inspection);
    printable_lines(&out).into_owned()
}

/// The file's dialect, size and mapping, and a blank line.
fn file_line(out: &mut String, inspection: &Inspection) {
    let program = inspection.program();
    let _ = writeln!(
        out,
        "`{}`: csv, delimiter {}{}, {} {}, {} {}",
        inspection.name,
        delimiter_name(inspection.dialect.delimiter),
        if inspection.dialect.bom { ", UTF-8 BOM" } else { "" },
        program.width,
        plural(program.width, "column"),
        thousands(inspection.rows as u64),
        plural(inspection.rows, "row"),
    );
    match &program.mapping {
        Some(name) => {
            let _ = writeln!(out, "mapping: `{name}`");
        }
        None => {
            let _ = writeln!(out, "mapping: none (scout's names and built-in aliases)");
        }
    }
    out.push('\n');
}

/// One row per column: what it feeds, how, and how many cells were empty or unparseable.
fn columns(inspection: &Inspection) -> Table {
    let program = inspection.program();
    let mut columns = table::new();
    columns.set_header(["#", "column", "feeds", "how", "empty", "unparseable"]);
    for (c, role) in program.roles.iter().enumerate() {
        let header = &program.headers[c];
        let stats = inspection.columns[c];
        let (feeds, how_text) = match role {
            Role::Feeds { target, nth, of } => {
                let feed = program.feed(*target).expect("a role names an existing feed");
                (feeds_label(*target), how(feed, *nth, *of, header))
            }
            Role::Extra => ("–".to_owned(), format!("kept as extra[\"{header}\"]")),
            Role::Ignored => ("–".to_owned(), "dropped by `ignore`".to_owned()),
        };
        columns.add_row(vec![
            right(c + 1),
            table::text(header),
            table::text(&feeds),
            table::text(&how_text),
            right(thousands(stats.empty as u64)),
            right(stats.unparseable.map_or_else(|| "–".to_owned(), |n| thousands(n as u64))),
        ]);
    }
    columns
}

/// Defaults, derived values, fields nothing feeds, and a required field nothing feeds.
fn sources(out: &mut String, inspection: &Inspection) {
    let program = inspection.program();
    let defaults: Vec<String> =
        program.defaults.iter().map(|(f, v)| format!("{} = `{v}`", f.name())).collect();
    if !defaults.is_empty() {
        let _ = writeln!(out, "defaults: {}", defaults.join(", "));
    }
    for feed in &program.feeds {
        let rule = match feed.target {
            Target::EngagementsPerPost => "engagements per post − comments − shares",
            Target::EngagementRate(crate::rules::ErBasis::Followers) => {
                "engagement rate × followers − comments − shares"
            }
            Target::EngagementRate(crate::rules::ErBasis::Views) => {
                "engagement rate × views − comments − shares"
            }
            _ => continue,
        };
        let _ = writeln!(out, "derived: avg_likes = {rule}, where a row gives no likes");
    }
    let missing: Vec<&str> = Field::ALL
        .into_iter()
        .filter(|f| !program.fed_fields().contains(f))
        .filter(|f| !(*f == Field::AvgLikes && has_derivation(inspection)))
        .map(Field::name)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(out, "no source: {}", missing.join(", "));
    }
    if let Some(field) = program.missing_required() {
        let _ = writeln!(
            out,
            "required: no column feeds `{0}`, so `scout rank` refuses this file; map one in a profile: `[columns] {0} = \"Header\"`",
            field.name()
        );
    }
}

/// How many rows were read and usable, and the first unusable ones.
fn rows(out: &mut String, inspection: &Inspection) {
    const SHOWN: usize = 10;
    let _ = writeln!(
        out,
        "\nrows: {} read = {} usable + {} unusable",
        thousands(inspection.rows as u64),
        thousands(inspection.usable as u64),
        thousands(inspection.errors.len() as u64),
    );
    for error in inspection.errors.iter().take(SHOWN) {
        let _ = writeln!(out, "  {}", crate::text::printable(&error.to_string()));
    }
    if inspection.errors.len() > SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more; `scout rank FILE --rejects FILE` writes them all out",
            inspection.errors.len() - SHOWN
        );
    }
}

/// Duplicate columns that disagree beyond rounding.
fn disagreements(out: &mut String, inspection: &Inspection) {
    let program = inspection.program();
    for d in &inspection.disagreements {
        let cols: Vec<String> = d.columns.iter().map(|c| (c + 1).to_string()).collect();
        let _ = writeln!(
            out,
            "duplicates: columns {} (`{}`) disagree beyond rounding on {} {} (first: line {}); the raw number is used",
            cols.join(", "),
            program.headers[d.columns[0]],
            d.rows,
            plural(d.rows, "row"),
            d.first_line.unwrap_or(0),
        );
    }
}

/// Niche labels the taxonomy does not match, most frequent first.
fn unmatched_niches(out: &mut String, inspection: &Inspection) {
    const LABELS: usize = 15;
    let all = &inspection.unmatched_niches;
    if all.is_empty() {
        return;
    }
    let mut labels: Vec<String> =
        all.iter().take(LABELS).map(|(l, n)| format!("`{l}` ({n})")).collect();
    if all.len() > LABELS {
        labels.push(format!("… and {} more", all.len() - LABELS));
    }
    let _ = writeln!(
        out,
        "niche labels no niche matches ({}): {}; map them in the profile's `[niches]`",
        all.len(),
        labels.join(", ")
    );
}

/// The engagement rate check against the file's own figure, with its mismatches.
fn check(out: &mut String, inspection: &Inspection) {
    let Some(check) = &inspection.check else { return };
    let program = inspection.program();
    let _ = writeln!(
        out,
        "check: engagement rate (likes + comments + shares) / followers agrees with `{}` within rounding on {} of {} {}{}{}",
        program.headers[check.column],
        check.agree,
        check.compared,
        plural(check.compared, "row"),
        if check.no_figure > 0 {
            format!(" ({} without a figure)", check.no_figure)
        } else {
            String::new()
        },
        check
            .median_ratio
            .map(|r| format!("; median ratio scout/file {r:.3}"))
            .unwrap_or_default(),
    );
    for m in &check.mismatches {
        let _ = writeln!(
            out,
            "  line {}: `{}`: scout {:.3}%, file {:.3}%",
            m.line,
            m.handle,
            m.scout * 100.0,
            m.file * 100.0
        );
    }
}

fn has_derivation(inspection: &Inspection) -> bool {
    inspection
        .program()
        .feeds
        .iter()
        .any(|f| matches!(f.target, Target::EngagementsPerPost | Target::EngagementRate(_)))
}

fn samples(inspection: &Inspection) -> Table {
    let program = inspection.program();
    let mut fields = program.fed_fields();
    if has_derivation(inspection) && !fields.contains(&Field::AvgLikes) {
        let order = |f: Field| Field::ALL.iter().position(|&x| x == f);
        let at =
            fields.iter().position(|&f| order(f) > order(Field::AvgLikes)).unwrap_or(fields.len());
        fields.insert(at, Field::AvgLikes);
    }
    let mut table = table::new();
    let mut header = vec!["line".to_owned()];
    header.extend(fields.iter().map(|f| f.name().to_owned()));
    table.set_header(header);
    for candidate in &inspection.samples {
        let mut row = vec![right(candidate.line)];
        for field in &fields {
            row.push(field_cell(candidate, *field));
        }
        table.add_row(row);
    }
    table
}

fn number(value: Option<f64>) -> Cell {
    right(value.map_or_else(
        || "–".to_owned(),
        |v| {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                thousands(v as u64)
            } else {
                format!("{v:.2}")
            }
        },
    ))
}

fn field_cell(c: &Candidate, field: Field) -> Cell {
    let text = |v: &Option<String>| table::text(v.as_deref().unwrap_or("–"));
    match field {
        Field::Handle => table::text(&c.handle),
        Field::Platform => text(&c.platform),
        Field::Country => text(&c.country),
        Field::CreatorId => text(&c.creator_id),
        Field::Followers => right(thousands(c.followers)),
        Field::Following => number(c.following.map(|n| n as f64)),
        Field::Posts => number(c.posts.map(|n| n as f64)),
        Field::AvgLikes => number(c.avg_likes),
        Field::AvgComments => number(c.avg_comments),
        Field::AvgShares => number(c.avg_shares),
        Field::AvgViews => number(c.avg_views),
        Field::Niches => {
            table::text(&if c.niches.is_empty() { "–".to_owned() } else { c.niches.join(", ") })
        }
        Field::FakeFollowerPct => right(
            c.fake_follower_pct.map_or_else(|| "–".to_owned(), |v| format!("{:.1}%", v * 100.0)),
        ),
        Field::CostPerPost => number(c.cost_per_post),
    }
}
