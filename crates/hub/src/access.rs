//! Who is asking, and what they may see or change.

use std::collections::HashMap;
use std::sync::Arc;

use commonhold_meta::{AccessRequest, Account, OrgRole, PrivateRepos, Repo};
use commonhold_types::{AccessStatus, Role};

use crate::{Hub, HubError};

/// An authenticated caller: the account behind a valid token, the token's role and the
/// organisations the account belongs to. The one "who is asking" of every route, page, search,
/// export and CAS request (`Caller` in the server is `Option<Principal>`).
#[derive(Clone, Debug)]
pub struct Principal {
    pub account: Account,
    /// The access token this caller presented (None for principals built in process, e.g. the
    /// demo's): what is issued to it is bound to it, so revoking the token ends that too.
    pub token: Option<TokenBinding>,
    pub token_name: String,
    pub role: Role,
    pub orgs: Vec<(Account, OrgRole)>,
}

/// The access token a principal presented, as what is issued to it names it: signed LFS upload
/// URLs carry its id (`tok=`), CAS tokens its SHA-256; both are checked against the live token
/// on every use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenBinding {
    pub id: i64,
    pub hash: [u8; 32],
}

/// How a repo looks to a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Hidden,
    Read,
    Write,
}

impl Principal {
    /// Account ids whose private repos this caller may see: its own and its organisations'.
    pub fn visible_owner_ids(&self) -> Vec<i64> {
        let mut ids = vec![self.account.id];
        ids.extend(self.orgs.iter().map(|(org, _)| org.id));
        ids
    }

    /// Whether the account may write into namespace `owner_id` (ignoring the token's role).
    fn may_write_namespace(&self, owner_id: i64) -> bool {
        owner_id == self.account.id
            || self.orgs.iter().any(|(org, role)| {
                org.id == owner_id && matches!(role, OrgRole::Admin | OrgRole::Write)
            })
    }

    /// Checks that this caller may create or change repos owned by `owner_id`.
    pub fn require_write_namespace(&self, owner_id: i64, namespace: &str) -> Result<(), HubError> {
        if self.role != Role::Write {
            return Err(HubError::Forbidden(
                "this token is read-only; create a token with --role write".into(),
            ));
        }
        if !self.may_write_namespace(owner_id) {
            return Err(HubError::Forbidden(format!(
                "you don't have the rights to write in namespace {namespace}"
            )));
        }
        Ok(())
    }
}

/// Whether `who` may see a repo owned by `owner_id` that is (or is not) private: the one rule
/// for every route, page, listing, search and export. Everyone sees public repos; private ones
/// are seen by their owner, the members of the owning organisation and site administrators.
pub fn can_see(who: Option<&Principal>, owner_id: i64, private: bool) -> bool {
    !private || who.is_some_and(|p| p.account.is_admin || p.visible_owner_ids().contains(&owner_id))
}

/// Which private repos `who` may see, as a listing query says it ([`can_see`] in SQL).
pub fn private_repos(who: Option<&Principal>) -> PrivateRepos {
    match who {
        None => PrivateRepos::None,
        Some(p) if p.account.is_admin => PrivateRepos::All,
        Some(p) => PrivateRepos::OwnedBy(p.visible_owner_ids()),
    }
}

/// Whether `who` belongs to the side of `repo` that never needs a grant: its owner, a member
/// of the owning organisation, or a site administrator.
fn is_insider(who: Option<&Principal>, repo: &Repo) -> bool {
    who.is_some_and(|p| p.account.is_admin || p.visible_owner_ids().contains(&repo.owner_id))
}

/// Whether `who` may read the files of `repo` at `now` (unix milliseconds), given `who`'s access
/// request to it if any: the one rule for every path to a repo's bytes. It can see the repo,
/// and the repo is not gated, or `who` is an insider ([`is_insider`]), or `who` holds an
/// accepted request that has not expired. Metadata, the card and the file list need only
/// [`can_see`].
pub fn can_read_bytes(
    who: Option<&Principal>,
    repo: &Repo,
    request: Option<&AccessRequest>,
    now: i64,
) -> bool {
    can_see(who, repo.owner_id, repo.private)
        && (!repo.gating.is_gated()
            || is_insider(who, repo)
            || who.zip(request).is_some_and(|(p, r)| {
                r.user_id == p.account.id && r.repo_id == repo.id && r.grants_at(now)
            }))
}

