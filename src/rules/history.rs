//! A brand's past collaborations (`[history] file = "history/<brand>.csv"`): one row per
//! past post or deal, read from CSV or NDJSON with the rule folder, and the history metrics
//! the engine derives for one candidate from them.
//!
//! The history columns come from one table, [`HISTORY_COLUMNS`]: their names, the header
//! aliases exports use, whether a row needs them, and what they hold. Parsing is pure (the
//! file is read with the rest of the folder); every bad row becomes a diagnostic with its
//! line, never a silently dropped row.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::Candidate;
use crate::source::SourceFile;
use crate::text::lowercase;

/// One column of a history file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryColumn {
    /// When the post went out or the deal closed (`YYYY-MM-DD`).
    Date,
    /// The platform of the post.
    Platform,
    /// The creator's handle.
    Handle,
    /// The person behind the account, where the list has one.
    CreatorId,
    /// What the brand paid.
    Price,
    /// Delivered likes.
    Likes,
    /// Delivered comments.
    Comments,
    /// Delivered shares.
    Shares,
    /// Delivered views.
    Views,
    /// Clicks, where tracked.
    Clicks,
    /// Conversions, where tracked.
    Conversions,
    /// Revenue attributed to the post, where known.
    Revenue,
    /// The creator's followers at the time (a snapshot).
    Followers,
    /// The engagement rate the creator's profile promised at the time (a snapshot).
    PromisedEr,
    /// Free text.
    Note,
}

/// What a history column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// A date, `YYYY-MM-DD`.
    Date,
    /// Text.
    Text,
    /// A number (`1.2K`, `$300` and `1.5%` read as in candidate lists).
    Number,
}

/// A history column's name, aliases, kind, whether rows need it, and what it holds.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    /// The column.
    pub column: HistoryColumn,
    /// The canonical header.
    pub name: &'static str,
    /// Other headers read as this column (compared folded: case, spaces, `_` and `-`).
    pub aliases: &'static [&'static str],
    /// What it holds.
    pub kind: ColumnKind,
    /// Whether every row needs a value.
    pub required: bool,
    /// What it means, for people.
    pub doc: &'static str,
}

macro_rules! history_columns {
    ($($column:ident $name:literal [$($alias:literal),*] $kind:ident $required:literal $doc:literal;)*) => {
        /// Every history column, in canonical order.
        pub const HISTORY_COLUMNS: &[ColumnSpec] = &[$(ColumnSpec {
            column: HistoryColumn::$column,
            name: $name,
            aliases: &[$($alias),*],
            kind: ColumnKind::$kind,
            required: $required,
            doc: $doc,
        }),*];
    };
}

history_columns! {
    Date "date" ["posted", "posted on", "published", "deal date"] Date true "when the post went out (YYYY-MM-DD)";
    Platform "platform" ["network", "channel"] Text false "the platform; a row without one counts on every platform";
    Handle "handle" ["username", "account", "creator", "influencer"] Text true "the creator's handle, with or without @";
    CreatorId "creator_id" ["creator id", "person id", "talent id"] Text false "the person behind the account, matching the candidate list's";
    Price "price" ["price paid", "fee", "cost", "paid", "spend"] Number false "what the brand paid";
    Likes "likes" ["delivered likes"] Number false "delivered likes";
    Comments "comments" ["delivered comments"] Number false "delivered comments";
    Shares "shares" ["delivered shares"] Number false "delivered shares";
    Views "views" ["delivered views", "plays"] Number false "delivered views";
    Clicks "clicks" [] Number false "clicks, where tracked";
    Conversions "conversions" ["sales", "orders"] Number false "conversions, where tracked";
    Revenue "revenue" ["attributed revenue"] Number false "revenue the post brought, where known";
    Followers "followers" ["followers then"] Number false "the creator's followers at the time (else today's)";
    PromisedEr "promised_er" ["promised er", "er then", "profile er"] Number false "the ER the profile showed at the time (else today's)";
    Note "note" ["notes", "comment"] Text false "free text";
}

impl HistoryColumn {
    /// The column's spec in [`HISTORY_COLUMNS`].
    pub fn spec(self) -> &'static ColumnSpec {
        &HISTORY_COLUMNS[self as usize]
    }

    /// The column a header names, if any.
    pub fn of_header(header: &str) -> Option<HistoryColumn> {
        let key = fold(header);
        HISTORY_COLUMNS
            .iter()
            .find(|spec| fold(spec.name) == key || spec.aliases.iter().any(|a| fold(a) == key))
            .map(|spec| spec.column)
    }
}

