//! The one error type of the HTTP API: a status and `{"error": {"code", "message"}}`.
//! Messages say what was wrong with the request; internal failures are logged and answered
//! with a generic message, never with their details.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use policyqa_answer::AskError;
use policyqa_core::StoreError;
use policyqa_retrieval::SearchError;

use crate::wire::{ErrorBody, ErrorDetail};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_question", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// An internal failure: logged in full, answered in general terms.
    pub fn internal(what: &str, err: &dyn std::fmt::Display) -> Self {
        tracing::error!("{what}: {err}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("{what} failed; the server log has the details"))
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message.clone() } }
    }
}

/// Seconds a client is told to wait before retrying a 503 (a dependency down).
pub const RETRY_AFTER_UNAVAILABLE: u64 = 5;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(RETRY_AFTER_UNAVAILABLE));
        }
        r
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            tracing::warn!("index unavailable: {e}");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "index_unavailable", "the index is unavailable; try again shortly")
        } else {
            ApiError::internal("the index", &e)
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Empty | SearchError::TooLong(_) => ApiError::unprocessable(e.to_string()),
            SearchError::Store(s) => s.into(),
        }
    }
}

impl From<AskError> for ApiError {
    fn from(e: AskError) -> Self {
        match e {
            AskError::Search(s) => s.into(),
            AskError::Prompt(p) => ApiError::internal("rendering the prompt", &p),
        }
    }
}
