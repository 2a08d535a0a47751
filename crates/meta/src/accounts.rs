//! Users, organisations and memberships. Users and organisations share one namespace, decided
//! case-insensitively by the unique `name_key` column.

use commonhold_types::validate_account_name;
use sqlx::any::AnyRow;

use crate::MetaStore;
use crate::codec::{col, flag, now_ms};
use crate::error::{MetaError, missing_parent};
use crate::model::{Account, AccountKind, OrgRole};

/// Reads the `id, name, kind, is_admin, created_at` columns of an account.
pub(crate) fn account_from_row(row: &AnyRow) -> Result<Account, MetaError> {
    let kind: String = col(row, "kind")?;
    Ok(Account {
        id: col(row, "id")?,
        name: col(row, "name")?,
        kind: AccountKind::parse(&kind)
            .ok_or_else(|| MetaError::Corrupt(format!("account kind {kind:?}")))?,
        is_admin: flag(row, "is_admin")?,
        created_at: col(row, "created_at")?,
    })
}

fn org_role(text: &str) -> Result<OrgRole, MetaError> {
    OrgRole::parse(text).ok_or_else(|| MetaError::Corrupt(format!("organisation role {text:?}")))
}

impl MetaStore {
    /// Creates a user. [`MetaError::Conflict`] if a user or organisation has the name in any case.
    pub async fn create_user(&self, name: &str, is_admin: bool) -> Result<Account, MetaError> {
        self.create_account(name, AccountKind::User, is_admin).await
    }

    /// Creates an organisation. [`MetaError::Conflict`] if the name is taken in any case.
    pub async fn create_org(&self, name: &str) -> Result<Account, MetaError> {
        self.create_account(name, AccountKind::Org, false).await
    }

    async fn create_account(
        &self,
        name: &str,
        kind: AccountKind,
        is_admin: bool,
    ) -> Result<Account, MetaError> {
        validate_account_name(name).map_err(|e| MetaError::Invalid(e.to_string()))?;
        let created_at = now_ms();
        // ON CONFLICT DO NOTHING + RETURNING yields no row when the name is taken, on both
        // backends, without relying on the wording of a constraint error.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO accounts (name, name_key, kind, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(name.to_ascii_lowercase())
        .bind(kind.as_str())
        .bind(i64::from(is_admin))
        .bind(created_at)
        .fetch_optional(&self.pool)
        .await?;
        let id =
            id.ok_or_else(|| MetaError::Conflict(format!("the name {name:?} is already taken")))?;
        Ok(Account {
            id,
            name: name.to_string(),
            kind,
            is_admin,
            created_at,
        })
    }

    /// Makes `user_id` a member of `org_id` with `role`, or changes the role of a member.
    /// [`MetaError::NotFound`] unless `org_id` is an organisation and `user_id` a user.
    pub async fn add_member(
        &self,
        org_id: i64,
        user_id: i64,
        role: OrgRole,
    ) -> Result<(), MetaError> {
        let done = sqlx::query(
            "INSERT INTO org_members (org_id, user_id, role) \
             SELECT $1, $2, $3 WHERE \
               EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND kind = 'org') AND \
               EXISTS (SELECT 1 FROM accounts WHERE id = $2 AND kind = 'user') \
             ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| missing_parent(e, || format!("no organisation {org_id} or user {user_id}")))?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NotFound(format!(
                "no organisation with id {org_id} or no user with id {user_id}"
            )));
        }
        Ok(())
    }

    /// Looks a user or organisation up by name, ignoring case.
    pub async fn account_by_name(&self, name: &str) -> Result<Option<Account>, MetaError> {
        let row = sqlx::query(
            "SELECT a.id, a.name, a.kind, a.is_admin, a.created_at FROM accounts a \
             WHERE a.name_key = $1",
        )
        .bind(name.to_ascii_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>, MetaError> {
        let row = sqlx::query(
            "SELECT a.id, a.name, a.kind, a.is_admin, a.created_at FROM accounts a WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// The organisations a user belongs to, with the user's role in each, by name.
    pub async fn orgs_of(&self, user_id: i64) -> Result<Vec<(Account, OrgRole)>, MetaError> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.kind, a.is_admin, a.created_at, m.role \
             FROM org_members m JOIN accounts a ON a.id = m.org_id \
             WHERE m.user_id = $1 ORDER BY a.name_key",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    account_from_row(row)?,
                    org_role(&col::<String>(row, "role")?)?,
                ))
            })
            .collect()
    }

    /// The user's role in the organisation, if a member.
    pub async fn member_role(
        &self,
        org_id: i64,
        user_id: i64,
    ) -> Result<Option<OrgRole>, MetaError> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM org_members WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        role.as_deref().map(org_role).transpose()
    }
}
