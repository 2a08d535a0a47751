//! One error envelope for every endpoint, in the shape Hub clients understand: a status, the
//! `X-Error-Code` / `X-Error-Message` headers and a JSON body `{"error": "..."}`. Internal errors
//! are logged with their cause and shown to clients only as "Internal Server Error".
//!
//! The body also travels beside the answer as an [`ErrorJson`] extension, so that a protocol
//! whose clients read another field (git-lfs reads `message`) can reshape it in one place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use commonhold_hub::HubError;

/// The `X-Error-Code` values: Hub clients turn them into their own exception types
/// (`RepositoryNotFoundError`, `RevisionNotFoundError`, `EntryNotFoundError`).
/// The variants are named as the codes are spelled on the wire, hence the shared suffix.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    RepoNotFound,
    GatedRepo,
    RevisionNotFound,
    EntryNotFound,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::RepoNotFound => "RepoNotFound",
            ErrorCode::GatedRepo => "GatedRepo",
            ErrorCode::RevisionNotFound => "RevisionNotFound",
            ErrorCode::EntryNotFound => "EntryNotFound",
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Option<ErrorCode>,
    pub message: String,
    /// Extra headers (e.g. `X-Repo-Commit` on a missing entry).
    pub headers: Vec<(&'static str, String)>,
    /// Extra fields of the JSON body (e.g. the existing repo's `url` on a 409).
    pub fields: Vec<(&'static str, serde_json::Value)>,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The JSON body of an error answer, kept in the answer's extensions.
#[derive(Clone, Debug)]
pub struct ErrorJson(pub serde_json::Value);

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: None,
            message: message.into(),
            headers: Vec::new(),
            fields: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn with_code(mut self, code: ErrorCode) -> ApiError {
        self.code = Some(code);
        self
    }

    pub fn with_field(mut self, name: &'static str, value: serde_json::Value) -> ApiError {
        self.fields.push((name, value));
        self
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> ApiError {
        self.headers.push((name, value));
        self
    }

    /// A missing or invisible repo: 401 for anonymous callers, 404 for authenticated ones,
    /// exactly as the Hub does, so that existence never leaks.
    pub fn repo_not_found(authenticated: bool) -> ApiError {
        let status = if authenticated {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::UNAUTHORIZED
        };
        ApiError::new(status, "Repository not found").with_code(ErrorCode::RepoNotFound)
    }

    pub fn unauthorized(message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// Maps a domain error, knowing whether the caller was authenticated.
    pub fn from_hub(e: HubError, authenticated: bool) -> ApiError {
        match e {
            HubError::RepoNotFound => ApiError::repo_not_found(authenticated),
            HubError::Gated(m) => {
                let status = if authenticated {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::UNAUTHORIZED
                };
                ApiError::new(status, m).with_code(ErrorCode::GatedRepo)
            }
            HubError::RevisionNotFound(m) => {
                ApiError::new(StatusCode::NOT_FOUND, format!("Invalid rev id: {m}"))
                    .with_code(ErrorCode::RevisionNotFound)
            }
            HubError::EntryNotFound(m) => {
                ApiError::new(StatusCode::NOT_FOUND, m).with_code(ErrorCode::EntryNotFound)
            }
            HubError::BadRequest(m) => ApiError::new(StatusCode::BAD_REQUEST, m),
            HubError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, m),
            HubError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, m),
            HubError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            HubError::PreconditionFailed(m) => ApiError::new(StatusCode::PRECONDITION_FAILED, m),
            HubError::TooLarge(m) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, m),
            HubError::Internal(m) => {
                tracing::error!(cause = %m, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

/// Header values must be visible ASCII; anything else in a message is replaced.
fn header_safe(s: &str) -> HeaderValue {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(1000)
        .collect();
    HeaderValue::from_str(&cleaned).unwrap_or_else(|_| HeaderValue::from_static("error"))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        for (k, v) in self.fields {
            body[k] = v;
        }
        let text = body.to_string();
        let mut resp = (self.status, text).into_response();
        resp.extensions_mut().insert(ErrorJson(body));
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert("x-error-message", header_safe(&self.message));
        if let Some(code) = self.code {
            h.insert("x-error-code", HeaderValue::from_static(code.as_str()));
        }
        for (name, value) in self.headers {
            h.insert(name, header_safe(&value));
        }
        resp
    }
}
