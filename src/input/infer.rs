//! Finding the `handle` and `followers` columns of a file whose headers name neither, from
//! the headers and the cells of its first rows.
//!
//! Conservative and deterministic: only columns nothing else claims are considered; a
//! handle column is text with no spaces, nearly every cell filled and distinct; a followers
//! column holds whole numbers (`221.7K` counts), mostly in the thousands or more, and is not
//! named for another figure (likes, views, rank, …). A header that sounds right (`name`,
//! `channel`, `reach`, `fans`, …) breaks a tie; when two columns still tie, nothing is
//! inferred and [`InputError::Ambiguous`] names them.

use super::program::{Program, Role};
use super::{open_csv, InputError, ReadOptions, Source};
use crate::model::{headers, Field};
use crate::number as value;
use crate::text::thousands;

/// How many records inference looks at.
pub const SAMPLE: usize = 1000;

/// One required field fed from columns chosen by their cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inferred {
    /// The field.
    pub field: Field,
    /// The columns (0-based); several when the header repeats.
    pub columns: Vec<usize>,
    /// The header, cleaned for display.
    pub header: String,
    /// What the cells looked like: `text, 200 distinct values`.
    pub evidence: String,
}

impl Inferred {
    /// The note the CLI prints: ``no `handle` column: using `channel_info` (…)``.
    pub fn note(&self) -> String {
        format!("no `{}` column: using `{}` ({})", self.field.name(), self.header, self.evidence)
    }
}

/// Header words that make a column a likelier handle.
const HANDLE_WORDS: [&str; 9] =
    ["name", "user", "handle", "account", "channel", "creator", "influencer", "profile", "info"];
/// Header words that make a column a likelier follower count.
const FOLLOWER_WORDS: [&str; 6] = ["follow", "sub", "fan", "audience", "reach", "size"];
/// Header words of other figures: such a column is never taken for followers.
const OTHER_FIGURES: [&str; 16] = [
    "like", "view", "comment", "share", "post", "eng", "rate", "score", "rank", "time", "date",
    "year", "price", "cost", "fee", "video",
];

/// Opens a CSV `source` and, when no column feeds `handle` or `followers`, infers them from
/// its first [`SAMPLE`] records. Empty when nothing is missing or nothing fits.
pub fn infer_source(source: &Source, options: &ReadOptions) -> Result<Vec<Inferred>, InputError> {
    let name = source.name();
    let mut input = open_csv(&name, source.open()?, options)?;
    let program = Program::compile(&name, &input.headers, options.mapping.as_deref())?;
    if program.missing_required().is_none() {
        return Ok(Vec::new());
    }
    let mut record = ::csv::StringRecord::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    while rows.len() < SAMPLE {
        match input.next_record(&mut record) {
            None => break,
            Some(Err(_)) => continue,
            Some(Ok(_)) if record.len() != program.width => continue,
            Some(Ok(_)) => {
                rows.push(record.iter().map(|c| super::sniff::strip_cr(c).to_owned()).collect());
            }
        }
    }
    infer(&name, &program, &rows)
}

/// Infers the required fields `program` leaves unfed from sample `rows` (cells by column).
pub fn infer(
    name: &str,
    program: &Program,
    rows: &[Vec<String>],
) -> Result<Vec<Inferred>, InputError> {
    let mut found = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    for field in [Field::Handle, Field::Followers] {
        if program.feed(crate::rules::mapping::Target::Field(field)).is_some() || rows.is_empty() {
            continue;
        }
        // Candidate columns, grouped by header key (a repeated header is one candidate).
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (c, role) in program.roles.iter().enumerate() {
            if *role != Role::Extra || taken.contains(&c) {
                continue;
            }
            // A header holding delimiters is a whole record read with the wrong one.
            if program.headers[c].contains([',', ';', '|', '\t']) {
                continue;
            }
            let key = headers::key(&program.headers[c]);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, columns)) => columns.push(c),
                None => groups.push((key, vec![c])),
            }
        }
        let mut fits: Vec<(bool, usize, &str, Vec<usize>, String)> = Vec::new();
        for (key, columns) in &groups {
            let cells: Vec<&str> = rows.iter().map(|r| r[columns[0]].as_str()).collect();
            let judged = match field {
                Field::Handle => handle_like(&cells).map(|distinct| {
                    let hinted = HANDLE_WORDS.iter().any(|w| key.contains(w));
                    (
                        hinted,
                        distinct,
                        format!("text, {} distinct values", thousands(distinct as u64)),
                    )
                }),
                _ => followers_like(key, &cells, program.decimal).map(|median| {
                    let hinted = FOLLOWER_WORDS.iter().any(|w| key.contains(w));
                    (hinted, 0, format!("whole numbers, median {}", thousands(median)))
                }),
            };
            if let Some((hinted, score, evidence)) = judged {
                fits.push((hinted, score, key, columns.clone(), evidence));
            }
        }
        // Best first: a telling header, then (for handles) more distinct values.
        fits.sort_by_key(|f| std::cmp::Reverse((f.0, f.1)));
        match fits.as_slice() {
            [] => {}
            [best, second, ..] if (best.0, best.1) == (second.0, second.1) => {
                let tied: Vec<String> = fits
                    .iter()
                    .filter(|f| (f.0, f.1) == (best.0, best.1))
                    .map(|f| program.headers[f.3[0]].to_string())
                    .collect();
                return Err(InputError::Ambiguous {
                    name: name.to_owned(),
                    column: field.name(),
                    candidates: tied,
                });
            }
            [best, ..] => {
                taken.extend(&best.3);
                found.push(Inferred {
                    field,
                    columns: best.3.clone(),
                    header: program.headers[best.3[0]].to_string(),
                    evidence: best.4.clone(),
                });
            }
        }
    }
    Ok(found)
}

