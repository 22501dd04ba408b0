//! `scout rank`: rank a candidate list for one brand.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::import::{report_input_error, CandidateInput, CandidatesArgs};
use super::{plural, signal, write_stdout, Exit, RulesArg, Ui};
use indicatif::{ProgressBar, ProgressStyle};

use crate::input::{self, Format, InputError, ReadOptions, Source};
use crate::output::columns::{Columns, CATALOGUE};
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
    /// The brand, by its file name in `brands/` without `.toml`; repeat it to rank the list
    /// for several brands in one read (then `--output` names one file per brand).
    #[arg(long, short, required_unless_present = "all_brands")]
    pub brand: Vec<String>,
    /// Rank the list for every brand of the rule folder, in one read.
    #[arg(long, conflicts_with = "brand")]
    pub all_brands: bool,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Show only the best N.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Output format [default: table on a terminal, else csv; or from --output's extension].
    #[arg(long, short, value_enum)]
    pub format: Option<OutputFormat>,
    /// The table or CSV columns, comma-separated (`handle,platform,score,cost_per_post`)
    /// [default: the usual ones]; `--columns help` lists them. JSON always has every field.
    #[arg(long, value_name = "NAMES")]
    pub columns: Option<String>,
    /// Write the ranking to FILE (atomically) instead of stdout; with several brands, a
    /// template naming one file per brand with `{brand}` (`out/{brand}.csv`).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the unusable rows to FILE (atomically), untouched, with the header, for fixing.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Write every filtered row to FILE as NDJSON (`{handle, line, reasons}`), streamed as
    /// rows are evaluated, in the reader's chunk order; JSON output lists only the first
    /// 100.
    #[arg(long, value_name = "FILE")]
    pub filtered: Option<PathBuf>,
    #[command(flatten)]
    pub candidates: CandidatesArgs,
}

/// Runs `scout rank`.
pub fn run(ui: &Ui, args: &RankArgs) -> Exit {
    let rules = match ui.valid_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    let brands: Vec<&Brand> = if args.all_brands {
        rules.brands.values().collect()
    } else {
        let mut brands = Vec::new();
        for name in &args.brand {
            match ui.brand(&rules, name) {
                Ok(brand) => brands.push(brand),
                Err(exit) => return exit,
            }
        }
        brands
    };
    let brand = match brands.as_slice() {
        [brand] if !args.all_brands => *brand,
        _ => return run_many(ui, args, &rules, &brands),
    };
    let format = match output_format(ui, args) {
        Ok(format) => format,
        Err(exit) => return exit,
    };
    let columns = match ranking_columns(ui, args.columns.as_deref(), format) {
        Ok(columns) => columns,
        Err(exit) => return exit,
    };
    let (input, targets) = match open_input(ui, args, &rules) {
        Ok(opened) => opened,
        Err(exit) => return exit,
    };
    let rank_options = rank_options(args, format, columns.as_ref());
    let spill = spill_of(&targets);
    let ranked = |spill: rank::Spill<'_>| {
        rank_source_spilled(
            &rules,
            brand,
            &input.source,
            input.format,
            &input.options,
            rank_options,
            spill,
        )
    };
    let ranked = match &targets.filtered {
        None => ranked(spill),
        Some(target) => match filtered_to(ui, target, spill, ranked) {
            Ok(ranked) => ranked,
            Err(exit) => return exit,
        },
    };
    let ranking = match ranked {
        Ok(ranking) => ranking,
        Err(err) => {
            report_input_error(ui, &err, &args.rules.dir, input.options.mapping.is_some());
            return Exit::Fatal;
        }
    };
    report_errors(ui, &ranking);
    if let Err(exit) =
        write_ranking(ui, targets.output.as_ref(), &ranking, format, columns.as_ref())
    {
        return exit;
    }
    if let Some(target) = &targets.rejects {
        if let Err(exit) = write_rejects(ui, args, target, &input, &ranking) {
            return exit;
        }
    }
    ui.status(&summary(&ranking));
    let c = ranking.counts;
    if c.invalid > 0 || c.rule_errors > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}

