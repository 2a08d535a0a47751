//! Runs each store test against both backends: SQLite in a temporary directory, and
//! PostgreSQL in a fresh database of the cluster named by `COMMONHOLD_TEST_PG_URL` (which
//! `scripts/with-postgres.sh` provides). Without that variable the PostgreSQL variant fails,
//! unless `COMMONHOLD_SKIP_PG=1` asks to skip it, so a skipped backend never passes silently.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use commonhold_meta::{Backend, MetaStore};
use commonhold_types::GitOid;
use sqlx::{Connection, Executor};

/// A store on a database of its own, and the URL to open more stores on the same database.
pub struct Fixture {
    pub store: MetaStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// A second, independent store (its own connection pool) on the same database, as a
    /// second server process would have.
    pub async fn reopen(&self) -> MetaStore {
        MetaStore::open(&self.url)
            .await
            .expect("reopen the same database")
    }
}

pub async fn sqlite_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("meta.db").display());
    let store = MetaStore::open(&url).await.expect("open SQLite store");
    assert_eq!(store.backend(), Backend::Sqlite);
    Fixture {
        store,
        url,
        _dir: Some(dir),
    }
}

pub async fn postgres_fixture(test: &str) -> Option<Fixture> {
    let Ok(admin_url) = std::env::var("COMMONHOLD_TEST_PG_URL") else {
        if std::env::var("COMMONHOLD_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("COMMONHOLD_SKIP_PG=1: skipping the PostgreSQL variant of {test}");
            return None;
        }
        panic!(
            "COMMONHOLD_TEST_PG_URL is not set: run the tests under scripts/with-postgres.sh \
             (e.g. `scripts/with-postgres.sh cargo nextest run -p commonhold-meta`), or set \
             COMMONHOLD_SKIP_PG=1 to skip the PostgreSQL variants knowingly"
        );
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let db = format!(
        "t_{}_{}_{}",
        test.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect::<String>(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the test cluster");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{db}\"")))
        .await
        .expect("create a fresh test database");
    admin.close().await.expect("close admin connection");
    let mut url = url::Url::parse(&admin_url).expect("COMMONHOLD_TEST_PG_URL is a URL");
    url.set_path(&db);
    let url = url.to_string();
    let store = MetaStore::open(&url).await.expect("open PostgreSQL store");
    assert_eq!(store.backend(), Backend::Postgres);
    Some(Fixture {
        store,
        url,
        _dir: None,
    })
}

/// Runs `test` on SQLite.
pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    test(sqlite_fixture().await).await;
}

/// Runs `test` on a fresh PostgreSQL database named after `name`.
pub async fn on_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(fx) = postgres_fixture(name).await {
        test(fx).await;
    }
}

/// Generates `<test>::sqlite` and `<test>::postgres` from `async fn <test>(fx: Fixture)`.
macro_rules! both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::harness::on_sqlite(super::$test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::harness::on_postgres(stringify!($test), super::$test).await;
            }
        }
    )*};
}
pub(crate) use both_backends;

/// A distinct, recognisable git object id per number.
pub fn oid(n: u32) -> GitOid {
    let mut bytes = [0xab; 20];
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    GitOid(bytes)
}
