//! The caller: anonymous, or the principal behind a bearer token.

use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, header, request::Parts};
use commonhold_hub::{HubError, Principal};

use crate::AppState;
use crate::error::ApiError;

/// Who is calling. A request with a bad token is refused outright (the Hub does the same),
/// with the one message clients recognise as "your token is wrong".
#[derive(Clone, Debug)]
pub struct Caller(pub Option<Principal>);

impl Caller {
    pub fn principal(&self) -> Option<&Principal> {
        self.0.as_ref()
    }

    pub fn authenticated(&self) -> bool {
        self.0.is_some()
    }

    /// The principal, or 401 when anonymous.
    pub fn require(&self) -> Result<&Principal, ApiError> {
        self.0.as_ref().ok_or_else(|| {
            ApiError::unauthorized("You must be authenticated: pass a token (HF_TOKEN or --token)")
        })
    }

    /// Maps a domain error with this caller's authentication state.
    pub fn err(&self, e: HubError) -> ApiError {
        ApiError::from_hub(e, self.authenticated())
    }
}

/// The token of an `Authorization: Bearer ...` header.
pub fn bearer(value: Option<&HeaderValue>) -> Option<&str> {
    let value = value?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The rate limiter has already found the token valid.
        if let Some(known) = parts.extensions.get::<Caller>() {
            return Ok(known.clone());
        }
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller(None));
        };
        let invalid = || ApiError::unauthorized("Invalid credentials in Authorization header");
        let token = bearer(Some(value)).ok_or_else(invalid)?;
        match state.hub.authenticate(token).await {
            Ok(Some(p)) => Ok(Caller(Some(p))),
            Ok(None) => Err(invalid()),
            Err(e) => Err(ApiError::from_hub(e, false)),
        }
    }
}
