//! What a rule-test file says, as written: serde types with spans for every value a
//! problem may point at, and the candidate columns, described for the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A rule-test file, as written.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTestFile {
    /// The brand whose rules the cases run against. `brands/<brand>.tests.toml` tests that
    /// brand; a tier scheme's tests default to the first brand (by name) that uses the scheme.
    #[schemars(with = "Option<String>")]
    pub brand: Option<Spanned<String>>,
    /// A candidate list (CSV, JSON or NDJSON), relative to the rule folder, that cases can
    /// take candidates from by `handle`.
    #[schemars(with = "Option<String>")]
    pub candidates: Option<Spanned<String>>,
    /// The mapping profile `candidates` is read with, as `--mapping` takes it: a name in
    /// `imports/`, or a path to a .toml file relative to the rule folder.
    #[schemars(with = "Option<String>")]
    pub mapping: Option<Spanned<String>>,
    /// The CSV delimiter of `candidates`, as `--delimiter` takes it (`;`, `tab`, `|` …);
    /// default: the profile's, else sniffed from the file.
    #[schemars(with = "Option<String>")]
    pub delimiter: Option<Spanned<String>>,
    /// Columns every inline candidate starts from; a case's own columns win.
    #[schemars(with = "Option<CandidateColumns>")]
    pub defaults: Option<Spanned<toml::Table>>,
    /// The test cases, run in order.
    #[serde(default)]
    #[schemars(with = "Vec<RawCase>")]
    pub case: Vec<Spanned<RawCase>>,
}

/// One `[[case]]`: a candidate and what should come out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// What the case checks, shown when it fails.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The candidate, inline: the columns of a candidate list (`handle` and `followers` at
    /// least), on top of `[defaults]`.
    #[schemars(with = "Option<CandidateColumns>")]
    pub candidate: Option<Spanned<toml::Table>>,
    /// Or a candidate from the file's `candidates` list, by handle.
    #[schemars(with = "Option<String>")]
    pub handle: Option<Spanned<String>>,
    /// What should come out. Every key given must hold.
    #[schemars(with = "RawExpect")]
    pub expect: Spanned<RawExpect>,
}

/// A case's expectations; leave out what the case does not check.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// The tier the candidate falls into.
    #[schemars(with = "Option<String>")]
    pub tier: Option<Spanned<String>>,
    /// `true`: passes every filter and is ranked; `false`: some filter turns it away.
    pub passes: Option<bool>,
    /// Some filter turns the candidate away with a reason containing this text
    /// (`"fake_follower_pct"`, `"not in [nano, micro]"`); `""` accepts any reason.
    pub fails: Option<String>,
    /// The score the script gives (computed for filtered candidates too), ± `tolerance`.
    pub score: Option<f64>,
    /// How far the score may be from `score`; default 0.01.
    #[schemars(range(min = 0.0))]
    pub tolerance: Option<f64>,
    /// The lowest score accepted, inclusive.
    pub min_score: Option<f64>,
    /// The highest score accepted, inclusive.
    pub max_score: Option<f64>,
    /// A handle (an inline case's candidate, or one from `candidates`) that this candidate
    /// ranks above: it passes the filters and scores higher, or scores the same with a handle
    /// that sorts first, or the other is filtered.
    #[schemars(with = "Option<String>")]
    pub outranks: Option<Spanned<String>>,
    /// The script emits a note containing this text.
    pub note: Option<String>,
}

// For the JSON Schema only: test files read candidates through the same row builder as
// `scout rank` (`candidate_from_table`); the columns come from the field table.
macro_rules! candidate_columns {
    ($(($variant:ident, $member:ident, $kind:ident, $required:tt, $ranking:tt, $doc:literal,
        $test_doc:literal, $($rest:tt)*))*) => {
        /// The columns an inline candidate may give: the canonical columns of a candidate list, and
        /// any extra column scripts read as `extra["name"]`.
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        pub struct CandidateColumns {
            $(
                #[doc = $test_doc]
                $member: Option<column_type!($member, $kind)>,
            )*
        }
    };
}

/// The schema type of a column: by kind, with `posts` also taking per-post samples.
macro_rules! column_type {
    (posts, Count) => {
        PostsColumn
    };
    ($member:ident, Text) => {
        String
    };
    ($member:ident, Count) => {
        CountOrText
    };
    ($member:ident, Float) => {
        NumberOrText
    };
    ($member:ident, Fraction) => {
        NumberOrText
    };
    ($member:ident, List) => {
        NichesColumn
    };
}
crate::model::candidate_fields!(candidate_columns);

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum CountOrText {
    Count(u64),
    Text(String),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PostsColumn {
    Count(u64),
    Samples(Vec<PostSampleColumns>),
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PostSampleColumns {
    likes: Option<f64>,
    comments: Option<f64>,
    shares: Option<f64>,
    views: Option<f64>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum NichesColumn {
    List(Vec<String>),
    Text(String),
}
