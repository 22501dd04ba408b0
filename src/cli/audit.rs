//! `scout audit`: judge follower samples with the audience rules, per influencer; with
//! `--labels`, measure the rules against labelled accounts; with `--into`, merge the
//! estimates into a candidate list.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::import::{report_input_error, ImportArgs};
use super::{plural, write_stdout, Exit, RulesArg, Ui};
use crate::input::{records, Format, Source};
use crate::output::audit::{merge_csv, write_audit};
use crate::output::file::{InputFile, OutputTarget};
use crate::output::OutputFormat;

/// Arguments of `scout audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The follower sample: one row per follower account (an `influencer` or `of` column
    /// says whose), CSV, JSON or NDJSON; `-` reads stdin.
    #[arg(value_name = "FOLLOWERS")]
    pub followers: PathBuf,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Evaluate the audience rules against this column of labels (1/true/fake = fake).
    #[arg(long, value_name = "COLUMN")]
    pub labels: Option<String>,
    /// Merge the estimates into this CSV candidate list, written to `--output`.
    #[arg(long, value_name = "CANDIDATES", requires = "output")]
    pub into: Option<PathBuf>,
    /// Output format [default: table on a terminal, else csv].
    #[arg(long, short, value_enum)]
    pub format: Option<OutputFormat>,
    /// The follower sample's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// Write the audit (or, with `--into`, the merged candidate list) to FILE, atomically.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With `--into`: estimate the share of candidates with neither an audit nor a figure
    /// from their own numbers (the `[estimate]` rules), marked `estimated`.
    #[arg(long, requires = "into")]
    pub estimate: bool,
    /// With `--estimate`: the brand whose engagement benchmarks the estimate compares with.
    #[arg(long, short, requires = "estimate")]
    pub brand: Option<String>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Runs `scout audit`.
