//! `scout evaluate`: how well a brand's rules predicted what really happened.

use std::path::PathBuf;

use super::import::{report_input_error, CandidatesArgs, ImportArgs};
use super::{plural, write_stdout, Exit, RulesArg, Ui};
use crate::authoring::diff;
use crate::evaluate::{self, BadRow, Kind, Options, Predictor, Report, Side};
use crate::input::{records, Format, Source};
use crate::model::Candidate;
use crate::output;
use crate::rules::{Brand, RuleSet};

/// How to print the evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EvaluateFormat {
    /// Tables for people.
    #[default]
    Table,
    /// One JSON document.
    Json,
}

/// What the outcome column holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// From the cells: label words, or nothing but 0 and 1, make a label.
    #[default]
    Auto,
    /// Numbers.
    Numeric,
    /// true/false, 1/0, yes/no.
    Label,
}

/// What predicts a label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PredictorArg {
    /// The score, at or above the threshold.
    #[default]
    Score,
    /// The filter verdict: passed predicts true.
    Verdict,
}

/// Arguments of `scout evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// What happened: a table keyed by platform and handle (CSV, JSON or NDJSON).
    #[arg(long, value_name = "FILE")]
    pub outcomes: PathBuf,
    /// The outcomes file's format [default: from the file extension, else csv].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub outcomes_format: Option<Format>,
    /// The outcome column: a number (delivered ER, conversions) or a label (true/false).
    #[arg(long, value_name = "COLUMN")]
    pub outcome: String,
    /// What the outcome column holds.
    #[arg(long, value_enum, default_value_t)]
    pub kind: KindArg,
    /// Lower outcomes are better (cost per acquisition; a label such as `is_fake`).
    #[arg(long)]
    pub lower_is_better: bool,
    /// The k of precision@k and NDCG@k.
    #[arg(long, value_name = "K", default_value_t = 10)]
    pub k: usize,
    /// For labels: the score at or above which a row is predicted true [default: the score
    /// that maximises F1].
    #[arg(long, value_name = "SCORE")]
    pub threshold: Option<f64>,
    /// For labels: the score or the filter verdict.
    #[arg(long, value_enum, default_value_t)]
    pub predictor: PredictorArg,
    /// Bootstrap resamples.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub samples: usize,
    /// The bootstrap's seed.
    #[arg(long, value_name = "N", default_value_t = 13)]
    pub seed: u64,
    /// Another rule folder to evaluate side by side.
    #[arg(long, value_name = "DIR")]
    pub against: Option<PathBuf>,
    /// A tier scheme to judge the brand on, side by side with its own.
    #[arg(long, value_name = "FILE")]
    pub tiers: Option<PathBuf>,
    /// Tables, or one JSON document.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: EvaluateFormat,
    #[command(flatten)]
    pub candidates: CandidatesArgs,
}

/// Runs `scout evaluate`.
pub fn run(ui: &Ui, args: &EvaluateArgs) -> Exit {
    let rules = match ui.valid_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let other_rules = match &args.against {
        Some(dir) => match ui.valid_rules(&RulesArg { dir: dir.clone() }) {
            Ok(rules) => Some(rules),
            Err(exit) => return exit,
        },
        None => None,
    };
    let brand = match rules.brand(&args.brand) {
        Ok(brand) => brand.clone(),
        Err(err) => {
            ui.error(&format!("{err} in `{}`", rules.root.display()), Some(&err.hint()));
            return Exit::Fatal;
        }
    };
    let other = match other_brand(ui, args, other_rules.as_ref().unwrap_or(&rules)) {
        Ok(other) => other,
        Err(exit) => return exit,
    };
    let Some(outcomes) = read_outcomes(ui, args) else {
        return Exit::Fatal;
    };
    let input = match args.candidates.prepare(ui, &args.rules.dir, Some(&rules.taxonomy)) {
        Ok(input) => input,
        Err(exit) => return exit,
    };
    let rows = match input.read_or_report(ui, &args.rules.dir) {
        Ok(rows) => rows,
        Err(exit) => return exit,
    };
    let mut list: Vec<Candidate> = Vec::new();
    let mut bad_candidates = Vec::new();
    let mut candidate_rows = 0;
    for row in rows {
        candidate_rows += 1;
        match row {
            Ok(c) => list.push(c),
            Err(e) => bad_candidates.push(BadRow { line: e.line, message: e.to_string() }),
        }
    }
    let mut sides = vec![diff::evaluate_all(&rules, &brand, &list)];
    let mut described = vec![side(&rules, &brand, None)];
    if let Some(other_brand) = &other {
        let other_rules = other_rules.as_ref().unwrap_or(&rules);
        sides.push(diff::evaluate_all(other_rules, other_brand, &list));
        described.push(side(other_rules, other_brand, Some(&described[0])));
    }
    let judged: Vec<evaluate::Candidate> = list
        .iter()
        .enumerate()
        .map(|(i, c)| evaluate::Candidate {
            handle: c.handle.clone(),
            platform: c.platform.clone(),
            line: c.line,
            predictions: sides
                .iter()
                .map(|s| evaluate::Prediction {
                    score: s[i].score.filter(|_| s[i].error.is_none()),
                    passed: s[i].passed,
                })
                .collect(),
        })
        .collect();
    let (measured, accounting) = evaluate::join(&judged, &outcomes);
    let options = Options {
        k: args.k,
        threshold: args.threshold,
        predictor: match args.predictor {
            PredictorArg::Score => Predictor::Score,
            PredictorArg::Verdict => Predictor::Verdict,
        },
        samples: args.samples,
        seed: args.seed,
    };
    let evaluation = evaluate::evaluate(&measured, outcomes.kind, options);
    let report = Report {
        brand: brand.id.clone(),
        outcomes_file: args.outcomes.display().to_string(),
        outcome: outcomes.column.clone(),
        kind: outcomes.kind,
        lower_is_better: args.lower_is_better,
        outcome_rows: outcomes.read,
        bad_outcomes: outcomes.bad.clone(),
        candidate_rows,
        bad_candidates,
        sides: described,
        accounting,
        evaluation,
    };
    let written = write_stdout(|out| match args.format {
        EvaluateFormat::Table => out.write_all(output::evaluate::render(&report).as_bytes()),
        EvaluateFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &output::evaluate::json(&report))?;
            writeln!(out)
        }
    });
    if let Err(err) = written {
        ui.error(&format!("cannot write the evaluation: {err}"), None);
        return Exit::Fatal;
    }
    finish(ui, &report)
}

