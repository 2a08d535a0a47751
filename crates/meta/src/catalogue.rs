//! What the public catalogue needs beyond repos: organisation members (the provider's
//! contributors) and the provider register's due-diligence fields.

use serde::{Deserialize, Serialize};

use crate::MetaStore;
use crate::accounts::account_from_row;
use crate::codec::{col, flag, now_ms};
use crate::error::{MetaError, missing_parent};
use crate::model::{Account, OrgRole};

/// Due-diligence fields of a provider. `verified` is set only by a site admin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderProfile {
    pub security_contact: Option<String>,
    pub data_handling: Option<String>,
    pub verified: bool,
}

impl MetaStore {
    /// The members of an organisation with their roles, by name.
    pub async fn members_of(&self, org_id: i64) -> Result<Vec<(Account, OrgRole)>, MetaError> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.kind, a.is_admin, a.created_at, m.role \
             FROM org_members m JOIN accounts a ON a.id = m.user_id \
             WHERE m.org_id = $1 ORDER BY a.name_key",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = col(row, "role")?;
                let role = OrgRole::parse(&role)
                    .ok_or_else(|| MetaError::Corrupt(format!("unknown org role {role:?}")))?;
                Ok((account_from_row(row)?, role))
            })
            .collect()
    }

    /// The provider profile of an account (all empty when never set).
    pub async fn provider_profile(&self, account_id: i64) -> Result<ProviderProfile, MetaError> {
        let row = sqlx::query(
            "SELECT security_contact, data_handling, verified FROM provider_profiles \
             WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(ProviderProfile::default()),
            Some(row) => Ok(ProviderProfile {
                security_contact: col(&row, "security_contact")?,
                data_handling: col(&row, "data_handling")?,
                verified: flag(&row, "verified")?,
            }),
        }
    }

    /// Stores (or replaces) the provider profile of an account.
    pub async fn set_provider_profile(
        &self,
        account_id: i64,
        p: &ProviderProfile,
    ) -> Result<(), MetaError> {
        sqlx::query(
            "INSERT INTO provider_profiles (account_id, security_contact, data_handling, verified, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET \
             security_contact = excluded.security_contact, data_handling = excluded.data_handling, \
             verified = excluded.verified, updated_at = excluded.updated_at",
        )
        .bind(account_id)
        .bind(p.security_contact.as_deref())
        .bind(p.data_handling.as_deref())
        .bind(i64::from(p.verified))
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| missing_parent(e, || format!("no account with id {account_id}")))?;
        Ok(())
    }
}
