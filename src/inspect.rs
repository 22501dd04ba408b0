//! What scout will make of a CSV file, before it ranks it: the column plan, per-column
//! counts of empty and unparseable cells, sample rows, unusable rows, category labels no
//! niche matches, duplicated columns that disagree, and the profile's consistency checks.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::input::program::{Feed, Program, Role};
use crate::input::sniff::Dialect;
use crate::input::{open_csv, InputError, ReadOptions, Source};
use crate::model::Field;
use crate::model::{Candidate, RowError};
use crate::number::{self as value, Number};
use crate::rules::mapping::Target;
use crate::rules::Taxonomy;

/// Counts for one source column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnStats {
    /// Cells that are empty or a no-value marker (`N/A`, `NaN`, `#VALOR!`, …).
    pub empty: usize,
    /// Cells that do not parse as what the column feeds; `None` for text and extra columns.
    pub unparseable: Option<usize>,
}

/// A duplicated column's copies that give different numbers, beyond their rounding.
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    /// The target the columns feed.
    pub target: Target,
    /// The columns (0-based).
    pub columns: Vec<usize>,
    /// Rows where two copies' values are further apart than their shown precision allows.
    pub rows: usize,
    /// The first such row's line.
    pub first_line: Option<u64>,
}

/// One row where scout's figure and the file's differ beyond rounding.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// The row's line.
    pub line: u64,
    /// The handle.
    pub handle: String,
    /// scout's figure.
    pub scout: f64,
    /// The file's figure.
    pub file: f64,
}

/// The outcome of the profile's `[check]` of the engagement rate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckReport {
    /// The column holding the file's figure (0-based).
    pub column: usize,
    /// Usable rows with a figure in that column.
    pub compared: usize,
    /// Rows where the figures agree within the rounding of every number involved.
    pub agree: usize,
    /// Usable rows whose figure is empty or a no-value marker.
    pub no_figure: usize,
    /// Rows where they do not agree, in file order.
    pub mismatches: Vec<Mismatch>,
    /// The median of scout's figure over the file's, across compared rows with a non-zero
    /// figure: below 1 means scout's rate runs lower.
    pub median_ratio: Option<f64>,
}

/// Everything `scout inspect` reports.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The input's name.
    pub name: String,
    /// The sniffed (or given) dialect.
    pub dialect: Dialect,
    /// The compiled column program.
    pub program: Arc<Program>,
    /// Per source column counts.
    pub columns: Vec<ColumnStats>,
    /// Records read.
    pub rows: usize,
    /// Usable rows.
    pub usable: usize,
    /// The first usable rows.
    pub samples: Vec<Candidate>,
    /// Every unusable row.
    pub errors: Vec<RowError>,
    /// Category labels that no niche of the taxonomy matches, with how many rows carry them.
    pub unmatched_niches: Vec<(String, usize)>,
    /// Duplicated columns whose copies disagree.
    pub disagreements: Vec<Disagreement>,
    /// The engagement-rate check, when the profile asks for one.
    pub check: Option<CheckReport>,
}

impl Inspection {
    /// The program behind the plan.
    pub fn program(&self) -> &Program {
        &self.program
    }
}