fn fold(header: &str) -> String {
    header
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// One past post or deal.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HistoryRow {
    /// The row's line in the file.
    pub line: u64,
    /// Days since 1970-01-01.
    pub day: i64,
    /// The platform, lowercased.
    pub platform: Option<String>,
    /// The handle, lowercased, without `@`.
    pub handle: String,
    /// The creator id, as written.
    pub creator_id: Option<String>,
    /// What the brand paid.
    pub price: Option<f64>,
    /// Delivered likes.
    pub likes: Option<f64>,
    /// Delivered comments.
    pub comments: Option<f64>,
    /// Delivered shares.
    pub shares: Option<f64>,
    /// Delivered views.
    pub views: Option<f64>,
    /// Clicks.
    pub clicks: Option<f64>,
    /// Conversions.
    pub conversions: Option<f64>,
    /// Attributed revenue.
    pub revenue: Option<f64>,
    /// Followers at the time.
    pub followers: Option<f64>,
    /// The ER the profile promised at the time.
    pub promised_er: Option<f64>,
    /// Free text.
    pub note: Option<String>,
}

impl HistoryRow {
    /// Delivered likes + comments + shares; `None` without likes.
    pub fn engagements(&self) -> Option<f64> {
        self.likes.map(|l| l + self.comments.unwrap_or(0.0) + self.shares.unwrap_or(0.0))
    }

    /// The date as `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        date_text(self.day)
    }

    fn set(&mut self, column: HistoryColumn, text: &str) -> Result<(), String> {
        let text = text.trim();
        if crate::number::is_missing(text) {
            return Ok(());
        }
        let number = || crate::number::parse_number(text).map(|n| n.filter(|x| x.is_finite()));
        let slot = match column {
            HistoryColumn::Date => {
                self.day = parse_date(text)
                    .ok_or_else(|| format!("`{text}` is not a date (write YYYY-MM-DD)"))?;
                return Ok(());
            }
            HistoryColumn::Platform => {
                self.platform = Some(text.to_lowercase());
                return Ok(());
            }
            HistoryColumn::Handle => {
                self.handle = handle_key(text).into_owned();
                return Ok(());
            }
            HistoryColumn::CreatorId => {
                self.creator_id = Some(text.to_owned());
                return Ok(());
            }
            HistoryColumn::Note => {
                self.note = Some(text.to_owned());
                return Ok(());
            }
            HistoryColumn::Price => &mut self.price,
            HistoryColumn::Likes => &mut self.likes,
            HistoryColumn::Comments => &mut self.comments,
            HistoryColumn::Shares => &mut self.shares,
            HistoryColumn::Views => &mut self.views,
            HistoryColumn::Clicks => &mut self.clicks,
            HistoryColumn::Conversions => &mut self.conversions,
            HistoryColumn::Revenue => &mut self.revenue,
            HistoryColumn::Followers => &mut self.followers,
            HistoryColumn::PromisedEr => &mut self.promised_er,
        };
        let value = number()?;
        if value.is_some_and(|v| v < 0.0) {
            return Err(format!("`{text}` is negative"));
        }
        *slot = value;
        Ok(())
    }
}

fn handle_key(handle: &str) -> std::borrow::Cow<'_, str> {
    lowercase(handle.trim().trim_start_matches('@'))
}

