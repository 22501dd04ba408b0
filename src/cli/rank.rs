//! `scout rank`: rank a candidate list for one brand.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::import::{report_input_error, ImportArgs};
use super::{plural, signal, write_stdout, Exit, RulesArg, Ui};
use indicatif::{ProgressBar, ProgressStyle};

use crate::input::{self, Format, InputError, ReadOptions, Source};
use crate::output::file::{InputFile, OutputError, OutputTarget};
use crate::output::{self, OutputFormat};
use crate::rank::{self, RankOptions, Ranking};
use crate::rules::{mapping, Brand, RuleSet};

/// Without `--top`, JSON output keeps the script notes of this many best results: notes
/// are for reading, and keeping every row's would cost memory in proportion to the list.
pub const NOTES_WITHOUT_TOP: usize = 1_000;

/// Arguments of `scout rank`.
#[derive(Debug, clap::Args)]
pub struct RankArgs {
    /// The candidate list: CSV, JSON or NDJSON; `-` reads stdin.
    #[arg(value_name = "CANDIDATES")]
    pub candidates: PathBuf,
    /// The brand, by its file name in `brands/` without `.toml`.
    #[arg(long, short)]
    pub brand: String,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Show only the best N.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Output format [default: table on a terminal, else csv; or from --output's extension].
    #[arg(long, short, value_enum)]
    pub format: Option<OutputFormat>,
    /// The candidate list's format [default: from the file extension, else csv].
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// Write the ranking to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
    /// Write the unusable rows to FILE (atomically), untouched, with the header, for fixing.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

/// Runs `scout rank`.
pub fn run(ui: &Ui, args: &RankArgs) -> Exit {
    let rules = match ui.load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let brand = match ui.brand(&rules, &args.brand) {
        Ok(brand) => brand,
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
    let mut source = Source::from_arg(&args.candidates);
    let (output_target, rejects_target) = match output_targets(args, &source) {
        Ok(targets) => targets,
        Err(err) => {
            ui.error(&err.to_string(), err.hint().as_deref());
            return Exit::Fatal;
        }
    };
    if output_target.is_some() || rejects_target.is_some() {
        // Ctrl-C or SIGTERM while a file is written removes its temp file.
        signal::install(ui);
    }
    let input_format = source.format(args.input_format);
    if args.rejects.is_some() {
        // Rejected rows are copied from the very bytes that were ranked.
        source = match source.into_bytes() {
            Ok(source) => source,
            Err(err) => {
                ui.error(&err.to_string(), err.hint().as_deref());
                return Exit::Fatal;
            }
        };
    }
    let json = matches!(format, OutputFormat::Json | OutputFormat::Ndjson);
    let rank_options = RankOptions {
        top: args.top,
        keep_filtered: format == OutputFormat::Json,
        // Only JSON shows script notes, and only for the results it lists.
        notes: if json { args.top.unwrap_or(NOTES_WITHOUT_TOP) } else { 0 },
    };
    let ranking = match rank_source(&rules, brand, &source, input_format, &options, rank_options) {
        Ok(ranking) => ranking,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    report_errors(ui, &ranking);

    let written = match &output_target {
        Some(target) => target
            .write(|out| output::write_ranking(out, &ranking, format))
            .map_err(|err| err.to_string()),
        None => write_stdout(|out| output::write_ranking(out, &ranking, format))
            .map_err(|err| format!("cannot write the ranking: {err}")),
    };
    if let Err(message) = written {
        ui.error(&message, None);
        return Exit::Fatal;
    }
    if let (Some(target), Source::Bytes { bytes, .. }) = (&rejects_target, &source) {
        let lines: std::collections::BTreeSet<u64> =
            ranking.errors.iter().map(|e| e.line).collect();
        let delimiter = args.import.delimiter(&options);
        let (text, found) = input::rejects::extract(bytes, input_format, delimiter, &lines);
        if let Err(err) = target.write(|out| out.write_all(&text)) {
            ui.error(&err.to_string(), None);
            return Exit::Fatal;
        }
        ui.status(&format!(
            "wrote {found} unusable {} to `{}`",
            plural(found, "row"),
            target.path().display()
        ));
        if found < lines.len() {
            ui.warning(&format!(
                "{} unusable {} could not be found again in the input",
                lines.len() - found,
                plural(lines.len() - found, "row")
            ));
        }
    }
    let c = ranking.counts;
    ui.status(&format!(
        "ranked {} of {} {} for `{}` ({} filtered, {} invalid) · revision {}",
        c.ranked,
        c.read,
        plural(c.read, "candidate"),
        ranking.brand,
        c.filtered,
        c.invalid,
        ranking.revision
    ));
    if c.invalid > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}

/// The `--output` and `--rejects` files, checked before anything is read: neither may be a
/// file the ranking reads (the candidate list, also as redirected stdin; the mapping profile;
/// any file in the rule folder), nor the other.
fn output_targets(
    args: &RankArgs,
    source: &Source,
) -> Result<(Option<OutputTarget>, Option<OutputTarget>), OutputError> {
    if args.output.is_none() && args.rejects.is_none() {
        return Ok((None, None));
    }
    let mut inputs = Vec::new();
    match source {
        Source::File(path) => inputs.push(InputFile::new("candidate list", path)),
        Source::Stdin => inputs.extend(InputFile::stdin("candidate list")),
        Source::Bytes { .. } => {}
    }
    if let Some(path) =
        args.import.mapping.as_ref().and_then(|arg| mapping::locate(arg, &args.rules.dir).ok())
    {
        inputs.push(InputFile::new("mapping profile", &path));
    }
    inputs.extend(InputFile::all_under("rule file", &args.rules.dir));
    let output = args.output.as_deref().map(|path| OutputTarget::new(path, &inputs)).transpose()?;
    let rejects =
        args.rejects.as_deref().map(|path| OutputTarget::new(path, &inputs)).transpose()?;
    if let (Some(output), Some(rejects)) = (&output, &rejects) {
        output.distinct_from(rejects)?;
    }
    Ok((output, rejects))
}

/// Ranks `source`: a CSV file is read by all threads at once, with a progress bar on a
/// terminal for large files; anything else streams through [`rank::rank`].
pub fn rank_source(
    rules: &RuleSet,
    brand: &Brand,
    source: &Source,
    format: Format,
    read: &ReadOptions,
    options: RankOptions,
) -> Result<Ranking, InputError> {
    match (source, format) {
        (Source::File(path), Format::Csv) => {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let bar = if size >= 32 << 20 && std::io::stderr().is_terminal() {
                let bar = ProgressBar::new(size);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar
            } else {
                ProgressBar::hidden()
            };
            let file = input::open_csv_file(path, read)?;
            let ranking = rank::rank_csv(rules, brand, file, options, &|bytes| bar.inc(bytes));
            bar.finish_and_clear();
            ranking
        }
        _ => Ok(rank::rank(rules, brand, input::read_with(source, format, read)?, options)),
    }
}

/// Prints unusable rows and script failures, at most a screenful.
pub fn report_errors(ui: &Ui, ranking: &Ranking) {
    const SHOWN: usize = 20;
    for error in ranking.errors.iter().take(SHOWN) {
        ui.error(&error.to_string(), None);
    }
    if ranking.errors.len() > SHOWN {
        ui.status(&format!(
            "… and {} more unusable rows; `--format json` lists them all",
            ranking.errors.len() - SHOWN
        ));
    }
}
