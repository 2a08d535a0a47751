//! The Hub API calls the tests make, as a real client makes them: create a repo, ask the LFS
//! batch API for an upload URL, PUT the bytes to it, commit with NDJSON, list history, resolve.

use std::io;
use std::net::SocketAddr;

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

use super::http::{Reply, path_of, request};

/// The sha256 of `data`, in hex: the LFS oid.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(data))
}

/// A client of one server, authenticated as one user, working on one model repo.
#[derive(Clone, Debug)]
pub struct Client {
    pub addr: SocketAddr,
    pub token: String,
    /// `namespace/name`.
    pub repo: String,
}

impl Client {
    pub fn new(addr: SocketAddr, token: &str, repo: &str) -> Client {
        Client {
            addr,
            token: token.to_string(),
            repo: repo.to_string(),
        }
    }

    /// The same user and repo through another server.
    pub fn via(&self, addr: SocketAddr) -> Client {
        Client {
            addr,
            ..self.clone()
        }
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> io::Result<Reply> {
        let auth = self.auth();
        request(
            self.addr,
            method,
            path,
            &[("Authorization", &auth), ("Content-Type", content_type)],
            body,
        )
    }

    /// Creates the model repo (in the token owner's namespace).
    pub fn create_repo(&self) -> Reply {
        let name = self
            .repo
            .split_once('/')
            .map_or(self.repo.as_str(), |(_, n)| n);
        let body = json!({ "name": name, "type": "model", "visibility": "public" }).to_string();
        let r = self
            .call(
                "POST",
                "/api/repos/create",
                "application/json",
                body.as_bytes(),
            )
            .expect("create repo");
        assert!(
            r.is_success(),
            "create repo {}: {} {}",
            self.repo,
            r.status,
            r.text()
        );
        r
    }

    /// The LFS batch answer for one object (upload operation, basic transfer only).
    pub fn batch(&self, oid: &str, size: u64) -> Value {
        let body = json!({
            "operation": "upload",
            "transfers": ["basic"],
            "objects": [{ "oid": oid, "size": size }],
            "hash_algo": "sha256",
            "ref": { "name": "main" },
        })
        .to_string();
        let path = format!("/{}.git/info/lfs/objects/batch", self.repo);
        let r = self
            .call(
                "POST",
                &path,
                "application/vnd.git-lfs+json",
                body.as_bytes(),
            )
            .expect("lfs batch");
        assert!(r.is_success(), "lfs batch: {} {}", r.status, r.text());
        r.json()
    }

    /// The signed upload URL the batch API hands out for the object, or `None` when the server
    /// says it already has it.
    pub fn upload_href(&self, oid: &str, size: u64) -> Option<String> {
        let answer = self.batch(oid, size);
        let object = &answer["objects"][0];
        assert!(
            object.get("error").is_none(),
            "batch refused {oid}: {answer}"
        );
        object["actions"]["upload"]["href"]
            .as_str()
            .map(str::to_string)
    }

    /// PUTs bytes to a signed URL the way LFS clients do: no credentials of our own.
    pub fn put_signed(&self, href: &str, data: &[u8]) -> Reply {
        request(
            self.addr,
            "PUT",
            path_of(href),
            &[("Content-Type", "application/octet-stream")],
            data,
        )
        .expect("PUT to signed URL")
    }

    /// Uploads `data` as an LFS object through the batch API; returns its oid.
    pub fn upload_lfs(&self, data: &[u8]) -> String {
        let oid = sha256_hex(data);
        if let Some(href) = self.upload_href(&oid, data.len() as u64) {
            let r = self.put_signed(&href, data);
            assert!(r.is_success(), "LFS PUT: {} {}", r.status, r.text());
        }
        oid
    }

    /// Uploads a Xet file as hf_xet does: a write token for `main`, its xorbs, then its shard.
    pub fn upload_xet(&self, f: &commonhold_xet::fixtures::FileFixture) {
        let auth = format!("Bearer {}", self.token);
        let path = format!("/api/models/{}/xet-write-token/main", self.repo);
        let r = request(self.addr, "GET", &path, &[("Authorization", &auth)], b"").unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        let cas = format!("Bearer {}", r.json()["accessToken"].as_str().unwrap());
        let cas_headers = [("Authorization", cas.as_str())];
        for (hash, body) in &f.xorbs {
            let path = format!("/xet-cas/v1/xorbs/default/{hash}");
            let r = request(self.addr, "POST", &path, &cas_headers, body).unwrap();
            assert_eq!(r.status, 200, "{}", r.text());
        }
        let r = request(
            self.addr,
            "POST",
            "/xet-cas/v1/shards",
            &cas_headers,
            &f.shard,
        )
        .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }

    /// Posts an NDJSON commit to `main`; `ops` are the lines after the header.
    pub fn commit(&self, summary: &str, ops: &[Value]) -> io::Result<Reply> {
        let mut body =
            json!({ "key": "header", "value": { "summary": summary, "description": "" } })
                .to_string();
        for op in ops {
            body.push('\n');
            body.push_str(&op.to_string());
        }
        let path = format!("/api/models/{}/commit/main", self.repo);
        self.call("POST", &path, "application/x-ndjson", body.as_bytes())
    }

    /// Commits and returns the new commit id; any failure fails the test.
    pub fn commit_ok(&self, summary: &str, ops: &[Value]) -> String {
        let r = self.commit(summary, ops).expect("commit request");
        assert!(
            r.is_success(),
            "commit {summary:?}: {} {}",
            r.status,
            r.text()
        );
        r.json()["commitOid"]
            .as_str()
            .expect("commitOid")
            .to_string()
    }

    /// Every commit id reachable from `main`, newest first, following `Link` pagination.
    pub fn history(&self) -> Vec<String> {
        let mut ids = Vec::new();
        let mut path = format!("/api/models/{}/commits/main", self.repo);
        loop {
            let r = self
                .call("GET", &path, "application/json", b"")
                .expect("commits");
            assert!(r.is_success(), "commits: {} {}", r.status, r.text());
            let page = r.json();
            ids.extend(
                page.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["id"].as_str().map(str::to_string)),
            );
            match r.header("link").and_then(next_link) {
                Some(next) => path = path_of(&next).to_string(),
                None => return ids,
            }
        }
    }

    /// Paths of every file at the head of `main`.
    pub fn files(&self) -> Vec<String> {
        let path = format!("/api/models/{}/tree/main?recursive=true", self.repo);
        let r = self
            .call("GET", &path, "application/json", b"")
            .expect("tree");
        assert!(r.is_success(), "tree: {} {}", r.status, r.text());
        r.json()
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["type"] == "file")
            .filter_map(|e| e["path"].as_str().map(str::to_string))
            .collect()
    }

    /// GET `/{repo}/resolve/main/{path}`.
    pub fn resolve(&self, path: &str) -> Reply {
        let url = format!("/{}/resolve/main/{path}", self.repo);
        self.call("GET", &url, "application/octet-stream", b"")
            .expect("resolve")
    }
}

/// An NDJSON line adding a small regular file.
pub fn file_op(path: &str, content: &[u8]) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD.encode(content);
    json!({ "key": "file", "value": { "path": path, "content": b64, "encoding": "base64" } })
}

/// An NDJSON line adding a file whose content is an uploaded LFS object.
pub fn lfs_op(path: &str, oid: &str, size: u64) -> Value {
    json!({ "key": "lfsFile", "value": { "path": path, "algo": "sha256", "oid": oid, "size": size } })
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let start = part.find('<')? + 1;
            let end = part.find('>')?;
            part.get(start..end).map(str::to_string)
        })
}
