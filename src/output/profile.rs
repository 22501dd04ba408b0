//! `scout inspect FILE --suggest-profile`: a commented mapping profile for a file's layout,
//! written from what the inspection found (built-in aliases, inferred columns, the profile in
//! use), so that ranking with it reads the file exactly as ranking without it does.

use std::fmt::Write as _;

use crate::input::program::{Feed, Origin, Role};
use crate::inspect::Inspection;
use crate::model::{headers, Field};
use crate::rules::mapping::{Target, Unit, DEFAULT_SEPARATORS};
use crate::text::thousands;

/// The profile text for `inspection`'s layout, named `name`.
pub fn suggest(inspection: &Inspection, name: &str) -> String {
    let program = inspection.program();
    let mut out = String::new();
    let file = std::path::Path::new(&inspection.name)
        .file_name()
        .map_or_else(|| inspection.name.clone(), |f| f.to_string_lossy().into_owned());
    let _ = writeln!(
        out,
        "# imports/{name}.toml: the layout of `{file}` ({} columns, {} rows read),\n\
         # suggested by `scout inspect --suggest-profile`. Check it with `scout check`;\n\
         # use it with `scout rank FILE --mapping {name}`. Keys: docs/importing.md.\n",
        program.width,
        thousands(inspection.rows as u64),
    );
    let _ = writeln!(out, "description = {}", quote(&format!("layout of {file}")));
    let guess = platform_of(&program.headers).filter(|_| {
        program.default_of(Field::Platform).is_none()
            && program.feed(Target::Field(Field::Platform)).is_none()
    });
    if program.defaults.is_empty() {
        if let Some(platform) = guess {
            let _ = writeln!(
                out,
                "\n# The headers suggest the platform; uncomment to set it on every row.\n\
                 # [defaults]\n# platform = \"{platform}\""
            );
        }
    } else {
        out.push_str("\n[defaults]\n");
        if let Some(platform) = guess {
            let _ = writeln!(out, "# platform = \"{platform}\"    # the headers suggest it");
        }
    }
    for (field, value) in &program.defaults {
        let value = match field.kind() {
            crate::model::Kind::Text => quote(value),
            crate::model::Kind::List => format!(
                "[{}]",
                value.split(';').map(|v| quote(v.trim())).collect::<Vec<_>>().join(", ")
            ),
            _ => value.to_string(),
        };
        let _ = writeln!(out, "{} = {value}", field.name());
    }

    out.push_str("\n[columns]\n");
    for feed in program.feeds.iter().filter(|f| matches!(f.target, Target::Field(_))) {
        let _ = writeln!(out, "{} = {}{}", feed.target.name(), entry(program, feed), comment(feed));
    }
    let derived: Vec<&Feed> = program
        .feeds
        .iter()
        .filter(|f| matches!(f.target, Target::EngagementsPerPost | Target::EngagementRate(_)))
        .collect();
    if !derived.is_empty() {
        out.push_str("\n[derive]                         # likes, when a row gives none\n");
        for feed in derived {
            let _ =
                writeln!(out, "{} = {}{}", feed.target.name(), entry(program, feed), comment(feed));
        }
    }
    if let Some(feed) = program.feed(Target::CheckEngagementRate) {
        let _ = writeln!(out, "\n[check]\nengagement_rate = {}", entry(program, feed));
    }
    let ignored: Vec<String> = columns_with(program, |r| *r == Role::Ignored);
    if !ignored.is_empty() {
        let _ = writeln!(out, "\n# Dropped by the profile in use:");
        let list: Vec<String> = ignored.iter().map(|h| quote(h)).collect();
        let _ = writeln!(out, "ignore = [{}]", list.join(", "));
    }
    let extras = columns_with(program, |r| *r == Role::Extra);
    if !extras.is_empty() {
        out.push_str(
            "\n# Unmapped columns, kept as extra columns for scripts (`extra[\"…\"]`); map one\n\
             # under [columns], or drop it with `ignore = [\"…\"]`:\n",
        );
        for header in extras {
            let _ = writeln!(out, "#   {}", quote(&header));
        }
    }
    if !program.niche_map.is_empty() {
        out.push_str(
            "\n# The profile in use maps category labels under [niches]: copy its table here.\n",
        );
    }
    if !inspection.unmatched_niches.is_empty() {
        out.push_str(
            "\n# Category labels no niche matches: map them onto niches of niches.toml\n\
             # (`[]` drops a label).\n# [niches]\n",
        );
        for (label, rows) in &inspection.unmatched_niches {
            let _ =
                writeln!(out, "# {} = \"\"    # {} rows", quote(label), thousands(*rows as u64));
        }
    }
    out
}

