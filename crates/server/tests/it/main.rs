//! The server's integration tests, one binary (one link step): each module drives a hub on a
//! temp directory through the router with `oneshot` (see `common`). Filter with nextest, e.g.
//! `cargo nextest run -p commonhold-server -E 'binary(it) & test(/^xet_cas::/)'`.

mod common;

mod api;
mod api_admin;
mod discussions;
mod fsck_copies;
mod gating;
mod hardening;
mod limits;
mod openapi;
mod openness_disputes;
mod web_catalogue;
mod xet_cas;
mod xet_download;
mod xet_token_ttl;
