//! Opening a store: URL → backend, connection settings, migrations, and how write transactions
//! begin.
//!
//! SQLite settings, applied to every new connection:
//! - `journal_mode=WAL`: readers never block the writer, and two `serve` processes can share the
//!   file;
//! - `busy_timeout=15000`: a writer waits up to 15 s for another (in this or another process)
//!   instead of failing at once;
//! - `foreign_keys=ON`: deleting a repo removes its refs, grants and counters;
//! - `synchronous=FULL`: every commit is fsynced to the WAL before it is acknowledged. `NORMAL`
//!   would be crash-safe for the process but may lose the last commits on power loss, and a
//!   push that the client saw succeed must not vanish; the cost is one fsync per write
//!   transaction, which metadata writes (pushes, token changes, download counts) can afford.
//!
//! Write transactions on SQLite begin with `BEGIN IMMEDIATE`, taking the write lock up front,
//! so a transaction that reads and then writes can never fail half-way with "database is
//! locked" when another process wrote in between; the busy timeout covers the wait.

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};

use crate::MetaStore;
use crate::error::MetaError;
use crate::model::Backend;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Settings for each new SQLite connection; see the module documentation for the reasons.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";

/// How often opening retries migrations that lost a race against another process migrating
/// the same fresh SQLite file (SQLite has no migration lock; PostgreSQL takes an advisory one).
const SQLITE_MIGRATION_ATTEMPTS: u32 = 5;

/// Picks the backend from the URL scheme.
fn backend_of(url: &str) -> Result<Backend, MetaError> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(Backend::Sqlite),
        Some("postgres" | "postgresql") => Ok(Backend::Postgres),
        _ => Err(MetaError::Invalid(
            "the metadata database URL must start with sqlite:// or postgres://".to_string(),
        )),
    }
}

/// Asks SQLite to create the file if missing, unless the URL already chose a mode.
fn sqlite_url_creating(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl MetaStore {
    /// Opens `sqlite:///abs/path/meta.db` (the file is created if missing; its directory must
    /// exist) or `postgres://user@host:port/db`, and brings the schema up to date.
    pub async fn open(url: &str) -> Result<MetaStore, MetaError> {
        install_default_drivers();
        let backend = backend_of(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(SQLITE_PRAGMAS).await?;
                            Ok(())
                        })
                    })
                    .connect(&sqlite_url_creating(url))
                    .await?
            }
            Backend::Postgres => options.max_connections(16).connect(url).await?,
        };
        migrate(&pool, backend).await?;
        Ok(MetaStore {
            pool,
            backend,
            recent: Default::default(),
        })
    }

    /// The database behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that will write; see the module documentation.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, MetaError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), MetaError> {
    match backend {
        Backend::Postgres => Ok(POSTGRES_MIGRATIONS.run(pool).await?),
        Backend::Sqlite => {
            let mut attempt = 1;
            loop {
                match SQLITE_MIGRATIONS.run(pool).await {
                    Ok(()) => return Ok(()),
                    Err(e) if attempt >= SQLITE_MIGRATION_ATTEMPTS => return Err(e.into()),
                    Err(_) => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_scheme() {
        assert_eq!(backend_of("sqlite:///tmp/x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(
            backend_of("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            backend_of("PostgreSQL://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(matches!(
            backend_of("mysql://u@h/db"),
            Err(MetaError::Invalid(_))
        ));
        assert!(matches!(backend_of("meta.db"), Err(MetaError::Invalid(_))));
    }

    #[test]
    fn sqlite_urls_create_the_file_unless_told_otherwise() {
        assert_eq!(
            sqlite_url_creating("sqlite:///a/b.db"),
            "sqlite:///a/b.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating("sqlite:///a/b.db?cache=shared"),
            "sqlite:///a/b.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating("sqlite:///a/b.db?mode=ro"),
            "sqlite:///a/b.db?mode=ro"
        );
    }

    /// The settings the module documentation promises are in force on pooled connections.
    #[tokio::test]
    async fn sqlite_connections_use_wal_full_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("nested.db").display());
        let store = MetaStore::open(&url).await.expect("open creates the file");
        assert!(dir.path().join("nested.db").exists());
        let pragma = |name: &'static str| {
            let pool = store.pool.clone();
            async move {
                let sql = sqlx::AssertSqlSafe(format!("PRAGMA {name}"));
                let row = sqlx::query(sql).fetch_one(&pool).await.expect("pragma");
                let value = sqlx::Row::try_get::<i64, _>(&row, 0)
                    .map(|v| v.to_string())
                    .or_else(|_| sqlx::Row::try_get::<String, _>(&row, 0));
                value.expect("pragma value")
            }
        };
        assert_eq!(pragma("journal_mode").await, "wal");
        assert_eq!(pragma("foreign_keys").await, "1");
        assert_eq!(pragma("synchronous").await, "2", "FULL");
        assert_eq!(pragma("busy_timeout").await, "15000");
    }
}