pub fn run(ui: &Ui, args: &AuditArgs) -> Exit {
    let rules = match ui.valid_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let Some(audience) = rules.audience.clone() else {
        ui.error(
            &format!("the rule folder `{}` has no `audience.toml`", args.rules.dir.display()),
            Some("copy `audience.toml` from the bundled `rules/` folder"),
        );
        return Exit::Fatal;
    };
    let options = match args.import.options(ui, &args.rules.dir, Some(&rules.taxonomy)) {
        Ok(options) => options,
        Err(exit) => return exit,
    };
    let source = Source::from_arg(&args.followers);
    let mut inputs = Vec::new();
    match &source {
        Source::File(path) => inputs.push(InputFile::new("follower sample", path)),
        _ => inputs.extend(InputFile::stdin("follower sample")),
    }
    if let Some(into) = &args.into {
        inputs.push(InputFile::new("candidate list", into));
    }
    inputs.extend(InputFile::all_under("rule file", &args.rules.dir));
    let target = match args.output.as_deref().map(|p| OutputTarget::new(p, &inputs)).transpose() {
        Ok(target) => target,
        Err(err) => {
            ui.error(&err.to_string(), err.hint().as_deref());
            return Exit::Fatal;
        }
    };
    let input_format = source.format(args.input_format);
    let rows = match records::read_records(&source, input_format, &options)
        .and_then(|r| r.into_rows(&options, true))
    {
        Ok(rows) => rows,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    let audit = crate::audit::audit(
        &rules.revision,
        &audience,
        &rules.sandbox,
        rows,
        args.labels.as_deref(),
    );
    for error in audit.errors.iter().take(20) {
        ui.error(&error.to_string(), None);
    }
    if audit.errors.len() > 20 {
        ui.status(&format!(
            "… and {} more unusable rows; `--format json` lists them all",
            audit.errors.len() - 20
        ));
    }
    if let Some(report) = &audit.labels {
        if report.labelled == 0 {
            ui.warning(&format!("no row has a usable label in `{}`", report.column));
        }
    }
    let format = args
        .format
        .or_else(|| {
            args.into
                .is_none()
                .then(|| args.output.as_deref().and_then(OutputFormat::from_path))
                .flatten()
        })
        .unwrap_or(
            if std::io::stdout().is_terminal() && (args.output.is_none() || args.into.is_some()) {
                OutputFormat::Table
            } else {
                OutputFormat::Csv
            },
        );
    let written = match (&args.into, &target) {
        (Some(into), Some(target)) => merge_into(ui, args, &rules, into, target, &audit),
        (None, Some(target)) => {
            target.write(|out| write_audit(out, &audit, format)).map_err(|e| e.to_string())
        }
        _ => write_stdout(|out| write_audit(out, &audit, format))
            .map_err(|e| format!("cannot write the audit: {e}")),
    };
    if let Err(message) = written {
        ui.error(&message, None);
        return Exit::Fatal;
    }
    let c = audit.counts;
    ui.status(&format!(
        "judged {} of {} follower {} for {} {} ({} invalid) · revision {}",
        c.judged,
        c.read,
        plural(c.read as usize, "row"),
        audit.influencers.len(),
        plural(audit.influencers.len(), "influencer"),
        c.invalid,
        audit.revision
    ));
    if c.invalid > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}

/// Writes the merged list; the audit itself goes to stdout.
fn merge_into(
    ui: &Ui,
    args: &AuditArgs,
    rules: &crate::rules::RuleSet,
    into: &std::path::Path,
    target: &OutputTarget,
    audit: &crate::audit::Audit,
) -> Result<(), String> {
    let bytes =
        std::fs::read(into).map_err(|err| format!("cannot read `{}`: {err}", into.display()))?;
    let delimiter =
        args.import.delimiter.unwrap_or_else(|| crate::input::sniff::delimiter(&bytes, true));
    let header: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(&bytes))
        .headers()
        .map_err(|err| format!("cannot read `{}`: {err}", into.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let Some(handle) = header
        .iter()
        .position(|h| crate::model::headers::builtin_field(h) == Some(crate::model::Field::Handle))
    else {
        return Err(format!("`{}` has no `handle` column to match influencers on", into.display()));
    };
    let brand = match &args.brand {
        Some(name) => Some(rules.brand(name).map_err(|err| format!("{err}; {}", err.hint()))?),
        None => None,
    };
    let estimator = match (&rules.audience, args.estimate) {
        (Some(audience), true) => match &audience.estimate {
            Some(estimator) => Some(estimator),
            None => {
                return Err(format!(
                    "`{}` has no `[estimate]` rules for `--estimate`",
                    audience.path.display()
                ))
            }
        },
        _ => None,
    };
    let plan = crate::input::columns::ColumnPlan::from_headers(
        &into.display().to_string(),
        header.iter().map(String::as_str),
        None,
    )
    .map_err(|err| err.to_string())?;
    let mut estimate_row = |line: u64, cells: &[String]| -> Option<(f64, Vec<String>)> {
        let estimator = estimator?;
        let candidate = plan.build(line, cells.len(), cells.iter().map(String::as_str)).ok()?;
        let benchmark = brand.and_then(|brand| {
            let platform = candidate.platform.as_deref();
            let tier = brand
                .tiers
                .tiers_for(platform)
                .iter()
                .find(|t| t.when.is_none() && t.contains(candidate.followers))?;
            let basis = brand.engagement.basis_for(platform);
            brand.benchmarks.get(platform, basis, &tier.name, candidate.followers)
        });
        let values = crate::audit::own_values(&candidate, benchmark);
        let estimated = estimator.estimate(&rules.sandbox, &values).ok()?;
        Some((estimated.share, estimated.fired))
    };
    let (mut matched, mut estimated) = (0, 0);
    target
        .write(|out| {
            let estimate: Option<crate::output::audit::EstimateRow> =
                estimator.is_some().then_some(&mut estimate_row as _);
            (matched, estimated) =
                merge_csv(out, &bytes, delimiter, handle, &audit.influencers, estimate)?;
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    if args.estimate {
        ui.status(&format!(
            "estimated the fake-follower share of {estimated} {} with no audit and no figure (marked `estimated`)",
            plural(estimated, "candidate")
        ));
    }
    write_stdout(|out| write_audit(out, audit, OutputFormat::Table)).map_err(|e| e.to_string())?;
    ui.status(&format!(
        "merged estimates for {matched} of {} {} into `{}`",
        audit.influencers.len(),
        plural(audit.influencers.len(), "influencer"),
        target.path().display()
    ));
    if matched < audit.influencers.len() {
        ui.warning(&format!(
            "{} audited {} not in `{}`",
            audit.influencers.len() - matched,
            plural(audit.influencers.len() - matched, "influencer"),
            into.display()
        ));
    }
    Ok(())
}
