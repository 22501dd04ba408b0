//! `scout test`: run the rule folder's unit tests (`*.tests.toml`).

use super::{plural, write_stdout, Exit, RulesArg, Ui};
use crate::authoring::ruletest;

/// Arguments of `scout test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub rules: RulesArg,
    /// Run only the tests that run against this brand.
    #[arg(long, short)]
    pub brand: Option<String>,
}

/// Runs `scout test`.
pub fn run(ui: &Ui, args: &TestArgs) -> Exit {
    let rules = match ui.load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(exit) => return exit,
    };
    if let Some(name) = &args.brand {
        if let Err(err) = rules.brand(name) {
            ui.error(&err.to_string(), Some(&err.hint()));
            return Exit::Fatal;
        }
    }
    let report = match ruletest::run_tests(&rules, args.brand.as_deref()) {
        Ok(report) => report,
        Err(diagnostics) => {
            ui.diagnostics(&diagnostics);
            let n = diagnostics.len();
            ui.error(
                &format!(
                    "found {n} {} in the rule tests of `{}`",
                    plural(n, "problem"),
                    rules.root.display()
                ),
                Some("fix them; no case ran"),
            );
            return Exit::Fatal;
        }
    };
    if report.files.is_empty() {
        let whose = args.brand.as_ref().map(|b| format!(" for `{b}`")).unwrap_or_default();
        ui.warning(&format!("no rule tests{whose} in `{}`", rules.root.display()));
        ui.status("hint: add cases to `brands/<brand>.tests.toml`; `scout new brand NAME` writes a starter file");
    }
    if let Err(err) =
        write_stdout(|out| out.write_all(crate::text::printable_lines(&report.render()).as_bytes()))
    {
        ui.error(&format!("cannot write the report: {err}"), None);
        return Exit::Fatal;
    }
    if report.failed() > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }
}
