//! The canonical candidate fields: the columns scout knows by name, declared once.
//!
//! [`candidate_fields!`] is the one table of fields. Everything that lists fields derives
//! from it: the [`Field`] enum with [`Field::ALL`] and [`Field::name`], the
//! [`Candidate`](super::Candidate) struct and its per-kind accessors, the built-in header
//! aliases ([`Field::aliases`]), the script variables (`rules::script::VARIABLES`), the
//! `[columns]` of a mapping profile (`rules::mapping::RawColumns`) and the candidate columns
//! of a rule-test file (`authoring::ruletest::CandidateColumns`).
//!
//! # Adding a field
//!
//! Add one entry to the table in [`candidate_fields!`]. Its `member` is the `Candidate`
//! struct member, and also the canonical column name, the script variable and the mapping
//! key. Its [`Kind`] decides how readers parse it and how scripts see it: `Text`
//! (`Option<String>`), `Count` (`Option<u64>`, a whole number), `Float` (`Option<f64>`,
//! 0 or more), `Fraction` (`Option<f64>`, 0–1) or `List` (`Vec<String>`). `required: true`
//! makes the member a plain `String` / `u64` that every row must give (today only `handle`
//! and `followers`). `ranking_column: true` says the ranking writers show it by default; add it
//! to the column catalogue (`output::columns`), where it belongs among the scores. The three docs are the
//! struct member's, the rule-test schema's and the script variable's.
//!
//! Then add only what is genuinely new: a parsing special case in `input::RowBuilder::set`
//! (as `handle` strips `@` and `country` is normalised), a `[defaults]` key in
//! `rules::mapping::RawDefaults` if a profile may default it, or a metric in `engine`.
//! `tests::the_places_agree` (and the tests next to each place) check that nothing was missed.

