//! The command line: clap types, their conversion into library calls, and every line scout
//! prints. Data goes to stdout; messages, diagnostics and progress go to stderr.

mod audit;
mod check;
mod completions;
mod diff;
mod evaluate;
mod explain;
mod import;
mod inspect;
mod man;
mod new;
mod plan;
mod rank;
mod report;
mod schema;
mod serve;
mod signal;
mod test;
mod watch;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Diagnostic;
use crate::rules::RuleSet;

/// How a run ended, as an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: all good.
    Success,
    /// 1: finished, but some rows were invalid or a script failed on some rows.
    Partial,
    /// 2: fatal: invalid rules, bad flags, unreadable input.
    Fatal,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Partial => 1,
            Exit::Fatal => 2,
        })
    }
}

/// scout: rank influencer candidates against a brand's rules.
#[derive(Debug, Parser)]
#[command(name = "scout", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// When to use colour in messages.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Lets clap take a library enum as a flag value, from the enum's own `ALL`, `name` and
/// `about`: the library keeps one list of values and knows nothing of clap.
macro_rules! value_enum {
    ($($ty:ty),* $(,)?) => {$(
        impl clap::ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &<$ty>::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
            }
        }
    )*};
}

value_enum!(
    crate::input::Format,
    crate::output::OutputFormat,
    crate::rules::plan::Objective,
    crate::authoring::schema::SchemaKind
);

/// When to colour messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// scout's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rank a candidate list for a brand.
    Rank(rank::RankArgs),
    /// Choose the candidates to book for a brand within a budget.
    Plan(plan::PlanArgs),
    /// Write a self-contained HTML report on a candidate list, to share with a client.
    Report(report::ReportArgs),
    /// Estimate influencers' fake-follower shares from follower samples (audience rules).
    Audit(audit::AuditArgs),
    /// Check a rule folder and report every problem in it.
    Check(check::CheckArgs),
    /// Show how scout reads a candidate list: column mapping, samples, empty and bad cells.
    Inspect(inspect::InspectArgs),
    /// Rank, then re-rank live as the rule files or the candidate list change.
    Watch(watch::WatchArgs),
    /// Serve rankings over HTTP, reloading the rules as they change.
    Serve(serve::ServeArgs),
    /// Run the rule folder's unit tests (`*.tests.toml`).
    Test(test::TestArgs),
    /// Explain why one candidate got its tier, verdicts and score.
    Explain(explain::ExplainArgs),
    /// Show what a rule change does to a candidate list.
    Diff(diff::DiffArgs),
    /// Measure how well a brand's rules predicted real campaign outcomes.
    Evaluate(evaluate::EvaluateArgs),
    /// Print or write JSON Schemas of the rule files, for editors.
    Schema(schema::SchemaArgs),
    /// Scaffold a new brand and its tests.
    New(new::NewArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write one per command into a folder.
    Man(man::ManArgs),
}

/// The `--rules` flag, shared by every command that reads rules.
#[derive(Clone, Debug, clap::Args)]
pub struct RulesArg {
    /// The rule folder.
    #[arg(long = "rules", value_name = "DIR", default_value = "rules", env = "SCOUT_RULES")]
    pub dir: PathBuf,
}

/// Where messages go, and whether they are coloured.
#[derive(Clone, Copy, Debug)]
pub struct Ui {
    /// Colour stderr messages.
    pub color: bool,
}

