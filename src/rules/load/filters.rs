//! A brand's `[filters]`: tiers of its scheme, bounds in range and in order, custom filters
//! compiled in the sandbox (condition and reason placeholders), `when_missing` naming
//! filters the brand sets. Filters keep the order the brand file writes them in.

use std::sync::Arc;

use rhai::{ASTNode, Expr};
use toml::Spanned;

use super::scripts::expression_diagnostic;
use super::{normalize_rel, Loader, TIERS_FILE};
use crate::diagnostic::did_you_mean;
use crate::rules::filters::{
    parse_reason, Check, CustomFilter, Filter, FilterSpec, Filters, Keywords, Measure, Range,
    ReasonPart, TemplatePart,
};
use crate::rules::raw::{MissingPolicy, RawBrand, RawCustomFilter, RawWhenMissing};
use crate::rules::script::{slots, VARIABLES};
use crate::rules::tiers::TierScheme;
use crate::source::SourceFile;

/// Script variables a custom filter may need: those that can be `()` for a candidate.
fn may_be_missing(slot: usize) -> bool {
    !matches!(slot, slots::EXTRA | slots::WEIGHTS | slots::BRAND | slots::SETTINGS)
        && !crate::model::Field::ALL
            .iter()
            .any(|f| slots::field(*f) == slot && matches!(f.kind(), crate::model::Kind::List))
}

