//! The S3-compatible backend (AWS S3, MinIO, Ceph RGW, Garage, SeaweedFS): see [`layout`] for
//! the object names, [`writer`] for how a write stays invisible until it verifies.
//!
//! Several server processes may share one bucket and prefix: nothing here keeps state between
//! requests, and every visible object is written by one atomic PUT, multipart completion or
//! server-side copy.

mod layout;
mod multipart;
mod sink;
mod writer;

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use commonhold_types::Sha256;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMode, PutPayload};
use sha2::Digest;

use crate::error::BlobError;
use crate::key::{BlobKey, ListedKind, PartReceipt, UploadId};
use crate::store::{BlobStore, BlobStream, BlobWriter};
use crate::{TEMP_MAX_AGE, UPLOAD_MAX_AGE};
use layout::Layout;

/// Where the blobs live and how to reach the server. Fields left `None` fall back to the
/// standard `AWS_*` environment variables (`AWS_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, …), then to AWS's defaults.
#[derive(Clone, Default)]
pub struct S3Config {
    pub bucket: String,
    /// Components under which every object is stored, e.g. `hub/blobs`; empty for the root.
    pub prefix: String,
    /// e.g. `http://127.0.0.1:8333`; None for AWS S3 itself.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

impl S3Config {
    /// Reads `s3://bucket/prefix` (the prefix is optional); the other fields stay `None`.
    pub fn from_url(url: &str) -> Result<S3Config, BlobError> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            BlobError::Config(format!("{url:?} is not an s3://bucket/prefix URL"))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's bucket naming rules, which every compatible server accepts.
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !valid_bucket {
            return Err(BlobError::Config(format!(
                "{bucket:?} in {url:?} is not a bucket name (3 to 63 lowercase letters, digits, '-' or '.')"
            )));
        }
        Layout::new(prefix)?;
        Ok(S3Config {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            ..S3Config::default()
        })
    }
}

/// Blobs as objects in an S3-compatible bucket. Cheap to clone.
#[derive(Clone, Debug)]
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
    layout: Arc<Layout>,
    /// Whether the server honours `If-None-Match: *` on PUT (probed at open).
    conditional_put: bool,
}

impl S3BlobStore {
    /// Connects, checks that the bucket is reachable with these credentials, probes whether
    /// the server supports conditional (create-only) PUTs, and starts removing what
    /// interrupted work left behind (in the background: temporaries older than
    /// [`TEMP_MAX_AGE`], uploads idle for [`UPLOAD_MAX_AGE`]).
    pub async fn open(config: &S3Config) -> Result<S3BlobStore, BlobError> {
        let store = S3BlobStore::connect(config).await?;
        let cleaner = store.clone();
        tokio::spawn(async move {
            match cleaner.remove_stale(TEMP_MAX_AGE, UPLOAD_MAX_AGE).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed leftovers of interrupted writes"),
                Err(err) => tracing::warn!(%err, "could not clean up the S3 blob store"),
            }
        });
        Ok(store)
    }

    /// [`S3BlobStore::open`] without the background clean-up.
    pub async fn connect(config: &S3Config) -> Result<S3BlobStore, BlobError> {
        let layout = Arc::new(Layout::new(&config.prefix)?);
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&config.bucket);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint);
            if is_loopback_http(endpoint)? {
                builder = builder.with_allow_http(true);
            }
        }
        if let Some(region) = &config.region {
            builder = builder.with_region(region);
        }
        if let Some(id) = &config.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &config.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let store: Arc<dyn ObjectStore> = Arc::new(
            builder
                .build()
                .map_err(|err| BlobError::Config(err.to_string()))?,
        );
        let conditional_put = probe_conditional_put(store.as_ref(), &layout).await?;
        if !conditional_put {
            tracing::warn!(
                "the S3 server ignores If-None-Match on PUT: create-only writes check, then put"
            );
        }
        Ok(S3BlobStore {
            store,
            layout,
            conditional_put,
        })
    }

    /// Whether create-only writes use the server's conditional PUT (true) or a check-then-put,
    /// which a concurrent writer of the same key can race (harmless here: such keys name their
    /// content, so both writers store the same bytes).
    pub fn conditional_put(&self) -> bool {
        self.conditional_put
    }

    /// Deletes temporaries last modified more than `temp_age` ago and uploads with no part
    /// newer than `upload_age`; returns how many objects went. Younger ones may belong to a
    /// live process sharing the bucket.
    pub async fn remove_stale(
        &self,
        temp_age: Duration,
        upload_age: Duration,
    ) -> Result<usize, BlobError> {
        let now = SystemTime::now();
        let age = |meta: &object_store::ObjectMeta| {
            now.duration_since(SystemTime::from(meta.last_modified))
                .unwrap_or_default()
        };
        let temps = self.layout.tmp_dir();
        let mut stale: Vec<Path> = self
            .store
            .list(Some(&temps))
            .try_filter(|meta| std::future::ready(age(meta) >= temp_age))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(store_err("list", &temps))?;
        // Parts grouped by upload: an upload is idle when its newest part is old.
        let parts_dir = self.layout.parts_dir();
        let parts: Vec<object_store::ObjectMeta> = self
            .store
            .list(Some(&parts_dir))
            .try_collect()
            .await
            .map_err(store_err("list", &parts_dir))?;
        let mut newest = std::collections::HashMap::<UploadId, Duration>::new();
        for meta in &parts {
            if let Some(upload) = self.layout.upload_of(&meta.location) {
                let entry = newest.entry(upload).or_insert(Duration::MAX);
                *entry = (*entry).min(age(meta));
            }
        }
        stale.extend(parts.into_iter().filter_map(|meta| {
            let upload = self.layout.upload_of(&meta.location)?;
            (newest.get(&upload)? >= &upload_age).then_some(meta.location)
        }));
        let removed = stale.len();
        let locations = futures::stream::iter(stale.into_iter().map(Ok)).boxed();
        self.store
            .delete_stream(locations)
            .try_collect::<Vec<_>>()
            .await
            .map_err(store_err("delete stale objects under", &temps))?;
        Ok(removed)
    }

    async fn size_of(&self, key: &BlobKey) -> Result<u64, BlobError> {
        let path = self.layout.blob(key);
        match self.store.head(&path).await {
            Ok(meta) => Ok(meta.size),
            Err(object_store::Error::NotFound { .. }) => Err(BlobError::NotFound(*key)),
            Err(err) => Err(store_err("look up", &path)(err)),
        }
    }
}

