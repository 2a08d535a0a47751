//! The SQLite and PostgreSQL migrations must make the same schema: the same tables, columns
//! (in order, with matching types and nullability), primary keys and indexes (by columns and
//! uniqueness), so that one `MetaStore` API behaves alike on both. Types are compared through
//! the pairs the migrations use (INTEGER/BIGINT, BLOB/BYTEA, TEXT).

use std::collections::BTreeMap;

use sqlx::{Connection, Row};

use crate::harness::{postgres_fixture, sqlite_fixture};

/// Table → columns `(name, type, not null)` in order, primary key columns, and indexes as
/// `(columns, unique)`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: Vec<(String, &'static str, bool)>,
    primary_key: Vec<String>,
    indexes: Vec<(Vec<String>, bool)>,
}

type Schema = BTreeMap<String, Table>;

fn kind(t: &str) -> &'static str {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer",
        "blob" | "bytea" => "bytes",
        "text" => "text",
        other => panic!("a column type the migrations should not use: {other}"),
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for t in tables {
        let mut table = Table::default();
        let mut pk = Vec::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{t}\")")))
            .fetch_all(&mut db)
            .await
            .unwrap()
        {
            let name: String = row.get("name");
            let pk_pos: i64 = row.get("pk");
            let not_null: i64 = row.get("notnull");
            let ty: String = row.get("type");
            // An INTEGER PRIMARY KEY is the rowid: never null, whatever the pragma says.
            table
                .columns
                .push((name.clone(), kind(&ty), not_null != 0 || pk_pos > 0));
            if pk_pos > 0 {
                pk.push((pk_pos, name));
            }
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, n)| n).collect();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_list(\"{t}\")")))
            .fetch_all(&mut db)
            .await
            .unwrap()
        {
            let origin: String = row.get("origin");
            if origin == "pk" {
                continue;
            }
            let name: String = row.get("name");
            let unique: i64 = row.get("unique");
            let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA index_info(\"{name}\")"
            )))
            .fetch_all(&mut db)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
            table.indexes.push((cols, unique != 0));
        }
        table.indexes.sort();
        schema.insert(t, table);
    }
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let mut schema = Schema::new();
    for row in sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, \
         is_nullable::text AS nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
    {
        let ty: String = row.get("ty");
        let nullable: String = row.get("nullable");
        schema.entry(row.get("t")).or_default().columns.push((
            row.get("c"),
            kind(&ty),
            nullable == "NO",
        ));
    }
    for row in sqlx::query(
        "SELECT t.relname::text AS t, ix.indisunique AS uniq, ix.indisprimary AS pk, \
         ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
               ORDER BY k.ord) AS cols \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
    {
        let table = schema.entry(row.get("t")).or_default();
        let cols: Vec<String> = row.get("cols");
        if row.get::<bool, _>("pk") {
            table.primary_key = cols;
        } else {
            table.indexes.push((cols, row.get("uniq")));
        }
    }
    for table in schema.values_mut() {
        table.indexes.sort();
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_make_the_same_schema() {
    let Some(pg) = postgres_fixture("schema_equality").await else {
        return;
    };
    let lite = sqlite_fixture().await;
    let (lite, pg) = (
        sqlite_schema(&lite.url).await,
        postgres_schema(&pg.url).await,
    );
    assert!(lite.len() > 10, "the migrations ran: {lite:?}");
    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        pg.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (name, table) in &lite {
        assert_eq!(
            Some(table),
            pg.get(name),
            "table {name}: SQLite, then PostgreSQL"
        );
    }
}
