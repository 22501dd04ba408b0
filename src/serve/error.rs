//! The one error shape of the API: `{"error": {"code", "message", "hint", "details"}}` with
//! its HTTP status. Codes are stable, lowercase and snake_case; messages follow scout's CLI
//! style and may change.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::input::InputError;
use crate::rules::UnknownBrand;

/// An error answered as JSON with a status.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code, such as `unknown_brand`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
    /// Structured details: row errors, located diagnostics.
    pub details: Vec<Value>,
}

impl ApiError {
    /// An error with no hint and no details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), hint: None, details: Vec::new() }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds details.
    pub fn details(mut self, details: Vec<Value>) -> Self {
        self.details = details;
        self
    }

    /// 400: the request cannot be used as it is.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 for a brand the loaded rules do not define, with a "did you mean".
    pub fn unknown_brand(err: &UnknownBrand) -> Self {
        Self::new(StatusCode::NOT_FOUND, "unknown_brand", err.to_string()).hint(err.hint())
    }

    /// 400 for a candidate list that cannot be read as a whole.
    pub fn input(err: &InputError) -> Self {
        let details = match err {
            InputError::Mapping { diagnostics, .. } => {
                diagnostics.iter().map(Diagnostic::to_json).collect()
            }
            _ => Vec::new(),
        };
        let mut error = Self::bad_request("unusable_input", err.to_string()).details(details);
        error.hint = err.hint();
        error
    }

    /// 500: something that should not happen, such as a panicked ranking.
    pub fn internal(err: &dyn std::fmt::Display) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", err.to_string())
    }

    /// 504: the request took longer than the server's `--timeout`.
    pub fn timeout() -> Self {
        Self::new(StatusCode::GATEWAY_TIMEOUT, "timeout", "the request took too long")
            .hint("send a shorter candidate list, or start the server with a longer `--timeout`")
    }

    /// 503: every request slot stayed taken while the request waited for one.
    pub fn busy() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the server is busy")
            .hint("retry shortly; the server answers at most `--concurrency` requests at once")
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                hint: self.hint.clone(),
                details: self.details.clone(),
            },
        };
        serde_json::to_value(body).unwrap_or(Value::Null)
    }
}

/// The body of every error answer: `{"error": {…}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, in [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, such as `unknown_brand`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
    /// Structured details: row errors, located diagnostics.
    pub details: Vec<Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.to_json();
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}
