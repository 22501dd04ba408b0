//! Tier schemes (`tiers.toml`, `experiments/*.toml`): each tier list compiled and checked
//! (names, `when` conditions, gaps, overlaps), with every problem located.

use std::path::PathBuf;
use std::sync::Arc;

use super::scripts::condition_diagnostic;
use super::Loader;
use crate::diagnostic::Diagnostic;
use crate::rules::fast::{Constants, FastScript};
use crate::rules::raw::{RawTier, RawTierScheme};
use crate::rules::tiers::{check_tier_list, Bounds, Condition, Tier, TierProblem, TierScheme};
use crate::source::SourceFile;
use crate::text::thousands;

impl Loader<'_> {
    pub(super) fn scheme(&mut self, file: &SourceFile) -> Option<TierScheme> {
        let raw: RawTierScheme = self.parse(file)?;
        let before = self.error_count();
        if raw.tier.is_empty() {
            self.diags
                .push(Diagnostic::error(&file.path, "the tier scheme defines no tiers").hint(
                    "add `[[tier]]` tables with `name`, `min_followers` and `max_followers`",
                ));
        }
        let default = self.tier_list(file, &raw.tier, None);
        let mut platforms = Vec::new();
        for (platform, list) in &raw.platform {
            let tiers = self.tier_list(file, &list.tier, Some(platform));
            platforms.push((platform.to_lowercase(), tiers));
        }
        (self.error_count() == before).then(|| TierScheme {
            path: PathBuf::from(&file.rel),
            description: raw.description,
            default,
            platforms,
        })
    }
    pub(super) fn tier_list(
        &mut self,
        file: &SourceFile,
        raw: &[RawTier],
        platform: Option<&str>,
    ) -> Vec<Tier> {
        let mut tiers: Vec<Tier> = raw.iter().map(|tier| self.tier(file, tier)).collect();
        self.carve(file, raw, &mut tiers);
        let names: Vec<&str> = tiers.iter().map(|t| &*t.name).collect();
        let bounds: Vec<Bounds> = raw
            .iter()
            .zip(&tiers)
            .map(|(raw, tier)| Bounds {
                min: tier.min_followers,
                max: tier.max_followers,
                conditional: raw.when.is_some(),
            })
            .collect();
        if raw.is_empty() {
            return tiers;
        }
        let whose = platform.map(|p| format!(" for `{p}`")).unwrap_or_default();
        for problem in check_tier_list(&names, &bounds) {
            let diag = tier_problem(file, raw, &tiers, &names, &whose, problem);
            self.diags.push(diag);
        }
        tiers
    }

    /// Resolves `carved_from`: the parent must be another tier of the list; a carved tier
    /// without bounds of its own takes the parent's, and must lie within them. A `when`
    /// that reads `parent_benchmark` needs a parent.
    fn carve(&mut self, file: &SourceFile, raw: &[RawTier], tiers: &mut [Tier]) {
        for (i, tier) in raw.iter().enumerate() {
            let Some(parent) = &tier.carved_from else {
                if let Some(when) = &tier.when {
                    if mentions(when.get_ref(), "parent_benchmark") {
                        self.diags.push(
                            file.error(
                                when.span(),
                                format!(
                                    "tier `{}` reads `parent_benchmark` but is carved from no tier",
                                    tier.name.get_ref()
                                ),
                            )
                            .label("`parent_benchmark` is () here")
                            .hint("add `carved_from = \"micro\"` (the tier whose range this one takes a part of)"),
                        );
                    }
                }
                continue;
            };
            let name = parent.get_ref();
            let found = raw.iter().position(|t| t.name.get_ref() == name);
            let Some(p) = found.filter(|&p| p != i) else {
                let others = raw.iter().filter(|t| t.name.get_ref() != tier.name.get_ref());
                let names: Vec<&str> = others.map(|t| t.name.get_ref().as_str()).collect();
                let hint = match crate::diagnostic::did_you_mean(name, names.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("tiers of this list: {}", names.join(", ")),
                };
                let message = if found == Some(i) {
                    format!("tier `{name}` cannot be carved from itself")
                } else {
                    format!("`carved_from` names `{name}`, which is not a tier of this list")
                };
                self.diags.push(
                    file.error(parent.span(), message).label("no such parent tier").hint(hint),
                );
                continue;
            };
            let (min, max) = (tiers[p].min_followers, tiers[p].max_followers);
            if tier.min_followers.is_none() {
                tiers[i].min_followers = min;
            }
            if tier.max_followers.is_none() {
                tiers[i].max_followers = max;
            }
            let outside = tiers[i].min_followers < min
                || max.is_some_and(|max| tiers[i].max_followers.is_none_or(|m| m > max));
            if outside {
                let span = tier
                    .min_followers
                    .as_ref()
                    .filter(|m| *m.get_ref() < min)
                    .or(tier.max_followers.as_ref())
                    .map_or(parent.span(), |m| m.span());
                self.diags.push(
                    file.error(
                        span,
                        format!(
                            "tier `{}` ({}) reaches outside `{name}` ({}), which it is carved from",
                            tier.name.get_ref(),
                            tiers[i].bounds_text(),
                            tiers[p].bounds_text()
                        ),
                    )
                    .label(format!("outside `{name}`"))
                    .hint(format!(
                        "leave out `min_followers` and `max_followers` to take `{name}`'s bounds"
                    )),
                );
            }
            tiers[i].carved_from = Some(Arc::from(name.as_str()));
        }
    }

    /// One tier: its name checked, its `when` condition compiled.
    fn tier(&mut self, file: &SourceFile, tier: &RawTier) -> Tier {
        let name = tier.name.get_ref();
        let valid_name =
            !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            self.diags.push(
                file.error(tier.name.span(), format!("bad tier name `{name}`"))
                    .label("tier names are one word")
                    .hint("use letters, digits, `-` and `_`, e.g. `nano`, `mid-tier`, `meta_1`"),
            );
        }
        let when = tier.when.as_ref().and_then(|when| {
            match self.sandbox.compile_condition(when.get_ref()) {
                Ok(ast) => Some(Condition {
                    source: Arc::from(when.get_ref().as_str()),
                    fast: FastScript::compile(&ast, &Constants::default()).ok().map(Arc::new),
                    ast: Arc::new(ast),
                }),
                Err(err) => {
                    self.diags.push(condition_diagnostic(file, when, &err));
                    None
                }
            }
        });
        Tier {
            name: Arc::from(name.as_str()),
            min_followers: tier.min_followers.as_ref().map_or(0, |m| *m.get_ref()),
            max_followers: tier.max_followers.as_ref().map(|m| *m.get_ref()),
            when,
            carved_from: None,
        }
    }
}

