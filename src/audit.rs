//! Auditing audiences: follower rows judged one by one by the audience rules
//! ([`crate::rules::audience`]), tallied per influencer into an estimated fake-follower
//! share with a Wilson interval, the most common reasons and a verdict band; and, with
//! labelled accounts, the rules' confusion matrix, F1 and ROC AUC ([`crate::metrics`]).
//!
//! Pure: rows come in as candidates from [`crate::input`], results go out to
//! [`crate::output::audit`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::{self, Confusion};
use crate::model::{Candidate, RowError};
use crate::rules::audience::{var, Audience, Values, VARIABLES};
use crate::rules::Sandbox;

/// Extra-column names (by header key) that feed each non-field audience variable.
const ALIASES: [(usize, &[&str]); 7] = [
    (
        var::HAS_PROFILE_PIC,
        &[
            "hasprofilepic",
            "userhasprofilpic",
            "userhasprofilepic",
            "profilepic",
            "hasprofilepicture",
        ],
    ),
    (var::IS_PRIVATE, &["isprivate", "userisprivate", "private"]),
    (var::BIO_LENGTH, &["biolength", "userbiographylength", "biographylength"]),
    (var::USERNAME_LENGTH, &["usernamelength", "handlelength"]),
    (var::USERNAME_DIGITS, &["usernamedigits", "usernamedigitcount", "handledigits"]),
    (var::HAS_EXTERNAL_URL, &["hasexternalurl", "userhasexternalurl", "externalurl", "website"]),
    (var::HIGHLIGHT_REELS, &["highlightreels", "highlightreelcount", "userhighlightreelscount"]),
];

/// Column names (by header key) of the influencer a follower row belongs to.
pub const INFLUENCER_COLUMNS: [&str; 2] = ["influencer", "of"];

/// The influencer name rows without an influencer column are tallied under.
pub const ALL: &str = "(all)";

/// The values of one follower row, and the influencer it belongs to.
pub fn values_of(row: &Candidate) -> (Values, Option<String>) {
    let mut values: Values = [None; VARIABLES.len()];
    values[var::FOLLOWERS] = Some(row.followers as f64);
    values[var::FOLLOWING] = row.following.map(|n| n as f64);
    values[var::POSTS] = row.posts.map(|n| n as f64);
    let mut influencer = None;
    let mut biography = None;
    for (name, text) in &row.extra {
        let key = crate::model::headers::key(name);
        if INFLUENCER_COLUMNS.contains(&key.as_str()) {
            let text = text.trim().trim_start_matches('@');
            if !text.is_empty() {
                influencer = Some(text.to_owned());
            }
            continue;
        }
        if key == "biography" || key == "bio" {
            biography = Some(text.chars().count() as f64);
            continue;
        }
        if let Some((v, _)) = ALIASES.iter().find(|(_, names)| names.contains(&key.as_str())) {
            values[*v] = if crate::rules::audience::is_flag(*v) {
                flag(text, *v == var::HAS_EXTERNAL_URL)
            } else {
                crate::number::parse_number(text).ok().flatten()
            };
        }
    }
    if values[var::BIO_LENGTH].is_none() {
        values[var::BIO_LENGTH] = biography;
    }
    if !row.handle.starts_with('#') {
        let handle = &row.handle;
        values[var::USERNAME_LENGTH].get_or_insert(handle.chars().count() as f64);
        values[var::USERNAME_DIGITS]
            .get_or_insert(handle.chars().filter(char::is_ascii_digit).count() as f64);
    }
    values[var::FOLLOWING_RATIO] =
        values[var::FOLLOWING].map(|following| following / (row.followers.max(1) as f64));
    (values, influencer)
}

/// An influencer's own values, for the no-sample estimate (`[estimate]`): followers,
/// following, posts, engagement rate ((likes + comments) / followers), likes per comment,
/// and the brand's benchmark when one is given.
pub fn own_values(c: &Candidate, benchmark: Option<f64>) -> Values {
    let mut values: Values = [None; VARIABLES.len()];
    values[var::FOLLOWERS] = Some(c.followers as f64);
    values[var::FOLLOWING] = c.following.map(|n| n as f64);
    values[var::POSTS] = c.posts.map(|n| n as f64);
    values[var::FOLLOWING_RATIO] =
        values[var::FOLLOWING].map(|following| following / (c.followers.max(1) as f64));
    if let (Some(likes), true) = (c.avg_likes, c.followers > 0) {
        values[var::ENGAGEMENT_RATE] =
            Some((likes + c.avg_comments.unwrap_or(0.0)) / c.followers as f64);
    }
    if let (Some(likes), Some(comments)) = (c.avg_likes, c.avg_comments) {
        values[var::LIKES_PER_COMMENT] = (comments > 0.0).then(|| likes / comments);
    }
    values[var::BENCHMARK] = benchmark;
    values
}

/// A flag cell: `1`/`0`, `true`/`false`, `yes`/`no`; for a URL column, any text is true.
fn flag(text: &str, url: bool) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "" | "n/a" | "null" | "none" => url.then_some(0.0),
        "1" | "true" | "yes" | "y" => Some(1.0),
        "0" | "false" | "no" | "n" => Some(0.0),
        _ if url => Some(1.0),
        _ => None,
    }
}

/// Whether a label cell says the account is fake.
pub fn label(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "fake" | "suspicious" | "bot" => Some(true),
        "0" | "false" | "no" | "real" | "genuine" | "human" => Some(false),
        _ => None,
    }
}

/// One influencer's tally.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Followers judged.
    pub judged: u64,
    /// Of those, suspicious.
    pub suspicious: u64,
    /// How often each signal fired among suspicious followers, by signal index.
    pub reasons: BTreeMap<usize, u64>,
}

