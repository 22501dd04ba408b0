//! Engagement-rate benchmarks (`benchmarks.toml`, and a brand's `[benchmarks]` overrides):
//! tier names known to some scheme, rates that are fractions, a `[default]` for every tier
//! no brand gives itself, and curves whose anchors rise and hold fractions.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Loader, TESTS_SUFFIX};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::rules::curve::{check_points, Curve, CurveProblem};
use crate::rules::raw::{RawBenchmarks, RawBrand, RawCurve, RawRates};
use crate::rules::tiers::TierScheme;
use crate::rules::{Benchmarks, ErBasis};
use crate::source::SourceFile;

impl Loader<'_> {
    pub(super) fn benchmarks(
        &mut self,
        file: &SourceFile,
        schemes: &BTreeMap<PathBuf, Arc<TierScheme>>,
        check_names: bool,
    ) -> Option<Benchmarks> {
        let raw: RawBenchmarks = self.parse(file)?;
        if !raw.rates.contains_key(Benchmarks::DEFAULT) {
            self.diags.push(
                Diagnostic::error(&file.path, "benchmarks.toml has no `[default]` table").hint(
                    "add `[default]` with one engagement rate per tier; platforms fall back to it",
                ),
            );
        }
        let known: Vec<&str> = schemes.values().flat_map(|s| s.names()).collect();
        let mut benchmarks = Benchmarks::default();
        self.benchmark_table(file, &raw, &known, check_names, &mut benchmarks);
        let brand_tiers = self.brand_benchmark_tiers();
        if let Some(defaults) = raw.rates.get(Benchmarks::DEFAULT) {
            let header = file
                .text
                .match_indices("[default]")
                .map(|(at, _)| at)
                .find(|&at| at == 0 || file.text.as_bytes()[at - 1] == b'\n')
                .map_or(0..0, |at| at..at + "[default]".len());
            let in_defaults = |name: &str| {
                defaults.contains_key(name)
                    || raw.curves.contains_key(Benchmarks::DEFAULT)
                    || raw.by_basis.iter().any(|(_, tables)| {
                        tables.get(Benchmarks::DEFAULT).is_some_and(|t| t.contains_key(name))
                    })
            };
            let mut missing: Vec<&str> = Vec::new();
            for name in &known {
                let given = in_defaults(name) || brand_tiers.iter().any(|t| t == name);
                if !given && !missing.contains(name) {
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

    /// Tier names that brand files give benchmarks for themselves (`[benchmarks.<platform>]`
    /// in `brands/*.toml`): the folder's `[default]` need not name them. Brand files that do
    /// not parse are reported when the brand is loaded.
    pub(super) fn brand_benchmark_tiers(&self) -> Vec<String> {
        let brand_files = self.files.iter().filter(|f| {
            f.rel.starts_with("brands/")
                && f.rel.ends_with(".toml")
                && !f.rel.ends_with(TESTS_SUFFIX)
        });
        let mut names: Vec<String> = Vec::new();
        for file in brand_files {
            let Ok(raw) = toml::from_str::<RawBrand>(&file.text) else { continue };
            let b = &raw.benchmarks;
            let tables = b.rates.values().chain(b.by_basis.iter().flat_map(|(_, t)| t.values()));
            names.extend(tables.flat_map(|t| t.keys().map(|k| k.get_ref().clone())));
        }
        names.sort();
        names.dedup();
        names
    }

    pub(super) fn benchmark_table(
        &mut self,
        file: &SourceFile,
        raw: &RawBenchmarks,
        known_tiers: &[&str],
        check_names: bool,
        into: &mut Benchmarks,
    ) {
        for (platform, table) in &raw.rates {
            self.rates(file, None, platform, table, known_tiers, check_names, into);
        }
        for (basis, tables) in &raw.by_basis {
            for (platform, table) in tables {
                self.rates(file, Some(*basis), platform, table, known_tiers, check_names, into);
            }
        }
        for (platform, curve) in &raw.curves {
            if let Some(checked) = self.curve(file, platform, curve) {
                into.insert_curve(curve.basis, &platform.to_lowercase(), checked);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rates(
        &mut self,
        file: &SourceFile,
        basis: Option<ErBasis>,
        platform: &str,
        table: &RawRates,
        known_tiers: &[&str],
        check_names: bool,
        into: &mut Benchmarks,
    ) {
        let table_name = match basis {
            Some(basis) => format!("{}.{platform}", basis.name()),
            None => platform.to_owned(),
        };
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
                    file.error(
                        value.span(),
                        format!(
                            "benchmark {rate} for `{table_name}.{tier}` is not a fraction between 0 and 1"
                        ),
                    )
                    .label("engagement rates are fractions")
                    .hint(format!("write {rate}% as {}", rate / 100.0)),
                );
            }
            into.insert(basis, &platform.to_lowercase(), tier, rate);
        }
    }

    /// `[curve.<platform>]`: anchors rising, above 0 followers, rates fractions; every
    /// problem located at its anchor.
    fn curve(&mut self, file: &SourceFile, platform: &str, raw: &RawCurve) -> Option<Curve> {
        let points: Vec<(f64, f64)> = raw.points.get_ref().iter().map(|p| *p.get_ref()).collect();
        let problems = check_points(&points);
        for problem in &problems {
            let at = |i: usize| raw.points.get_ref()[i].span();
            let diag = match *problem {
                CurveProblem::Empty => file
                    .error(raw.points.span(), format!("the curve of `{platform}` has no anchors"))
                    .label("no points")
                    .hint(
                        "add `[followers, rate]` pairs, e.g. `[[5_000, 0.0426], [20_000, 0.0228]]`",
                    ),
                CurveProblem::FollowersNotPositive(i) => file
                    .error(
                        at(i),
                        format!(
                            "curve anchor {} of `{platform}` is at {} followers",
                            i + 1,
                            count(points[i].0)
                        ),
                    )
                    .label("follower counts must be above 0")
                    .hint("the curve is interpolated on log10 followers; start at 1 or more"),
                CurveProblem::NotRising(i) => file
                    .error(
                        at(i),
                        format!(
                            "curve anchors of `{platform}` are not sorted: {} followers after {}",
                            count(points[i].0),
                            count(points[i - 1].0)
                        ),
                    )
                    .label("not above the previous anchor")
                    .hint("list anchors by rising follower count, each count once"),
                CurveProblem::RateOutOfRange(i) => {
                    let rate = points[i].1;
                    file.error(
                        at(i),
                        format!(
                            "curve rate {rate} of `{platform}` is not a fraction between 0 and 1"
                        ),
                    )
                    .label("engagement rates are fractions")
                    .hint(if rate >= 1.0 {
                        format!("write {rate}% as {}", rate / 100.0)
                    } else {
                        "use a rate above 0 and below 1".to_owned()
                    })
                }
            };
            self.diags.push(diag);
        }
        problems.is_empty().then(|| Curve::new(&points))
    }
}

/// A follower count as people write it: `20,000`, or as given when it is not whole.
fn count(followers: f64) -> String {
    if followers.fract() == 0.0 && (0.0..1e18).contains(&followers) {
        crate::text::thousands(followers as u64)
    } else {
        followers.to_string()
    }
}