/// Whether `source` mentions the identifier `name` (as a whole word).
fn mentions(source: &str, name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(name).any(|(at, _)| {
        !source[..at].chars().next_back().is_some_and(word)
            && !source[at + name.len()..].chars().next().is_some_and(word)
    })
}

/// A problem with a tier list, located at the bound or name at fault.
fn tier_problem(
    file: &SourceFile,
    raw: &[RawTier],
    tiers: &[Tier],
    names: &[&str],
    whose: &str,
    problem: TierProblem,
) -> Diagnostic {
    match problem {
        TierProblem::Empty { tier } => {
            let span = raw[tier].max_followers.as_ref().map_or(raw[tier].name.span(), |m| m.span());
            file.error(
                span,
                format!(
                    "tier `{}` can never match: max_followers {} is below min_followers {}",
                    names[tier],
                    thousands(tiers[tier].max_followers.unwrap_or(0)),
                    thousands(tiers[tier].min_followers)
                ),
            )
            .label("below min_followers")
        }
        TierProblem::Overlap { tier, other, from, to } => {
            let span = raw[tier].min_followers.as_ref().map_or(raw[tier].name.span(), |m| m.span());
            file.error(
                span,
                format!(
                    "tiers `{}` and `{}` overlap{whose} on {}–{} followers",
                    names[other],
                    names[tier],
                    thousands(from),
                    thousands(to)
                ),
            )
            .label(format!("`{}` already covers this", names[other]))
            .hint(format!(
                "bounds are inclusive: start `{}` at {}",
                names[tier],
                tiers[other].max_followers.map_or_else(|| "…".to_owned(), |m| thousands(m + 1))
            ))
        }
        TierProblem::Gap { from, to, next } => {
            let range = match to {
                Some(to) => format!("{}–{}", thousands(from), thousands(to)),
                None => format!("{} and above", thousands(from)),
            };
            let (span, hint) = match next {
                Some(next) => (
                    raw[next].min_followers.as_ref().map_or(raw[next].name.span(), |m| m.span()),
                    format!(
                        "start `{}` at {}, or add a tier for the gap",
                        names[next],
                        thousands(from)
                    ),
                ),
                None => {
                    let last =
                        raw.iter().enumerate().filter(|(_, t)| t.when.is_none()).max_by_key(
                            |(_, t)| t.min_followers.as_ref().map_or(0, |m| *m.get_ref()),
                        );
                    let span = last
                        .and_then(|(_, t)| t.max_followers.as_ref().map(|m| m.span()))
                        .unwrap_or(raw[0].name.span());
                    (
                        span,
                        "leave out `max_followers` on the top tier so it has no upper bound"
                            .to_owned(),
                    )
                }
            };
            file.error(span, format!("followers {range} fall into no tier{whose}"))
                .label("gap before this")
                .hint(hint)
        }
        TierProblem::Unreachable { tier } => file
            .error(raw[tier].name.span(), format!("tier `{}` can never match{whose}", names[tier]))
            .label("earlier tiers already take every count in its range")
            .hint("tiers match in order: move it above the tiers that cover its range"),
        TierProblem::Duplicate { tier, first } => file
            .error(raw[tier].name.span(), format!("tier `{}` is defined twice{whose}", names[tier]))
            .label(format!("first defined as tier {} of the list", first + 1))
            .hint("give each tier of a list its own name"),
    }
}
