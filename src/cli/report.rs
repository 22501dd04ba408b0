//! `scout report`: a self-contained HTML report on a candidate list for one brand, with a
//! plan when `--budget` is given.

use std::path::PathBuf;

use super::import::{self, report_input_error, ImportArgs};
use super::rank::{rank_source, report_errors, summary};
use super::{signal, Exit, RulesArg, Ui};

use crate::input::{Format, Source};
use crate::output::file::{InputFile, OutputTarget};
use crate::output::report::{self, Report, TABLE_ROWS};
use crate::plan::{self, PlanOptions};
use crate::rank::RankOptions;

/// Arguments of `scout report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The candidate list: CSV, JSON or NDJSON; `-` reads stdin.
    #[arg(value_name = "CANDIDATES")]
    pub candidates: PathBuf,
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// The HTML file to write (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Plan the bookings within this budget in dollars, and chart the plan.
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub budget: Option<f64>,
    /// The candidate list's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Runs `scout report`.
pub fn run(ui: &Ui, args: &ReportArgs) -> Exit {
    let rules = match ui.valid_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let brand = match ui.brand(&rules, &args.brand) {
        Ok(brand) => brand,
        Err(exit) => return exit,
    };
    if let Some(budget) = args.budget {
        if !(budget > 0.0 && budget.is_finite()) {
            ui.error(
                &format!("the budget must be above $0, not `{budget}`"),
                Some("pass `--budget 500` for $500"),
            );
            return Exit::Fatal;
        }
    }
    let mut options = match args.import.options(ui, &args.rules.dir, Some(&rules.taxonomy)) {
        Ok(options) => options,
        Err(exit) => return exit,
    };
    let mut source = Source::from_arg(&args.candidates);
    let mut inputs = Vec::new();
    match &source {
        Source::File(path) => inputs.push(InputFile::new("candidate list", path)),
        Source::Stdin => inputs.extend(InputFile::stdin("candidate list")),
        Source::Bytes { .. } => {}
    }
    inputs.extend(InputFile::all_under("rule file", &args.rules.dir));
    let target = match OutputTarget::new(&args.output, &inputs) {
        Ok(target) => target,
        Err(err) => {
            ui.error(&err.to_string(), err.hint().as_deref());
            return Exit::Fatal;
        }
    };
    signal::install(ui);
    let input_format = source.format(args.input_format);
    if let Err(exit) =
        import::infer_columns(ui, &mut source, input_format, &mut options, &args.rules.dir, false)
    {
        return exit;
    }
    let rank_options =
        RankOptions { top: None, keep_filtered: true, notes: TABLE_ROWS, ..RankOptions::default() };
    let ranking = match rank_source(&rules, brand, &source, input_format, &options, rank_options) {
        Ok(ranking) => ranking,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    report_errors(ui, &ranking);
    let planned = args.budget.map(|budget| {
        let plan_options = PlanOptions { settings: brand.plan.clone(), budget, left_out: 5 };
        plan::plan(&rules, &ranking, &plan_options).map_err(|err| err.to_string())
    });
    let input = match &args.candidates {
        path if path.as_os_str() == "-" => "standard input".to_owned(),
        path => path
            .file_name()
            .map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned()),
    };
    let date = today();
    let page = Report {
        brand,
        ranking: &ranking,
        plan: planned.as_ref().map(|p| p.as_ref().map_err(String::as_str)),
        input: &input,
        date: &date,
    };
    if let Err(err) = target.write(|out| report::write_report(out, &page)) {
        ui.error(&err.to_string(), None);
        return Exit::Fatal;
    }
    if let Some(Err(reason)) = &planned {
        ui.warning(&format!("no plan in the report: {reason}"));
    }
    ui.status(&format!("wrote `{}`", target.path().display()));
    ui.status(&summary(&ranking));
    let c = ranking.counts;
    if c.invalid > 0 || c.rule_errors > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}

/// Today's date in UTC, `YYYY-MM-DD`; `SOURCE_DATE_EPOCH` (seconds) overrides the clock, so
/// a report can be made reproducibly.
fn today() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