/// Why `who` may not read a gated repo's files, in the Hub's words (clients show them).
fn gated_message(
    hub: &Hub,
    who: Option<&Principal>,
    repo: &Repo,
    request: Option<&AccessRequest>,
) -> String {
    let what = format!("{} {}", repo.repo_type.as_str(), repo.name);
    let url = hub.url(&format!("{}{}", repo.repo_type.url_prefix(), repo.name));
    match (who, request.map(|r| r.status)) {
        (None, _) => format!(
            "Access to {what} is restricted. You must have access to it and be authenticated \
             to access it. Please log in."
        ),
        (Some(_), Some(AccessStatus::Pending)) => {
            format!("Your request to access {what} is awaiting a review from the repo authors.")
        }
        (Some(_), Some(AccessStatus::Rejected)) => {
            format!("Your request to access {what} has been rejected by the repo's authors.")
        }
        (Some(_), Some(AccessStatus::Accepted)) => {
            format!("Your access to {what} has expired. Visit {url} to ask for access again.")
        }
        (Some(_), None) => format!(
            "Access to {what} is restricted and you are not in the authorized list. \
             Visit {url} to ask for access."
        ),
    }
}

/// What `who` may do with `repo`.
pub fn visibility(who: Option<&Principal>, repo: &Repo) -> Visibility {
    if !can_see(who, repo.owner_id, repo.private) {
        return Visibility::Hidden;
    }
    match who {
        Some(p)
            if p.role == Role::Write
                && (p.may_write_namespace(repo.owner_id) || p.account.is_admin) =>
        {
            Visibility::Write
        }
        _ => Visibility::Read,
    }
}

/// Who may see each repo whose access (visibility, owner, existence) changed since this process
/// started reading changes, as it is now. Long-lived copies of repo rows (the catalogue's search
/// index) ask it instead of trusting their copy, so a change shows on the next page, whichever
/// process made it.
#[derive(Clone, Debug, Default)]
pub struct AccessChanges {
    rev: i64,
    /// Repo id → `(owner id, private)`, or `None` once deleted.
    repos: HashMap<i64, Option<(i64, bool)>>,
}

impl AccessChanges {
    /// The last change applied: a copy built after reading this rev has them all.
    pub fn rev(&self) -> i64 {
        self.rev
    }

    /// Whether `who` may see repo `repo_id`, which a copy says is owned by `owner_id` and
    /// (or not) `private`: the copy's word unless the repo's access changed since.
    pub fn can_see(
        &self,
        who: Option<&Principal>,
        repo_id: i64,
        owner_id: i64,
        private: bool,
    ) -> bool {
        match self.repos.get(&repo_id) {
            Some(Some((owner_id, private))) => can_see(who, *owner_id, *private),
            Some(None) => false,
            None => can_see(who, owner_id, private),
        }
    }
}

/// Access changes read per query.
const ACCESS_PAGE: u64 = 1000;

impl Hub {
    /// Every access change committed so far, by any process: one indexed query when nothing
    /// changed since the last call.
    pub async fn access_changes(&self) -> Result<Arc<AccessChanges>, HubError> {
        let mut known = self.access.lock().await;
        loop {
            let page = self
                .meta
                .access_changes_since(known.rev, ACCESS_PAGE)
                .await?;
            if page.is_empty() {
                return Ok(known.clone());
            }
            let mut next = AccessChanges::clone(&known);
            for change in page {
                next.rev = change.rev;
                next.repos.insert(change.repo_id, change.now);
            }
            *known = Arc::new(next);
        }
    }
}

