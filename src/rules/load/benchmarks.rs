//! Engagement-rate benchmarks (`benchmarks.toml`, and a brand's `[benchmarks]` overrides):
//! tier names known to some scheme, rates that are fractions, a `[default]` for every tier.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::Loader;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::rules::raw::RawBenchmarks;
use crate::rules::tiers::TierScheme;
use crate::rules::Benchmarks;
use crate::source::SourceFile;

impl Loader<'_> {
    pub(super) fn benchmarks(
        &mut self,
        file: &SourceFile,
        schemes: &BTreeMap<PathBuf, Arc<TierScheme>>,
        check_names: bool,
    ) -> Option<Benchmarks> {
        let raw: RawBenchmarks = self.parse(file)?;
        if !raw.contains_key(Benchmarks::DEFAULT) {
            self.diags.push(
                Diagnostic::error(&file.path, "benchmarks.toml has no `[default]` table").hint(
                    "add `[default]` with one engagement rate per tier; platforms fall back to it",
                ),
            );
        }
        let known: Vec<&str> = schemes.values().flat_map(|s| s.names()).collect();
        let mut benchmarks = Benchmarks::default();
        self.benchmark_table(file, &raw, &known, check_names, &mut benchmarks);
        if let Some(defaults) = raw.get(Benchmarks::DEFAULT) {
            let header = file
                .text
                .match_indices("[default]")
                .map(|(at, _)| at)
                .find(|&at| at == 0 || file.text.as_bytes()[at - 1] == b'\n')
                .map_or(0..0, |at| at..at + "[default]".len());
            let mut missing: Vec<&str> = Vec::new();
            for name in &known {
                if !defaults.contains_key(*name) && !missing.contains(name) {
                    missing.push(name);
                }
            }
            for name in missing {
                let users: Vec<String> = schemes
                    .values()
                    .filter(|s| s.names().contains(&name))
                    .map(|s| format!("`{}`", s.path.display()))
                    .collect();
                self.diags.push(
                    file.error(
                        header.clone(),
                        format!("tier `{name}` has no benchmark in `[default]`"),
                    )
                    .label(format!("`{name}` is a tier of {}", users.join(", ")))
                    .hint(format!(
                        "add `{name} = 0.03` (the tier's usual engagement rate) under `[default]`"
                    )),
                );
            }
        }
        Some(benchmarks)
    }

    pub(super) fn benchmark_table(
        &mut self,
        file: &SourceFile,
        raw: &RawBenchmarks,
        known_tiers: &[&str],
        check_names: bool,
        into: &mut Benchmarks,
    ) {
        for (platform, table) in raw {
            for (tier, value) in table {
                let (tier_span, tier) = (tier.span(), tier.get_ref());
                if check_names && !known_tiers.contains(&tier.as_str()) {
                    let hint = match did_you_mean(tier, known_tiers.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("tiers defined: {}", known_tiers.join(", ")),
                    };
                    self.diags.push(
                        file.error(tier_span, format!("unknown tier `{tier}` in benchmarks"))
                            .label("no tier scheme defines this tier")
                            .hint(hint),
                    );
                }
                let rate = *value.get_ref();
                if !(rate > 0.0 && rate < 1.0) {
                    self.diags.push(
                        file.error(value.span(), format!("benchmark {rate} for `{platform}.{tier}` is not a fraction between 0 and 1"))
                            .label("engagement rates are fractions")
                            .hint(format!("write {rate}% as {}", rate / 100.0)),
                    );
                }
                into.insert(&platform.to_lowercase(), tier, rate);
            }
        }
    }
}