impl Ui {
    fn new(choice: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
        };
        Self { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Prints `error: message`, and `hint: …` when given.
    ///
    /// Messages quote data (handles, cells, paths), so the message and the hint go through
    /// [`printable`] here, as in [`Ui::warning`] and [`Ui::status`]: a cell cannot move the
    /// cursor or start a second line.
    pub fn error(&self, message: &str, hint: Option<&str>) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}: {}", self.paint("1;31", "error"), printable(message));
        if let Some(hint) = hint {
            let _ = writeln!(err, "{}: {}", self.paint("1;36", "hint"), printable(hint));
        }
    }

    /// Prints `warning: message`.
    pub fn warning(&self, message: &str) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}: {}",
            self.paint("1;33", "warning"),
            printable(message)
        );
    }

    /// Prints `note: message`.
    pub fn note(&self, message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{}: {message}", self.paint("1;32", "note"));
    }

    /// Prints a plain status line to stderr.
    pub fn status(&self, message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{}", printable(message));
    }

    /// Prints diagnostics to stderr.
    pub fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        let mut err = std::io::stderr().lock();
        for diagnostic in diagnostics {
            let _ = writeln!(err, "{}", diagnostic.render(self.color));
        }
    }

    /// Finds `name` among the rule set's brands, printing a "did you mean" when it is not
    /// there.
    pub fn brand<'r>(
        &self,
        rules: &'r RuleSet,
        name: &str,
    ) -> Result<&'r crate::rules::Brand, Exit> {
        rules.brand(name).map_err(|err| {
            self.error(&err.to_string(), Some(&err.hint()));
            Exit::Fatal
        })
    }

    /// Loads and validates the rules ([`crate::valid::validate`]: loads, copes with the
    /// probes, passes its rule tests), printing every diagnostic when they are invalid.
    pub fn valid_rules(&self, rules: &RulesArg) -> Result<RuleSet, Exit> {
        self.rules_or_exit(rules, crate::valid::validate(&rules.dir))
    }

    /// Loads the rules without running their tests or probes (`scout test` reports those
    /// itself), printing every diagnostic when they do not load.
    pub fn load_rules(&self, rules: &RulesArg) -> Result<RuleSet, Exit> {
        self.rules_or_exit(rules, crate::rules::load(&rules.dir))
    }

    fn rules_or_exit(
        &self,
        rules: &RulesArg,
        loaded: Result<RuleSet, Vec<Diagnostic>>,
    ) -> Result<RuleSet, Exit> {
        match loaded {
            Ok(rules) => {
                self.diagnostics(&rules.warnings);
                Ok(rules)
            }
            Err(diagnostics) => {
                self.diagnostics(&diagnostics);
                let errors = diagnostics
                    .iter()
                    .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                    .count();
                self.error(
                    &format!(
                        "the rule folder `{}` has {} {}",
                        rules.dir.display(),
                        errors,
                        plural(errors, "problem")
                    ),
                    Some(&format!(
                        "fix them, then run `scout check --rules {}`",
                        rules.dir.display()
                    )),
                );
                Err(Exit::Fatal)
            }
        }
    }
}

pub use crate::text::plural;
use crate::text::printable;

/// Writes to stdout; a closed pipe (`scout rank … | head`) is not an error.
pub fn write_stdout(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Runs scout with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => Exit::Fatal.into(),
            };
        }
    };
    run(cli).into()
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Exit {
    let ui = Ui::new(cli.color);
    match cli.command {
        Command::Rank(args) => rank::run(&ui, &args),
        Command::Plan(args) => plan::run(&ui, &args),
        Command::Report(args) => report::run(&ui, &args),
        Command::Audit(args) => audit::run(&ui, &args),
        Command::Check(args) => check::run(&ui, &args),
        Command::Inspect(args) => inspect::run(&ui, &args),
        Command::Watch(args) => watch::run(&ui, &args),
        Command::Serve(args) => serve::run(&ui, &args),
        Command::Test(args) => test::run(&ui, &args),
        Command::Explain(args) => explain::run(&ui, &args),
        Command::Diff(args) => diff::run(&ui, &args),
        Command::Evaluate(args) => evaluate::run(&ui, &args),
        Command::Schema(args) => schema::run(&ui, &args),
        Command::New(args) => new::run(&ui, &args),
        Command::Completions(args) => completions::run(&ui, &args),
        Command::Man(args) => man::run(&ui, &args),
    }
}
