//! Runs each store test against both backends: the local filesystem in a temporary directory,
//! and S3 under a fresh prefix of the bucket named by `COMMONHOLD_TEST_S3_*` (which
//! `scripts/with-s3.sh` provides, with a real SeaweedFS server). Without those variables the S3
//! variants fail: they are never counted as passed without a server. To leave them out
//! knowingly, filter them: `cargo nextest run -p commonhold-blob -E 'not test(/s3/)'`.

use std::sync::Arc;

use bytes::Bytes;
use commonhold_blob::{BlobKey, BlobStore, LocalBlobStore, S3BlobStore, S3Config};
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// A store of its own, with access to what lies beneath it (files or raw objects).
pub struct Fixture {
    pub store: Arc<dyn BlobStore>,
    pub backend: Backend,
}

pub enum Backend {
    Local(tempfile::TempDir),
    S3 {
        store: S3BlobStore,
        raw: Arc<dyn ObjectStore>,
        prefix: String,
    },
}

impl Fixture {
    /// Everything stored under `sub` (`tmp`, `parts`, `lfs`), as names relative to the store's
    /// root: what failed or interrupted work could leave behind.
    pub async fn entries(&self, sub: &str) -> Vec<String> {
        match &self.backend {
            Backend::Local(dir) => {
                let root = dir.path();
                let mut out = Vec::new();
                let mut stack = vec![root.join(sub)];
                while let Some(dir) = stack.pop() {
                    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                        if entry.file_type().unwrap().is_dir() {
                            stack.push(entry.path());
                        } else {
                            let rel = entry.path().strip_prefix(root).unwrap().to_owned();
                            out.push(rel.display().to_string());
                        }
                    }
                }
                out
            }
            Backend::S3 { raw, prefix, .. } => {
                let dir = Path::from(format!("{prefix}/{sub}"));
                let metas: Vec<_> = raw.list(Some(&dir)).try_collect().await.unwrap();
                metas
                    .into_iter()
                    .map(|m| m.location.as_ref()[prefix.len() + 1..].to_string())
                    .collect()
            }
        }
    }

    /// Writes `bytes` under `rel` (relative to the store's root), bypassing the store.
    pub async fn put_raw(&self, rel: &str, bytes: &[u8]) {
        match &self.backend {
            Backend::Local(dir) => {
                let path = dir.path().join(rel);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
            Backend::S3 { raw, prefix, .. } => {
                let path = Path::from(format!("{prefix}/{rel}"));
                raw.put(&path, PutPayload::from(bytes.to_vec()))
                    .await
                    .unwrap();
            }
        }
    }

    /// The stored bytes under `rel`, bypassing the store.
    pub async fn get_raw(&self, rel: &str) -> Vec<u8> {
        match &self.backend {
            Backend::Local(dir) => std::fs::read(dir.path().join(rel)).unwrap(),
            Backend::S3 { raw, prefix, .. } => {
                let path = Path::from(format!("{prefix}/{rel}"));
                let got = raw.get(&path).await.unwrap();
                got.bytes().await.unwrap().to_vec()
            }
        }
    }

    /// Waits (up to 10 s: aborts run in the background) until no S3 multipart upload is open
    /// under the store's prefix, and fails if one stays open. Listing open uploads is not in
    /// `object_store`, so this asks the server directly with `curl --aws-sigv4`. Local files have
    /// no such uploads.
    pub async fn assert_no_open_uploads(&self) {
        let Backend::S3 { prefix, .. } = &self.backend else {
            return;
        };
        let var = |name: &str| std::env::var(name).unwrap();
        let url = format!(
            "{}/{}?prefix={prefix}%2F&uploads=",
            var("COMMONHOLD_TEST_S3_ENDPOINT"),
            var("COMMONHOLD_TEST_S3_BUCKET")
        );
        let user = format!(
            "{}:{}",
            var("COMMONHOLD_TEST_S3_ACCESS_KEY_ID"),
            var("COMMONHOLD_TEST_S3_SECRET_ACCESS_KEY")
        );
        let sigv4 = format!("aws:amz:{}:s3", var("COMMONHOLD_TEST_S3_REGION"));
        let mut answer = String::new();
        for _ in 0..50 {
            let out = std::process::Command::new("curl")
                .args([
                    "-sS",
                    "--fail",
                    "--aws-sigv4",
                    &sigv4,
                    "--user",
                    &user,
                    &url,
                ])
                .output()
                .expect("run curl");
            assert!(out.status.success(), "listing uploads: {out:?}");
            answer = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(answer.contains("ListMultipartUploadsResult"), "{answer}");
            if !answer.contains("<Upload>") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        panic!("multipart uploads are still open under {prefix}: {answer}");
    }

    /// Whether the S3 server honours conditional PUTs (always "true" for local files).
    pub fn create_only_is_atomic(&self) -> bool {
        match &self.backend {
            Backend::Local(_) => false,
            Backend::S3 { store, .. } => store.conditional_put(),
        }
    }
}

/// Where a committed LFS blob is stored, relative to the store's root (both backends agree).
pub fn blob_name(key: &BlobKey) -> String {
    let hex = key.sha256().to_hex();
    format!("lfs/{}/{}/{hex}", &hex[..2], &hex[2..4])
}

pub async fn local_fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).await.unwrap();
    Fixture {
        store: Arc::new(store),
        backend: Backend::Local(dir),
    }
}