/// Whether `endpoint` is plain http to this machine (allowed without asking). Plain http to
/// any other host is refused unless `AWS_ALLOW_HTTP=true` says the network is trusted.
fn is_loopback_http(endpoint: &str) -> Result<bool, BlobError> {
    let url = url::Url::parse(endpoint)
        .map_err(|err| BlobError::Config(format!("endpoint {endpoint:?}: {err}")))?;
    if url.scheme() != "http" {
        return Ok(false);
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    let allowed = std::env::var("AWS_ALLOW_HTTP").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if !loopback && !allowed {
        return Err(BlobError::Config(format!(
            "endpoint {endpoint} is plain http to another machine; use https, or set AWS_ALLOW_HTTP=true if the network is trusted"
        )));
    }
    Ok(loopback)
}

/// PUTs a probe object twice with `If-None-Match: *`: a server that honours it refuses the
/// second. Also proves that the bucket exists and the credentials may write and delete.
async fn probe_conditional_put(
    store: &dyn ObjectStore,
    layout: &Layout,
) -> Result<bool, BlobError> {
    let probe = layout.temp();
    let create = || {
        store.put_opts(
            &probe,
            PutPayload::from_static(b"probe"),
            PutMode::Create.into(),
        )
    };
    create()
        .await
        .map_err(store_err("write a probe object to", &probe))?;
    let honoured = match create().await {
        Err(
            object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. },
        ) => true,
        Ok(_)
        | Err(
            object_store::Error::NotImplemented { .. } | object_store::Error::NotSupported { .. },
        ) => false,
        Err(err) => {
            delete_quietly(store, &probe).await;
            return Err(store_err("write a probe object to", &probe)(err));
        }
    };
    store
        .delete(&probe)
        .await
        .map_err(store_err("delete the probe object", &probe))?;
    Ok(honoured)
}

/// Wraps an object-store error with what was being done to which object.
pub(crate) fn store_err(
    action: &'static str,
    location: &Path,
) -> impl FnOnce(object_store::Error) -> BlobError {
    let location = location.to_string();
    move |source| BlobError::Store {
        action,
        location,
        source: Box::new(source),
    }
}

pub(crate) async fn exists(store: &dyn ObjectStore, path: &Path) -> Result<bool, BlobError> {
    match store.head(path).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(err) => Err(store_err("look up", path)(err)),
    }
}

