//! Repo and account operations that check their caller themselves: delete, move, visibility,
//! listings, provider-register fields, and what the catalogue index reads. Request handlers
//! reach the stores only through these (and the other `Hub` operations), never directly, so
//! the access rule and cache invalidation cannot be forgotten by a handler.

use commonhold_meta::catalogue::ProviderProfile;
use commonhold_meta::{Account, CatalogueCard, Repo, RepoQuery};
use commonhold_types::{GitOid, RepoName, RepoType, Role};

use crate::access::private_repos;
use crate::{Hub, HubError, Principal};

impl Hub {
    /// Deletes a repo the caller may write.
    pub async fn delete_repo(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> Result<(), HubError> {
        let repo = self.writable_repo(who, kind, name).await?;
        self.meta.delete_repo(repo.id).await?;
        self.invalidate_hot();
        Ok(())
    }

    /// Renames a repo the caller may write, or gives it to another namespace the caller may
    /// write in.
    pub async fn move_repo(
        &self,
        who: &Principal,
        kind: RepoType,
        from: &RepoName,
        to: &RepoName,
    ) -> Result<(), HubError> {
        let repo = self.writable_repo(Some(who), kind, from).await?;
        let owner = self.writable_namespace(who, to.namespace()).await?;
        self.meta.move_repo(repo.id, to, owner.id).await?;
        self.invalidate_hot();
        Ok(())
    }

    /// Makes a repo the caller may write private or public (`None`: leaves it); returns
    /// whether it is private now.
    pub async fn set_private(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
        private: Option<bool>,
    ) -> Result<bool, HubError> {
        let repo = self.writable_repo(who, kind, name).await?;
        let Some(private) = private else {
            return Ok(repo.private);
        };
        self.meta.set_private(repo.id, private).await?;
        self.invalidate_hot();
        Ok(private)
    }

    /// The repos a listing query matches that `who` may see: which private repos is the access
    /// rule's to say, whatever the query held.
    pub async fn list_repos(
        &self,
        who: Option<&Principal>,
        mut query: RepoQuery,
    ) -> Result<Vec<Repo>, HubError> {
        query.private = private_repos(who);
        Ok(self.meta.list_repos(&query).await?)
    }

    /// A repo's refs by name (the caller found the repo through an access check).
    pub async fn refs(&self, repo: &Repo) -> Result<Vec<(String, GitOid)>, HubError> {
        Ok(self.meta.list_refs(repo.id).await?)
    }

    /// Counts a download of `repo` by `who` on `day` (once per caller and day).
    pub async fn record_download(&self, repo: &Repo, who: &str, day: i64) -> Result<(), HubError> {
        self.meta.record_download(repo.id, who, day).await?;
        Ok(())
    }

    /// The account owning namespace `namespace`, if `who` may create or change repos in it.
    pub(crate) async fn writable_namespace(
        &self,
        who: &Principal,
        namespace: &str,
    ) -> Result<Account, HubError> {
        let owner = self.meta.account_by_name(namespace).await?.ok_or_else(|| {
            HubError::BadRequest(format!("there is no user or organisation {namespace}"))
        })?;
        who.require_write_namespace(owner.id, namespace)?;
        Ok(owner)
    }

    /// Bytes `range` of the LFS object `sha`, which the caller found in a repo it may read.
    pub async fn lfs_range(
        &self,
        sha: &commonhold_types::Sha256,
        range: std::ops::Range<u64>,
    ) -> Result<commonhold_blob::BlobStream, HubError> {
        Ok(self
            .blobs
            .read(&commonhold_blob::BlobKey::Lfs(*sha), Some(range))
            .await?)
    }

    /// A user or organisation by name.
    pub async fn account(&self, name: &str) -> Result<Option<Account>, HubError> {
        Ok(self.meta.account_by_name(name).await?)
    }

    /// The names of an organisation's members.
    pub async fn member_names(&self, org: &Account) -> Result<Vec<String>, HubError> {
        Ok(self
            .meta
            .members_of(org.id)
            .await?
            .into_iter()
            .map(|(a, _)| a.name)
            .collect())
    }

    /// An account's provider-register entry (public).
    pub async fn provider_profile(&self, account: &Account) -> Result<ProviderProfile, HubError> {
        Ok(self.meta.provider_profile(account.id).await?)
    }

    /// Changes an account's provider-register entry: its admins (or the user itself, or a site
    /// admin) with a write token; only a site admin marks a provider verified. Absent fields
    /// keep their value.
    pub async fn update_provider_profile(
        &self,
        who: &Principal,
        account: &Account,
        security_contact: Option<String>,
        data_handling: Option<String>,
        verified: Option<bool>,
    ) -> Result<ProviderProfile, HubError> {
        let is_site_admin = who.account.is_admin;
        // Membership is read fresh: a cached principal may predate a role change.
        let is_org_admin = self.meta.member_role(account.id, who.account.id).await?
            == Some(commonhold_meta::OrgRole::Admin);
        let allowed = is_site_admin || is_org_admin || who.account.id == account.id;
        if !allowed || who.role != Role::Write {
            return Err(HubError::Forbidden(format!(
                "only an admin of {:?} with a write token may change its provider register entry",
                account.name
            )));
        }
        if verified.is_some() && !is_site_admin {
            return Err(HubError::Forbidden(
                "only a site admin may mark a provider verified".into(),
            ));
        }
        let mut profile = self.meta.provider_profile(account.id).await?;
        profile
            .apply(security_contact, data_handling, verified)
            .map_err(|e| HubError::BadRequest(e.to_string()))?;
        self.meta.set_provider_profile(account.id, &profile).await?;
        Ok(profile)
    }

    /// Where the catalogue's inputs stand: the last stored card's rev and the assessor's
    /// position in the commit log. An index built at these is current until either moves.
    pub async fn catalogue_position(&self) -> Result<(i64, i64), HubError> {
        Ok((
            self.meta.catalogue_rev().await?,
            self.meta.cursor(crate::assessor::CONSUMER).await?,
        ))
    }

    /// Stored card texts written after `after_rev`, in rev order, at most `limit`.
    pub async fn catalogue_cards_since(
        &self,
        after_rev: i64,
        limit: u64,
    ) -> Result<Vec<CatalogueCard>, HubError> {
        Ok(self.meta.catalogue_cards_since(after_rev, limit).await?)
    }

    /// Every repo, private ones included, for the catalogue index (which decides what each
    /// caller sees with [`crate::AccessChanges`]).
    pub async fn all_repos(&self) -> Result<Vec<Repo>, HubError> {
        Ok(self.meta.all_repos().await?)
    }
}