/// An influencer's audit.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    /// The influencer.
    pub influencer: String,
    /// Followers judged: the sample size.
    pub sample: u64,
    /// Of those, suspicious.
    pub suspicious: u64,
    /// The estimated fake-follower share, 0–1.
    pub fake_follower_pct: f64,
    /// The 95 % Wilson interval's lower bound.
    pub ci_low: f64,
    /// Its upper bound.
    pub ci_high: f64,
    /// The verdict band.
    pub verdict: String,
    /// The most common reasons among suspicious followers: signal name and share of them.
    pub reasons: Vec<(String, f64)>,
}

/// The labelled-sample evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct LabelReport {
    /// The label column.
    pub column: String,
    /// The suspicion threshold used.
    pub threshold: f64,
    /// Rows with a usable label.
    pub labelled: u64,
    /// Rows whose label cell was missing or unreadable.
    pub unlabelled: u64,
    /// Fake = positive.
    pub confusion: Confusion,
    /// Precision, recall, F1 of the fake class.
    pub fake: metrics::ClassScores,
    /// The same of the real class.
    pub real: metrics::ClassScores,
    /// The mean of both F1s.
    pub macro_f1: f64,
    /// ROC AUC of the suspicion score.
    pub roc_auc: Option<f64>,
}

/// Row counts: `read = judged + invalid`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Counts {
    /// Rows read.
    pub read: u64,
    /// Rows judged.
    pub judged: u64,
    /// Rows that could not be used.
    pub invalid: u64,
}

/// A whole audit.
#[derive(Debug, Serialize)]
pub struct Audit {
    /// The rule revision.
    pub revision: String,
    /// The suspicion threshold.
    pub threshold: f64,
    /// Row counts.
    pub counts: Counts,
    /// One estimate per influencer, by name.
    pub influencers: Vec<Estimate>,
    /// The labelled evaluation, with `--labels`.
    pub labels: Option<LabelReport>,
    /// Unusable rows.
    #[serde(skip)]
    pub errors: Vec<RowError>,
}

/// Reasons shown per influencer.
pub const TOP_REASONS: usize = 3;

/// Audits follower rows: judges each with `audience`, tallies by influencer, and with
/// `labels` (a column name) evaluates the judgements against the labels.
pub fn audit(
    revision: &str,
    audience: &Audience,
    sandbox: &Sandbox,
    rows: impl Iterator<Item = Result<Candidate, RowError>>,
    labels: Option<&str>,
) -> Audit {
    let mut counts = Counts::default();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut errors = Vec::new();
    let label_key = labels.map(crate::model::headers::key);
    let (mut scores, mut truth, mut unlabelled) = (Vec::new(), Vec::new(), 0);
    let mut confusion = Confusion::default();
    for row in rows {
        counts.read += 1;
        let row = match row {
            Ok(row) => row,
            Err(err) => {
                counts.invalid += 1;
                errors.push(err);
                continue;
            }
        };
        let (values, influencer) = values_of(&row);
        let judgement = match audience.judge(sandbox, &values) {
            Ok(j) => j,
            Err(message) => {
                counts.invalid += 1;
                errors.push(RowError {
                    line: row.line,
                    handle: Some(row.handle.clone()),
                    column: None,
                    message,
                    record: None,
                });
                continue;
            }
        };
        counts.judged += 1;
        if let Some(key) = &label_key {
            let cell = row
                .extra
                .iter()
                .find(|(name, _)| crate::model::headers::key(name) == *key)
                .and_then(|(_, text)| label(text));
            match cell {
                Some(fake) => {
                    confusion.add(fake, judgement.suspicious);
                    scores.push(judgement.suspicion);
                    truth.push(fake);
                }
                None => unlabelled += 1,
            }
        }
        let tally = tallies.entry(influencer.unwrap_or_else(|| ALL.to_owned())).or_default();
        tally.judged += 1;
        if judgement.suspicious {
            tally.suspicious += 1;
            for i in judgement.fired {
                if audience.signals[i].weight > 0.0 {
                    *tally.reasons.entry(i).or_default() += 1;
                }
            }
        }
    }
    let influencers = tallies.into_iter().map(|(name, t)| estimate(audience, name, &t)).collect();
    let labels = labels.map(|column| LabelReport {
        column: column.to_owned(),
        threshold: audience.threshold,
        labelled: truth.len() as u64,
        unlabelled,
        confusion,
        fake: confusion.positive(),
        real: confusion.negative(),
        macro_f1: confusion.macro_f1(),
        roc_auc: metrics::roc_auc(&scores, &truth),
    });
    Audit {
        revision: revision.to_owned(),
        threshold: audience.threshold,
        counts,
        influencers,
        labels,
        errors,
    }
}

/// An influencer's estimate from a tally.
pub fn estimate(audience: &Audience, influencer: String, tally: &Tally) -> Estimate {
    let share = tally.suspicious as f64 / tally.judged.max(1) as f64;
    let (ci_low, ci_high) =
        metrics::wilson(tally.suspicious, tally.judged, metrics::Z95).unwrap_or((0.0, 1.0));
    let mut reasons: Vec<(usize, u64)> = tally.reasons.iter().map(|(&i, &n)| (i, n)).collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Estimate {
        verdict: audience.band(share).to_owned(),
        influencer,
        sample: tally.judged,
        suspicious: tally.suspicious,
        fake_follower_pct: share,
        ci_low,
        ci_high,
        reasons: reasons
            .into_iter()
            .take(TOP_REASONS)
            .map(|(i, n)| (audience.signals[i].name.clone(), n as f64 / tally.suspicious as f64))
            .collect(),
    }
}