impl Hub {
    /// Looks a token up; `Ok(None)` means it is unknown or revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, HubError> {
        self.principal_by_token_hash(crate::hash_token(token)).await
    }

    /// The principal behind the token with this hash, if it is still valid; through the same
    /// short-lived cache as [`Hub::authenticate`], so a revoked token stops working within
    /// [`crate::hot::TTL`] everywhere it is checked.
    pub async fn principal_by_token_hash(
        &self,
        hash: [u8; 32],
    ) -> Result<Option<Principal>, HubError> {
        if let Some(cached) = self.hot.tokens.get(&hash) {
            return Ok(cached);
        }
        let principal = match self.meta.token_by_hash(&hash).await? {
            Some((info, account)) => {
                let orgs = self.meta.orgs_of(account.id).await?;
                Some(Principal {
                    account,
                    token: Some(TokenBinding { id: info.id, hash }),
                    token_name: info.display_name,
                    role: info.role,
                    orgs,
                })
            }
            None => None,
        };
        self.hot.tokens.put(hash, principal.clone());
        Ok(principal)
    }

    /// Finds a repo the caller may read. Missing and hidden look exactly the same.
    pub async fn readable_repo(
        &self,
        who: Option<&Principal>,
        repo_type: commonhold_types::RepoType,
        name: &commonhold_types::RepoName,
    ) -> Result<Repo, HubError> {
        let repo = self
            .meta
            .repo_by_name(repo_type, name)
            .await?
            .ok_or(HubError::RepoNotFound)?;
        match visibility(who, &repo) {
            Visibility::Hidden => Err(HubError::RepoNotFound),
            _ => Ok(repo),
        }
    }

    /// Checks that `who`, who can see `repo`, may read its files ([`can_read_bytes`]): every
    /// path to a repo's bytes calls this (resolve, LFS downloads, Xet read tokens and CAS
    /// requests, pull-request diffs, exports, the web file view). A gated repo answers
    /// [`HubError::Gated`]; one `who` cannot see stays [`HubError::RepoNotFound`], so gating never
    /// says a private repo exists. The caller's request is read through the one-second cache:
    /// a grant revoked through another process stops working within [`crate::hot::TTL`].
    pub async fn require_read_bytes(
        &self,
        who: Option<&Principal>,
        repo: &Repo,
    ) -> Result<(), HubError> {
        if !can_see(who, repo.owner_id, repo.private) {
            return Err(HubError::RepoNotFound);
        }
        if !repo.gating.is_gated() || is_insider(who, repo) {
            return Ok(());
        }
        let request = match who {
            Some(p) => {
                self.access_request_for_download(repo.id, p.account.id)
                    .await?
            }
            None => None,
        };
        if can_read_bytes(who, repo, request.as_ref(), crate::now_ms()) {
            Ok(())
        } else {
            Err(HubError::Gated(gated_message(
                self,
                who,
                repo,
                request.as_ref(),
            )))
        }
    }

    /// Finds a repo the caller may see and read the files of ([`Hub::require_read_bytes`]).
    pub async fn bytes_readable_repo(
        &self,
        who: Option<&Principal>,
        repo_type: commonhold_types::RepoType,
        name: &commonhold_types::RepoName,
    ) -> Result<Repo, HubError> {
        let repo = self.readable_repo(who, repo_type, name).await?;
        self.require_read_bytes(who, &repo).await?;
        Ok(repo)
    }

    /// Finds a repo the caller may write; a readable but not writable repo is 403, a hidden one
    /// is indistinguishable from a missing one.
    pub async fn writable_repo(
        &self,
        who: Option<&Principal>,
        repo_type: commonhold_types::RepoType,
        name: &commonhold_types::RepoName,
    ) -> Result<Repo, HubError> {
        let repo = self.readable_repo(who, repo_type, name).await?;
        match visibility(who, &repo) {
            Visibility::Write => Ok(repo),
            _ => Err(HubError::Forbidden(format!(
                "you don't have write access to {name}; ask an owner of {} to add you, or use a write token",
                name.namespace()
            ))),
        }
    }

    /// Finds a repo the caller may upload files to, and whether it may write the repo itself.
    /// Anyone with a write token who can read a repo may contribute through a pull request (as
    /// on the Hub); what such a caller may commit to is checked by [`Hub::check_contribution`].
    pub async fn contributable_repo(
        &self,
        who: Option<&Principal>,
        repo_type: commonhold_types::RepoType,
        name: &commonhold_types::RepoName,
    ) -> Result<(Repo, bool), HubError> {
        let repo = self.readable_repo(who, repo_type, name).await?;
        match (who, visibility(who, &repo)) {
            (_, Visibility::Write) => Ok((repo, true)),
            (Some(p), _) if p.role == Role::Write => Ok((repo, false)),
            _ => Err(HubError::Forbidden(
                "this token is read-only; uploads, pull requests and discussions need a write token"
                    .into(),
            )),
        }
    }

    /// Whether `author`, who cannot write `repo`, may commit to `revision`: only by opening a
    /// pull request, or to an open pull request of their own.
    pub async fn check_contribution(
        &self,
        repo: &Repo,
        author: &Account,
        revision: &str,
        create_pr: bool,
    ) -> Result<(), HubError> {
        if create_pr {
            return Ok(());
        }
        let own_pr = match revision
            .strip_prefix("refs/pr/")
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(num) => self
                .meta
                .discussion(repo.id, num)
                .await?
                .is_some_and(|d| d.is_pr && d.author == author.name && d.status.is_open()),
            None => false,
        };
        if own_pr {
            Ok(())
        } else {
            Err(HubError::Forbidden(format!(
                "you don't have write access to {}; propose the change as a pull request \
                 (create_pr=True), or commit to an open pull request you opened",
                repo.name
            )))
        }
    }
}
