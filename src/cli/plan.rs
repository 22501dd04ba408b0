//! `scout plan`: choose the candidates to book for a brand within a budget.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::import::{report_input_error, ImportArgs};
use super::rank::{rank_source, report_errors};
use super::{write_stdout, Exit, RulesArg, Ui};

use crate::input::{Format, Source};
use crate::output::file::{InputFile, OutputTarget};
use crate::output::{self, OutputFormat};
use crate::plan::{self, PlanOptions};
use crate::rank::RankOptions;
use crate::rules::plan::{Objective, PlanSettings};
use crate::rules::Brand;

/// Arguments of `scout plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The candidate list: CSV, JSON or NDJSON; `-` reads stdin.
    #[arg(value_name = "CANDIDATES")]
    pub candidates: PathBuf,
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// The budget in dollars [default: the brand's `[plan] budget`].
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub budget: Option<f64>,
    /// Book at most N creators [default: the brand's `[plan] max_creators`].
    #[arg(long, value_name = "N")]
    pub max_creators: Option<u64>,
    /// What the plan maximises [default: the brand's `[plan] objective`, else score].
    #[arg(long, value_enum)]
    pub objective: Option<Objective>,
    /// Output format [default: table on a terminal, else csv; or from --output's extension].
    #[arg(long, short, value_enum)]
    pub format: Option<OutputFormat>,
    /// The candidate list's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// Write the plan to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Runs `scout plan`.
pub fn run(ui: &Ui, args: &PlanArgs) -> Exit {
    let rules = match ui.valid_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let brand = match ui.brand(&rules, &args.brand) {
        Ok(brand) => brand,
        Err(exit) => return exit,
    };
    let (settings, budget) = match settings_and_budget(ui, args, brand) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(OutputFormat::from_path))
        .unwrap_or(if args.output.is_none() && std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        });
    let options = match args.import.options(ui, &args.rules.dir, Some(&rules.taxonomy)) {
        Ok(options) => options,
        Err(exit) => return exit,
    };
    let source = Source::from_arg(&args.candidates);
    let target = match output_target(ui, args, &source) {
        Ok(target) => target,
        Err(exit) => return exit,
    };
    let input_format = source.format(args.input_format);
    let rank_options =
        RankOptions { top: None, keep_filtered: false, notes: 0, ..RankOptions::default() };
    let ranking = match rank_source(&rules, brand, &source, input_format, &options, rank_options) {
        Ok(ranking) => ranking,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    report_errors(ui, &ranking);
    let plan_options = PlanOptions { settings, budget, left_out: 5 };
    let plan = match plan::plan(&rules, &ranking, &plan_options) {
        Ok(plan) => plan,
        Err(err) => {
            let hint = match &err {
                plan::PlanError::BelowCheapest { .. } => Some("raise `--budget`"),
                plan::PlanError::Conflict(_) => {
                    Some("relax the quotas in the brand's `[plan]` table, or raise the budget")
                }
                _ => None,
            };
            ui.error(&err.to_string(), hint);
            return Exit::Fatal;
        }
    };
    write(ui, target.as_ref(), &plan, format)
}

/// The brand's `[plan]` settings with the flags applied, and the budget: `--budget`, else
/// the brand's; missing, zero or negative is an error.
fn settings_and_budget(
    ui: &Ui,
    args: &PlanArgs,
    brand: &Brand,
) -> Result<(PlanSettings, f64), Exit> {
    let mut settings = brand.plan.clone();
    if let Some(objective) = args.objective {
        settings.objective = objective;
    }
    if let Some(max) = args.max_creators {
        settings.max_creators = Some(max);
    }
    let Some(budget) = args.budget.or(settings.budget) else {
        ui.error(
            &format!("no budget for `{}`", brand.id),
            Some("pass `--budget AMOUNT`, or set `budget` in the brand's `[plan]` table"),
        );
        return Err(Exit::Fatal);
    };
    if !(budget > 0.0 && budget.is_finite()) {
        ui.error(
            &format!("the budget must be above $0, not `{budget}`"),
            Some("pass `--budget 500` for $500"),
        );
        return Err(Exit::Fatal);
    }
    Ok((settings, budget))
}

/// The `--output` file, checked against every input before anything is read.
fn output_target(ui: &Ui, args: &PlanArgs, source: &Source) -> Result<Option<OutputTarget>, Exit> {
    let Some(path) = &args.output else { return Ok(None) };
    let mut inputs = Vec::new();
    if let Source::File(p) = source {
        inputs.push(InputFile::new("candidate list", p));
    }
    inputs.extend(InputFile::all_under("rule file", &args.rules.dir));
    OutputTarget::new(path, &inputs).map(Some).map_err(|err| {
        ui.error(&err.to_string(), err.hint().as_deref());
        Exit::Fatal
    })
}

/// Writes the plan and its summary line; the exit code says whether rows were unusable.
fn write(ui: &Ui, target: Option<&OutputTarget>, plan: &plan::Plan, format: OutputFormat) -> Exit {
    let written = match target {
        Some(target) => target
            .write(|out| output::plan::write_plan(out, plan, format))
            .map_err(|err| err.to_string()),
        None => write_stdout(|out| output::plan::write_plan(out, plan, format))
            .map_err(|err| format!("cannot write the plan: {err}")),
    };
    if let Err(message) = written {
        ui.error(&message, None);
        return Exit::Fatal;
    }
    let c = plan.counts;
    ui.status(&format!(
        "booked {} of {} ranked for `{}` ({} read, {} filtered, {} invalid) · revision {}",
        plan.booked.len(),
        c.ranked,
        plan.brand,
        c.read,
        c.filtered,
        c.invalid,
        plan.revision
    ));
    if c.invalid > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}
