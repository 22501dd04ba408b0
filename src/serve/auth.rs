//! Bearer tokens: one secret per server, compared in constant time.
//!
//! The secret is kept only as its BLAKE3 digest; a presented token is hashed the same way
//! and the two 32-byte digests are compared with [`subtle::ConstantTimeEq`], so neither the
//! length nor the content of the secret leaks through timing.

use axum::http::{header, HeaderMap, StatusCode};
use subtle::ConstantTimeEq;

use super::error::ApiError;

/// The server's bearer token, as a digest.
#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A token from its secret text, surrounding whitespace (a file's final newline)
    /// removed. `None` when nothing is left.
    pub fn new(secret: &str) -> Option<Self> {
        let secret = secret.trim();
        (!secret.is_empty()).then(|| Self { digest: *blake3::hash(secret.as_bytes()).as_bytes() })
    }

    /// Whether `presented` is the secret, in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest = blake3::hash(presented.as_bytes());
        self.digest.ct_eq(digest.as_bytes()).into()
    }

    /// Checks a request's `Authorization: Bearer …` header.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let unauthorized = |message: &str| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
                .hint("send `Authorization: Bearer <token>` with the server's token")
        };
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("this server requires a bearer token"))?;
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .ok_or_else(|| unauthorized("the `Authorization` header is not `Bearer <token>`"))?;
        if self.matches(presented.trim()) {
            Ok(())
        } else {
            Err(unauthorized("the bearer token is wrong"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Token;

    #[test]
    fn tokens_match_only_their_secret() {
        let token = Token::new("s3cret\n").unwrap();
        assert!(token.matches("s3cret"));
        assert!(!token.matches("s3cre"));
        assert!(!token.matches("s3cret2"));
        assert!(Token::new("  \n").is_none());
    }
}