/// Ranks the list for several brands in one read, each to its own `--output` file.
fn run_many(ui: &Ui, args: &RankArgs, rules: &RuleSet, brands: &[&Brand]) -> Exit {
    match rank_many(ui, args, rules, brands) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn rank_many(ui: &Ui, args: &RankArgs, rules: &RuleSet, brands: &[&Brand]) -> Result<Exit, Exit> {
    let fail = |message: &str, hint: Option<&str>| {
        ui.error(message, hint);
        Exit::Fatal
    };
    if brands.is_empty() {
        return Err(fail("the rule folder has no brands to rank for", None));
    }
    let template =
        args.output.as_deref().and_then(|p| p.to_str()).filter(|t| t.contains("{brand}"));
    let Some(template) = template else {
        return Err(fail(
            "ranking for several brands writes one file per brand: `--output` must name them with `{brand}`",
            Some("for example `--output out/{brand}.csv`"),
        ));
    };
    if args.filtered.is_some() {
        return Err(fail(
            "`--filtered` takes one brand",
            Some("rank each brand on its own to write its filtered rows"),
        ));
    }
    let format = output_format(ui, args)?;
    let columns = ranking_columns(ui, args.columns.as_deref(), format)?;
    let (input, targets) = open_input(ui, args, rules)?;
    let inputs = input_files(args, &input.source);
    let mut outputs: Vec<OutputTarget> = Vec::new();
    for brand in brands {
        let path = PathBuf::from(template.replace("{brand}", &brand.id));
        let target = OutputTarget::new(&path, &inputs)
            .and_then(|target| {
                for other in outputs.iter().chain(&targets.rejects) {
                    target.distinct_from(other)?;
                }
                Ok(target)
            })
            .map_err(|err| fail(&err.to_string(), err.hint().as_deref()))?;
        outputs.push(target);
    }
    let rank_options = rank_options(args, format, columns.as_ref());
    let spill = spill_of(&targets);
    let ranked = match (&input.source, input.format) {
        (Source::File(path), format) if splits(format) => {
            input::open_file(path, format, &input.options)
                .and_then(|file| rank::rank_csv_many(rules, brands, file, rank_options, spill))
        }
        (source, format) => input::read_with(source, format, &input.options)
            .map(|rows| rank::rank_many(rules, brands, rows, rank_options, spill)),
    };
    let rankings = ranked.map_err(|err| {
        report_input_error(ui, &err, &args.rules.dir, input.options.mapping.is_some());
        Exit::Fatal
    })?;
    let mut exit = Exit::Success;
    for (i, (ranking, target)) in rankings.iter().zip(&outputs).enumerate() {
        if i == 0 {
            report_errors(ui, ranking);
        } else {
            let diagnostics: Vec<_> =
                ranking.rule_errors.iter().map(|e| e.diagnostic.clone()).collect();
            ui.diagnostics(&diagnostics);
        }
        write_ranking(ui, Some(target), ranking, format, columns.as_ref())?;
        ui.status(&summary(ranking));
        if ranking.counts.invalid > 0 || ranking.counts.rule_errors > 0 {
            exit = Exit::Partial;
        }
    }
    if let (Some(target), Some(first)) = (&targets.rejects, rankings.first()) {
        write_rejects(ui, args, target, &input, first)?;
    }
    Ok(exit)
}

/// What a CLI run does with the rows it does not rank: a sample for the JSON document,
/// every unusable row when `--rejects` wants them, account records beyond a few MiB to
/// temporary files.
fn spill_of(targets: &Targets) -> rank::Spill<'static> {
    rank::Spill {
        sample: Some(output::JSON_SAMPLE),
        all_errors: targets.rejects.is_some(),
        filtered: None,
        accounts: None,
        overflow: Some(output::spill::temp_files),
    }
}

/// The `--output`, `--rejects` and `--filtered` files, once checked.
struct Targets {
    output: Option<OutputTarget>,
    rejects: Option<OutputTarget>,
    filtered: Option<OutputTarget>,
}

/// Sends filtered rows, as NDJSON lines, to the thread that writes `--filtered`.
struct FilteredLines(std::sync::mpsc::SyncSender<Vec<u8>>);

impl rank::FilteredSink for FilteredLines {
    fn take(&self, rows: &[rank::Filtered]) {
        let mut bytes = Vec::with_capacity(rows.len() * 96);
        for row in rows {
            if serde_json::to_writer(&mut bytes, row).is_ok() {
                bytes.push(b'\n');
            }
        }
        // The writer stops only when the ranking is done.
        let _ = self.0.send(bytes);
    }
}

