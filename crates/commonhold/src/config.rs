//! Configuration: built-in defaults, then a TOML file (`--config`), then `COMMONHOLD_*`
//! environment variables, then command-line flags; later sources win.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// What the configuration file may contain. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Data directory (SQLite database and local blobs).
    pub data_dir: Option<PathBuf>,
    /// `sqlite:///path/meta.db` or `postgres://user@host/db`; default: SQLite in the data directory.
    pub database_url: Option<String>,
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// URL clients reach the server at; every absolute URL the server emits starts with it.
    pub public_url: Option<String>,
    /// Hex key for signing upload URLs; servers sharing a database must share it. Default: one
    /// generated on first start and kept in the database.
    pub signing_key: Option<String>,
    /// Largest accepted file, e.g. `50GB`, `500MB`, or a number of bytes.
    pub max_file_size: Option<String>,
    /// Largest regular (non-LFS) file a commit may add, e.g. `10MiB` (the default); larger
    /// files must go through LFS.
    pub max_regular_file_size: Option<String>,
    /// Lifetime of signed upload URLs in seconds.
    pub upload_url_ttl_secs: Option<i64>,
    /// Lifetime of Xet CAS tokens in seconds (default: the `xet_token_ttl_secs` setting in the
    /// database, one hour unless changed there). Clients refresh when fewer than 30 s remain.
    pub xet_token_ttl_secs: Option<i64>,
    /// Where blobs live: `s3://bucket/prefix` for an S3-compatible store; default: local files
    /// under `<data_dir>/blobs`.
    pub blob_store: Option<String>,
    /// S3 endpoint, e.g. `http://127.0.0.1:8333` (default: AWS). Env: `AWS_ENDPOINT_URL`.
    pub s3_endpoint: Option<String>,
    /// S3 region (default `us-east-1`). Env: `AWS_REGION`.
    pub s3_region: Option<String>,
    /// S3 credentials. Env: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Seconds a client has to send a request's headers (also how long a kept-alive
    /// connection may wait for its next request).
    pub header_read_timeout_secs: Option<u64>,
    /// Seconds a request may make no progress while the server waits on the client (a body
    /// that stops arriving, a response that is not read). Long transfers that move are never cut.
    pub idle_timeout_secs: Option<u64>,
    /// Requests a minute one access token may make; 0 turns the limit off.
    pub rate_limit_per_token: Option<u32>,
    /// Requests a minute one address may make without a token; 0 turns the limit off.
    pub rate_limit_per_address: Option<u32>,
    /// The site's knowledge file of base-model families, replacing the built-in one
    /// (docs/openness/base-families.toml). Env: `COMMONHOLD_KNOWLEDGE_FILE`.
    pub knowledge_file: Option<PathBuf>,
}

/// Where blobs live.
#[derive(Debug, Clone)]
pub enum BlobStoreSetting {
    /// Files under this directory (the default, `<data_dir>/blobs`).
    Local(PathBuf),
    S3(commonhold_blob::S3Config),
}

/// The settings every command works from.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
    pub public_url: Option<String>,
    pub signing_key: Option<Vec<u8>>,
    pub max_file_size: u64,
    pub max_regular_file_size: u64,
    pub upload_url_ttl_secs: i64,
    pub xet_token_ttl_secs: Option<i64>,
    pub blob_store: BlobStoreSetting,
    pub timeouts: commonhold_server::Timeouts,
    pub rate_limit_per_token: u32,
    pub rate_limit_per_address: u32,
    pub knowledge_file: Option<PathBuf>,
}

/// Flags shared by every command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GlobalArgs {
    /// Data directory [default: ./commonhold-data] [env: COMMONHOLD_DATA]
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// TOML configuration file (keys: data_dir, database_url, listen, public_url, signing_key,
    /// max_file_size, max_regular_file_size, upload_url_ttl_secs, xet_token_ttl_secs, blob_store, s3_endpoint, s3_region,
    /// s3_access_key_id, s3_secret_access_key, header_read_timeout_secs, idle_timeout_secs,
    /// rate_limit_per_token, rate_limit_per_address, knowledge_file) [env: COMMONHOLD_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Metadata database URL (sqlite://... or postgres://...) [env: COMMONHOLD_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Blob store: s3://bucket/prefix [default: files under <data>/blobs] [env: COMMONHOLD_BLOB_STORE]
    #[arg(long, global = true, value_name = "URL")]
    pub blob_store: Option<String>,
}

/// Parses sizes such as `50GB`, `512MiB`, `1000`.
pub fn parse_size(s: &str) -> anyhow::Result<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a size (try 50GB or 500MB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        other => bail!(
            "unknown size unit {other:?} in {s:?} (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
        ),
    };
    n.checked_mul(mult)
        .with_context(|| format!("{s:?} is too large"))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A whole number: `COMMONHOLD_<KEY>` (upper case), else `key` of the file.
