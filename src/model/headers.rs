//! Header text as exports write it, and the built-in aliases that let common exports work
//! with no mapping profile.
//!
//! Headers carry stray spaces, byte-order marks and line breaks inside quotes
//! (`"Engagement avg\r\n"`). Matching ignores all of that and case: [`normalize`] folds a
//! header for comparison, [`display`] cleans it for messages, and [`key`] reduces it to
//! letters and digits for the alias table (`Followers Numbers `, `follower_count` and
//! `Follower count` all become `followercount`-like keys). The aliases of each field are
//! part of the field table ([`Field::aliases`]).

use super::Field;

/// A header folded for comparison: no BOM, whitespace runs (line breaks included) as one
/// space, trimmed, lowercased.
pub fn normalize(header: &str) -> String {
    display(header).to_lowercase()
}

/// A header cleaned for display: no BOM, whitespace runs as one space, trimmed.
pub fn display(header: &str) -> String {
    header.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A header reduced to lowercase letters and digits: `Avg. likes` → `avglikes`.
pub fn key(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The field a header names: its canonical name or a built-in alias, compared by [`key`].
/// Numbered category columns (`category_1`, `Category 2`) all feed `niches`.
pub fn builtin_field(header: &str) -> Option<Field> {
    builtin_match(header).map(|(field, _)| field)
}

/// The field a header names and how telling the match is: 0 for the canonical name, then
/// 1 + the alias's place in [`Field::aliases`] (numbered category columns rank 1).
pub fn builtin_match(header: &str) -> Option<(Field, usize)> {
    let key = key(header);
    if key.is_empty() {
        return None;
    }
    if let Some(field) = Field::ALL.into_iter().find(|f| self::key(f.name()) == key) {
        return Some((field, 0));
    }
    for field in Field::ALL {
        if let Some(i) = field.aliases().iter().position(|a| *a == key) {
            return Some((field, i + 1));
        }
    }
    let numbered = ["category", "niche", "topic"].iter().any(|stem| {
        key.strip_prefix(stem)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    numbered.then_some((Field::Niches, 1))
}

/// Header keys of a column of total engagements per post (likes + comments + shares), which
/// scout turns into likes when a file has no likes column: `Engagement avg`, `Eng. (Avg.)`.
pub const ENGAGEMENT_ALIASES: [&str; 11] = [
    "engagementsperpost",
    "engagementperpost",
    "engagementavg",
    "engagementavgvalues",
    "engagementaverage",
    "engagementaveragevalues",
    "avgengagement",
    "avgengagements",
    "averageengagement",
    "engavg",
    "avgeng",
];

/// Whether a header is exactly a canonical field name (what the fast path handles).
pub fn is_canonical(header: &str, field: Field) -> bool {
    normalize(header) == field.name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_messy_headers() {
        assert_eq!(normalize("\u{feff}Engagement avg\r\n"), "engagement avg");
        assert_eq!(display("  Authentic engagement Values \n"), "Authentic engagement Values");
        assert_eq!(key("Avg. likes"), "avglikes");
    }

    #[test]
    fn aliases() {
        let cases = [
            ("Followers", Some(Field::Followers)),
            ("Subscribers count", Some(Field::Followers)),
            (" Subscribers", Some(Field::Followers)),
            ("follower_count", Some(Field::Followers)),
            ("Avg. likes", Some(Field::AvgLikes)),
            ("Views avg.", Some(Field::AvgViews)),
            ("category_1", Some(Field::Niches)),
            ("Category_2", Some(Field::Niches)),
            ("Audience country(mostly)", Some(Field::Country)),
            ("USERNAME", Some(Field::Handle)),
            ("fake_follower_pct", Some(Field::FakeFollowerPct)),
            ("Likes", None),
            ("Eng. (Avg.)", None),
            ("Name", Some(Field::Handle)),
            ("Channel Name", Some(Field::Handle)),
            ("Instagram name", Some(Field::Handle)),
            ("Followers Numbers ", Some(Field::Followers)),
            ("Likes avg", Some(Field::AvgLikes)),
            ("Comments avg", Some(Field::AvgComments)),
            ("topic", Some(Field::Niches)),
            ("Audience Country", Some(Field::Country)),
            ("S.no", None),
            ("", None),
        ];
        for (header, field) in cases {
            assert_eq!(builtin_field(header), field, "{header}");
        }
    }

    #[test]
    fn specific_aliases_outrank_generic_ones() {
        let rank = |h: &str| builtin_match(h).map(|(_, r)| r);
        assert!(rank("Tiktoker name") < rank("Tiktok name"));
        assert!(rank("Youtuber") < rank("Name"));
        assert!(rank("Influencer insta name") < rank("instagram name"));
        assert!(rank("youtuber name") < rank("channel name"));
        for key in ENGAGEMENT_ALIASES {
            assert_eq!(builtin_field(key), None, "{key}");
        }
    }
}
