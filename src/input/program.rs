//! The compiled column program behind a [`ColumnPlan`](super::columns::ColumnPlan): which
//! source columns feed which target, how their cells are read, and what fills the gaps.
//!
//! It is compiled once per file from the header row, the built-in aliases and an optional
//! [`Mapping`], then applied to every record. A plain file whose headers are scout's own
//! names skips it (the plan's fast path); everything else (aliases, duplicate headers,
//! profiles) runs through [`Program::build`].

use std::collections::HashMap;
use std::sync::Arc;

use super::{InputError, RowBuilder};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{headers, Field, Kind};
use crate::model::{Candidate, RowError};
use crate::number::{self as value, Decimal, Number};
use crate::rules::mapping::{
    find_header, Mapping, Pick, SourceRef, Target, Unit, DEFAULT_SEPARATORS,
};
use crate::rules::{normalize_niche, ErBasis};

/// How one target is fed.
#[derive(Clone, Debug, PartialEq)]
pub struct Feed {
    /// What it feeds.
    pub target: Target,
    /// The source columns (0-based), tried in order.
    pub columns: Vec<usize>,
    /// Per row, prefer the cell written as a plain number.
    pub prefer_raw: bool,
    /// The unit of plain numbers in a rate column.
    pub unit: Unit,
    /// A factor values are multiplied by.
    pub scale: f64,
    /// Label separators, for niches.
    pub separators: Vec<String>,
    /// What set this feed.
    pub origin: Origin,
}

/// What decided that a column feeds a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// scout's own name or a built-in alias.
    Alias,
    /// A mapping profile.
    Profile,
    /// Inferred from the cells, for a required field no header names
    /// ([`infer`](super::infer)).
    Inferred,
}

/// What one source column does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// It feeds a target (as the `nth` of `of` columns feeding it).
    Feeds {
        /// The target.
        target: Target,
        /// 1-based rank among the target's columns.
        nth: usize,
        /// How many columns feed the target.
        of: usize,
    },
    /// It is kept, by its header, as an extra column scripts can read.
    Extra,
    /// A profile's `ignore` drops it.
    Ignored,
}

/// The compiled program.
#[derive(Clone, Debug)]
pub struct Program {
    /// How many cells a record should have.
    pub width: usize,
    /// Each column's header, cleaned for display.
    pub headers: Vec<Arc<str>>,
    /// Each column's role.
    pub roles: Vec<Role>,
    /// The feeds, in field order, then derivations and checks.
    pub feeds: Vec<Feed>,
    /// Defaults by field, as cell text.
    pub defaults: Vec<(Field, Arc<str>)>,
    /// The decimal mark.
    pub decimal: Decimal,
    /// Category label (normalised) → canonical niches.
    pub niche_map: HashMap<String, Vec<String>>,
    /// The profile's name, when one was used.
    pub mapping: Option<String>,
}

/// What one row's cells gave, before the row is built.
type Picked = Result<Option<(usize, Number)>, (usize, String)>;