/// Calls `$callback!` with one row per canonical field, in canonical order:
///
/// `(Variant, member, Kind, required, ranking_column, "doc", "test doc", "script doc",
/// ["alias", …])`
///
/// Callbacks match the rows they need and ignore the rest with `$($rest:tt)*`.
macro_rules! candidate_fields {
    ($callback:ident) => {
        $crate::model::candidate_fields!(@rows $callback
            Handle {
                member: handle, kind: Text, required: true, ranking_column: true,
                doc: "The account handle, without a leading `@`.",
                test_doc: "The account handle; a leading `@` is dropped.",
                script_doc: "the account handle (string)",
                aliases: ["handle", "username", "user", "account", "accountname", "screenname",
                    "userhandle", "ighandle", "instagramhandle", "tiktokhandle", "channelhandle",
                    "influencerhandle", "influencerinstaname", "instagramusername",
                    "tiktokusername", "youtubeusername", "youtuber", "youtubername", "tiktoker",
                    "tiktokername", "instagramname", "instaname", "igname", "creator",
                    "creatorname", "influencer", "influencername", "channel", "channelname",
                    "tiktokname", "name"],
            }
            Platform {
                member: platform, kind: Text, required: false, ranking_column: true,
                doc: "The platform, lowercased (`instagram`, `tiktok`, `youtube`, …).",
                test_doc: "The platform (`instagram`, `tiktok`, `youtube`, …).",
                script_doc: "the platform, lowercased (string or ())",
                aliases: ["platform", "network", "socialnetwork", "socialplatform"],
            }
            Followers {
                member: followers, kind: Count, required: true, ranking_column: true,
                doc: "The follower (or subscriber) count.",
                test_doc: "The follower count.",
                script_doc: "the follower count",
                aliases: ["followers", "followercount", "followerscount", "numfollowers",
                    "nfollowers", "totalfollowers", "subscribers", "subscribercount",
                    "subscriberscount", "subs", "fans", "fanscount", "audiencesize",
                    "followersnumbers", "followernumbers", "subscribersnumbers",
                    "subscribernumbers", "totalsubscribers", "followerstotal", "subscriberstotal"],
            }
            Following {
                member: following, kind: Count, required: false, ranking_column: false,
                doc: "How many accounts this account follows.",
                test_doc: "Accounts followed.",
                script_doc: "accounts followed (or ())",
                aliases: ["following", "followingcount", "followings", "follows", "followscount"],
            }
            Posts {
                member: posts, kind: Count, required: false, ranking_column: false,
                doc: "How many posts the account has published.",
                test_doc: "Posts published, or per-post samples `[{ likes = 120, comments = 4 }]`.",
                script_doc: "posts published (or ())",
                aliases: ["posts", "postcount", "postscount", "numposts", "mediacount", "uploads",
                    "videos", "videocount", "videoscount", "totalposts", "numberofposts"],
            }
            AvgLikes {
                member: avg_likes, kind: Float, required: false, ranking_column: false,
                doc: "Average likes per post.",
                test_doc: "Average likes per post.",
                script_doc: "average likes per post (or ())",
                aliases: ["avglikes", "averagelikes", "likesavg", "likesaverage", "meanlikes",
                    "likesperpost", "avglikesperpost", "avglike", "likespervideo", "avglikespervideo"],
            }
            AvgComments {
                member: avg_comments, kind: Float, required: false, ranking_column: false,
                doc: "Average comments per post.",
                test_doc: "Average comments per post.",
                script_doc: "average comments per post (or ())",
                aliases: ["avgcomments", "averagecomments", "commentsavg", "commentsaverage",
                    "meancomments", "commentsperpost", "avgcommentsperpost", "commentspervideo",
                    "avgcommentspervideo"],
            }
            AvgShares {
                member: avg_shares, kind: Float, required: false, ranking_column: false,
                doc: "Average shares per post.",
                test_doc: "Average shares per post.",
                script_doc: "average shares per post (or ())",
                aliases: ["avgshares", "averageshares", "sharesavg", "sharesaverage", "meanshares",
                    "sharesperpost", "avgsharesperpost", "sharespervideo"],
            }
            AvgViews {
                member: avg_views, kind: Float, required: false, ranking_column: false,
                doc: "Average views per post.",
                test_doc: "Average views per post.",
                script_doc: "average views per post (or ())",
                aliases: ["avgviews", "averageviews", "viewsavg", "viewsaverage", "meanviews",
                    "viewsperpost", "viewspervideo", "avgviewspervideo", "avgview", "avgviewsperpost"],
            }
            Niches {
                member: niches, kind: List, required: false, ranking_column: false,
                doc: "The niches as written in the source; the rule set maps them onto its taxonomy.",
                test_doc: "Niche labels: an array, or one string separated by `;`.",
                script_doc: "the candidate's niches, mapped onto the taxonomy (array of strings)",
                aliases: ["niches", "niche", "category", "categories", "topic", "topics", "genre",
                    "genres", "contentcategory", "primarycategory", "vertical"],
            }
            Country {
                member: country, kind: Text, required: false, ranking_column: false,
                doc: "The audience or account country, as given (usually an ISO code).",
                test_doc: "The country code.",
                script_doc: "the country code (string or ())",
                aliases: ["country", "countrycode", "audiencecountry", "audiencecountrymostly",
                    "topaudiencecountry", "location", "audiencelocation", "accountcountry",
                    "creatorcountry", "topcountry", "region"],
            }
            FakeFollowerPct {
                member: fake_follower_pct, kind: Fraction, required: false, ranking_column: false,
                doc: "The share of fake or suspicious followers, 0–1.",
                test_doc: "The fake-follower share, 0–1.",
                script_doc: "the fake-follower share, 0–1 (or ())",
                aliases: ["fakefollowerpct", "fakefollowers", "fakefollowerspct",
                    "fakefollowerspercent", "fakefollowershare", "fakefollowersshare", "fakeshare"],
            }
            CostPerPost {
                member: cost_per_post, kind: Float, required: false, ranking_column: false,
                doc: "The price of one sponsored post, in the brand's currency.",
                test_doc: "The price of one post.",
                script_doc: "the price of one post (or ())",
                aliases: ["costperpost", "price", "priceperpost", "postprice", "cost", "fee",
                    "rateperpost"],
            }
            CreatorId {
                member: creator_id, kind: Text, required: false, ranking_column: false,
                doc: "The person the account belongs to: rows with one `creator_id` are one creator's accounts across platforms.",
                test_doc: "The creator the account belongs to (groups one person's accounts).",
                script_doc: "the creator the account belongs to (string or ())",
                aliases: ["creatorid", "person", "personid", "creatorkey", "talentid",
                    "influencerid", "owner", "ownerid"],
            }
        );
    };
    // Turns the keyed entries above into the positional rows callbacks match.
    (@rows $callback:ident $(
        $variant:ident {
            member: $member:ident, kind: $kind:ident, required: $required:tt,
            ranking_column: $ranking:tt,
            doc: $doc:literal,
            test_doc: $test_doc:literal,
            script_doc: $script_doc:literal,
            aliases: [$($alias:literal),* $(,)?] $(,)?
        }
    )*) => {
        $callback! {
            $(($variant, $member, $kind, $required, $ranking, $doc, $test_doc, $script_doc,
                [$($alias),*]))*
        }
    };
}
pub(crate) use candidate_fields;

