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

/// The longest due-diligence text accepted.
pub const MAX_PROVIDER_FIELD: usize = 2000;

impl ProviderProfile {
    /// Applies a change from the API or the CLI: absent values keep theirs, blank text clears a
    /// field, text is trimmed. [`MetaError::Invalid`] (nothing changed) when a text is too long.
    pub fn apply(
        &mut self,
        security_contact: Option<String>,
        data_handling: Option<String>,
        verified: Option<bool>,
    ) -> Result<(), MetaError> {
        let too_long = |v: &Option<String>| {
            v.as_ref()
                .is_some_and(|v| v.chars().count() > MAX_PROVIDER_FIELD)
        };
        if too_long(&security_contact) || too_long(&data_handling) {
            return Err(MetaError::Invalid(format!(
                "due-diligence fields are limited to {MAX_PROVIDER_FIELD} characters"
            )));
        }
        for (field, value) in [
            (&mut self.security_contact, security_contact),
            (&mut self.data_handling, data_handling),
        ] {
            if let Some(v) = value {
                *field = (!v.trim().is_empty()).then(|| v.trim().to_string());
            }
        }
        if let Some(v) = verified {
            self.verified = v;
        }
        Ok(())
    }
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