/// Reads a whole CSV input and reports what scout makes of it.
// Kept whole: one streaming pass over the records; every step shares its accumulators.
pub fn inspect(
    source: &Source,
    options: &ReadOptions,
    taxonomy: Option<&Taxonomy>,
    samples: usize,
) -> Result<Inspection, InputError> {
    let name = source.name();
    let mut input = open_csv(&name, source.open()?, options)?;
    // Unlike ranking, inspecting goes on without a handle or follower column: that is
    // when a user most needs to see the columns.
    let mut program = Program::compile(&name, &input.headers, options.mapping.as_deref())?;
    for found in &options.inferred {
        program.adopt(found.field, &found.columns);
    }
    let program = Arc::new(program);
    let width = program.width;
    let mut columns = vec![ColumnStats::default(); width];
    for (c, stats) in columns.iter_mut().enumerate() {
        if let Role::Feeds { target, .. } = program.roles[c] {
            if target.is_numeric() {
                stats.unparseable = Some(0);
            }
        }
    }
    let mut inspection = Inspection {
        name: name.clone(),
        dialect: input.dialect,
        program: Arc::clone(&program),
        columns: Vec::new(),
        rows: 0,
        usable: 0,
        samples: Vec::new(),
        errors: Vec::new(),
        unmatched_niches: Vec::new(),
        disagreements: Vec::new(),
        check: None,
    };
    let mut unmatched: BTreeMap<String, usize> = BTreeMap::new();
    let mut disagreements: Vec<Disagreement> = program
        .feeds
        .iter()
        .filter(|f| f.prefer_raw)
        .map(|f| Disagreement {
            target: f.target,
            columns: f.columns.clone(),
            rows: 0,
            first_line: None,
        })
        .collect();
    let check_feed = program.feed(Target::CheckEngagementRate).cloned();
    let mut check =
        check_feed.as_ref().map(|f| CheckReport { column: f.columns[0], ..CheckReport::default() });
    let mut ratios: Vec<f64> = Vec::new();

    let mut record = ::csv::StringRecord::new();
    while let Some(next) = input.next_record(&mut record) {
        inspection.rows += 1;
        let line = match next {
            Ok(line) => line,
            Err(error) => {
                inspection.errors.push(error);
                continue;
            }
        };
        let cells: Vec<&str> = record.iter().map(crate::input::sniff::strip_cr).collect();
        for (c, stats) in columns.iter_mut().enumerate() {
            let cell = cells.get(c).copied().unwrap_or("");
            if value::is_missing(cell) {
                stats.empty += 1;
            } else if let Some(bad) = stats.unparseable.as_mut() {
                if value::parse(cell, program.decimal).is_err() {
                    *bad += 1;
                }
            }
        }
        for disagreement in &mut disagreements {
            let numbers: Vec<Number> = disagreement
                .columns
                .iter()
                .filter_map(|&c| {
                    value::parse(cells.get(c).copied().unwrap_or(""), program.decimal)
                        .ok()
                        .flatten()
                })
                .collect();
            let apart = numbers.iter().enumerate().any(|(i, a)| {
                numbers[i + 1..]
                    .iter()
                    .any(|b| (a.value - b.value).abs() > a.half_unit + b.half_unit + 1e-9)
            });
            if apart {
                disagreement.rows += 1;
                disagreement.first_line.get_or_insert(line);
            }
        }
        match program.build(line, &cells) {
            Ok(candidate) => {
                inspection.usable += 1;
                if let Some(taxonomy) = taxonomy {
                    for label in &candidate.niches {
                        if taxonomy.resolve(label).is_none() {
                            *unmatched.entry(label.clone()).or_default() += 1;
                        }
                    }
                }
                if let (Some(report), Some(feed)) = (check.as_mut(), check_feed.as_ref()) {
                    compare(&program, feed, &cells, &candidate, report, &mut ratios);
                }
                if inspection.samples.len() < samples {
                    inspection.samples.push(candidate);
                }
            }
            Err(error) => inspection.errors.push(error),
        }
    }
    if let Some(report) = check.as_mut() {
        ratios.sort_by(f64::total_cmp);
        report.median_ratio = (!ratios.is_empty()).then(|| {
            let mid = ratios.len() / 2;
            if ratios.len() % 2 == 0 {
                (ratios[mid - 1] + ratios[mid]) / 2.0
            } else {
                ratios[mid]
            }
        });
    }
    let mut unmatched: Vec<(String, usize)> = unmatched.into_iter().collect();
    unmatched.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    inspection.columns = columns;
    inspection.unmatched_niches = unmatched;
    inspection.disagreements = disagreements.into_iter().filter(|d| d.rows > 0).collect();
    inspection.check = check;
    Ok(inspection)
}

/// Compares scout's engagement rate by followers with the file's figure, within the
/// rounding of every number involved (interval arithmetic on the shown digits).
fn compare(
    program: &Program,
    feed: &Feed,
    cells: &[&str],
    candidate: &Candidate,
    report: &mut CheckReport,
    ratios: &mut Vec<f64>,
) {
    let file = match program.pick_number(feed, cells) {
        Ok(Some((_, number))) => number,
        _ => {
            report.no_figure += 1;
            return;
        }
    };
    let number_of = |field: Field, value: Option<f64>| -> Option<Number> {
        let picked = program
            .feed(Target::Field(field))
            .and_then(|f| program.pick_number(f, cells).ok().flatten())
            .map(|(_, n)| n);
        // A derived or defaulted value is taken as exact.
        picked.or(value.map(|value| Number { value, half_unit: 0.0, plain: true, percent: false }))
    };
    let Some(likes) = number_of(Field::AvgLikes, candidate.avg_likes) else {
        report.no_figure += 1;
        return;
    };
    let followers = number_of(Field::Followers, Some(candidate.followers as f64))
        .unwrap_or(Number { value: 0.0, half_unit: 0.0, plain: true, percent: false });
    let others: Vec<Number> = [
        number_of(Field::AvgComments, candidate.avg_comments),
        number_of(Field::AvgShares, candidate.avg_shares),
    ]
    .into_iter()
    .flatten()
    .collect();
    let engagements = likes.value + others.iter().map(|n| n.value).sum::<f64>();
    let slack = likes.half_unit + others.iter().map(|n| n.half_unit).sum::<f64>();
    report.compared += 1;
    let scout = if followers.value > 0.0 { engagements / followers.value } else { 0.0 };
    let low = (engagements - slack).max(0.0)
        / (followers.value + followers.half_unit).max(f64::MIN_POSITIVE);
    let high = if followers.value - followers.half_unit > 0.0 {
        (engagements + slack) / (followers.value - followers.half_unit)
    } else {
        f64::INFINITY
    };
    let tolerance = 1e-12;
    if low <= file.value + file.half_unit + tolerance
        && high >= file.value - file.half_unit - tolerance
    {
        report.agree += 1;
    } else {
        report.mismatches.push(Mismatch {
            line: candidate.line,
            handle: candidate.handle.clone(),
            scout,
            file: file.value,
        });
    }
    if file.value > 0.0 {
        ratios.push(scout / file.value);
    }
}