fn number<T: std::str::FromStr>(key: &str, from_file: Option<T>) -> anyhow::Result<Option<T>> {
    let var = format!("COMMONHOLD_{}", key.to_ascii_uppercase());
    match env(&var) {
        Some(s) => match s.parse() {
            Ok(n) => Ok(Some(n)),
            Err(_) => bail!("{var} must be a whole number, not {s:?}"),
        },
        None => Ok(from_file),
    }
}

/// A number of seconds (at least 1), as [`number`].
fn seconds(key: &str, from_file: Option<u64>) -> anyhow::Result<Option<std::time::Duration>> {
    match number(key, from_file)? {
        Some(0) => bail!("{key} must be at least 1 second"),
        n => Ok(n.map(std::time::Duration::from_secs)),
    }
}

impl Settings {
    pub fn load(args: &GlobalArgs) -> anyhow::Result<Settings> {
        let config_path = args
            .config
            .clone()
            .or_else(|| env("COMMONHOLD_CONFIG").map(PathBuf::from));
        let file = match &config_path {
            Some(p) => read_file(p)?,
            None => FileConfig::default(),
        };
        let data_dir = args
            .data
            .clone()
            .or_else(|| env("COMMONHOLD_DATA").map(PathBuf::from))
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("commonhold-data"));
        let data_dir = std::path::absolute(&data_dir).unwrap_or(data_dir);
        let blob_store = blob_store_setting(args, &file, &data_dir)?;
        let database_url = args
            .database_url
            .clone()
            .or_else(|| env("COMMONHOLD_DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("meta.db").display()));
        let signing_key = match env("COMMONHOLD_SIGNING_KEY").or(file.signing_key) {
            Some(k) => {
                let key = hex::decode(k.trim())
                    .context("signing_key must be hex (e.g. from `openssl rand -hex 32`)")?;
                if key.len() < 16 {
                    bail!("signing_key must be at least 16 bytes (32 hex digits)");
                }
                Some(key)
            }
            None => None,
        };
        let max_file_size = match env("COMMONHOLD_MAX_FILE_SIZE").or(file.max_file_size) {
            Some(s) => parse_size(&s).context("max_file_size")?,
            None => 50_000_000_000,
        };
        let max_regular_file_size =
            match env("COMMONHOLD_MAX_REGULAR_FILE_SIZE").or(file.max_regular_file_size) {
                Some(s) => parse_size(&s).context("max_regular_file_size")?,
                None => commonhold_hub::LFS_THRESHOLD,
            };
        let upload_url_ttl_secs = match env("COMMONHOLD_UPLOAD_URL_TTL_SECS") {
            Some(s) => s
                .parse()
                .context("COMMONHOLD_UPLOAD_URL_TTL_SECS must be a number of seconds")?,
            None => file.upload_url_ttl_secs.unwrap_or(3600),
        };
        let xet_token_ttl_secs = match env("COMMONHOLD_XET_TOKEN_TTL_SECS") {
            Some(s) => Some(
                s.parse()
                    .context("COMMONHOLD_XET_TOKEN_TTL_SECS must be a number of seconds")?,
            ),
            None => file.xet_token_ttl_secs,
        };
        if xet_token_ttl_secs.is_some_and(|t| t < 1) {
            bail!("xet_token_ttl_secs must be at least 1 second");
        }
        let defaults = commonhold_server::Timeouts::default();
        let timeouts = commonhold_server::Timeouts {
            header_read: seconds("header_read_timeout_secs", file.header_read_timeout_secs)?
                .unwrap_or(defaults.header_read),
            idle: seconds("idle_timeout_secs", file.idle_timeout_secs)?.unwrap_or(defaults.idle),
        };
        let rate_limit = |key, from_file| {
            number(key, from_file).map(|n| n.unwrap_or(commonhold_hub::DEFAULT_RATE_LIMIT))
        };
        let rate_limit_per_token = rate_limit("rate_limit_per_token", file.rate_limit_per_token)?;
        let rate_limit_per_address =
            rate_limit("rate_limit_per_address", file.rate_limit_per_address)?;
        let knowledge_file = env("COMMONHOLD_KNOWLEDGE_FILE")
            .map(PathBuf::from)
            .or_else(|| file.knowledge_file.clone());
        Ok(Settings {
            knowledge_file,
            data_dir,
            database_url,
            listen: env("COMMONHOLD_LISTEN")
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            public_url: env("COMMONHOLD_PUBLIC_URL").or(file.public_url),
            signing_key,
            max_file_size,
            max_regular_file_size,
            upload_url_ttl_secs,
            xet_token_ttl_secs,
            blob_store,
            timeouts,
            rate_limit_per_token,
            rate_limit_per_address,
        })
    }
}

/// The blob store: local files unless `blob_store` names an S3 bucket, whose endpoint, region
/// and credentials come from the standard `AWS_*` variables, else the `s3_*` keys of the file.
fn blob_store_setting(
    args: &GlobalArgs,
    file: &FileConfig,
    data_dir: &Path,
) -> anyhow::Result<BlobStoreSetting> {
    let Some(url) = args
        .blob_store
        .clone()
        .or_else(|| env("COMMONHOLD_BLOB_STORE"))
        .or_else(|| file.blob_store.clone())
    else {
        return Ok(BlobStoreSetting::Local(data_dir.join("blobs")));
    };
    let mut s3 = commonhold_blob::S3Config::from_url(&url).context(
        "blob_store must be s3://bucket/prefix (or unset, for files in the data directory)",
    )?;
    s3.endpoint = env("AWS_ENDPOINT_URL")
        .or_else(|| env("AWS_ENDPOINT"))
        .or_else(|| file.s3_endpoint.clone());
    s3.region = env("AWS_REGION")
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| file.s3_region.clone());
    s3.access_key_id = env("AWS_ACCESS_KEY_ID").or_else(|| file.s3_access_key_id.clone());
    s3.secret_access_key =
        env("AWS_SECRET_ACCESS_KEY").or_else(|| file.s3_secret_access_key.clone());
    Ok(BlobStoreSetting::S3(s3))
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("50GB").unwrap(), 50_000_000_000);
        assert_eq!(parse_size("1MiB").unwrap(), 1 << 20);
        assert_eq!(parse_size("123").unwrap(), 123);
        assert!(parse_size("12XB").is_err());
        assert!(parse_size("GB").is_err());
    }

    #[test]
    fn file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.toml");
        std::fs::write(&cfg, "listen = \"127.0.0.1:9999\"\npublic_url = \"https://hub.example\"\nmax_file_size = \"1GB\"\nxet_token_ttl_secs = 40\nidle_timeout_secs = 90\nknowledge_file = \"/srv/families.toml\"\n").unwrap();
        let args = GlobalArgs {
            data: Some(dir.path().join("d")),
            config: Some(cfg),
            database_url: None,
            blob_store: None,
        };
        let s = Settings::load(&args).unwrap();
        assert_eq!(s.listen, "127.0.0.1:9999");
        assert_eq!(s.public_url.as_deref(), Some("https://hub.example"));
        assert_eq!(s.max_file_size, 1_000_000_000);
        assert_eq!(s.xet_token_ttl_secs, Some(40));
        assert_eq!(s.timeouts.idle, std::time::Duration::from_secs(90));
        assert_eq!(
            s.timeouts.header_read,
            commonhold_server::Timeouts::default().header_read
        );
        if std::env::var_os("COMMONHOLD_KNOWLEDGE_FILE").is_none() {
            assert_eq!(
                s.knowledge_file.as_deref(),
                Some(std::path::Path::new("/srv/families.toml"))
            );
        }
        assert!(s.database_url.starts_with("sqlite://") && s.database_url.ends_with("d/meta.db"));
        assert!(
            matches!(&s.blob_store, BlobStoreSetting::Local(dir) if dir.ends_with("d/blobs")),
            "{:?}",
            s.blob_store
        );
        std::fs::write(dir.path().join("bad.toml"), "nope = 1\n").unwrap();
        let bad = GlobalArgs {
            config: Some(dir.path().join("bad.toml")),
            ..Default::default()
        };
        assert!(Settings::load(&bad).is_err());
    }

    #[test]
    fn s3_blob_store_from_file_then_flag() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.toml");
        std::fs::write(
            &cfg,
            "blob_store = \"s3://hub-blobs/prod\"\ns3_endpoint = \"http://127.0.0.1:8333\"\ns3_region = \"eu-1\"\n",
        )
        .unwrap();
        let mut args = GlobalArgs {
            data: Some(dir.path().join("d")),
            config: Some(cfg),
            ..Default::default()
        };
        let s3 = |s: Settings| match s.blob_store {
            BlobStoreSetting::S3(s3) => s3,
            other => panic!("{other:?}"),
        };
        let from_file = s3(Settings::load(&args).unwrap());
        assert_eq!(
            (from_file.bucket.as_str(), from_file.prefix.as_str()),
            ("hub-blobs", "prod")
        );
        if std::env::var_os("AWS_ENDPOINT_URL").is_none()
            && std::env::var_os("AWS_ENDPOINT").is_none()
        {
            assert_eq!(from_file.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        }
        args.blob_store = Some("s3://other-bucket".into());
        let from_flag = s3(Settings::load(&args).unwrap());
        assert_eq!(
            (from_flag.bucket.as_str(), from_flag.prefix.as_str()),
            ("other-bucket", "")
        );
        args.blob_store = Some("/var/blobs".into());
        let err = Settings::load(&args).unwrap_err();
        assert!(format!("{err:#}").contains("s3://bucket/prefix"), "{err:#}");
    }
}