/// How a field's values are read, stored and shown to scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text (`Option<String>`, or `String` when required).
    Text,
    /// A whole number of 0 or more (`Option<u64>`, or `u64` when required).
    Count,
    /// A number of 0 or more (`Option<f64>`).
    Float,
    /// A share between 0 and 1 (`Option<f64>`).
    Fraction,
    /// A list of labels (`Vec<String>`).
    List,
}

impl Kind {
    /// Whether values of this kind are numbers.
    pub fn is_numeric(self) -> bool {
        matches!(self, Kind::Count | Kind::Float | Kind::Fraction)
    }
}

macro_rules! define_field {
    ($(($variant:ident, $member:ident, $kind:ident, $required:tt, $ranking:tt,
        $doc:literal, $test_doc:literal, $script_doc:literal, [$($alias:literal),*]))*) => {
        /// A canonical candidate field.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Field {
            $(
                #[doc = concat!("`", stringify!($member), "`: ", $doc)]
                $variant,
            )*
        }

        impl Field {
            /// Every canonical field, in canonical order.
            pub const ALL: [Field; [$(Field::$variant),*].len()] = [$(Field::$variant),*];

            /// The canonical column name (also the script variable and the mapping key).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => stringify!($member),)*
                }
            }

            /// How the field's values are read and stored.
            pub const fn kind(self) -> Kind {
                match self {
                    $(Field::$variant => Kind::$kind,)*
                }
            }

            /// Whether every row must give the field (a row without it is an error).
            pub const fn is_required(self) -> bool {
                match self {
                    $(Field::$variant => $required,)*
                }
            }

            /// Whether the ranking writers show the field as a column.
            pub const fn is_ranking_column(self) -> bool {
                match self {
                    $(Field::$variant => $ranking,)*
                }
            }

            /// What the script variable of this field holds, for `scout` help and docs.
            pub const fn script_doc(self) -> &'static str {
                match self {
                    $(Field::$variant => $script_doc,)*
                }
            }

            /// Header keys (see [`headers::key`](super::headers::key)) that mean this field, most
            /// telling first: when different headers of one file match a text field, the
            /// earliest alias wins (`Tiktoker name` over `Tiktok name`, `Youtuber` over `Name`).
            pub const fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(Field::$variant => &[$($alias),*],)*
                }
            }
        }
    };
}
candidate_fields!(define_field);

/// The Rust type of a `Candidate` member, by kind and whether it is required.
macro_rules! member_type {
    (Text, true) => { String };
    (Text, false) => { Option<String> };
    (Count, true) => { u64 };
    (Count, false) => { Option<u64> };
    (Float, false) => { Option<f64> };
    (Fraction, false) => { Option<f64> };
    (List, false) => { Vec<String> };
}
pub(crate) use member_type;

/// One accessor arm: the member when the field's kind and presence fit, else `None`.
macro_rules! access {
    (text, Text, true, $m:expr) => {
        Some($m.as_str())
    };
    (text, Text, false, $m:expr) => {
        $m.as_deref()
    };
    (text_mut, Text, false, $m:expr) => {
        Some(&mut $m)
    };
    (number, Count, true, $m:expr) => {
        Some($m as f64)
    };
    (number, Count, false, $m:expr) => {
        $m.map(|n| n as f64)
    };
    (number, Float, false, $m:expr) => {
        $m
    };
    (number, Fraction, false, $m:expr) => {
        $m
    };
    (float_mut, Float, false, $m:expr) => {
        Some(&mut $m)
    };
    (float_mut, Fraction, false, $m:expr) => {
        Some(&mut $m)
    };
    (set_count, Count, true, $m:expr, $n:expr) => {{
        $m = $n;
        true
    }};
    (set_count, Count, false, $m:expr, $n:expr) => {{
        $m = Some($n);
        true
    }};
    (list, List, false, $m:expr) => {
        Some($m.as_slice())
    };
    (list_mut, List, false, $m:expr) => {
        Some(&mut $m)
    };
    (clear, $kind:ident, true, $m:expr) => {
        ()
    };
    (clear, List, false, $m:expr) => {
        $m.clear()
    };
    (clear, $kind:ident, false, $m:expr) => {
        $m = None
    };
    (set_count, $kind:ident, $required:tt, $m:expr, $n:expr) => {
        false
    };
    ($what:ident, $kind:ident, $required:tt, $m:expr) => {
        None
    };
}

