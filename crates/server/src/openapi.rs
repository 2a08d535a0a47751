//! The OpenAPI 3.1 description of commonhold's own endpoints (openness assessments, disputes,
//! re-assessment runs, open-standard exports, the provider register), generated from the
//! handlers' `#[utoipa::path]` annotations and the views' `ToSchema` derives, served at
//! `GET /api/openapi.json`. The Hub-compatible API is Hugging Face's and is not described here.
//!
//! The assessment itself is described by its own JSON Schema (`docs/openness/assessment.schema.json`,
//! which the assessor's tests hold every assessment to), embedded as the `Assessment` component:
//! OpenAPI 3.1 schemas are JSON Schema 2020-12, and its `$id` anchors its own `$defs`.
//! A committed snapshot (`docs/openapi.json`) is compared with this document by the server's
//! tests, so a change to the API shows up in review.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::routes::{exports, openness};

/// The assessment's JSON Schema, as published in the repository.
const ASSESSMENT_SCHEMA: &str = include_str!("../../../docs/openness/assessment.schema.json");

#[derive(OpenApi)]
#[openapi(
    info(
        title = "commonhold",
        description = "commonhold's own endpoints: openness assessments and their disputes, \
            re-assessment runs, open-standard exports (DCAT-AP, Croissant, CycloneDX, SPDX 3) and \
            the provider register. The Hugging Face Hub-compatible API (repos, commits, LFS, Xet, \
            discussions) follows the Hub's and is not described here. Errors answer with the \
            status, `X-Error-Code`/`X-Error-Message` headers and an `ErrorBody`; a repo the \
            caller cannot see answers exactly as a missing one (401 anonymous, 404 signed in).",
    ),
    paths(
        openness::latest,
        openness::at,
        openness::disputes,
        openness::dispute,
        openness::reassessments,
        openness::reassess,
        exports::dcat,
        exports::croissant_doc,
        exports::mlbom_main,
        exports::mlbom_at,
        exports::spdx_main,
        exports::spdx_at,
        exports::provider_get,
        exports::provider_put,
        document,
    ),
    components(schemas(ErrorBody, RepoKind)),
    modifiers(&BearerToken),
    tags(
        (name = "openness", description = "Openness assessments of each revision and publishers' disputes of them"),
        (name = "exports", description = "The catalogue in open standards"),
        (name = "providers", description = "The provider register's due-diligence fields"),
        (name = "admin", description = "Site administration"),
        (name = "meta", description = "This description"),
    ),
)]
struct ApiDoc;

/// The `token` security scheme: a hub access token as a bearer token (`HF_TOKEN`).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A hub access token (`hf auth login`, `HF_TOKEN`)"))
                    .build(),
            ),
        );
    }
}

/// The name of the security scheme, as the handlers' `security(("token" = []))` name it.
const TOKEN: &str = "token";

/// The error envelope of every endpoint (its message is also in `X-Error-Message`).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do next.
    pub error: String,
}

/// The `{kind}` segment of a repo's API path.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RepoKind {
    Models,
    Datasets,
}

/// A model or dataset named in an export's path: `/api/models/{ns}/{name}/...`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NamedRepo {
    /// The owner: a user or an organisation.
    pub ns: String,
    /// The repo's name within its owner.
    pub name: String,
}

/// The whole document, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
    doc["components"]["schemas"]["Assessment"] =
        serde_json::from_str(ASSESSMENT_SCHEMA).expect("the assessment schema is JSON");
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises")
});

/// `GET /api/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 description of commonhold's own endpoints", content_type = "application/json", body = Object)),
)]
pub async fn document() -> Response {
    let mut resp = DOCUMENT.as_str().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
