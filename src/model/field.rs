//! The canonical candidate fields: the columns scout knows by name.

/// A canonical candidate field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `handle`.
    Handle,
    /// `platform`.
    Platform,
    /// `followers`.
    Followers,
    /// `following`.
    Following,
    /// `posts`.
    Posts,
    /// `avg_likes`.
    AvgLikes,
    /// `avg_comments`.
    AvgComments,
    /// `avg_shares`.
    AvgShares,
    /// `avg_views`.
    AvgViews,
    /// `niches`.
    Niches,
    /// `country`.
    Country,
    /// `fake_follower_pct`.
    FakeFollowerPct,
    /// `cost_per_post`.
    CostPerPost,
}

impl Field {
    /// Every canonical field.
    pub const ALL: [Field; 13] = [
        Field::Handle,
        Field::Platform,
        Field::Followers,
        Field::Following,
        Field::Posts,
        Field::AvgLikes,
        Field::AvgComments,
        Field::AvgShares,
        Field::AvgViews,
        Field::Niches,
        Field::Country,
        Field::FakeFollowerPct,
        Field::CostPerPost,
    ];

    /// The canonical column name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Handle => "handle",
            Field::Platform => "platform",
            Field::Followers => "followers",
            Field::Following => "following",
            Field::Posts => "posts",
            Field::AvgLikes => "avg_likes",
            Field::AvgComments => "avg_comments",
            Field::AvgShares => "avg_shares",
            Field::AvgViews => "avg_views",
            Field::Niches => "niches",
            Field::Country => "country",
            Field::FakeFollowerPct => "fake_follower_pct",
            Field::CostPerPost => "cost_per_post",
        }
    }

    /// The field a header names, compared case-insensitively with surrounding spaces ignored.
    pub fn from_header(header: &str) -> Option<Field> {
        let header = header.trim().trim_start_matches('\u{feff}');
        Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(header))
    }
}
