//! Checking a raw mapping profile into a valid [`Mapping`]: delimiter and decimal mark,
//! one rule per column entry, defaults, niche map and ignored columns, every problem located.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::raw::{Names, Pick, RawColumn, RawDefaults, RawMapping, Unit};
use super::{parse_delimiter, Mapping, Rule, SourceRef, Target, DEFAULT_SEPARATORS};
use crate::diagnostic::Diagnostic;
use crate::model::{headers, Field, Kind};
use crate::number::Decimal;
use crate::rules::{normalize_niche, ErBasis};

pub(super) struct Checker<'a> {
    pub(super) path: &'a Path,
    pub(super) source: &'a Arc<str>,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) niche_defaults: Vec<Spanned<String>>,
}

impl Checker<'_> {
    fn diag(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.path, message).at(self.source, span)
    }

    pub(super) fn mapping(&mut self, name: &str, raw: RawMapping) -> Mapping {
        let delimiter = self.delimiter(&raw);
        let decimal = self.decimal(&raw);
        let mut rules = self.column_rules(&raw);
        let mapped = self.check_mapped_once(&rules);
        self.derived_rules(&raw, &mut rules);
        let defaults = self.defaults(&raw.defaults);
        let (niche_map, niche_targets) = self.niche_map(raw.niches);
        let ignore = self.ignore(&raw.ignore, &mapped);
        Mapping {
            name: name.to_owned(),
            path: self.path.to_owned(),
            source: Arc::clone(self.source),
            description: raw.description,
            delimiter,
            decimal,
            rules,
            defaults,
            niche_map,
            ignore,
            niche_targets,
        }
    }

    /// `delimiter`: one character, or a name for one.
    fn delimiter(&mut self, raw: &RawMapping) -> Option<u8> {
        raw.delimiter.as_ref().and_then(|d| match parse_delimiter(d.get_ref()) {
            Ok(byte) => Some(byte),
            Err(why) => {
                let hint = "use \",\", \";\", \"tab\" or \"|\"";
                self.diags.push(
                    self.diag(d.span(), format!("bad delimiter: {why}")).label("here").hint(hint),
                );
                None
            }
        })
    }

    /// `decimal`: `.` or `,`.
    fn decimal(&mut self, raw: &RawMapping) -> Decimal {
        match raw.decimal.as_ref().map(|d| (d.get_ref().as_str(), d.span())) {
            None | Some((".", _)) => Decimal::Point,
            Some((",", _)) => Decimal::Comma,
            Some((other, span)) => {
                self.diags.push(
                    self.diag(span, format!("bad decimal mark `{other}`"))
                        .label("here")
                        .hint("use \".\" (1,234.5) or \",\" (1.234,5)"),
                );
                Decimal::Point
            }
        }
    }

    /// A rule per `[columns]` entry, in field order.
    fn column_rules(&mut self, raw: &RawMapping) -> Vec<Rule> {
        let mut rules = Vec::new();
        for (field, entry) in raw.columns.entries() {
            if let Some(entry) = entry {
                if let Some(rule) = self.rule(Target::Field(field), entry) {
                    rules.push(rule);
                }
            }
        }
        rules
    }

    /// Each header feeds one field; returns the headers mapped, by normalised text.
    fn check_mapped_once(&mut self, rules: &[Rule]) -> Vec<(String, Field, Range<usize>)> {
        let mut mapped: Vec<(String, Field, Range<usize>)> = Vec::new();
        for rule in rules {
            let Target::Field(field) = rule.target else { continue };
            for source in &rule.sources {
                let SourceRef::Header { text, span } = source else { continue };
                let key = headers::normalize(text);
                if let Some((_, other, _)) =
                    mapped.iter().find(|(k, f, _)| *k == key && *f != field)
                {
                    let message = format!("`{text}` already feeds `{}`", other.name());
                    self.diags.push(self.diag(span.clone(), message).label("mapped twice").hint(
                        "a column feeds one field; use `[derive]` to compute one field from another",
                    ));
                } else {
                    mapped.push((key, field, span.clone()));
                }
            }
        }
        mapped
    }

    /// The rules of `[derive]` and `[check]`, after the column rules.
    fn derived_rules(&mut self, raw: &RawMapping, rules: &mut Vec<Rule>) {
        if let Some(entry) = &raw.derive.engagements_per_post {
            rules.extend(self.rule(Target::EngagementsPerPost, entry));
        }
        if let Some(entry) = &raw.derive.engagement_rate {
            let basis = entry.get_ref().basis.as_ref().map_or(ErBasis::Followers, |b| *b.get_ref());
            rules.extend(self.rule(Target::EngagementRate(basis), entry));
        }
        if let Some(entry) = &raw.check.engagement_rate {
            rules.extend(self.rule(Target::CheckEngagementRate, entry));
        }
    }

    /// `[niches]`: normalised category label → niche names, and every niche named (with
    /// those of `[defaults]`) for checking against the taxonomy.
    fn niche_map(
        &mut self,
        raw: BTreeMap<String, Spanned<Names>>,
    ) -> (HashMap<String, Vec<String>>, Vec<Spanned<String>>) {
        let mut niche_map = HashMap::new();
        let mut niche_targets = Vec::new();
        for (label, names) in raw {
            let span = names.span();
            let targets = names.into_inner().into_spanned(span.clone());
            if normalize_niche(&label).is_empty() {
                self.diags.push(
                    self.diag(span, "empty category label in `[niches]`").label("maps nothing"),
                );
                continue;
            }
            niche_map.insert(
                normalize_niche(&label),
                targets.iter().map(|t| t.get_ref().clone()).collect(),
            );
            niche_targets.extend(targets);
        }
        niche_targets.append(&mut self.niche_defaults);
        (niche_map, niche_targets)
    }

    /// `ignore`: columns dropped, none of them also mapped.
    fn ignore(
        &mut self,
        raw: &[Spanned<String>],
        mapped: &[(String, Field, Range<usize>)],
    ) -> Vec<SourceRef> {
        let mut ignore = Vec::new();
        for header in raw {
            let key = headers::normalize(header.get_ref());
            if let Some((_, field, _)) = mapped.iter().find(|(k, _, _)| *k == key) {
                let message = format!(
                    "`{}` is both ignored and mapped to `{}`",
                    header.get_ref(),
                    field.name()
                );
                self.diags.push(
                    self.diag(header.span(), message)
                        .label("ignored here")
                        .hint("remove it from `ignore` or from `[columns]`"),
                );
            }
            ignore.push(SourceRef::Header { text: header.get_ref().clone(), span: header.span() });
        }
        ignore
    }

    fn rule(&mut self, target: Target, entry: &Spanned<RawColumn>) -> Option<Rule> {
        let before = self.diags.len();
        let what = entry_name(target);
        let sources = self.sources(&what, entry);
        let raw = entry.get_ref();
        let pick = self.pick(raw);
        let unit = self.unit(&what, target, raw);
        let scale = self.scale(&what, target, raw);
        let separators = self.separators(&what, target, raw);
        self.check_basis(&what, target, raw);
        (self.diags.len() == before).then_some(Rule {
            target,
            sources,
            pick,
            unit,
            scale,
            separators,
        })
    }

    /// The columns an entry names, by header or by 1-based position, but not both.
    fn sources(&mut self, what: &str, entry: &Spanned<RawColumn>) -> Vec<SourceRef> {
        let span = entry.span();
        let raw = entry.get_ref();
        let mut sources: Vec<SourceRef> = raw
            .headers
            .iter()
            .map(|h| SourceRef::Header {
                text: h.get_ref().clone(),
                span: if h.span() == (0..0) { span.clone() } else { h.span() },
            })
            .collect();
        for source in &sources {
            if let SourceRef::Header { text, span } = source {
                if headers::normalize(text).is_empty() {
                    self.diags.push(
                        self.diag(span.clone(), format!("empty header in {what}"))
                            .label("matches no column"),
                    );
                }
            }
        }
        if let Some(position) = &raw.position {
            if !sources.is_empty() {
                self.diags.push(
                    self.diag(position.span(), format!("{what} has both `header` and `position`"))
                        .label("one or the other")
                        .hint("name the column by `header`, or give its 1-based `position`"),
                );
            } else if *position.get_ref() == 0 {
                self.diags.push(
                    self.diag(position.span(), "column positions count from 1")
                        .label("no column 0"),
                );
            } else {
                sources.push(SourceRef::Position {
                    index: (*position.get_ref() - 1) as usize,
                    span: position.span(),
                });
            }
        }
        if sources.is_empty() && raw.position.is_none() {
            self.diags.push(
                self.diag(span.clone(), format!("{what} names no column"))
                    .label("no `header`")
                    .hint("write `header = \"Column name\"`, or `position = 3`"),
            );
        }
        sources
    }

    /// Which of several same-named columns to use; `pick` counts from 1.
    fn pick(&mut self, raw: &RawColumn) -> Pick {
        match &raw.pick {
            Some(pick) if *pick.get_ref() == Pick::Nth(0) => {
                self.diags.push(
                    self.diag(pick.span(), "`pick` counts from 1")
                        .label("no column 0")
                        .hint("`pick = 1` is the first column with that header"),
                );
                Pick::Raw
            }
            Some(pick) => *pick.get_ref(),
            None => Pick::Raw,
        }
    }

    /// The unit of a rate column's plain numbers; only rates have one.
    fn unit(&mut self, what: &str, target: Target, raw: &RawColumn) -> Unit {
        match &raw.unit {
            Some(unit) if !target.is_rate() => {
                self.diags.push(self.diag(unit.span(), format!("{what} is not a rate; `unit` does not apply")).label("not a rate").hint("`unit` applies to `fake_follower_pct`, `derive.engagement_rate` and `check.engagement_rate`"));
                Unit::Fraction
            }
            Some(unit) => *unit.get_ref(),
            None => Unit::Fraction,
        }
    }

    /// The factor values are multiplied by: above 0, and only for number columns.
    fn scale(&mut self, what: &str, target: Target, raw: &RawColumn) -> f64 {
        match &raw.scale {
            Some(scale) if !target.is_numeric() => {
                self.diags.push(
                    self.diag(scale.span(), format!("{what} is text; `scale` does not apply"))
                        .label("not a number column"),
                );
                1.0
            }
            Some(scale) if !(scale.get_ref().0.is_finite() && scale.get_ref().0 > 0.0) => {
                self.diags.push(
                    self.diag(scale.span(), "`scale` must be a number above 0")
                        .label("here")
                        .hint("`scale = 1000` reads a column given in thousands"),
                );
                1.0
            }
            Some(scale) => scale.get_ref().0,
            None => 1.0,
        }
    }

    /// The label separators of a niches column, none of them empty.
    fn separators(&mut self, what: &str, target: Target, raw: &RawColumn) -> Vec<String> {
        match &raw.separators {
            Some(seps) if target != Target::Field(Field::Niches) => {
                self.diags.push(
                    self.diag(
                        seps.span(),
                        format!("{what} is not `niches`; `separators` does not apply"),
                    )
                    .label("only for niches"),
                );
                Vec::new()
            }
            Some(seps) if seps.get_ref().iter().any(String::is_empty) => {
                self.diags.push(
                    self.diag(seps.span(), "an empty separator splits nothing")
                        .label("here")
                        .hint("for hashtags use `separators = [\"#\", \" \"]`"),
                );
                Vec::new()
            }
            Some(seps) => seps.get_ref().clone(),
            None => DEFAULT_SEPARATORS.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `basis` applies only to `derive.engagement_rate`.
    fn check_basis(&mut self, what: &str, target: Target, raw: &RawColumn) {
        if let Some(basis) = &raw.basis {
            if !matches!(target, Target::EngagementRate(_)) {
                self.diags.push(
                    self.diag(basis.span(), format!("{what} has no basis; `basis` does not apply"))
                        .label("only for `derive.engagement_rate`"),
                );
            }
        }
    }

    fn defaults(&mut self, raw: &RawDefaults) -> Vec<(Field, String)> {
        let mut defaults = Vec::new();
        for (field, value) in [
            (Field::Platform, &raw.platform),
            (Field::Country, &raw.country),
            (Field::CreatorId, &raw.creator_id),
        ] {
            if let Some(value) = value {
                if value.get_ref().trim().is_empty() {
                    self.diags.push(
                        self.diag(value.span(), format!("empty default for `{}`", field.name()))
                            .label("leave the key out instead"),
                    );
                } else {
                    defaults.push((field, value.get_ref().trim().to_owned()));
                }
            }
        }
        if let Some(niches) = &raw.niches {
            let span = niches.span();
            let names = niches.get_ref().clone().into_spanned(span);
            self.niche_defaults.extend(names.iter().cloned());
            let joined: Vec<String> = names.iter().map(|n| n.get_ref().clone()).collect();
            defaults.push((Field::Niches, joined.join(";")));
        }
        let numbers = [
            (Field::Following, &raw.following),
            (Field::Posts, &raw.posts),
            (Field::AvgLikes, &raw.avg_likes),
            (Field::AvgComments, &raw.avg_comments),
            (Field::AvgShares, &raw.avg_shares),
            (Field::AvgViews, &raw.avg_views),
            (Field::FakeFollowerPct, &raw.fake_follower_pct),
            (Field::CostPerPost, &raw.cost_per_post),
        ];
        for (field, value) in numbers {
            let Some(value) = value else { continue };
            let v = value.get_ref().0;
            let whole = field.kind() == Kind::Count;
            let problem = if !v.is_finite() || v < 0.0 {
                Some(("must be a number of 0 or more".to_owned(), None))
            } else if whole && v.fract() != 0.0 {
                Some(("must be a whole number".to_owned(), None))
            } else if field.kind() == Kind::Fraction && v > 1.0 {
                Some((
                    "is not a fraction between 0 and 1".to_owned(),
                    Some(format!("write {v}% as {}", v / 100.0)),
                ))
            } else {
                None
            };
            match problem {
                Some((why, hint)) => {
                    self.diags.push(
                        self.diag(value.span(), format!("default `{}` {why}", field.name()))
                            .label("here")
                            .maybe_hint(hint),
                    );
                }
                None => defaults.push((field, v.to_string())),
            }
        }
        defaults
    }
}

/// How an entry is named in messages: `` `columns.followers` ``, `` `derive.engagement_rate` ``.
fn entry_name(target: Target) -> String {
    match target {
        Target::Field(field) => format!("`columns.{}`", field.name()),
        Target::EngagementsPerPost => "`derive.engagements_per_post`".to_owned(),
        Target::EngagementRate(_) => "`derive.engagement_rate`".to_owned(),
        Target::CheckEngagementRate => "`check.engagement_rate`".to_owned(),
    }
}