/// Row indexes by handle or creator id (keys from the rule folder's history file).
type Index = HashMap<String, Vec<usize>, foldhash::fast::FixedState>;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (a time after it, `T…` or ` …`, is ignored).
pub fn parse_date(text: &str) -> Option<i64> {
    let date = text.trim().get(..10)?;
    let rest = &text.trim()[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of a day count since 1970-01-01.
pub fn date_text(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A brand's history file, parsed.
#[derive(Debug, Default)]
pub struct History {
    /// The file, relative to the rule folder.
    pub path: PathBuf,
    /// Every row, in file order.
    pub rows: Vec<HistoryRow>,
    /// The day "days since" counts from: `[history] as_of`, else the newest row's date.
    pub as_of: i64,
    by_handle: Index,
    by_creator: Index,
}

impl History {
    /// Indexes `rows` by handle and creator id.
    pub fn new(path: PathBuf, rows: Vec<HistoryRow>, as_of: Option<i64>) -> Self {
        let mut by_handle = Index::default();
        let mut by_creator = Index::default();
        for (i, row) in rows.iter().enumerate() {
            by_handle.entry(row.handle.clone()).or_default().push(i);
            if let Some(id) = &row.creator_id {
                by_creator.entry(id.to_lowercase()).or_default().push(i);
            }
        }
        let as_of = as_of.unwrap_or_else(|| rows.iter().map(|r| r.day).max().unwrap_or(0));
        Self { path, rows, as_of, by_handle, by_creator }
    }

    /// The rows about `candidate`, oldest first: its handle on its platform (rows without a
    /// platform count on every platform), or its `creator_id`.
    pub fn rows_of(&self, candidate: &Candidate) -> Vec<&HistoryRow> {
        let mut found: Vec<usize> = Vec::new();
        if let Some(rows) = self.by_handle.get(&*handle_key(&candidate.handle)) {
            let platform = candidate.platform.as_deref().map(lowercase);
            found.extend(rows.iter().copied().filter(|i| {
                match (&self.rows[*i].platform, &platform) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
            }));
        }
        if let Some(id) = candidate.creator_id.as_deref() {
            if let Some(rows) = self.by_creator.get(&*lowercase(id)) {
                found.extend(rows.iter().copied());
            }
        }
        if found.is_empty() {
            return Vec::new();
        }
        found.sort_unstable();
        found.dedup();
        let mut rows: Vec<&HistoryRow> = found.into_iter().map(|i| &self.rows[i]).collect();
        rows.sort_by_key(|r| (r.day, r.line));
        rows
    }

    /// How many distinct creators (handle, else creator id) the file names.
    pub fn creator_count(&self) -> usize {
        self.by_handle.len()
    }
}

/// What a candidate without history scores on `relationship`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NoHistory {
    /// `()`: the formula treats it as any missing component.
    #[default]
    Neutral,
    /// 0.
    Zero,
}

/// A brand's `[history]` settings.
#[derive(Clone, Debug)]
pub struct HistorySettings {
    /// The history file, if the brand has one.
    pub history: Option<Arc<History>>,
    /// Days after which a collaboration counts half as much.
    pub half_life_days: f64,
    /// How many collaborations count as an established relationship.
    pub established: f64,
    /// A collaboration whose delivery ratio is below this under-delivered.
    pub under_delivery_ratio: f64,
    /// What a candidate without history scores.
    pub no_history: NoHistory,
}

impl Default for HistorySettings {
    fn default() -> Self {
        Self {
            history: None,
            half_life_days: 365.0,
            established: 3.0,
            under_delivery_ratio: 0.7,
            no_history: NoHistory::Neutral,
        }
    }
}

/// One past collaboration as the engine judged it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PastCollaboration {
    /// The row's line in the history file.
    pub line: u64,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The platform of the post, lowercased; `None` when the row gives none.
    pub platform: Option<String>,
    /// What the brand paid.
    pub price: Option<f64>,
    /// Delivered engagements (likes + comments + shares).
    pub engagements: Option<f64>,
    /// Delivered engagements over the followers then (or the views, on a views basis).
    pub delivered_er: Option<f64>,
    /// The ER promised at the time: the row's `promised_er`, else today's ER.
    pub promised_er: Option<f64>,
    /// Delivered ER over the ER promised at the time.
    pub delivery_ratio: Option<f64>,
    /// Attributed revenue.
    pub revenue: Option<f64>,
    /// Free text.
    pub note: Option<String>,
}

/// What a candidate's history says.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HistoryMetrics {
    /// Past collaborations with this brand.
    pub collaborations: u32,
    /// Days from the last one to the "as of" date; `None` without history.
    pub last_collaboration_days: Option<f64>,
    /// Mean delivery ratio over the collaborations that have one.
    pub delivery_ratio: Option<f64>,
    /// Collaborations whose delivery ratio fell below `under_delivery_ratio`.
    pub under_deliveries: u32,
    /// Total price paid over total delivered engagements.
    pub history_cpe: Option<f64>,
    /// Revenue over the price paid, on the collaborations whose revenue is known.
    pub return_on_spend: Option<f64>,
    /// Each collaboration, oldest first.
    pub past: Vec<PastCollaboration>,
}