impl Program {
    /// Compiles a header row with an optional profile.
    // Kept whole: every step claims columns from one shared state, in an order rows rely on.
    pub fn compile(
        name: &str,
        raw_headers: &[String],
        mapping: Option<&Mapping>,
    ) -> Result<Program, InputError> {
        let width = raw_headers.len();
        let headers: Vec<Arc<str>> =
            raw_headers.iter().map(|h| Arc::from(headers::display(h).as_str())).collect();
        let mut roles = vec![Role::Extra; width];
        let mut claimed = vec![false; width];
        let mut feeds: Vec<Feed> = Vec::new();
        let mut problems: Vec<Diagnostic> = Vec::new();

        if let Some(mapping) = mapping {
            for rule in &mapping.rules {
                // Several headers are alternatives: those the file lacks are skipped, and
                // only when none is there does the first one's problem stop the file.
                let mut columns = Vec::new();
                let mut missing = Vec::new();
                for source in &rule.sources {
                    match resolve(mapping, name, raw_headers, &headers, source, rule.pick) {
                        Ok(found) => columns.extend(found),
                        Err(diag) => missing.push((source, *diag)),
                    }
                }
                let alternatives = rule.sources.len() > 1;
                for (source, diag) in missing {
                    let skippable = matches!(source, SourceRef::Header { text, .. }
                        if find_header(raw_headers, text).is_empty());
                    if !(alternatives && skippable && !columns.is_empty()) {
                        problems.push(diag);
                        if alternatives && skippable {
                            break; // one error for a list none of whose headers is here
                        }
                    }
                }
                columns.dedup();
                for &c in &columns {
                    claimed[c] = true;
                }
                feeds.push(Feed {
                    target: rule.target,
                    prefer_raw: rule.pick == Pick::Raw
                        && columns.len() > 1
                        && rule.target.is_numeric(),
                    columns,
                    unit: rule.unit,
                    scale: rule.scale,
                    separators: rule.separators.clone(),
                    origin: Origin::Profile,
                });
            }
            for source in &mapping.ignore {
                if let SourceRef::Header { text, .. } = source {
                    for c in find_header(raw_headers, text) {
                        if !claimed[c] {
                            claimed[c] = true;
                            roles[c] = Role::Ignored;
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(InputError::Mapping {
                name: name.to_owned(),
                mapping: mapping.map(|m| m.name.clone()).unwrap_or_default(),
                diagnostics: problems,
            });
        }

        for field in Field::ALL {
            if feeds.iter().any(|f| f.target == Target::Field(field)) {
                continue;
            }
            let matches: Vec<(usize, usize)> = (0..width)
                .filter(|&c| !claimed[c])
                .filter_map(|c| match headers::builtin_match(&raw_headers[c]) {
                    Some((f, rank)) if f == field => Some((c, rank)),
                    _ => None,
                })
                .collect();
            // A text field takes the most telling header only (`Tiktoker name`, not also
            // `Tiktok name`); the others stay extras. Numbers and labels take every match.
            let best = matches.iter().map(|&(_, rank)| rank).min();
            let columns: Vec<usize> = matches
                .iter()
                .filter(|&&(_, rank)| field.kind() != Kind::Text || Some(rank) == best)
                .map(|&(c, _)| c)
                .collect();
            feeds.extend(builtin_feed(Target::Field(field), columns, &mut claimed));
        }
        if !feeds.iter().any(|f| matches!(f.target, Target::EngagementsPerPost)) {
            let columns: Vec<usize> = (0..width)
                .filter(|&c| {
                    !claimed[c]
                        && headers::ENGAGEMENT_ALIASES
                            .contains(&headers::key(&raw_headers[c]).as_str())
                })
                .collect();
            feeds.extend(builtin_feed(Target::EngagementsPerPost, columns, &mut claimed));
        }
        let defaults: Vec<(Field, Arc<str>)> = mapping
            .map(|m| m.defaults.iter().map(|(f, v)| (*f, Arc::from(v.as_str()))).collect())
            .unwrap_or_default();
        let mut program = Program {
            width,
            headers,
            roles,
            feeds,
            defaults,
            decimal: mapping.map_or(Decimal::Point, |m| m.decimal),
            niche_map: mapping.map(|m| m.niche_map.clone()).unwrap_or_default(),
            mapping: mapping.map(|m| m.name.clone()),
        };
        program.assign_roles();
        Ok(program)
    }

    /// Orders the feeds and marks each column's role from them. Fields come first, in
    /// canonical order, so rows fail on the same column whatever the profile's order;
    /// derivations and checks after.
    fn assign_roles(&mut self) {
        self.feeds.sort_by_key(|f| match f.target {
            Target::Field(field) => Field::ALL.iter().position(|&x| x == field).unwrap_or(0),
            Target::EngagementsPerPost => 100,
            Target::EngagementRate(_) => 101,
            Target::CheckEngagementRate => 102,
        });
        for feed in &self.feeds {
            let of = feed.columns.len();
            for (i, &c) in feed.columns.iter().enumerate() {
                self.roles[c] = Role::Feeds { target: feed.target, nth: i + 1, of };
            }
        }
    }

    /// Feeds `field` from `columns`, which were extras: what [`infer`](super::infer) found
    /// for a required field no header names. Columns already feeding something are skipped.
    pub fn adopt(&mut self, field: Field, columns: &[usize]) {
        let target = Target::Field(field);
        let columns: Vec<usize> =
            columns.iter().copied().filter(|&c| self.roles.get(c) == Some(&Role::Extra)).collect();
        if columns.is_empty() || self.feed(target).is_some() {
            return;
        }
        let mut claimed = vec![false; self.width];
        if let Some(mut feed) = builtin_feed(target, columns, &mut claimed) {
            feed.origin = Origin::Inferred;
            self.feeds.push(feed);
        }
        self.assign_roles();
    }

    /// The first required field (`handle`, `followers`) no column feeds.
    pub fn missing_required(&self) -> Option<Field> {
        [Field::Handle, Field::Followers].into_iter().find(|&field| {
            !self.feeds.iter().any(|f| f.target == Target::Field(field) && !f.columns.is_empty())
        })
    }

    /// Whether the plain per-column loop gives the same rows: no profile, no duplicates, and
    /// every column that feeds a field is named exactly as the field.
    pub fn is_trivial(&self) -> bool {
        self.mapping.is_none()
            && self.feeds.iter().all(|feed| match (feed.target, feed.columns.as_slice()) {
                (Target::Field(field), [c]) => headers::is_canonical(&self.headers[*c], field),
                _ => false,
            })
    }

    /// The feed of a target, if anything feeds it.
    pub fn feed(&self, target: Target) -> Option<&Feed> {
        self.feeds.iter().find(|f| f.target == target)
    }

    /// The default of a field, if the profile sets one.
    pub fn default_of(&self, field: Field) -> Option<&str> {
        self.defaults.iter().find(|(f, _)| *f == field).map(|(_, v)| &**v)
    }

    /// The fields that get a value from somewhere: a column or a default.
    pub fn fed_fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|&f| self.feed(Target::Field(f)).is_some() || self.default_of(f).is_some())
            .collect()
    }

    /// Reads one number from a feed's cells: per row, a plain number when the feed prefers
    /// raw figures, else the first cell with a value. Unit and scale are applied.
    pub fn pick_number(&self, feed: &Feed, cells: &[&str]) -> Picked {
        let mut fallback: Option<(usize, Number)> = None;
        let mut problem: Option<(usize, String)> = None;
        for &c in &feed.columns {
            let cell = cells.get(c).copied().unwrap_or("");
            match value::parse(cell, self.decimal) {
                Ok(Some(number)) => {
                    if !feed.prefer_raw || number.plain {
                        return Ok(Some((c, self.convert(feed, number))));
                    }
                    fallback.get_or_insert((c, number));
                }
                Ok(None) => {}
                Err(why) => {
                    problem.get_or_insert((c, why));
                }
            }
        }
        match (fallback, problem) {
            (Some((c, number)), _) => Ok(Some((c, self.convert(feed, number)))),
            (None, Some(problem)) => Err(problem),
            (None, None) => Ok(None),
        }
    }

    fn convert(&self, feed: &Feed, mut number: Number) -> Number {
        if feed.unit == Unit::Percent && !number.percent {
            number.value /= 100.0;
            number.half_unit /= 100.0;
        }
        if feed.scale != 1.0 {
            number.value *= feed.scale;
            number.half_unit *= feed.scale;
        }
        number
    }

    /// The first cell with a value among a feed's columns.
    fn pick_text<'c>(&self, feed: &Feed, cells: &[&'c str]) -> Option<(usize, &'c str)> {
        feed.columns.iter().find_map(|&c| {
            let cell = cells.get(c).copied().unwrap_or("");
            (!value::is_missing(cell)).then_some((c, cell))
        })
    }