/// The entry of one feed: `"Header"`, `["A", "B"]` or a table when it needs one.
fn entry(program: &crate::input::program::Program, feed: &Feed) -> String {
    let mut names: Vec<String> = Vec::new();
    for &c in &feed.columns {
        let header = program.headers[c].to_string();
        if !names.iter().any(|n| headers::normalize(n) == headers::normalize(&header)) {
            names.push(header);
        }
    }
    let header = match names.as_slice() {
        [one] => quote(one),
        many => format!("[{}]", many.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")),
    };
    let mut keys: Vec<String> = Vec::new();
    // One of several columns sharing a header: say which.
    if let ([one], [column]) = (names.as_slice(), feed.columns.as_slice()) {
        let all: Vec<String> = program.headers.iter().map(|h| h.to_string()).collect();
        let found = crate::rules::mapping::find_header(&all, one);
        if found.len() > 1 {
            let nth = found.iter().position(|c| c == column).map_or(1, |i| i + 1);
            keys.push(format!("pick = {nth}"));
        }
    }
    if feed.unit == Unit::Percent {
        keys.push("unit = \"percent\"".to_owned());
    }
    if feed.scale != 1.0 {
        keys.push(format!("scale = {}", feed.scale));
    }
    if feed.target == Target::Field(Field::Niches) && feed.separators != DEFAULT_SEPARATORS {
        let seps: Vec<String> = feed.separators.iter().map(|s| quote(s)).collect();
        keys.push(format!("separators = [{}]", seps.join(", ")));
    }
    if let Target::EngagementRate(crate::rules::ErBasis::Views) = feed.target {
        keys.push("basis = \"views\"".to_owned());
    }
    if keys.is_empty() {
        header
    } else {
        format!("{{ header = {header}, {} }}", keys.join(", "))
    }
}

/// A short comment saying where the entry came from and how it reads.
fn comment(feed: &Feed) -> String {
    let origin = match feed.origin {
        Origin::Alias => "built-in alias",
        Origin::Profile => "from the profile in use",
        Origin::Inferred => "inferred from the cells",
    };
    let how = if feed.prefer_raw {
        ", raw number preferred among the copies"
    } else if feed.columns.len() > 1 && feed.target == Target::Field(Field::Niches) {
        ", labels joined"
    } else if feed.columns.len() > 1 {
        ", first with a value"
    } else {
        ""
    };
    let unit = if feed.target.is_rate() && feed.unit == Unit::Fraction {
        "; `%` cells are percent, plain numbers fractions (add unit = \"percent\" if 41 means 41%)"
    } else {
        ""
    };
    format!("    # {origin}{how}{unit}")
}

fn columns_with(
    program: &crate::input::program::Program,
    keep: impl Fn(&Role) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (c, role) in program.roles.iter().enumerate() {
        let header = program.headers[c].to_string();
        if keep(role) && !out.contains(&header) {
            out.push(header);
        }
    }
    out
}

/// The platform the headers name (`Tiktoker name` → tiktok), when exactly one is named.
fn platform_of(headers: &[std::sync::Arc<str>]) -> Option<&'static str> {
    let keys: Vec<String> = headers.iter().map(|h| headers::key(h)).collect();
    let named: Vec<&'static str> = [
        ("instagram", &["instagram", "insta", "ig"][..]),
        ("tiktok", &["tiktok"][..]),
        ("youtube", &["youtube"][..]),
    ]
    .into_iter()
    .filter(|(_, stems)| keys.iter().any(|k| stems.iter().any(|s| k.starts_with(s))))
    .map(|(platform, _)| platform)
    .collect();
    match named.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}
