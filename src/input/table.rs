//! Candidates from TOML tables: the inline candidates of rule-test files, with the columns
//! of a candidate list, built through the same row builder as the CSV and JSON readers.

use std::sync::Arc;

use super::posts::{post_samples, Post, POST_KEYS};
use super::RowBuilder;
use crate::model::{Candidate, Field, PostSample, RowError};

/// Builds a candidate from a TOML table of candidate-list columns, through the same row
/// builder the CSV and JSON readers use.
pub fn candidate_from_table(table: &toml::Table, line: u64) -> Result<Candidate, RowError> {
    let mut candidate = Candidate::default();
    let mut row = RowBuilder::new(&mut candidate, line);
    for (key, value) in table {
        let field = Field::from_header(key);
        match (field, value) {
            (Some(Field::Posts), toml::Value::Array(posts)) => match samples(posts) {
                Ok(samples) => row.set_samples(samples),
                Err(message) => row.fail_row(Some("posts".to_owned()), message),
            },
            (Some(Field::Niches), toml::Value::Array(niches)) => {
                let labels: Vec<String> = niches.iter().map(scalar_text).collect();
                row.set(Field::Niches, &labels.join(";"));
            }
            (Some(field), toml::Value::String(text)) => row.set(field, text),
            (Some(field), toml::Value::Integer(_) | toml::Value::Float(_)) => {
                if field.kind().is_numeric() {
                    row.set_number(field, value.as_float().or(value.as_integer().map(|n| n as f64)))
                } else {
                    row.set(field, &scalar_text(value))
                }
            }
            (Some(field), other) => row.fail_row(
                Some(field.name().to_owned()),
                format!("{} must be a number or a string, not {}", field.name(), other.type_str()),
            ),
            (None, value) => row.set_extra(Arc::from(key.as_str()), scalar_text(value)),
        }
    }
    row.finish()?;
    Ok(candidate)
}

fn samples(posts: &[toml::Value]) -> Result<Vec<PostSample>, String> {
    post_samples(posts, |i, post| {
        let toml::Value::Table(post) = post else {
            return Err(format!("posts[{i}] must be a table like {{ likes = 120 }}"));
        };
        if let Some(key) = post.keys().find(|k| !POST_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "posts[{i}] has an unknown key `{key}`; expected {}",
                POST_KEYS.join(", ")
            ));
        }
        Ok(post)
    })
}

impl Post for &toml::Table {
    fn count(&self, i: usize, key: &str) -> Result<Option<f64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_float().or(v.as_integer().map(|n| n as f64)) {
                Some(n) if n >= 0.0 => Ok(Some(n)),
                Some(_) => Err(format!("posts[{i}].{key} must not be negative")),
                None => Err(format!("posts[{i}].{key} must be a number")),
            },
        }
    }
}

fn scalar_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn tables_become_candidates_like_rows() {
        let c = candidate_from_table(
            &table("handle = \"@Mia\"\nfollowers = \"12.5K\"\nniches = [\"ootd\", \"skincare\"]\nfake_follower_pct = 0.1\nbio = \"hi\""),
            3,
        )
        .unwrap();
        assert_eq!(c.handle, "Mia");
        assert_eq!(c.followers, 12_500);
        assert_eq!(c.niches, ["ootd", "skincare"]);
        assert_eq!(c.fake_follower_pct, Some(0.1));
        assert_eq!(c.extra("bio"), Some("hi"));
        assert_eq!(c.line, 3);
    }

    #[test]
    fn post_samples_and_bad_values() {
        let c = candidate_from_table(
            &table(
                "handle = \"a\"\nfollowers = 10\nposts = [{ likes = 1 }, { likes = 3, views = 9 }]",
            ),
            1,
        )
        .unwrap();
        assert_eq!(c.post_samples.len(), 2);
        let err = candidate_from_table(
            &table("handle = \"a\"\nfollowers = 10\nfake_follower_pct = 41"),
            1,
        )
        .unwrap_err();
        assert!(err.message.contains("above 1"), "{err}");
        let err = candidate_from_table(&table("handle = \"a\""), 1).unwrap_err();
        assert!(err.message.contains("missing follower count"), "{err}");
    }
}
