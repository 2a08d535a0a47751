//! `GET /metrics`: the hub's process counters in the Prometheus text format.
//!
//! Counts only (no repo names, users or paths), so it is served without a token like other
//! Prometheus exporters; put it behind the reverse proxy's access rules if even counts are private.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.hub.metrics.render(),
    )
}