/// Best effort: a leftover temporary is removed by a later [`S3BlobStore::remove_stale`].
pub(crate) async fn delete_quietly(store: &dyn ObjectStore, path: &Path) {
    if let Err(err) = store.delete(path).await {
        tracing::warn!(%path, %err, "could not delete a temporary object");
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn writer(&self) -> Result<Box<dyn BlobWriter>, BlobError> {
        Ok(Box::new(writer::S3Writer::new(
            self.store.clone(),
            self.layout.clone(),
        )))
    }

    async fn stat(&self, key: &BlobKey) -> Result<Option<u64>, BlobError> {
        match self.size_of(key).await {
            Ok(size) => Ok(Some(size)),
            Err(BlobError::NotFound(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Streams the object as the server sends it: nothing is buffered beyond the HTTP body's
    /// own chunks.
    async fn read(
        &self,
        key: &BlobKey,
        range: Option<Range<u64>>,
    ) -> Result<BlobStream, BlobError> {
        let size = self.size_of(key).await?;
        let Range { start, end } = range.unwrap_or(0..size);
        if start == 0 && end == 0 && size == 0 {
            return Ok(futures::stream::empty().boxed());
        }
        if start >= end || end > size {
            return Err(BlobError::InvalidRange { start, end, size });
        }
        let path = self.layout.blob(key);
        let whole = start == 0 && end == size;
        let options = GetOptions {
            range: (!whole).then_some(GetRange::Bounded(start..end)),
            ..GetOptions::default()
        };
        let got = match self.store.get_opts(&path, options).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(*key)),
            Err(err) => return Err(store_err("read", &path)(err)),
        };
        Ok(got.into_stream().map_err(std::io::Error::other).boxed())
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let path = self.layout.blob(key);
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(store_err("delete", &path)(err)),
        }
    }

    async fn list_kind(&self, kind: ListedKind) -> Result<Vec<(BlobKey, u64)>, BlobError> {
        let dir = self.layout.kind_dir(kind);
        let mut out: Vec<(BlobKey, u64)> = self
            .store
            .list(Some(&dir))
            .try_filter_map(|meta| {
                let key = self.layout.key_at(kind, &meta.location);
                std::future::ready(Ok(key.map(|key| (key, meta.size))))
            })
            .try_collect()
            .await
            .map_err(store_err("list", &dir))?;
        out.sort();
        Ok(out)
    }

    async fn verify(&self, key: &BlobKey) -> Result<bool, BlobError> {
        if !matches!(key, BlobKey::Lfs(_)) {
            // Xet objects are checked by the Xet layer (commonhold fsck); existence is enough.
            return self.size_of(key).await.map(|_| true);
        }
        let mut stream = self.read(key, None).await?;
        let mut hasher = sha2::Sha256::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|source| BlobError::Store {
                action: "read",
                location: self.layout.blob(key).to_string(),
                source: Box::new(source),
            })?;
            hasher.update(&chunk);
        }
        Ok(Sha256(hasher.finalize().into()) == key.sha256())
    }

    async fn put_part(
        &self,
        upload: &UploadId,
        part: u32,
        body: BlobStream,
    ) -> Result<PartReceipt, BlobError> {
        multipart::put_part(&self.store, &self.layout, upload, part, body).await
    }

    async fn complete_parts(
        &self,
        upload: &UploadId,
        parts: &[(u32, String)],
        expected: Sha256,
        size: u64,
    ) -> Result<(), BlobError> {
        multipart::complete_parts(&self.store, &self.layout, upload, parts, expected, size).await
    }

    async fn abort_parts(&self, upload: &UploadId) -> Result<(), BlobError> {
        multipart::abort_parts(&self.store, &self.layout, upload).await
    }

    /// Create-only through a conditional PUT when the server supports it (probed at open),
    /// else a check, then a PUT: two writers racing on one key may both store, but the key
    /// names its content, so they store the same bytes. A PUT is atomic and durable once
    /// acknowledged.
    async fn put_verified(&self, key: &BlobKey, data: bytes::Bytes) -> Result<bool, BlobError> {
        let path = self.layout.blob(key);
        if !self.conditional_put && exists(self.store.as_ref(), &path).await? {
            return Ok(false);
        }
        let mode = if self.conditional_put {
            PutMode::Create
        } else {
            PutMode::Overwrite
        };
        match self
            .store
            .put_opts(&path, PutPayload::from(data), mode.into())
            .await
        {
            Ok(_) => Ok(true),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Ok(false),
            Err(err) => Err(store_err("store", &path)(err)),
        }
    }
}
