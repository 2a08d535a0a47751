//! `commonhold serve`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use commonhold_hub::{Hub, HubConfig};

use crate::config::{BlobStoreSetting, Settings};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080] [env: COMMONHOLD_LISTEN]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// URL clients reach this server at (used in every absolute URL it emits)
    /// [default: http://<listen>] [env: COMMONHOLD_PUBLIC_URL]
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Fill the hub with a handful of generated example assets across tiers (once; skipped
    /// when they exist), so a newcomer sees a living catalogue at once.
    #[arg(long)]
    demo: bool,
}

/// Opens the stores and builds the hub; shared by every command.
/// Opens the stores and the hub over them. The metadata store is handed back too, for the
/// operator's account commands (users, organisations, tokens) and nothing else: requests
/// reach the stores only through the hub.
pub async fn open_hub(
    settings: &Settings,
    public_url: String,
) -> anyhow::Result<(Hub, commonhold_meta::MetaStore)> {
    if settings.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    let meta = commonhold_meta::MetaStore::open(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the metadata database {}",
                redact(&settings.database_url)
            )
        })?;
    let blobs = open_blobs(&settings.blob_store).await?;
    let config = HubConfig {
        public_url,
        max_file_size: settings.max_file_size,
        max_regular_file_size: settings.max_regular_file_size,
        upload_url_ttl_secs: settings.upload_url_ttl_secs,
        xet_token_ttl_secs: settings.xet_token_ttl_secs,
        rate_limit_per_token: settings.rate_limit_per_token,
        rate_limit_per_address: settings.rate_limit_per_address,
    };
    let hub = Hub::new(meta.clone(), blobs, config, settings.signing_key.clone()).await?;
    if let Some(path) = &settings.knowledge_file {
        hub.set_knowledge(crate::knowledge::load(path)?);
    }
    Ok((hub, meta))
}

/// The configured blob store: local files (the default) or an S3-compatible bucket.
async fn open_blobs(
    setting: &BlobStoreSetting,
) -> anyhow::Result<Arc<dyn commonhold_blob::BlobStore>> {
    Ok(match setting {
        BlobStoreSetting::Local(dir) => Arc::new(
            commonhold_blob::LocalBlobStore::open(dir)
                .await
                .with_context(|| format!("cannot open the blob store in {}", dir.display()))?,
        ),
        BlobStoreSetting::S3(s3) => Arc::new(
            commonhold_blob::S3BlobStore::open(s3)
                .await
                .with_context(|| {
                    let endpoint = s3.endpoint.as_deref().unwrap_or("AWS");
                    format!(
                        "cannot open the S3 blob store s3://{}/{} at {endpoint}",
                        s3.bucket, s3.prefix
                    )
                })?,
        ),
    })
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

pub async fn run(settings: Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let listen = args.listen.unwrap_or_else(|| settings.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {listen} (is another server using it? try --listen 127.0.0.1:0)"
            )
        })?;
    let addr = listener.local_addr()?;
    let public_url = args
        .public_url
        .or_else(|| settings.public_url.clone())
        .unwrap_or_else(|| format!("http://{addr}"));
    let (hub, meta) = open_hub(&settings, public_url.clone()).await?;
    if let Some(token) = crate::admin::ensure_admin(&meta).await? {
        println!("Created user admin. Its write token, shown only this once:\n{token}");
    }
    if args.demo {
        crate::demo::seed(&hub, &meta)
            .await
            .context("cannot seed the demo assets")?;
        eprintln!("demo assets seeded: browse {public_url}/");
    }
    if let Some(path) = &settings.knowledge_file {
        crate::knowledge::spawn_watcher(hub.clone(), path.clone());
    }
    if let Err(e) = hub.queue_reassess_if_changed().await {
        tracing::error!(error = %e, "cannot queue the re-assessment after a definition or knowledge change");
    }
    hub.spawn_assessor();
    hub.spawn_reassessor();
    hub.spawn_catalogue_indexer();
    hub.spawn_xet_file_hasher();
    eprintln!(
        "commonhold {} listening on http://{addr} (public URL {public_url}, data {})",
        env!("CARGO_PKG_VERSION"),
        settings.data_dir.display()
    );
    commonhold_server::serve(hub, listener, settings.timeouts, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite:///x/meta.db"), "sqlite:///x/meta.db");
    }
}