    /// The niche labels of a row, mapped through the profile's `[niches]`.
    pub fn niche_labels(&self, feed: &Feed, cells: &[&str]) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for &c in &feed.columns {
            let cell = cells.get(c).copied().unwrap_or("");
            let mut parts = vec![cell];
            for sep in &feed.separators {
                parts = parts.iter().flat_map(|p| p.split(sep.as_str())).collect();
            }
            for part in parts {
                let label = part.trim();
                if label.is_empty() || value::is_missing(label) {
                    continue;
                }
                let mapped = if self.niche_map.is_empty() {
                    None
                } else {
                    self.niche_map.get(&normalize_niche(label))
                };
                match mapped {
                    Some(targets) => labels.extend(targets.iter().cloned()),
                    None => labels.push(label.to_owned()),
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        labels.retain(|l| seen.insert(l.clone()));
        labels
    }

    /// Builds the candidate at `line` from one record's cells.
    pub fn build(&self, line: u64, cells: &[&str]) -> Result<Candidate, RowError> {
        let mut candidate = Candidate::default();
        self.fill(&mut candidate, line, cells)?;
        Ok(candidate)
    }

    /// Like [`Program::build`], filling `candidate` in place and reusing its buffers.
    // Kept whole: the per-row hot path; its steps share the scratch arrays on its stack.
    pub fn fill(
        &self,
        candidate: &mut Candidate,
        line: u64,
        cells: &[&str],
    ) -> Result<(), RowError> {
        let mut row = RowBuilder::new(candidate, line);
        if cells.len() != self.width {
            row.fail_row(
                None,
                format!("the row has {} cells but the header has {}", cells.len(), self.width),
            );
        }
        // The column each field's value came from, to name it when the value is refused.
        let mut chosen: [Option<usize>; 13] = [None; 13];
        let mut derived: Vec<(Target, usize, Number)> = Vec::new();
        let mut set = [false; 13];
        for feed in &self.feeds {
            match feed.target {
                Target::Field(Field::Niches) => {
                    let labels = self.niche_labels(feed, cells);
                    if !labels.is_empty() {
                        row.set(Field::Niches, &labels.join(";"));
                        set[index(Field::Niches)] = true;
                    }
                    chosen[index(Field::Niches)] = feed.columns.first().copied();
                }
                Target::Field(field) if !feed.target.is_numeric() => {
                    if let Some((c, cell)) = self.pick_text(feed, cells) {
                        chosen[index(field)] = Some(c);
                        set[index(field)] = true;
                        row.set(field, cell);
                    } else {
                        chosen[index(field)] = feed.columns.first().copied();
                    }
                }
                Target::Field(field) => match self.pick_number(feed, cells) {
                    Ok(Some((c, number))) => {
                        chosen[index(field)] = Some(c);
                        set[index(field)] = true;
                        row.set_number(field, Some(number.value));
                    }
                    Ok(None) => chosen[index(field)] = feed.columns.first().copied(),
                    Err((c, why)) => {
                        set[index(field)] = true;
                        row.fail_row(
                            Some(self.headers[c].to_string()),
                            format!("{} {why}{}", field.name(), self.column_note(c, field.name())),
                        );
                    }
                },
                Target::EngagementsPerPost | Target::EngagementRate(_) => {
                    match self.pick_number(feed, cells) {
                        Ok(Some((c, number))) => derived.push((feed.target, c, number)),
                        Ok(None) => {}
                        Err((c, why)) => row.fail_row(
                            Some(self.headers[c].to_string()),
                            format!(
                                "{} {why}{}",
                                feed.target.name(),
                                self.column_note(c, feed.target.name())
                            ),
                        ),
                    }
                }
                Target::CheckEngagementRate => {}
            }
        }
        for (field, text) in &self.defaults {
            if !set[index(*field)] {
                row.set(*field, text);
            }
        }
        for (c, role) in self.roles.iter().enumerate() {
            if *role == Role::Extra {
                let cell = cells.get(c).copied().unwrap_or("");
                row.set_extra(Arc::clone(&self.headers[c]), cell.to_owned());
            }
        }
        match row.finish() {
            Ok(()) => match derive(candidate, &derived) {
                Ok(()) => Ok(()),
                Err((target, c, message)) => Err(RowError {
                    line,
                    handle: Some(candidate.handle.clone()),
                    column: Some(self.headers[c].to_string()),
                    message: format!("{message}{}", self.column_note(c, target.name())),
                    record: None,
                }),
            },
            Err(mut error) => {
                // Name the source column when the builder blamed a canonical field.
                if let Some(field) =
                    Field::ALL.into_iter().find(|f| error.column.as_deref() == Some(f.name()))
                {
                    if let Some(c) = chosen[index(field)] {
                        let note = self.column_note(c, field.name());
                        error.column = Some(self.headers[c].to_string());
                        error.message.push_str(&note);
                    }
                }
                Err(error)
            }
        }
    }

    /// ` (column 3 `Subscribers count`)` when the header is not simply the target's name.
    fn column_note(&self, c: usize, name: &str) -> String {
        if headers::normalize(&self.headers[c]) == name {
            String::new()
        } else {
            format!(" (column {} `{}`)", c + 1, self.headers[c])
        }
    }
}

/// A feed of `columns` with the built-in reading (raw numbers preferred among duplicates,
/// default label separators), claiming them; `None` when there are no columns.
fn builtin_feed(target: Target, columns: Vec<usize>, claimed: &mut [bool]) -> Option<Feed> {
    if columns.is_empty() {
        return None;
    }
    for &c in &columns {
        claimed[c] = true;
    }
    Some(Feed {
        target,
        prefer_raw: columns.len() > 1 && target.is_numeric(),
        columns,
        unit: Unit::Fraction,
        scale: 1.0,
        separators: DEFAULT_SEPARATORS.iter().map(|s| (*s).to_owned()).collect(),
        origin: Origin::Alias,
    })
}

fn index(field: Field) -> usize {
    Field::ALL.iter().position(|&f| f == field).unwrap_or(0)
}

/// Fills `avg_likes` from an engagement total or rate, when the row gave no likes.
fn derive(
    candidate: &mut Candidate,
    derived: &[(Target, usize, Number)],
) -> Result<(), (Target, usize, String)> {
    let others = candidate.avg_comments.unwrap_or(0.0) + candidate.avg_shares.unwrap_or(0.0);
    for &(target, c, number) in derived {
        if candidate.avg_likes.is_some() {
            return Ok(());
        }
        let (total, slack, what) = match target {
            Target::EngagementsPerPost => {
                (number.value, number.half_unit, "engagements_per_post".to_owned())
            }
            Target::EngagementRate(basis) => {
                let base = match basis {
                    ErBasis::Followers => Some(candidate.followers as f64),
                    ErBasis::Views => candidate.avg_views,
                };
                let Some(base) = base else { continue };
                (
                    number.value * base,
                    number.half_unit * base,
                    format!("engagement_rate {} × {} {}", number.value, basis_name(basis), base),
                )
            }
            _ => continue,
        };
        if total < 0.0 {
            return Err((target, c, format!("{} {} is negative", target.name(), number.value)));
        }
        if total + slack < others {
            return Err((
                target,
                c,
                format!(
                    "{what} gives {total} engagements, fewer than comments + shares ({others})"
                ),
            ));
        }
        candidate.avg_likes = Some((total - others).max(0.0));
    }
    Ok(())
}

fn basis_name(basis: ErBasis) -> &'static str {
    match basis {
        ErBasis::Followers => "followers",
        ErBasis::Views => "views",
    }
}

/// Finds a profile source's columns in the header row, or says why it cannot.
fn resolve(
    mapping: &Mapping,
    name: &str,
    raw_headers: &[String],
    headers: &[Arc<str>],
    source: &SourceRef,
    pick: Pick,
) -> Result<Vec<usize>, Box<Diagnostic>> {
    match source {
        SourceRef::Position { index, span } => {
            if *index < raw_headers.len() {
                Ok(vec![*index])
            } else {
                Err(Box::new(
                    mapping
                        .error_at(span.clone(), format!("`{name}` has no column {}", index + 1))
                        .label(format!("the file has {} columns", raw_headers.len())),
                ))
            }
        }
        SourceRef::Header { text, span } => {
            let found = find_header(raw_headers, text);
            if found.is_empty() {
                let hint = match did_you_mean(text, headers.iter().map(|h| &**h)) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "columns in `{name}`: {}",
                        headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                return Err(Box::new(
                    mapping
                        .error_at(span.clone(), format!("no column `{text}` in `{name}`"))
                        .label("not a header of this file")
                        .hint(hint),
                ));
            }
            match pick {
                Pick::Raw => Ok(found),
                Pick::Last => Ok(found.last().copied().into_iter().collect()),
                Pick::Nth(n) => match found.get(n.saturating_sub(1)) {
                    Some(&c) => Ok(vec![c]),
                    None => Err(Box::new(
                        mapping
                            .error_at(
                                span.clone(),
                                format!(
                                    "`{name}` has {} {} named `{text}`, not {n}",
                                    found.len(),
                                    if found.len() == 1 { "column" } else { "columns" }
                                ),
                            )
                            .label("`pick` asks for more")
                            .hint("`pick` counts the columns sharing this header, from 1"),
                    )),
                },
            }
        }
    }
}
