//! Candidate records as scout sees them after import: canonical fields, optional values kept
//! optional, and any extra columns carried along for scripts. No I/O happens here.

mod field;
pub mod headers;

pub(crate) use self::field::candidate_fields;
pub use self::field::{Field, Kind};

use std::sync::Arc;

use serde::Serialize;

macro_rules! define_candidate_struct {
    ($(($variant:ident, $member:ident, $kind:ident, $required:tt, $ranking:tt, $doc:literal,
        $($rest:tt)*))*) => {
        /// One influencer candidate, in scout's canonical fields.
        ///
        /// Optional values stay `None` when the source did not give them; they are never
        /// coerced to zero. Numbers are validated by the reader: counts are non-negative,
        /// percentages lie in 0–1. The canonical members come from the table in `model::field`.
        #[derive(Clone, Debug, Default, PartialEq, Serialize)]
        pub struct Candidate {
            /// The line in the source file where this record starts (1-based; the header is
            /// line 1).
            pub line: u64,
            $(
                #[doc = $doc]
                pub $member: field::member_type!($kind, $required),
            )*
            /// Per-post samples, when the source gave them (JSON `posts: [{likes, …}]`).
            pub post_samples: Vec<PostSample>,
            /// Columns scout has no canonical field for, kept so scripts can read them by name.
            pub extra: Vec<(Arc<str>, String)>,
        }
    };
}
candidate_fields!(define_candidate_struct);

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
    /// Where the record is in a JSON array whose records share lines (a minified
    /// document), where the line alone would not find it; `None` elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordAt>,
}

/// A record's place in a JSON array: its 1-based index and the byte offset where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RecordAt {
    /// The record's index in the array, 1-based.
    pub index: u64,
    /// The byte offset of the record's first byte in the input, 0-based.
    pub byte: u64,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.record {
            Some(at) => write!(f, "record {} (byte {}): ", at.index, at.byte)?,
            None => write!(f, "line {}: ", self.line)?,
        }
        if let Some(handle) = &self.handle {
            write!(f, "`{handle}`: ")?;
        }
        f.write_str(&self.message)
    }
}