/// Ranks with every filtered row streamed to `target` as it is evaluated: the ranking
/// runs on its own thread while this one writes (atomically, as every output).
fn filtered_to<T: Send>(
    ui: &Ui,
    target: &OutputTarget,
    spill: rank::Spill<'_>,
    ranked: impl FnOnce(rank::Spill<'_>) -> T + Send,
) -> Result<T, Exit> {
    let mut result = None;
    let written = target.write(|out| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<u8>>(64);
        std::thread::scope(|scope| {
            let ranking = scope.spawn(move || {
                let sink = FilteredLines(send);
                ranked(rank::Spill { filtered: Some(&sink), ..spill })
            });
            let mut written = Ok(());
            for bytes in receive {
                if written.is_ok() {
                    written = out.write_all(&bytes);
                }
            }
            result = Some(ranking.join().map_err(|_| std::io::Error::other("ranking failed"))?);
            written
        })
    });
    match (written, result) {
        (Ok(()), Some(result)) => Ok(result),
        (Err(err), _) => {
            ui.error(&err.to_string(), None);
            Err(Exit::Fatal)
        }
        (Ok(()), None) => Err(Exit::Fatal),
    }
}

/// What a ranking keeps for `format`: filtered rows for JSON, and script notes only where
/// they are shown (JSON, or a `notes` column), for the results it lists.
fn rank_options(args: &RankArgs, format: OutputFormat, columns: Option<&Columns>) -> RankOptions {
    let json = matches!(format, OutputFormat::Json | OutputFormat::Ndjson);
    RankOptions {
        top: args.top,
        keep_filtered: format == OutputFormat::Json,
        notes: if json || columns.is_some_and(Columns::has_notes) {
            args.top.unwrap_or(NOTES_WITHOUT_TOP)
        } else {
            0
        },
        ..RankOptions::default()
    }
}

/// `--format`, else the format `--output`'s extension names, else a table on a terminal
/// and CSV elsewhere.
fn output_format(ui: &Ui, args: &RankArgs) -> Result<OutputFormat, Exit> {
    let from_extension = match (args.format, &args.output) {
        (None, Some(path)) if path.extension().is_some() => Some(output_format_of(ui, path)?),
        _ => None,
    };
    Ok(args.format.or(from_extension).unwrap_or(
        if args.output.is_none() && std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        },
    ))
}

/// Opens the candidate list and checks the output files before anything is read; with
/// `--rejects` the list is read into memory, so rejected rows are copied from the very
/// bytes that were ranked; then finds any column no header names.
fn open_input(
    ui: &Ui,
    args: &RankArgs,
    rules: &RuleSet,
) -> Result<(CandidateInput, Targets), Exit> {
    let mut input = args.candidates.open(ui, &args.rules.dir, Some(&rules.taxonomy))?;
    let (output, rejects, filtered) = output_targets(args, &input.source).map_err(|err| {
        ui.error(&err.to_string(), err.hint().as_deref());
        Exit::Fatal
    })?;
    if output.is_some() || rejects.is_some() || filtered.is_some() {
        // Ctrl-C or SIGTERM while a file is written removes its temp file.
        signal::install(ui);
    }
    if args.rejects.is_some() && input.format.is_columnar() {
        ui.error(
            &format!(
                "`--rejects` copies unusable rows out of a text list; {} rows cannot be copied",
                input.format.title()
            ),
            Some("the unusable rows are listed with their row numbers on stderr, and in `--format json` output"),
        );
        return Err(Exit::Fatal);
    }
    if args.rejects.is_some() {
        let source = std::mem::replace(&mut input.source, Source::Stdin);
        input.source = source.into_bytes().map_err(|err| {
            ui.error(&err.to_string(), err.hint().as_deref());
            Exit::Fatal
        })?;
    }
    input.infer_columns(ui, &args.rules.dir)?;
    Ok((input, Targets { output, rejects, filtered }))
}

/// Writes the ranking to `--output`, or stdout.
fn write_ranking(
    ui: &Ui,
    target: Option<&OutputTarget>,
    ranking: &Ranking,
    format: OutputFormat,
    columns: Option<&Columns>,
) -> Result<(), Exit> {
    let written = match target {
        Some(target) => target
            .write(|out| output::write_ranking_with(out, ranking, format, columns))
            .map_err(|err| err.to_string()),
        None => write_stdout(|out| output::write_ranking_with(out, ranking, format, columns))
            .map_err(|err| format!("cannot write the ranking: {err}")),
    };
    written.map_err(|message| {
        ui.error(&message, None);
        Exit::Fatal
    })
}

