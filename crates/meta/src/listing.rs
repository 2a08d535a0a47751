//! Repo listings (search, author, tags, visibility, sort, page) and download counting.

use std::fmt::Write as _;

use crate::MetaStore;
use crate::codec::to_i64;
use crate::error::{MetaError, missing_parent};
use crate::model::{PrivateRepos, Repo, RepoQuery};
use crate::repos::{repo_columns, repo_from_row};

/// A value bound to a numbered placeholder of a listing query.
enum Param {
    Int(i64),
    Text(String),
}

/// A `SELECT` under construction: SQL text with `$n` placeholders and the values for them. Only
/// fixed fragments are written into the text; every caller-supplied value is bound.
struct Select {
    sql: String,
    params: Vec<Param>,
}

impl Select {
    /// Adds a value and returns its placeholder.
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }
}

/// Escapes `%`, `_` and `\` so the text matches literally inside `LIKE ... ESCAPE '\'`.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Builds the listing query; separate from running it so the SQL can be checked without a
/// database.
fn listing_sql(q: &RepoQuery) -> Select {
    let mut s = Select {
        sql: String::new(),
        params: Vec::new(),
    };
    let ty = s.bind(Param::Text(q.repo_type.as_str().to_string()));
    s.sql = format!(
        "SELECT {} FROM repos WHERE repo_type = {ty}",
        repo_columns!()
    );
    if let Some(search) = q.search.as_deref().filter(|t| !t.is_empty()) {
        let p = s.bind(Param::Text(format!(
            "%{}%",
            like_literal(&search.to_ascii_lowercase())
        )));
        let _ = write!(s.sql, " AND name_key LIKE {p} ESCAPE '\\'");
    }
    if let Some(author) = q.author.as_deref() {
        let p = s.bind(Param::Text(author.to_ascii_lowercase()));
        let _ = write!(s.sql, " AND ns_key = {p}");
    }
    for tag in &q.tags {
        let p = s.bind(Param::Text(tag.clone()));
        let _ = write!(
            s.sql,
            " AND EXISTS (SELECT 1 FROM repo_tags t WHERE t.repo_id = repos.id AND t.tag = {p})"
        );
    }
    match q.gated {
        Some(true) => s.sql.push_str(" AND gated IS NOT NULL"),
        Some(false) => s.sql.push_str(" AND gated IS NULL"),
        None => {}
    }
    match &q.private {
        PrivateRepos::All => {}
        PrivateRepos::OwnedBy(owners) if !owners.is_empty() => {
            let ids: Vec<String> = owners.iter().map(|id| s.bind(Param::Int(*id))).collect();
            let _ = write!(
                s.sql,
                " AND (private = 0 OR owner_id IN ({}))",
                ids.join(", ")
            );
        }
        PrivateRepos::OwnedBy(_) | PrivateRepos::None => s.sql.push_str(" AND private = 0"),
    }
    let dir = if q.descending { "DESC" } else { "ASC" };
    let limit = s.bind(Param::Int(to_i64(q.limit, "limit").unwrap_or(i64::MAX)));
    let offset = s.bind(Param::Int(to_i64(q.offset, "offset").unwrap_or(i64::MAX)));
    let _ = write!(
        s.sql,
        " ORDER BY {col} {dir}, id {dir} LIMIT {limit} OFFSET {offset}",
        col = q.sort.column()
    );
    s
}

impl MetaStore {
    /// Repos matching the query that the viewer may see, in the requested order and page.
    pub async fn list_repos(&self, q: &RepoQuery) -> Result<Vec<Repo>, MetaError> {
        let select = listing_sql(q);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(select.sql));
        for param in select.params {
            query = match param {
                Param::Int(v) => query.bind(v),
                Param::Text(v) => query.bind(v),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(repo_from_row).collect()
    }

    /// Counts a download of a repo by `who` (a user or a client address) on `utc_day` (days
    /// since 1970-01-01), at most once per (repo, who, day). Returns whether it counted.
    pub async fn record_download(
        &self,
        repo_id: i64,
        who: &str,
        utc_day: i64,
    ) -> Result<bool, MetaError> {
        let mut tx = self.begin_write().await?;
        let seen = sqlx::query(
            "INSERT INTO downloads_seen (repo_id, day, who) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(repo_id)
        .bind(utc_day)
        .bind(who)
        .execute(&mut *tx)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo with id {repo_id}")))?;
        if seen.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE repos SET downloads = downloads + 1 WHERE id = $1")
            .bind(repo_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use commonhold_types::RepoType;

    use super::*;
    use crate::model::RepoSort;

    #[test]
    fn like_patterns_match_literally() {
        assert_eq!(like_literal("a_b%c\\d"), "a\\_b\\%c\\\\d");
    }

    #[test]
    fn user_text_is_bound_never_spliced() {
        let mut q = RepoQuery::new(RepoType::Model);
        q.search = Some("x' OR 1=1 --".to_string());
        q.author = Some("Acme".to_string());
        q.tags = vec!["nlp".to_string(), "de".to_string()];
        q.private = PrivateRepos::OwnedBy(vec![7, 9]);
        q.sort = RepoSort::Downloads;
        q.descending = false;
        let s = listing_sql(&q);
        assert!(!s.sql.contains("OR 1=1"));
        assert!(s.sql.contains("owner_id IN ($6, $7)"));
        assert!(
            s.sql
                .ends_with("ORDER BY downloads ASC, id ASC LIMIT $8 OFFSET $9")
        );
        assert_eq!(s.params.len(), 9);
    }
}
