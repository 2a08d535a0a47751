//! Shared helpers for the process-level tests (`tests/it/`), which run the real
//! `commonhold` binary the way an operator does: `serve` on a loopback port, admin commands on
//! the data directory, and crashes by SIGKILL.
//!
//! Each test module uses part of it, hence `dead_code` is allowed.

#![allow(dead_code)]

pub mod http;
pub mod hub;
pub mod server;

use std::path::{Path, PathBuf};

/// Every file under `dir` whose name is `name` (the blob store names objects by sha256; the
/// tests find them by walking, not by knowing its layout).
pub fn find_files_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if entry.file_name().to_string_lossy() == name {
                found.push(path);
            }
        }
    }
    found
}

/// Deterministic, incompressible-looking bytes (xorshift), so objects differ by seed.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A fresh data directory with the user `alice` and a write token for her: the starting point
/// of every process test. The directory is removed when this is dropped.
pub struct Store {
    _dir: tempfile::TempDir,
    pub data: PathBuf,
    pub token: String,
}

impl Store {
    pub fn new() -> Store {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let token = server::user_with_write_token(&data, "alice");
        Store {
            _dir: dir,
            data,
            token,
        }
    }

    /// Starts a server on the store and creates `alice/{name}` through it.
    pub fn serve_new_repo(&self, name: &str) -> (server::Server, hub::Client) {
        let server = server::Server::start(&self.data);
        let client = hub::Client::new(server.addr, &self.token, &format!("alice/{name}"));
        client.create_repo();
        (server, client)
    }

    /// Runs `fsck`, asserting its exit code and that stdout names each of `must_name`.
    pub fn assert_fsck(&self, want_code: i32, must_name: &[&str]) -> String {
        let (code, stdout, stderr) = server::fsck(&self.data);
        assert_eq!(
            code, want_code,
            "fsck exit code; stdout:\n{stdout}\nstderr:\n{stderr}"
        );
        for needle in must_name {
            assert!(
                stdout.contains(needle),
                "fsck stdout should name {needle:?}; stdout:\n{stdout}\nstderr:\n{stderr}"
            );
        }
        stdout
    }
}
