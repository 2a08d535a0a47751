//! A hub on a temp directory, driven through the router with `oneshot` (no socket).

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use commonhold_hub::{Hub, HubConfig, generate_token, hash_token};
use commonhold_types::Role;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PUBLIC: &str = "http://hub.test";

pub struct TestHub {
    /// The hub's metadata store, for tests to set up and inspect what the API does not show
    /// (the server itself reaches it only through the hub).
    pub meta: commonhold_meta::MetaStore,
    /// The hub's blob store, likewise.
    pub blobs: Arc<dyn commonhold_blob::BlobStore>,
    /// Shared by the hubs of [`TestHub::second_process`].
    pub dir: Arc<tempfile::TempDir>,
    pub hub: Hub,
    pub app: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestHub {
    pub async fn new() -> TestHub {
        TestHub::with_config(HubConfig {
            public_url: PUBLIC.into(),
            ..HubConfig::default()
        })
        .await
    }

    /// A hub with its own settings (short URL lifetimes, small size limits...).
    pub async fn with_config(config: HubConfig) -> TestHub {
        TestHub::on(Arc::new(tempfile::tempdir().unwrap()), config).await
    }

    /// Another server process on the same database and blobs: a hub and router of its own,
    /// with their own caches and search index.
    pub async fn second_process(&self) -> TestHub {
        TestHub::on(self.dir.clone(), (*self.hub.config).clone()).await
    }

    async fn on(dir: Arc<tempfile::TempDir>, config: HubConfig) -> TestHub {
        let meta =
            commonhold_meta::MetaStore::open(&format!("sqlite://{}/meta.db", dir.path().display()))
                .await
                .unwrap();
        let blobs: Arc<dyn commonhold_blob::BlobStore> = Arc::new(
            commonhold_blob::LocalBlobStore::open(dir.path().join("blobs"))
                .await
                .unwrap(),
        );
        let hub = Hub::new(
            meta.clone(),
            blobs.clone(),
            config,
            Some(b"test-signing-key-0123456789".to_vec()),
        )
        .await
        .unwrap();
        let app = commonhold_server::router(hub.clone());
        TestHub {
            meta,
            blobs,
            dir,
            hub,
            app,
        }
    }

    /// Creates a user and returns a token with `role`.
    pub async fn user(&self, name: &str, role: Role) -> String {
        let account = match self.meta.account_by_name(name).await.unwrap() {
            Some(a) => a,
            None => self.meta.create_user(name, false).await.unwrap(),
        };
        let token = generate_token();
        self.meta
            .create_token(account.id, "test", role, &hash_token(&token))
            .await
            .unwrap();
        token
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp: Response<Body> = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: impl Into<Body>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(body.into()).unwrap()).await
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Reply {
        self.call("GET", uri, token, Body::empty()).await
    }

    pub async fn post_json(&self, uri: &str, token: Option<&str>, v: Value) -> Reply {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", token.unwrap_or("")));
        let req = if token.is_none() {
            Request::builder().method("POST").uri(uri)
        } else {
            req
        };
        self.send(req.body(Body::from(v.to_string())).unwrap())
            .await
    }

    pub async fn create_repo(&self, token: &str, name: &str, kind: &str, private: bool) -> Reply {
        self.post_json(
            "/api/repos/create",
            Some(token),
            serde_json::json!({ "name": name, "type": kind, "private": private }),
        )
        .await
    }

    /// Commits NDJSON lines to `main` of a model repo.
    pub async fn commit(&self, token: &str, repo: &str, lines: &[Value]) -> Reply {
        self.commit_to(token, &format!("/api/models/{repo}/commit/main"), lines)
            .await
    }

    /// Uploads `data` to `repo` through the LFS batch API (basic transfer: batch, PUT to the
    /// signed URL, verify, unless the repo already holds it) and returns its sha256.
    pub async fn lfs_upload(&self, token: &str, repo: &str, data: &[u8]) -> String {
        let oid = sha256_hex(data);
        let objects = serde_json::json!([{ "oid": oid, "size": data.len() }]);
        let batch = self
            .post_json(
                &format!("/{repo}.git/info/lfs/objects/batch"),
                Some(token),
                serde_json::json!({ "operation": "upload", "transfers": ["basic"], "objects": objects }),
            )
            .await;
        assert_eq!(
            batch.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&batch.body)
        );
        let actions = &batch.json()["objects"][0]["actions"];
        // No actions: the repo already holds the object.
        let Some(put) = actions["upload"]["href"].as_str() else {
            return oid;
        };
        let r = self.call("PUT", &local(put), None, data.to_vec()).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        let verify = local(actions["verify"]["href"].as_str().unwrap());
        let body = serde_json::json!({ "oid": oid, "size": data.len() });
        let r = self.post_json(&verify, Some(token), body).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        oid
    }

    pub async fn commit_to(&self, token: &str, uri: &str, lines: &[Value]) -> Reply {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/x-ndjson")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

pub fn header_line(summary: &str) -> Value {
    serde_json::json!({ "key": "header", "value": { "summary": summary, "description": "" } })
}

pub fn file_line(path: &str, content: &[u8]) -> Value {
    use base64::Engine;
    serde_json::json!({ "key": "file", "value": {
        "path": path, "content": base64::engine::general_purpose::STANDARD.encode(content), "encoding": "base64" } })
}

pub fn lfs_line(path: &str, oid: &str, size: u64) -> Value {
    serde_json::json!({ "key": "lfsFile", "value": { "path": path, "algo": "sha256", "oid": oid, "size": size } })
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// Strips the public host from an absolute URL the server emitted.
pub fn local(url: &str) -> String {
    url.strip_prefix(PUBLIC)
        .unwrap_or_else(|| panic!("{url} is not on {PUBLIC}"))
        .to_string()
}

/// Fails with the answer's body unless it is a success.
pub fn ok(r: &Reply) {
    assert!(
        r.status.is_success(),
        "{}: {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
}

/// Uploads a file's xorbs and shard through the CAS of `repo` (`kind` is `models` or
/// `datasets`) as hf_xet would.
pub async fn xet_upload(
    h: &TestHub,
    token: &str,
    kind: &str,
    repo: &str,
    f: &commonhold_xet::fixtures::FileFixture,
) {
    let r = h
        .get(
            &format!("/api/{kind}/{repo}/xet-write-token/main"),
            Some(token),
        )
        .await;
    ok(&r);
    let cas = r.json()["accessToken"].as_str().unwrap().to_string();
    for (hash, body) in &f.xorbs {
        let uri = format!("/xet-cas/v1/xorbs/default/{hash}");
        ok(&h.call("POST", &uri, Some(&cas), body.clone()).await);
    }
    ok(&h
        .call("POST", "/xet-cas/v1/shards", Some(&cas), f.shard.clone())
        .await);
}

/// A GET of `uri` with a `Range` header.
pub async fn ranged(h: &TestHub, uri: &str, range: &str) -> Reply {
    let req = Request::builder().uri(uri).header("range", range);
    h.send(req.body(Body::empty()).unwrap()).await
}