/// The history metrics of `candidate`, whose current ER is `current_er` (on `basis_views`
/// when the brand measures this platform's ER on views). `None` when the brand has no
/// history file.
pub fn metrics_of(
    settings: &HistorySettings,
    candidate: &Candidate,
    current_er: Option<f64>,
    basis_views: bool,
) -> Option<HistoryMetrics> {
    let history = settings.history.as_ref()?;
    let rows = history.rows_of(candidate);
    let mut m = HistoryMetrics { collaborations: rows.len() as u32, ..Default::default() };
    let Some(last) = rows.last() else { return Some(m) };
    m.last_collaboration_days = Some((history.as_of - last.day).max(0) as f64);
    let (mut ratios, mut paid, mut engaged) = (Vec::new(), 0.0, 0.0);
    let (mut revenue, mut revenue_paid, mut any_revenue) = (0.0, 0.0, false);
    for row in &rows {
        let engagements = row.engagements();
        let denominator = if basis_views {
            row.views
        } else {
            row.followers.or(Some(candidate.followers as f64))
        };
        let delivered = engagements.zip(denominator.filter(|d| *d > 0.0)).map(|(e, d)| e / d);
        let promised = row.promised_er.or(current_er).filter(|p| *p > 0.0);
        let ratio = delivered.zip(promised).map(|(d, p)| d / p);
        if let Some(r) = ratio {
            ratios.push(r);
            if r < settings.under_delivery_ratio {
                m.under_deliveries += 1;
            }
        }
        if let (Some(price), Some(e)) = (row.price, engagements) {
            paid += price;
            engaged += e;
        }
        if let (Some(rev), Some(price)) = (row.revenue, row.price) {
            revenue += rev;
            revenue_paid += price;
            any_revenue = true;
        }
        m.past.push(PastCollaboration {
            line: row.line,
            date: row.date(),
            platform: row.platform.clone(),
            price: row.price,
            engagements,
            delivered_er: delivered,
            promised_er: promised,
            delivery_ratio: ratio,
            revenue: row.revenue,
            note: row.note.clone(),
        });
    }
    if !ratios.is_empty() {
        m.delivery_ratio = Some(ratios.iter().sum::<f64>() / ratios.len() as f64);
    }
    m.history_cpe = (engaged > 0.0).then(|| paid / engaged);
    m.return_on_spend = (any_revenue && revenue_paid > 0.0).then(|| revenue / revenue_paid);
    Some(m)
}

/// The `relationship` component, 0–1: min(delivery ratio, 1) × (0.5 + 0.5 × maturity ×
/// recency), where maturity = min(collaborations / established, 1) and recency =
/// 0.5^(days since the last / half_life_days). `None` without history, unless the brand
/// says `no_history = "zero"`.
pub fn relationship(settings: &HistorySettings, metrics: Option<&HistoryMetrics>) -> Option<f64> {
    let m = metrics?;
    if m.collaborations == 0 {
        return match settings.no_history {
            NoHistory::Neutral => None,
            NoHistory::Zero => Some(0.0),
        };
    }
    let parts = RelationshipParts::of(settings, m);
    Some(parts.delivery * (0.5 + 0.5 * parts.maturity * parts.recency))
}

/// The factors of the `relationship` component of a candidate with history, as
/// [`relationship`] multiplies them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RelationshipParts {
    /// min(delivery ratio, 1); 1 when no collaboration has a delivery ratio.
    pub delivery: f64,
    /// min(collaborations / established, 1).
    pub maturity: f64,
    /// 0.5^(days since the last / half_life_days).
    pub recency: f64,
}

impl RelationshipParts {
    /// The factors for `m` under `settings`.
    pub fn of(settings: &HistorySettings, m: &HistoryMetrics) -> Self {
        let maturity = (f64::from(m.collaborations) / settings.established).min(1.0);
        let days = m.last_collaboration_days.unwrap_or(0.0);
        let recency = 0.5_f64.powf(days / settings.half_life_days);
        let delivery = m.delivery_ratio.map_or(1.0, |r| r.min(1.0));
        Self { delivery, maturity, recency }
    }
}

/// How the columns of a history file are named: `[history] mapping` (history column →
/// header in the file), over the built-in names and aliases.
pub type Mapping<'a> = &'a [(HistoryColumn, String)];

/// Parses a history file (CSV, or NDJSON when it ends in `.ndjson` or `.jsonl`). Every bad
/// row is a diagnostic located at its line.
pub fn parse(file: &SourceFile, mapping: Mapping) -> Result<Vec<HistoryRow>, Vec<Diagnostic>> {
    if file.rel.ends_with(".ndjson") || file.rel.ends_with(".jsonl") {
        parse_ndjson(file, mapping)
    } else {
        parse_csv(file, mapping)
    }
}

