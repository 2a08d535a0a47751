//! Health and `whoami-v2`.

use axum::Json;
use commonhold_meta::AccountKind;
use serde_json::{Value, json};

use crate::ApiResult;
use crate::auth::Caller;

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn whoami(caller: Caller) -> ApiResult<Json<Value>> {
    let p = caller.require()?;
    let orgs: Vec<Value> = p
        .orgs
        .iter()
        .filter(|(org, _)| org.kind == AccountKind::Org)
        .map(|(org, role)| json!({ "type": "org", "name": org.name, "fullname": org.name, "roleInOrg": role.as_str() }))
        .collect();
    Ok(Json(json!({
        "type": "user",
        "id": format!("{:024x}", p.account.id),
        "name": p.account.name,
        "fullname": p.account.name,
        "isPro": false,
        "canPay": false,
        "emailVerified": false,
        "orgs": orgs,
        "auth": { "type": "access_token", "accessToken": { "displayName": p.token_name, "role": p.role.as_str() } },
    })))
}