impl Loader<'_> {
    /// `[filters]`: every filter the brand sets, checked, in the order it writes them.
    pub(super) fn filters(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        scheme: Option<&TierScheme>,
        tier_names: &[&str],
    ) -> Filters {
        let f = &raw.filters;
        if let (Some(tiers), Some(_)) = (&f.tiers, scheme) {
            self.filter_tiers(file, raw, tiers, tier_names);
        }
        self.bounds(file, &f.bounds);
        let customs: Vec<Option<Arc<CustomFilter>>> =
            f.custom.iter().map(|c| self.custom_filter(file, c)).collect();
        let (default_policy, per_filter) = match f.when_missing.as_ref().map(Spanned::get_ref) {
            None => (MissingPolicy::default(), Vec::new()),
            Some(RawWhenMissing::All(policy)) => (*policy, Vec::new()),
            Some(RawWhenMissing::PerFilter(table)) => {
                let default = table
                    .iter()
                    .find(|(k, _)| k.get_ref() == "default")
                    .map_or(MissingPolicy::default(), |(_, v)| *v.get_ref());
                (default, table.iter().filter(|(k, _)| k.get_ref() != "default").collect())
            }
        };
        let mut specs = Vec::new();
        let mut push = |name: &str, check: Check, own: Option<MissingPolicy>| {
            let when_missing = per_filter
                .iter()
                .find(|(k, _)| k.get_ref() == name)
                .map(|(_, v)| *v.get_ref())
                .or(own)
                .unwrap_or(default_policy);
            specs.push(FilterSpec { filter: Filter(Arc::from(name)), check, when_missing });
        };
        for key in &f.order {
            let name = key.get_ref().as_str();
            match name {
                "platforms" => push(
                    name,
                    Check::Platforms(
                        f.platforms.iter().flatten().map(|p| p.get_ref().to_lowercase()).collect(),
                    ),
                    None,
                ),
                "tiers" => push(
                    name,
                    Check::Tiers(f.tiers.iter().flatten().map(|t| t.get_ref().clone()).collect()),
                    None,
                ),
                "countries" => push(
                    name,
                    Check::Countries(
                        f.countries
                            .iter()
                            .flatten()
                            .map(|c| crate::country::normalize(c.get_ref()).to_uppercase())
                            .collect(),
                    ),
                    None,
                ),
                "exclude_keywords" if !f.exclude_keywords.is_empty() => {
                    push(name, Check::ExcludeKeywords, None);
                }
                "custom" => {
                    for (raw, custom) in f.custom.iter().zip(&customs) {
                        if let Some(custom) = custom {
                            let own = raw.when_missing.as_ref().map(|m| *m.get_ref());
                            push(raw.name.get_ref(), Check::Custom(Arc::clone(custom)), own);
                        }
                    }
                }
                _ => {
                    let value = f.bounds.iter().find(|(k, _)| k.get_ref() == name);
                    if let (Some((measure, is_min)), Some((_, value))) =
                        (Measure::of_key(name), value)
                    {
                        let v = *value.get_ref();
                        let check =
                            if is_min { Check::Min(measure, v) } else { Check::Max(measure, v) };
                        push(name, check, None);
                    }
                }
            }
        }
        self.when_missing_names(file, &per_filter, &specs);
        self.custom_names(file, &f.custom);
        Filters {
            specs,
            exclude_keywords: Keywords::new(f.exclude_keywords.iter().map(|k| k.get_ref().clone())),
            keyword_columns: f.keyword_columns.clone().unwrap_or_else(|| {
                ["bio", "description", "caption", "hashtags", "name"].map(String::from).to_vec()
            }),
            keyword_match: f.keyword_match.unwrap_or_default(),
        }
    }

    /// `filters.tiers` names tiers of the brand's scheme.
    fn filter_tiers(
        &mut self,
        file: &SourceFile,
        raw: &RawBrand,
        tiers: &[Spanned<String>],
        tier_names: &[&str],
    ) {
        for tier in tiers {
            if !tier_names.contains(&tier.get_ref().as_str()) {
                let hint = match did_you_mean(tier.get_ref(), tier_names.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("tiers in this scheme: {}", tier_names.join(", ")),
                };
                let scheme_name = raw
                    .tiers
                    .as_ref()
                    .map_or(TIERS_FILE.to_owned(), |t| normalize_rel(t.get_ref()));
                self.diags.push(
                    file.error(
                        tier.span(),
                        format!("unknown tier `{}` in `filters.tiers`", tier.get_ref()),
                    )
                    .label(format!("not a tier of `{scheme_name}`"))
                    .hint(hint),
                );
            }
        }
    }

    /// Every bound in its measure's range, and no `max_` below its `min_`.
    fn bounds(&mut self, file: &SourceFile, bounds: &[(Spanned<String>, Spanned<f64>)]) {
        for (key, value) in bounds {
            let Some((measure, is_min)) = Measure::of_key(key.get_ref()) else { continue };
            let v = *value.get_ref();
            match measure.range() {
                Range::Fraction(inclusive) => self.fraction(file, value, key.get_ref(), inclusive),
                _ if v < 0.0 => self.diags.push(
                    file.error(value.span(), format!("{} cannot be negative", key.get_ref()))
                        .label("negative"),
                ),
                Range::Count if v.fract() != 0.0 => self.diags.push(
                    file.error(value.span(), format!("{} must be a whole number", key.get_ref()))
                        .label(format!("{} is a count", measure.name())),
                ),
                _ => {}
            }
            if is_min {
                continue;
            }
            let min = bounds.iter().find(|(k, _)| {
                Measure::of_key(k.get_ref()).is_some_and(|(m, is_min)| m == measure && is_min)
            });
            if let Some((min_key, min)) = min {
                if *min.get_ref() > v {
                    self.diags.push(
                        file.error(
                            value.span(),
                            format!(
                                "{} {} is below {} {}",
                                key.get_ref(),
                                measure.format(v),
                                min_key.get_ref(),
                                measure.format(*min.get_ref())
                            ),
                        )
                        .label("no candidate can pass")
                        .hint("swap the two values"),
                    );
                }
            }
        }
    }

    /// One `[[filters.custom]]`: its condition and its reason's placeholders compiled.
    fn custom_filter(
        &mut self,
        file: &SourceFile,
        raw: &RawCustomFilter,
    ) -> Option<Arc<CustomFilter>> {
        let before = self.error_count();
        let ast = match self.sandbox.compile_condition(raw.reject_when.get_ref()) {
            Ok(ast) => Some(ast),
            Err(err) => {
                let at = raw.reject_when.span().start + 1;
                self.diags.push(expression_diagnostic(file, at, &err, "`reject_when`"));
                None
            }
        };
        let needs = match &raw.needs {
            Some(needs) => needs
                .iter()
                .filter_map(|name| {
                    let slot =
                        crate::rules::fast::slot(name.get_ref()).filter(|s| may_be_missing(*s));
                    if slot.is_none() {
                        let names = VARIABLES
                            .iter()
                            .enumerate()
                            .filter(|(slot, _)| may_be_missing(*slot))
                            .map(|(_, (n, _))| *n);
                        let hint = match did_you_mean(name.get_ref(), names) {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => "name script variables that can be missing, e.g. `following`"
                                .to_owned(),
                        };
                        self.diags.push(
                            file.error(
                                name.span(),
                                format!(
                                    "`{}` in `needs` is not a value that can be missing",
                                    name.get_ref()
                                ),
                            )
                            .label("not a candidate value")
                            .hint(hint),
                        );
                    }
                    slot
                })
                .collect(),
            None => ast.as_ref().map(variables_read).unwrap_or_default(),
        };
        let reason = match &raw.reason {
            None => vec![ReasonPart::Text(format!("rejected: {}", raw.reject_when.get_ref()))],
            Some(template) => self.reason(file, template),
        };
        if self.error_count() > before {
            return None;
        }
        let ast = ast?;
        Some(Arc::new(CustomFilter {
            source: Arc::from(raw.reject_when.get_ref().as_str()),
            reads: crate::rules::script::Reads::of(&ast)
                .union(crate::rules::script::Reads::of_slots(&needs)),
            ast,
            fast: None,
            needs,
            reason,
        }))
    }

    /// A reason template, each placeholder compiled as an expression.
    fn reason(&mut self, file: &SourceFile, template: &Spanned<String>) -> Vec<ReasonPart> {
        let start = template.span().start + 1;
        match parse_reason(template.get_ref()) {
            Err((offset, problem)) => {
                let at = start + offset;
                self.diags.push(
                    file.error(at..at + 1, format!("bad reason template: {problem}"))
                        .label("here")
                        .hint("placeholders are `{variable}`, `{expression}` or `{expression:.2}`"),
                );
                Vec::new()
            }
            Ok(parts) => parts
                .into_iter()
                .filter_map(|part| match part {
                    TemplatePart::Text(text) => Some(ReasonPart::Text(text)),
                    TemplatePart::Value { expr, offset, decimals } => {
                        match self.sandbox.compile_condition(expr) {
                            Ok(ast) => Some(ReasonPart::Value(ast, decimals)),
                            Err(err) => {
                                self.diags.push(expression_diagnostic(
                                    file,
                                    start + offset,
                                    &err,
                                    "a `reason` placeholder",
                                ));
                                None
                            }
                        }
                    }
                })
                .collect(),
        }
    }

    /// Custom filter names: one word, unique, and not the key of a built-in filter.
    fn custom_names(&mut self, file: &SourceFile, customs: &[RawCustomFilter]) {
        for (i, custom) in customs.iter().enumerate() {
            let name = custom.name.get_ref();
            let one_word = !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            let problem = if !one_word {
                Some(("bad custom filter name", "filter names are one word"))
            } else if crate::rules::filters::filter_keys().contains(&name.as_str())
                || name == "default"
            {
                Some(("custom filter name is taken", "a built-in key of `[filters]`"))
            } else if customs[..i].iter().any(|c| c.name.get_ref() == name) {
                Some(("duplicate custom filter name", "already used above"))
            } else {
                None
            };
            if let Some((message, label)) = problem {
                self.diags.push(
                    file.error(custom.name.span(), format!("{message} `{name}`"))
                        .label(label)
                        .hint("use letters, digits, `-` and `_`, e.g. `follow_for_follow`"),
                );
            }
        }
    }

    /// Every filter a `when_missing` table names is one the brand sets.
    fn when_missing_names(
        &mut self,
        file: &SourceFile,
        per_filter: &[&(Spanned<String>, Spanned<MissingPolicy>)],
        specs: &[FilterSpec],
    ) {
        for (key, _) in per_filter {
            if specs.iter().any(|s| s.filter.as_str() == key.get_ref()) {
                continue;
            }
            let names = specs.iter().map(|s| s.filter.as_str());
            let hint = match did_you_mean(key.get_ref(), names) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "filters this brand sets: {}",
                    specs.iter().map(|s| s.filter.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            self.diags.push(
                file.error(
                    key.span(),
                    format!(
                        "`when_missing` names `{}`, which is not a filter of this brand",
                        key.get_ref()
                    ),
                )
                .label("not set under `[filters]`")
                .hint(hint),
            );
        }
    }
}

/// The slots of the variables an expression reads that can be missing.
fn variables_read(ast: &rhai::AST) -> Vec<usize> {
    let mut slots = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Variable(var, _, _))) = path.last() {
            if let Some(slot) = crate::rules::fast::slot(var.1.as_str()) {
                if may_be_missing(slot) && !slots.contains(&slot) {
                    slots.push(slot);
                }
            }
        }
        true
    });
    slots
}