/// Copies the unusable rows, untouched, to `--rejects`, and says how many were found.
fn write_rejects(
    ui: &Ui,
    args: &RankArgs,
    target: &OutputTarget,
    input: &CandidateInput,
    ranking: &Ranking,
) -> Result<(), Exit> {
    let Source::Bytes { bytes, .. } = &input.source else {
        return Ok(());
    };
    let lines: std::collections::BTreeSet<u64> = ranking.errors.iter().map(|e| e.line).collect();
    let delimiter = args.candidates.import.delimiter(&input.options);
    let (text, found) = input::rejects::extract(bytes, input.format, delimiter, &lines);
    if let Err(err) = target.write(|out| out.write_all(&text)) {
        ui.error(&err.to_string(), None);
        return Err(Exit::Fatal);
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
    Ok(())
}

/// The `--output`, `--rejects` and `--filtered` files, checked before anything is read:
/// none may be a file the ranking reads (the candidate list, also as redirected stdin; the
/// mapping profile; any file in the rule folder), nor another of them.
#[allow(clippy::type_complexity)]
fn output_targets(
    args: &RankArgs,
    source: &Source,
) -> Result<(Option<OutputTarget>, Option<OutputTarget>, Option<OutputTarget>), OutputError> {
    if args.output.is_none() && args.rejects.is_none() && args.filtered.is_none() {
        return Ok((None, None, None));
    }
    let inputs = input_files(args, source);
    let target = |path: &Option<PathBuf>| {
        path.as_deref().map(|path| OutputTarget::new(path, &inputs)).transpose()
    };
    // With several brands `--output` is a template, checked once per brand.
    let output = if args.brand.len() > 1 || args.all_brands { None } else { target(&args.output)? };
    let rejects = target(&args.rejects)?;
    let filtered = target(&args.filtered)?;
    let all: Vec<&OutputTarget> = [&output, &rejects, &filtered].into_iter().flatten().collect();
    for (i, first) in all.iter().enumerate() {
        for second in &all[i + 1..] {
            first.distinct_from(second)?;
        }
    }
    Ok((output, rejects, filtered))
}

/// The files a ranking reads, which no output may be.
fn input_files(args: &RankArgs, source: &Source) -> Vec<InputFile> {
    let mut inputs = Vec::new();
    match source {
        Source::File(path) => inputs.push(InputFile::new("candidate list", path)),
        Source::Stdin => inputs.extend(InputFile::stdin("candidate list")),
        Source::Bytes { .. } => {}
    }
    if let Some(path) = args
        .candidates
        .import
        .mapping
        .as_ref()
        .and_then(|arg| mapping::locate(arg, &args.rules.dir).ok())
    {
        inputs.push(InputFile::new("mapping profile", &path));
    }
    inputs.extend(InputFile::all_under("rule file", &args.rules.dir));
    inputs
}

/// The columns `--columns` picks, checked: an unknown name is refused with the closest
/// one and the list; `--columns help` prints the list; JSON takes no columns.
fn ranking_columns(
    ui: &Ui,
    list: Option<&str>,
    format: OutputFormat,
) -> Result<Option<Columns>, Exit> {
    let Some(list) = list else { return Ok(None) };
    if list.trim() == "help" {
        let width = CATALOGUE.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let text: String =
            CATALOGUE.iter().map(|c| format!("{:width$}  {}\n", c.name, c.about)).collect();
        // A request for the list is answered, not ranked.
        let _ = write_stdout(|out| out.write_all(text.as_bytes()));
        return Err(Exit::Success);
    }
    if matches!(format, OutputFormat::Json | OutputFormat::Ndjson) {
        ui.error(
            &format!("`--columns` picks table and CSV columns, not {}", format.name()),
            Some("JSON carries every field; drop `--columns` or pick `--format table` or `csv`"),
        );
        return Err(Exit::Fatal);
    }
    match Columns::parse(list) {
        Ok(columns) if columns.iter().next().is_none() => {
            ui.error(
                "`--columns` names no column",
                Some(&format!("the columns are: {}", output::columns::names())),
            );
            Err(Exit::Fatal)
        }
        Ok(columns) => Ok(Some(columns)),
        Err(err) => {
            ui.error(&err.to_string(), Some(&err.hint()));
            Err(Exit::Fatal)
        }
    }
}

/// The format `--output`'s extension names; an extension scout cannot write (`.xlsx`,
/// `.html`) is refused, listing the formats, rather than silently getting CSV. (A name
/// without an extension gets CSV.)
fn output_format_of(ui: &Ui, path: &std::path::Path) -> Result<OutputFormat, Exit> {
    OutputFormat::from_path(path).ok_or_else(|| {
        let ext = path.extension().unwrap_or_default().to_string_lossy();
        ui.error(
            &format!("scout cannot write `.{ext}` files (`{}`)", path.display()),
            Some(&format!(
                "name the file `.csv`, `.json`, `.ndjson`/`.jsonl` or `.txt` (a table), or pass `--format` ({})",
                OutputFormat::ALL.map(OutputFormat::name).join(", ")
            )),
        );
        Exit::Fatal
    })
}

/// Ranks `source`: a CSV, Parquet or Arrow IPC file is read by all threads at once, with a progress bar on a
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
        (Source::File(path), format) if splits(format) => {
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
            let file = input::open_file(path, format, read)?;
            let ranking = rank::rank_csv(rules, brand, file, options, &|bytes| bar.inc(bytes));
            bar.finish_and_clear();
            ranking
        }
        _ => Ok(rank::rank(rules, brand, input::read_with(source, format, read)?, options)),
    }
}

