//! Per-post samples (`posts = [{ likes = 120, comments = 4 }, …]`): one parser for every
//! reader of structured candidates (JSON objects, TOML tables). Each format says what a post
//! is and how it reads a count; the keys and the sample they build are shared.

use crate::model::PostSample;

/// The keys a per-post sample may have, in the order messages list them.
pub(crate) const POST_KEYS: [&str; 4] = ["likes", "comments", "shares", "views"];

/// One post of a per-post sample list, as a structured format gives it.
pub(crate) trait Post {
    /// The count under `key`, `None` when the post lacks it, or why it is not a count;
    /// `i` is the post's index, for messages.
    fn count(&self, i: usize, key: &str) -> Result<Option<f64>, String>;
}

/// Per-post samples from a list of posts; `post` turns element `i` into a [`Post`], or says
/// why it is not one.
pub(crate) fn post_samples<'a, T, P: Post>(
    posts: &'a [T],
    post: impl Fn(usize, &'a T) -> Result<P, String>,
) -> Result<Vec<PostSample>, String> {
    posts
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let post = post(i, value)?;
            // Every format gets the same bound on what a count may be.
            let count = |key: &str| match post.count(i, key)? {
                Some(v) if v > crate::number::MAX_VALUE => {
                    Err(format!("posts[{i}].{key} {}", crate::number::too_large(&v.to_string())))
                }
                other => Ok(other),
            };
            Ok(PostSample {
                likes: count("likes")?,
                comments: count("comments")?,
                shares: count("shares")?,
                views: count("views")?,
            })
        })
        .collect()
}