macro_rules! define_candidate {
    ($(($variant:ident, $member:ident, $kind:ident, $required:tt, $($rest:tt)*))*) => {
        impl super::Candidate {
            /// The text of a `Text` field, or `None` when it is missing or of another kind.
            pub fn text(&self, field: Field) -> Option<&str> {
                match field {
                    $(Field::$variant => access!(text, $kind, $required, self.$member),)*
                }
            }

            /// The slot of an optional `Text` field, or `None` for other fields.
            pub fn text_mut(&mut self, field: Field) -> Option<&mut Option<String>> {
                match field {
                    $(Field::$variant => access!(text_mut, $kind, $required, self.$member),)*
                }
            }

            /// The value of a numeric field as a float (counts converted), or `None` when it
            /// is missing or not numeric.
            pub fn number(&self, field: Field) -> Option<f64> {
                match field {
                    $(Field::$variant => access!(number, $kind, $required, self.$member),)*
                }
            }

            /// The slot of a `Float` or `Fraction` field, or `None` for other fields.
            pub fn float_mut(&mut self, field: Field) -> Option<&mut Option<f64>> {
                match field {
                    $(Field::$variant => access!(float_mut, $kind, $required, self.$member),)*
                }
            }

            /// Sets a `Count` field; returns `false` (and changes nothing) for other fields.
            pub fn set_count(&mut self, field: Field, count: u64) -> bool {
                match field {
                    $(Field::$variant => access!(set_count, $kind, $required, self.$member, count),)*
                }
            }

            /// The labels of a `List` field, or `None` for other fields.
            pub fn list(&self, field: Field) -> Option<&[String]> {
                match field {
                    $(Field::$variant => access!(list, $kind, $required, self.$member),)*
                }
            }

            /// The labels of a `List` field, to fill in place, or `None` for other fields.
            pub fn list_mut(&mut self, field: Field) -> Option<&mut Vec<String>> {
                match field {
                    $(Field::$variant => access!(list_mut, $kind, $required, self.$member),)*
                }
            }

            /// Makes an optional field missing (`None`, or an empty list). Required fields
            /// are left as they are: a row without them is an error, never a candidate.
            pub fn clear(&mut self, field: Field) {
                match field {
                    $(Field::$variant => access!(clear, $kind, $required, self.$member),)*
                }
            }
        }
    };
}
candidate_fields!(define_candidate);

impl Field {
    /// The field a header names, compared case-insensitively with surrounding spaces ignored.
    pub fn from_header(header: &str) -> Option<Field> {
        let header = header.trim().trim_start_matches('\u{feff}');
        Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Candidate;

    #[test]
    fn accessors_follow_the_kind() {
        let mut c = Candidate::default();
        for field in Field::ALL {
            let kind = field.kind();
            assert_eq!(c.text(field).is_some(), kind == Kind::Text && field.is_required());
            assert_eq!(c.text_mut(field).is_some(), kind == Kind::Text && !field.is_required());
            assert_eq!(c.float_mut(field).is_some(), matches!(kind, Kind::Float | Kind::Fraction));
            assert_eq!(c.set_count(field, 7), kind == Kind::Count, "{field:?}");
            assert_eq!(c.number(field).is_some(), kind == Kind::Count);
            assert_eq!(c.list_mut(field).is_some(), kind == Kind::List);
            assert_eq!(c.list(field).is_some(), kind == Kind::List);
        }
        c.clear(Field::Following);
        c.clear(Field::Followers);
        assert_eq!((c.following, c.followers), (None, 7));
    }

    #[test]
    fn headers_read_as_their_field() {
        for field in Field::ALL {
            // Header: the canonical name and every alias read as the field.
            assert_eq!(crate::model::headers::builtin_field(field.name()), Some(field));
            for alias in field.aliases() {
                assert_eq!(crate::model::headers::builtin_field(alias), Some(field), "{alias}");
            }
            // The name is a plain column name, as test files, profiles and scripts need.
            assert!(field.name().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }
}