fn column_of(header: &str, mapping: Mapping) -> Option<HistoryColumn> {
    mapping
        .iter()
        .find(|(_, h)| fold(h) == fold(header))
        .map(|(c, _)| *c)
        .or_else(|| HistoryColumn::of_header(header))
}

/// The span of the line starting at `start`, without its line break.
fn line_span(text: &str, start: usize) -> std::ops::Range<usize> {
    let end = text[start..].find(['\n', '\r']).map_or(text.len(), |n| start + n);
    start..end
}

fn parse_csv(file: &SourceFile, mapping: Mapping) -> Result<Vec<HistoryRow>, Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(file.text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(err) => return Err(vec![file.whole(format!("cannot read the header: {err}"))]),
    };
    let columns: Vec<Option<HistoryColumn>> =
        headers.iter().map(|h| column_of(h, mapping)).collect();
    let mut diags = Vec::new();
    let missing: Vec<&str> = HISTORY_COLUMNS
        .iter()
        .filter(|s| s.required && !columns.contains(&Some(s.column)))
        .map(|s| s.name)
        .collect();
    if !missing.is_empty() {
        let span = line_span(&file.text, 0);
        return Err(vec![file
            .error(span, format!("history file lacks {}", backticked(&missing)))
            .label("header")
            .hint("name the column in the header, or map it: `[history] mapping = { date = \"Posted on\" }`")]);
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                diags.push(file.error(line_span(&file.text, start), format!("bad CSV: {err}")));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<(Option<HistoryColumn>, &str)> =
            columns.iter().copied().zip(record.iter()).collect();
        match row_of(line, &cells) {
            Ok(row) => rows.push(row),
            Err(message) => diags.push(
                file.error(
                    line_span(&file.text, start),
                    format!("bad history row {line}: {message}"),
                )
                .label("this row")
                .hint("fix the value, or leave the cell empty where the column is optional"),
            ),
        }
    }
    if diags.is_empty() {
        Ok(rows)
    } else {
        Err(diags)
    }
}

fn parse_ndjson(file: &SourceFile, mapping: Mapping) -> Result<Vec<HistoryRow>, Vec<Diagnostic>> {
    let (mut rows, mut diags, mut start) = (Vec::new(), Vec::new(), 0);
    for (i, text) in file.text.split('\n').enumerate() {
        let span = start..start + text.trim_end_matches('\r').len();
        start += text.len() + 1;
        if text.trim().is_empty() {
            continue;
        }
        let line = i as u64 + 1;
        let parsed = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .map_err(|err| format!("not a JSON object: {err}"))
            .and_then(|object| {
                let cells: Vec<(Option<HistoryColumn>, String)> = object
                    .iter()
                    .map(|(key, value)| {
                        let text = match value {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        (column_of(key, mapping), text)
                    })
                    .collect();
                let cells: Vec<(Option<HistoryColumn>, &str)> =
                    cells.iter().map(|(c, t)| (*c, t.as_str())).collect();
                row_of(line, &cells)
            });
        match parsed {
            Ok(row) => rows.push(row),
            Err(message) => diags.push(
                file.error(span, format!("bad history row {line}: {message}")).label("this row"),
            ),
        }
    }
    if diags.is_empty() {
        Ok(rows)
    } else {
        Err(diags)
    }
}

fn row_of(line: u64, cells: &[(Option<HistoryColumn>, &str)]) -> Result<HistoryRow, String> {
    let mut row = HistoryRow { line, day: i64::MIN, ..Default::default() };
    let mut problems = Vec::new();
    for (column, text) in cells {
        if let Some(column) = column {
            if let Err(e) = row.set(*column, text) {
                problems.push(format!("`{}`: {e}", column.spec().name));
            }
        }
    }
    if row.day == i64::MIN && !problems.iter().any(|p| p.starts_with("`date`")) {
        problems.push("`date` is missing".to_owned());
    }
    if row.handle.is_empty() {
        problems.push("`handle` is missing".to_owned());
    }
    if problems.is_empty() {
        Ok(row)
    } else {
        Err(problems.join("; "))
    }
}

fn backticked(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "2025-03-01"] {
            assert_eq!(date_text(parse_date(text).unwrap()), text);
        }
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2025-1-02"), None);
        assert_eq!(parse_date("2025-01-10").unwrap() - parse_date("2024-12-31").unwrap(), 10);
    }

    #[test]
    fn the_table_is_in_enum_order() {
        for (i, spec) in HISTORY_COLUMNS.iter().enumerate() {
            assert_eq!(spec.column as usize, i, "{}", spec.name);
        }
    }
}