/// The closing line, and the exit code: partial when a row of either file was bad.
fn finish(ui: &Ui, report: &Report) -> Exit {
    let a = &report.accounting;
    ui.status(&format!(
        "measured {} of {} {} for `{}` on `{}`; {} outcome {} with no candidate, {} bad outcome {}",
        a.measured,
        a.candidates,
        plural(a.candidates, "candidate"),
        report.brand,
        report.outcome,
        a.no_candidate.len(),
        plural(a.no_candidate.len(), "row"),
        report.bad_outcomes.len(),
        plural(report.bad_outcomes.len(), "row"),
    ));
    if a.measured < 2 {
        ui.warning("fewer than two rows have both a score and an outcome: nothing to measure");
    }
    if report.bad_outcomes.is_empty() && report.bad_candidates.is_empty() && a.unscored.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    }
}

/// The brand as the other side judges it (`--against`, `--tiers`), or `None` when there is
/// no other side.
fn other_brand(ui: &Ui, args: &EvaluateArgs, rules: &RuleSet) -> Result<Option<Brand>, Exit> {
    if args.against.is_none() && args.tiers.is_none() {
        return Ok(None);
    }
    let mut brand = match rules.brand(&args.brand) {
        Ok(brand) => brand.clone(),
        Err(err) => {
            ui.error(&format!("{err} in `{}`", rules.root.display()), Some(&err.hint()));
            return Err(Exit::Fatal);
        }
    };
    if let Some(path) = &args.tiers {
        match crate::rules::load::load_scheme(path) {
            Ok(scheme) => brand = brand.with_tiers(std::sync::Arc::new(scheme)),
            Err(diagnostics) => {
                ui.diagnostics(&diagnostics);
                ui.error(&format!("the tier scheme `{}` is invalid", path.display()), None);
                return Err(Exit::Fatal);
            }
        }
    }
    Ok(Some(brand))
}

/// One side, labelled by what differs: the tier scheme's file name, else the folder's.
fn side(rules: &RuleSet, brand: &Brand, first: Option<&Side>) -> Side {
    let rules_path = rules.root.display().to_string();
    let tiers = brand.tiers.path.display().to_string().replace('\\', "/");
    let stem = |p: &str| {
        std::path::Path::new(p)
            .file_stem()
            .map_or_else(|| p.to_owned(), |s| s.to_string_lossy().into_owned())
    };
    let label = match first {
        Some(first) if first.tiers != tiers => stem(&tiers),
        Some(_) => rules_path.clone(),
        None => stem(&tiers),
    };
    Side { label, rules: rules_path, revision: rules.revision.clone(), tiers }
}

/// Reads the outcomes file; `None` after reporting why it cannot be used.
fn read_outcomes(ui: &Ui, args: &EvaluateArgs) -> Option<evaluate::Outcomes> {
    let import = ImportArgs::default();
    let options = import.options(ui, &args.rules.dir, None).ok()?;
    let source = Source::from_arg(&args.outcomes);
    let format = source.format(args.outcomes_format);
    let records = match records::read_records(&source, format, &options) {
        Ok(records) => records,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, false);
            return None;
        }
    };
    let name = records.name.clone();
    let headers = records.headers.clone();
    let cells =
        records.into_cells().map(|r| r.map_err(|e| BadRow { line: e.line, message: e.message }));
    let kind = match args.kind {
        KindArg::Auto => None,
        KindArg::Numeric => Some(Kind::Numeric),
        KindArg::Label => Some(Kind::Label),
    };
    match evaluate::read_outcomes(&name, &headers, cells, &args.outcome, kind, args.lower_is_better)
    {
        Ok(outcomes) => Some(outcomes),
        Err(err) => {
            let hint = match &err {
                evaluate::OutcomesError::NoColumn { found, .. } => {
                    Some(format!("its columns are {}", found.join(", ")))
                }
                evaluate::OutcomesError::NoHandle { .. } => Some(
                    "name the column `handle` (or `username`, …) as in a candidate list".into(),
                ),
            };
            ui.error(&err.to_string(), hint.as_deref());
            None
        }
    }
}