/// The test server's settings, under a fresh prefix; panics without a server.
pub fn s3_env() -> S3Config {
    let Ok(endpoint) = std::env::var("COMMONHOLD_TEST_S3_ENDPOINT") else {
        panic!(
            "COMMONHOLD_TEST_S3_ENDPOINT is not set: run the tests under scripts/with-s3.sh \
             (e.g. `scripts/with-s3.sh cargo nextest run -p commonhold-blob`), or leave the S3 \
             variants out knowingly with `-E 'not test(/s3/)'`"
        );
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    S3Config {
        bucket: var("COMMONHOLD_TEST_S3_BUCKET"),
        prefix: format!("t-{}", hex::encode(rand::random::<[u8; 8]>())),
        endpoint: Some(endpoint),
        region: Some(var("COMMONHOLD_TEST_S3_REGION")),
        access_key_id: Some(var("COMMONHOLD_TEST_S3_ACCESS_KEY_ID")),
        secret_access_key: Some(var("COMMONHOLD_TEST_S3_SECRET_ACCESS_KEY")),
    }
}

pub async fn s3_fixture() -> Fixture {
    let config = s3_env();
    let store = S3BlobStore::connect(&config)
        .await
        .expect("connect to the test S3 server");
    let raw: Arc<dyn ObjectStore> = Arc::new(
        AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_endpoint(config.endpoint.clone().unwrap())
            .with_region(config.region.clone().unwrap())
            .with_access_key_id(config.access_key_id.clone().unwrap())
            .with_secret_access_key(config.secret_access_key.clone().unwrap())
            .with_allow_http(true)
            .build()
            .unwrap(),
    );
    Fixture {
        store: Arc::new(store.clone()),
        backend: Backend::S3 {
            store,
            raw,
            prefix: config.prefix,
        },
    }
}

/// Generates `<test>::local` and `<test>::s3` from `async fn <test>(fx: Fixture)`.
macro_rules! both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() {
                super::$test($crate::harness::local_fixture().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() {
                super::$test($crate::harness::s3_fixture().await).await;
            }
        }
    )*};
}
pub(crate) use both_backends;

/// Deterministic, incompressible-looking test content.
pub fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        })
        .collect()
}

pub fn body(parts: Vec<Vec<u8>>) -> commonhold_blob::BlobStream {
    use futures::StreamExt;
    futures::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from(p)))).boxed()
}