/// [`rank_source`], sampling or streaming the rows it does not rank as `spill` says.
pub fn rank_source_spilled(
    rules: &RuleSet,
    brand: &Brand,
    source: &Source,
    format: Format,
    read: &ReadOptions,
    options: RankOptions,
    spill: rank::Spill<'_>,
) -> Result<Ranking, InputError> {
    match (source, format) {
        (Source::File(_), format)
            if splits(format) && spill.filtered.is_none() && spill.sample.is_none() =>
        {
            rank_source(rules, brand, source, format, read, options)
        }
        (Source::File(path), format) if splits(format) => {
            let file = input::open_file(path, format, read)?;
            rank::rank_csv_spilled(rules, brand, file, options, spill, &|_| {})
        }
        _ => Ok(rank::rank_spilled(
            rules,
            brand,
            input::read_with(source, format, read)?,
            options,
            spill,
        )),
    }
}

/// Whether a file of `format` is read on every thread at once (CSV, Parquet, Arrow IPC).
fn splits(format: Format) -> bool {
    matches!(format, Format::Csv | Format::Ndjson) || format.is_columnar()
}

/// The summary line that accounts for every row: `read = ranked + filtered + invalid +
/// rule errors` (the last only when there are any).
pub fn summary(ranking: &Ranking) -> String {
    let c = ranking.counts;
    let rule_errors = match c.rule_errors {
        0 => String::new(),
        n => format!(", {n} {}", plural(n, "rule error")),
    };
    format!(
        "ranked {} of {} {} for `{}` ({} filtered, {} invalid{rule_errors}) · revision {}",
        c.ranked,
        c.read,
        plural(c.read, "candidate"),
        ranking.brand,
        c.filtered,
        c.invalid,
        ranking.revision
    )
}

/// Prints each rule error once, located, then unusable rows, at most a screenful.
pub fn report_errors(ui: &Ui, ranking: &Ranking) {
    const SHOWN: usize = 20;
    let diagnostics: Vec<_> = ranking.rule_errors.iter().map(|e| e.diagnostic.clone()).collect();
    ui.diagnostics(&diagnostics);
    for warning in &ranking.warnings {
        ui.warning(warning);
    }
    if !ranking.duplicates.is_empty() {
        let lines: Vec<String> = ranking
            .duplicates
            .iter()
            .take(SHOWN)
            .map(|d| format!("line {} (first on line {})", d.line, d.first_line))
            .collect();
        let more = match ranking.duplicates.len().saturating_sub(SHOWN) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        ui.warning(&format!(
            "{} {} an account listed earlier and {} not ranked again: {}{more}",
            ranking.duplicates.len(),
            if ranking.duplicates.len() == 1 { "row repeats" } else { "rows repeat" },
            if ranking.duplicates.len() == 1 { "is" } else { "are" },
            lines.join(", ")
        ));
    }
    let duplicate = |e: &&crate::model::RowError| {
        ranking.duplicates.iter().any(|d| d.line == e.line && Some(&d.handle) == e.handle.as_ref())
    };
    for error in ranking.errors.iter().filter(|e| !duplicate(e)).take(SHOWN) {
        ui.error(&error.to_string(), None);
    }
    if ranking.counts.invalid > SHOWN {
        ui.status(&format!(
            "… and {} more unusable rows; `--rejects FILE` copies them all",
            ranking.counts.invalid - SHOWN
        ));
    }
}
