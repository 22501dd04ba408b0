//! Audience rules (`audience.toml`): a threshold that is a fraction, signals with unique
//! names, weights from −1 to 1, conditions that compile over the account variables and
//! reasons that name only those variables, and verdict bands in ascending order.

use std::path::PathBuf;

use super::scripts::condition_diagnostic;
use super::Loader;
use crate::diagnostic::did_you_mean;
use crate::rules::audience::{
    self, Audience, Band, Estimator, RawAudience, RawSignal, Signal, Test, VARIABLES,
};
use crate::source::SourceFile;

impl Loader<'_> {
    pub(super) fn audience(&mut self, file: &SourceFile) -> Option<Audience> {
        let raw: RawAudience = self.parse(file)?;
        let errors = self.error_count();
        self.fraction(file, &raw.threshold, "threshold", true);
        let signals = self.signals(file, &raw.signal);
        let estimate = raw.estimate.as_ref().and_then(|estimate| {
            self.fraction(file, &estimate.base, "base", true);
            let signals = self.signals(file, &estimate.signal)?;
            Some(Estimator { base: *estimate.base.get_ref(), signals })
        });
        let mut bands: Vec<Band> = Vec::new();
        for (i, band) in raw.band.iter().enumerate() {
            let last = i + 1 == raw.band.len();
            let max = band.max_fake_share.as_ref();
            if let Some(max) = max {
                self.fraction(file, max, "max_fake_share", true);
                let previous = bands.last().and_then(|b| b.max_fake_share);
                if previous.is_some_and(|p| *max.get_ref() <= p) {
                    self.diags.push(
                        file.error(max.span(), "bands must go up in `max_fake_share`")
                            .label("not above the band before")
                            .hint("list bands from the most genuine to the most suspicious"),
                    );
                }
            } else if !last {
                self.diags.push(
                    file.error(
                        band.name.span(),
                        format!("band `{}` has no `max_fake_share`", band.name.get_ref()),
                    )
                    .label("only the last band may leave it out")
                    .hint("add `max_fake_share = 0.15`"),
                );
            }
            bands.push(Band {
                name: band.name.get_ref().clone(),
                max_fake_share: if last { None } else { max.map(|m| *m.get_ref()) },
            });
        }
        let signals = signals?;
        if self.error_count() > errors {
            return None;
        }
        Some(Audience {
            path: PathBuf::from(&file.rel),
            threshold: *raw.threshold.get_ref(),
            signals,
            bands,
            estimate,
        })
    }

    /// Checks and compiles a list of signals; `None` if any is broken.
    fn signals(&mut self, file: &SourceFile, raw: &[RawSignal]) -> Option<Vec<Signal>> {
        let scope = audience::template_scope();
        let mut signals = Vec::new();
        for signal in raw {
            let name = signal.name.get_ref();
            if signals.iter().any(|s: &Signal| &s.name == name) {
                self.diags.push(
                    file.error(signal.name.span(), format!("signal `{name}` is defined twice"))
                        .label("a second signal with this name")
                        .hint("give each signal its own name"),
                );
            }
            let weight = *signal.weight.get_ref();
            if !(-1.0..=1.0).contains(&weight) {
                self.diags.push(
                    file.error(
                        signal.weight.span(),
                        format!("weight {weight} of signal `{name}` is not between -1 and 1"),
                    )
                    .label("out of range")
                    .hint("a weight is what the signal adds to a suspicion of 0 to 1"),
                );
            }
            self.reason_placeholders(file, &signal.reason);
            let when = signal.when.get_ref();
            let test = match audience::simple_test(when) {
                Some(test) => Some(test),
                None => match self.sandbox.compile_condition_in(&scope, when) {
                    Ok(ast) => Some(Test::Script(ast)),
                    Err(err) => {
                        let mut diag = condition_diagnostic(file, &signal.when, &err);
                        if let Some(bad) = &err.undefined_variable {
                            let names = VARIABLES.iter().map(|(n, _)| *n);
                            diag.hint = Some(match did_you_mean(bad, names) {
                                Some(close) => format!("did you mean `{close}`?"),
                                None => format!(
                                    "audience conditions read: {}",
                                    VARIABLES.map(|(n, _)| n).join(", ")
                                ),
                            });
                        }
                        self.diags.push(diag);
                        None
                    }
                },
            };
            if let Some(test) = test {
                signals.push(Signal {
                    name: name.clone(),
                    when: when.clone(),
                    weight,
                    reason: signal.reason.get_ref().clone(),
                    reads: audience::reads(when),
                    test,
                });
            }
        }
        (signals.len() == raw.len()).then_some(signals)
    }

    fn reason_placeholders(&mut self, file: &SourceFile, reason: &toml::Spanned<String>) {
        let text = reason.get_ref();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else { break };
            let name = &rest[open + 1..open + close];
            if !VARIABLES.iter().any(|(n, _)| *n == name) {
                let at = reason.span().start + 1 + (text.len() - rest.len()) + open;
                let hint = match did_you_mean(name, VARIABLES.iter().map(|(n, _)| *n)) {
                    Some(close) => format!("did you mean `{{{close}}}`?"),
                    None => "a reason shows `{variable}` for an audience variable".to_owned(),
                };
                self.diags.push(
                    file.error(at..at + close + 1, format!("unknown variable `{name}` in reason"))
                        .label("not an audience variable")
                        .hint(hint),
                );
            }
            rest = &rest[open + close + 1..];
        }
    }
}
