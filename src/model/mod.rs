//! Candidate records as scout sees them after import: canonical fields, optional values kept
//! optional, and any extra columns carried along for scripts. No I/O happens here.

mod field;
pub mod headers;

pub use self::field::Field;

use std::sync::Arc;

use serde::Serialize;

/// One influencer candidate, in scout's canonical fields.
///
/// Optional values stay `None` when the source did not give them; they are never coerced to
/// zero. Numbers are validated by the reader: counts are non-negative, percentages lie in 0–1.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Candidate {
    /// The line in the source file where this record starts (1-based; the header is line 1).
    pub line: u64,
    /// The account handle, without a leading `@`.
    pub handle: String,
    /// The platform, lowercased (`instagram`, `tiktok`, `youtube`, …).
    pub platform: Option<String>,
    /// The follower (or subscriber) count.
    pub followers: u64,
    /// How many accounts this account follows.
    pub following: Option<u64>,
    /// How many posts the account has published.
    pub posts: Option<u64>,
    /// Average likes per post.
    pub avg_likes: Option<f64>,
    /// Average comments per post.
    pub avg_comments: Option<f64>,
    /// Average shares per post.
    pub avg_shares: Option<f64>,
    /// Average views per post.
    pub avg_views: Option<f64>,
    /// The niches as written in the source; the rule set maps them onto its taxonomy.
    pub niches: Vec<String>,
    /// The audience or account country, as given (usually an ISO code).
    pub country: Option<String>,
    /// The share of fake or suspicious followers, 0–1.
    pub fake_follower_pct: Option<f64>,
    /// The price of one sponsored post, in the brand's currency.
    pub cost_per_post: Option<f64>,
    /// Per-post samples, when the source gave them (JSON `posts: [{likes, …}]`).
    pub post_samples: Vec<PostSample>,
    /// Columns scout has no canonical field for, kept so scripts can read them by name.
    pub extra: Vec<(Arc<str>, String)>,
}

impl Candidate {
    /// Returns the value of an extra column by its header name.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra.iter().find(|(key, _)| &**key == name).map(|(_, value)| value.as_str())
    }
}

/// The engagement figures of one post.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PostSample {
    /// Likes on the post.
    pub likes: Option<f64>,
    /// Comments on the post.
    pub comments: Option<f64>,
    /// Shares of the post.
    pub shares: Option<f64>,
    /// Views of the post.
    pub views: Option<f64>,
}

/// A candidate record that could not be used, with the reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowError {
    /// The line in the source file where the record starts.
    pub line: u64,
    /// The handle, when the row had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// The column at fault, when one column is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong, in one lowercase sentence.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: ", self.line)?;
        if let Some(handle) = &self.handle {
            write!(f, "`{handle}`: ")?;
        }
        f.write_str(&self.message)
    }
}
