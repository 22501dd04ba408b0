//! `scout diff`: what a rule change does to a candidate list.

use std::path::PathBuf;
use std::sync::Arc;

use super::explain::ReportFormat;
use super::import::CandidatesArgs;
use super::{plural, Exit, RulesArg, Ui};
use crate::authoring::diff::{self, DiffOptions, DiffReport, Row, Side};
use crate::model::{Candidate, RowError};
use crate::output;
use crate::rules::{Brand, RuleSet};

/// Arguments of `scout diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// The changed rule folder to compare with.
    #[arg(long, value_name = "DIR")]
    pub against: Option<PathBuf>,
    /// A tier scheme file to judge the brand on instead of its own.
    #[arg(long, value_name = "FILE")]
    pub tiers: Option<PathBuf>,
    /// The size of the top that candidates enter or leave; also how many rank moves to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Text, or one JSON document.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub candidates: CandidatesArgs,
}

/// Runs `scout diff`.
pub fn run(ui: &Ui, args: &DiffArgs) -> Exit {
    if args.against.is_none() && args.tiers.is_none() {
        ui.error(
            "nothing to compare with",
            Some("pass `--against DIR` (another rule folder), `--tiers FILE` (another tier scheme), or both"),
        );
        return Exit::Fatal;
    }
    let before_rules = match ui.valid_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let after_rules = match &args.against {
        Some(dir) => match ui.valid_rules(&RulesArg { dir: dir.clone() }) {
            Ok(rules) => Some(rules),
            Err(exit) => return exit,
        },
        None => None,
    };
    let after_rules_ref: &RuleSet = after_rules.as_ref().unwrap_or(&before_rules);
    let (before_brand, after_brand) = match brands(ui, args, &before_rules, after_rules_ref) {
        Some(brands) => brands,
        None => return Exit::Fatal,
    };
    let (read, candidates, invalid) = match read_candidates(ui, args, &before_rules) {
        Some(read) => read,
        None => return Exit::Fatal,
    };
    let before = diff::evaluate_all(&before_rules, &before_brand, &candidates);
    let after = diff::evaluate_all(after_rules_ref, &after_brand, &candidates);
    let compared: Vec<Row> = candidates
        .iter()
        .zip(before.into_iter().zip(after))
        .map(|(c, (before, after))| Row {
            handle: c.handle.clone(),
            platform: c.platform.clone(),
            line: c.line,
            before,
            after,
        })
        .collect();
    let diff = diff::compare(
        &compared,
        &before_brand.tiers.names(),
        &after_brand.tiers.names(),
        DiffOptions { top: args.top, moves: args.top },
    );
    let report = DiffReport {
        brand: before_brand.id.clone(),
        before: side(&before_rules, &before_brand),
        after: side(after_rules_ref, &after_brand),
        read,
        invalid,
        diff,
    };
    for row in &compared {
        for error in [&row.before.error, &row.after.error].into_iter().flatten() {
            ui.error(&format!("line {}: {error}", row.line), None);
        }
    }
    if let Err(exit) =
        args.format.write(ui, "the diff", || output::diff::render(&report), || report.to_json())
    {
        return exit;
    }
    finish(ui, &report)
}

/// The brand under the rules as they are, and under the changed rules (on `--tiers` when
/// given); `None` after reporting why one is missing.
fn brands(
    ui: &Ui,
    args: &DiffArgs,
    before_rules: &RuleSet,
    after_rules: &RuleSet,
) -> Option<(Brand, Brand)> {
    let before_brand = brand_in(ui, before_rules, &args.brand)?.clone();
    let mut after_brand = brand_in(ui, after_rules, &args.brand)?.clone();
    if let Some(path) = &args.tiers {
        match crate::rules::load::load_scheme(path) {
            Ok(scheme) => after_brand = after_brand.with_tiers(Arc::new(scheme)),
            Err(diagnostics) => {
                ui.diagnostics(&diagnostics);
                ui.error(&format!("the tier scheme `{}` is invalid", path.display()), None);
                return None;
            }
        }
        warn_about_scheme(ui, &after_brand);
    }
    Some((before_brand, after_brand))
}

/// Reads the candidate list: how many rows were read, the usable candidates, and how many
/// rows were not usable (the first 20 reported); `None` after reporting a list that cannot
/// be read.
fn read_candidates(
    ui: &Ui,
    args: &DiffArgs,
    rules: &RuleSet,
) -> Option<(usize, Vec<Candidate>, usize)> {
    let input = args.candidates.prepare(ui, &args.rules.dir, Some(&rules.taxonomy)).ok()?;
    let rows: Vec<Result<Candidate, RowError>> =
        input.read_or_report(ui, &args.rules.dir).ok()?.collect();
    let read = rows.len();
    let (candidates, errors): (Vec<_>, Vec<_>) = rows.into_iter().partition(Result::is_ok);
    let candidates: Vec<Candidate> = candidates.into_iter().flatten().collect();
    for error in errors.iter().filter_map(|e| e.as_ref().err()).take(20) {
        ui.error(&error.to_string(), None);
    }
    Some((read, candidates, errors.len()))
}

/// What one side of the comparison is.
fn side(rules: &RuleSet, brand: &Brand) -> Side {
    Side {
        rules: rules.root.display().to_string(),
        revision: rules.revision.clone(),
        tiers: brand.tiers.path.display().to_string().replace('\\', "/"),
    }
}

/// The closing status line, and the exit code: partial when a row was unusable or a script
/// failed on either side.
fn finish(ui: &Ui, report: &DiffReport) -> Exit {
    let d = &report.diff;
    ui.status(&format!(
        "compared {} of {} {} for `{}`: {} changed tier, {} changed score, {} {} flipped",
        d.candidates,
        report.read,
        plural(report.read, "candidate"),
        report.brand,
        d.migration.changed,
        d.scores_changed,
        d.flips.len(),
        plural(d.flips.len(), "verdict")
    ));
    if report.invalid > 0 || d.errors_before > 0 || d.errors_after > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}

fn brand_in<'r>(ui: &Ui, rules: &'r RuleSet, name: &str) -> Option<&'r Brand> {
    match rules.brand(name) {
        Ok(brand) => Some(brand),
        Err(err) => {
            ui.error(&format!("{err} in `{}`", rules.root.display()), Some(&err.hint()));
            None
        }
    }
}

/// Warns about what an alternative scheme leaves out: tiers without a benchmark, and
/// filter tiers the scheme does not define.
fn warn_about_scheme(ui: &Ui, brand: &Brand) {
    let names = brand.tiers.names();
    let scheme = brand.tiers.path.display();
    for name in &names {
        if !brand.benchmarks.covers(None, brand.engagement.basis, name) {
            ui.warning(&format!(
                "tier `{name}` of `{scheme}` has no benchmark in `[default]`, so its engagement component is missing"
            ));
        }
    }
    for name in brand.filters.tiers().into_iter().flatten() {
        if !names.contains(&name.as_str()) {
            ui.warning(&format!(
                "`filters.tiers` names `{name}`, which `{scheme}` does not define: no candidate passes through it"
            ));
        }
    }
}
