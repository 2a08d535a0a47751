//! Access tokens. Only a hash of each secret is stored (the caller hashes), so a leaked
//! database does not leak usable tokens; lookups are by that hash.

use commonhold_types::Role;
use sqlx::any::AnyRow;

use crate::MetaStore;
use crate::accounts::account_from_row;
use crate::codec::{col, flag, now_ms};
use crate::error::{MetaError, translate};
use crate::model::{Account, TokenInfo};

/// Reads the `token_id, user_id, display_name, role, token_created_at, revoked` columns.
fn token_from_row(row: &AnyRow) -> Result<TokenInfo, MetaError> {
    let role: String = col(row, "role")?;
    Ok(TokenInfo {
        id: col(row, "token_id")?,
        user_id: col(row, "user_id")?,
        display_name: col(row, "display_name")?,
        role: Role::parse(&role)
            .ok_or_else(|| MetaError::Corrupt(format!("token role {role:?}")))?,
        created_at: col(row, "token_created_at")?,
        revoked: flag(row, "revoked")?,
    })
}

impl MetaStore {
    /// Records a token for a user and returns its id. [`MetaError::NotFound`] if `user_id` is
    /// not a user (organisations hold no tokens).
    pub async fn create_token(
        &self,
        user_id: i64,
        display_name: &str,
        role: Role,
        token_hash: &[u8; 32],
    ) -> Result<i64, MetaError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO tokens (user_id, display_name, role, token_hash, created_at, revoked) \
             SELECT $1, $2, $3, $4, $5, 0 \
             WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND kind = 'user') \
             RETURNING id",
        )
        .bind(user_id)
        .bind(display_name)
        .bind(role.as_str())
        .bind(&token_hash[..])
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| {
            translate(
                e,
                || "a token with this secret already exists; generate a new secret".to_string(),
                || format!("no user with id {user_id}"),
            )
        })?;
        id.ok_or_else(|| MetaError::NotFound(format!("no user with id {user_id}")))
    }

    /// The live (not revoked) token with this hash, and the user it belongs to.
    pub async fn token_by_hash(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<(TokenInfo, Account)>, MetaError> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, t.user_id, t.display_name, t.role, \
                    t.created_at AS token_created_at, t.revoked, \
                    a.id, a.name, a.kind, a.is_admin, a.created_at \
             FROM tokens t JOIN accounts a ON a.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked = 0",
        )
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((token_from_row(&row)?, account_from_row(&row)?)))
            .transpose()
    }

    /// Whether the token with this id exists and is not revoked.
    pub async fn token_is_live(&self, token_id: i64) -> Result<bool, MetaError> {
        let row = sqlx::query("SELECT 1 AS live FROM tokens WHERE id = $1 AND revoked = 0")
            .bind(token_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Revokes the user's live tokens named `display_name`; returns how many were revoked.
    pub async fn revoke_token(&self, user_id: i64, display_name: &str) -> Result<u64, MetaError> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked = 1 \
             WHERE user_id = $1 AND display_name = $2 AND revoked = 0",
        )
        .bind(user_id)
        .bind(display_name)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// All of a user's tokens, revoked ones included, oldest first.
    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<TokenInfo>, MetaError> {
        let rows = sqlx::query(
            "SELECT id AS token_id, user_id, display_name, role, \
                    created_at AS token_created_at, revoked \
             FROM tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }
}