/// The number of distinct values when `cells` look like handles: nearly all filled, text
/// (not numbers), no spaces, short, nearly all distinct.
fn handle_like(cells: &[&str]) -> Option<usize> {
    let filled: Vec<&str> =
        cells.iter().map(|c| c.trim()).filter(|c| !value::is_missing(c)).collect();
    let n = filled.len();
    if n == 0 || n * 10 < cells.len() * 9 {
        return None;
    }
    let numeric =
        filled.iter().filter(|c| value::parse_number(c).is_ok_and(|v| v.is_some())).count();
    let spaced = filled.iter().filter(|c| c.contains(char::is_whitespace)).count();
    let long = filled.iter().any(|c| c.chars().count() > 64);
    let mut distinct = filled.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let ok = numeric * 2 < n && spaced * 20 <= n && !long && distinct.len() * 10 >= n * 9;
    ok.then_some(distinct.len())
}

/// The median when `cells` look like follower counts: at least half filled, every filled
/// cell a whole number of 0 or more (suffixes allowed, no `%`), median 1,000 or more, not a
/// row number, and the header names no other figure.
fn followers_like(key: &str, cells: &[&str], decimal: value::Decimal) -> Option<u64> {
    if OTHER_FIGURES.iter().any(|w| key.contains(w)) {
        return None;
    }
    let mut values: Vec<f64> = Vec::new();
    for cell in cells {
        match value::parse(cell, decimal) {
            Ok(None) => {}
            Ok(Some(n)) if !n.percent && n.value >= 0.0 && n.value.fract() == 0.0 => {
                values.push(n.value);
            }
            _ => return None,
        }
    }
    if values.is_empty() || values.len() * 2 < cells.len() {
        return None;
    }
    let counting = values.windows(2).all(|w| w[1] == w[0] + 1.0);
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    (median >= 1000.0 && !(counting && values.len() > 1)).then_some(median as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(csv: &str) -> Result<Vec<Inferred>, InputError> {
        let mut lines = csv.lines();
        let headers: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let rows: Vec<Vec<String>> =
            lines.map(|l| l.split(',').map(String::from).collect()).collect();
        let program = Program::compile("t.csv", &headers, None).unwrap();
        infer("t.csv", &program, &rows)
    }

    #[test]
    fn finds_handle_and_followers_by_their_cells() {
        let found = run("Profile,Reach,Likes\nana.b,12.5K,10\nbo_c,3400,4\ncy,1.2M,9\n").unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].note(),
            "no `handle` column: using `Profile` (text, 3 distinct values)"
        );
        assert_eq!(
            found[1].note(),
            "no `followers` column: using `Reach` (whole numbers, median 12,500)"
        );
    }

    #[test]
    fn never_takes_names_with_spaces_rates_or_row_numbers() {
        let found =
            run("Full title,Row,Share\nAna B,1001,1.5%\nBo C,1002,2%\nCy D,1003,3%\n").unwrap();
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_tie_is_an_error_naming_both() {
        let err = run("Foo,Bar,Followers\nana,x1,10\nbo,x2,20\ncy,x3,30\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`t.csv` has no `handle` column, and `Foo` and `Bar` could both be one"
        );
    }
}
