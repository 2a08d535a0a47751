//! Around the assessments: publishers' disputes, and re-assessing every repo when the
//! definition or the knowledge file changes.
//!
//! A dispute is recorded by a writer of the repo against one judgment of the stored assessment
//! (the tier, OSAID, MOF, a finding or a component); it is shown beside that judgment and never
//! changes it. Re-assessment runs are queued in the database (by `commonhold reassess`, by a
//! server that starts with a new definition or knowledge file, or when the knowledge file is
//! reloaded), claimed by one process, and worked through every repo in id order; for each repo
//! the run records the tier and findings of its `main` before and after, and logs changes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use commonhold_assess::model::DEFINITION_VERSION;
use commonhold_assess::{Assessment, FindingId};
use commonhold_meta::{Dispute, NewDispute, ReassessChange, ReassessRun, Repo};
use commonhold_types::{GitOid, MAIN_REF, RefName, Role};
use serde_json::Value;

use crate::{Hub, HubError, Principal};

/// Longest dispute text accepted.
pub const DISPUTE_REASON_MAX: usize = 4000;
/// Most disputes one writer may record on one repo.
pub const DISPUTES_PER_AUTHOR_MAX: u64 = 200;
/// Longest evidence URL accepted.
const URL_MAX: usize = 2000;
/// Judgments a dispute may name besides findings and components.
const WHOLE_JUDGMENTS: [&str; 4] = ["tier", "osaid", "mof", "data_information"];
/// Setting holding what the stored assessments were made with: `definition|knowledge sha256`.
const ASSESSED_WITH: &str = "assessed_with";
/// A claim not refreshed for this long belongs to a process that died.
const CLAIM_STALE: Duration = Duration::from_secs(120);
/// Repos read per query during a run.
const RUN_PAGE: u64 = 100;

/// What one run did, for the command line and the log.
#[derive(Clone, Debug, Default)]
pub struct RunSummary {
    pub run_id: i64,
    pub repos: u64,
    pub changed: Vec<ReassessChange>,
}

/// The entry of list `key` whose `id_key` is `target` (a finding by id, a component by name).
fn entry<'a>(assessment: &'a Value, key: &str, id_key: &str, target: &str) -> Option<&'a Value> {
    assessment
        .get(key)?
        .as_array()?
        .iter()
        .find(|e| e.get(id_key).and_then(Value::as_str) == Some(target))
}

/// The judgment `target` names: a whole one, a finding or a component.
fn judgment<'a>(assessment: &'a Value, target: &str) -> Option<&'a Value> {
    if WHOLE_JUDGMENTS.contains(&target) {
        return Some(assessment);
    }
    entry(assessment, "findings", "id", target)
        .or_else(|| entry(assessment, "components", "component", target))
}

/// The rule id the judgment `target` cites, if it records one.
fn rule_of(assessment: &Value, target: &str) -> Option<String> {
    let field = match target {
        "tier" => "tier_rule",
        "osaid" | "mof" | "data_information" => {
            return assessment
                .get(target)?
                .get("rule")?
                .as_str()
                .map(str::to_owned);
        }
        _ => "rule",
    };
    judgment(assessment, target)?
        .get(field)?
        .as_str()
        .map(str::to_owned)
}

/// The caller, when it is a site administrator.
fn require_site_admin(who: Option<&Principal>) -> Result<&Principal, HubError> {
    match who {
        Some(p) if p.account.is_admin => Ok(p),
        _ => Err(HubError::Forbidden(
            "only administrators see and start re-assessments".into(),
        )),
    }
}

fn finding_ids(a: &Assessment) -> BTreeSet<FindingId> {
    a.findings.iter().map(|f| f.id).collect()
}

impl Hub {
    /// Records a dispute of one judgment of the assessment of `commit`; `repo` must already be
    /// checked writable by `who`.
    pub async fn record_dispute(
        &self,
        who: &Principal,
        repo: &Repo,
        commit: &GitOid,
        target: &str,
        reason: &str,
        evidence_url: Option<&str>,
    ) -> Result<Dispute, HubError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > DISPUTE_REASON_MAX {
            return Err(HubError::BadRequest(format!(
                "`reason` must say why the judgment is wrong, in 1 to {DISPUTE_REASON_MAX} characters"
            )));
        }
        if let Some(url) = evidence_url
            && (url.len() > URL_MAX
                || !(url.starts_with("https://") || url.starts_with("http://"))
                || url.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(HubError::BadRequest(
                "`evidence_url` must be an http(s) URL of at most 2000 characters".into(),
            ));
        }
        let Some(assessment) = self.assessment(repo, commit).await? else {
            return Err(HubError::Conflict(format!(
                "commit {} of {} has not been assessed yet; dispute it once its assessment is shown",
                commit.to_hex(),
                repo.name
            )));
        };
        let target = target.trim();
        if judgment(&assessment, target).is_none() {
            return Err(HubError::BadRequest(format!(
                "`target` {target:?} is not a judgment of this assessment: use tier, osaid, mof, \
                 data_information, a finding id it raised (e.g. OW006) or a component (e.g. datasets)"
            )));
        }
        if self
            .meta
            .count_disputes_by(repo.id, &who.account.name)
            .await?
            >= DISPUTES_PER_AUTHOR_MAX
        {
            return Err(HubError::TooLarge(format!(
                "you have recorded {DISPUTES_PER_AUTHOR_MAX} disputes on {}; that is the limit",
                repo.name
            )));
        }
        let rule = rule_of(&assessment, target);
        Ok(self
            .meta
            .insert_dispute(&NewDispute {
                repo_id: repo.id,
                commit: *commit,
                target,
                rule: rule.as_deref(),
                author: &who.account.name,
                reason,
                evidence_url,
            })
            .await?)
    }

    /// A repo's disputes, newest first; `repo` must already be checked readable by the caller.
    pub async fn disputes(&self, repo: &Repo, limit: u64) -> Result<Vec<Dispute>, HubError> {
        Ok(self.meta.disputes(repo.id, limit).await?)
    }

    /// The latest re-assessment runs with what each recorded, for administrators only.
    pub async fn reassessments(
        &self,
        who: Option<&Principal>,
        runs: u64,
        repos_per_run: u64,
    ) -> Result<Vec<(ReassessRun, Vec<ReassessChange>)>, HubError> {
        require_site_admin(who)?;
        let mut out = Vec::new();
        for run in self.meta.reassess_runs(runs).await? {
            let changes = self.meta.reassess_changes(run.id, repos_per_run).await?;
            out.push((run, changes));
        }
        Ok(out)
    }

    /// Queues a re-assessment on an administrator's request.
    pub async fn request_reassess(&self, who: Option<&Principal>) -> Result<ReassessRun, HubError> {
        let who = require_site_admin(who)?;
        // Starting a run is a write, and a read token changes nothing, an administrator's included.
        if who.role != Role::Write {
            return Err(HubError::Forbidden(
                "this token is read-only; starting a re-assessment needs a write token \
                 (create one with --role write)"
                    .into(),
            ));
        }
        self.queue_reassess(&format!(
            "requested by {} through the API",
            who.account.name
        ))
        .await
    }

    /// What the stored assessments are made with now: `definition|knowledge sha256`.
    fn assessed_with(&self) -> String {
        format!("{DEFINITION_VERSION}|{}", self.knowledge().stamp().sha256)
    }

    /// Queues a run that re-assesses every repo with the definition and knowledge in force.
    pub async fn queue_reassess(&self, reason: &str) -> Result<ReassessRun, HubError> {
        let k = self.knowledge();
        let run = self
            .meta
            .enqueue_reassess(reason, DEFINITION_VERSION, &k.version, &k.stamp().sha256)
            .await?;
        self.meta
            .set_setting(ASSESSED_WITH, &self.assessed_with())
            .await?;
        Ok(run)
    }

    /// Queues a run when the definition or the knowledge file differs from what the stored
    /// assessments were made with (a server started after an upgrade or with a new file).
    pub async fn queue_reassess_if_changed(&self) -> Result<Option<ReassessRun>, HubError> {
        let now = self.assessed_with();
        let before = self.meta.setting(ASSESSED_WITH).await?;
        if before.as_deref() == Some(now.as_str()) {
            return Ok(None);
        }
        if self.meta.repos_after(0, 1).await?.is_empty() {
            self.meta.set_setting(ASSESSED_WITH, &now).await?;
            return Ok(None);
        }
        let reason = match before {
            Some(b) => format!("assessed with {b}, now {now}"),
            None => format!("first start with {now}"),
        };
        tracing::info!(%reason, "the definition or the knowledge file changed: re-assessing every repo");
        Ok(Some(self.queue_reassess(&reason).await?))
    }

    /// Claims a queued (or abandoned) run and works it through; `None` when there is none.
    pub async fn run_next_reassess(&self) -> Result<Option<RunSummary>, HubError> {
        let stale = i64::try_from(CLAIM_STALE.as_millis()).unwrap_or(i64::MAX);
        let Some(run) = self.meta.claim_reassess(stale).await? else {
            return Ok(None);
        };
        Ok(Some(self.work_reassess(&run).await?))
    }

    /// Claims the run `id` if nobody works on it; `None` when another process holds it.
    pub async fn run_reassess(&self, id: i64) -> Result<Option<RunSummary>, HubError> {
        let stale = i64::try_from(CLAIM_STALE.as_millis()).unwrap_or(i64::MAX);
        match self.meta.claim_reassess(stale).await? {
            Some(run) if run.id == id => Ok(Some(self.work_reassess(&run).await?)),
            Some(other) => {
                // An older run came first: it is as good (it assesses with what is in force
                // now), so work it, then look for ours.
                let mut summary = self.work_reassess(&other).await?;
                if let Some(mine) = Box::pin(self.run_reassess(id)).await? {
                    summary.repos += mine.repos;
                    summary.changed.extend(mine.changed);
                    summary.run_id = mine.run_id;
                }
                Ok(Some(summary))
            }
            None => Ok(None),
        }
    }

    async fn work_reassess(&self, run: &ReassessRun) -> Result<RunSummary, HubError> {
        let mut summary = RunSummary {
            run_id: run.id,
            ..RunSummary::default()
        };
        let mut cursor = run.cursor_repo_id;
        loop {
            let repos = self.meta.repos_after(cursor, RUN_PAGE).await?;
            let Some(last) = repos.last() else { break };
            let last_id = last.id;
            for repo in &repos {
                let change = self.reassess_repo(run.id, repo).await?;
                self.meta
                    .record_reassess(run.id, repo.id, change.as_ref())
                    .await?;
                summary.repos += 1;
                if let Some(c) = change.filter(|c| c.changed) {
                    tracing::info!(
                        run = run.id,
                        repo = %c.repo_name,
                        kind = %c.repo_type,
                        before = c.tier_before.as_deref().unwrap_or("unassessed"),
                        after = %c.tier_after,
                        added = %c.findings_added.join(","),
                        removed = %c.findings_removed.join(","),
                        "re-assessment changed a judgment"
                    );
                    summary.changed.push(c);
                }
            }
            cursor = last_id;
        }
        self.meta.finish_reassess(run.id).await?;
        tracing::info!(
            run = run.id,
            repos = summary.repos,
            changed = summary.changed.len(),
            "re-assessment finished"
        );
        Ok(summary)
    }

    /// Re-assesses the heads of a repo's branches and tags; the change recorded is `main`'s.
    async fn reassess_repo(
        &self,
        run_id: i64,
        repo: &Repo,
    ) -> Result<Option<ReassessChange>, HubError> {
        let mut main = None;
        let mut done = BTreeSet::new();
        for (name, target) in self.meta.list_refs(repo.id).await? {
            let branch_or_tag = matches!(
                RefName::parse(&name),
                Some(RefName::Branch(_) | RefName::Tag(_))
            );
            if !branch_or_tag || !done.insert(target) {
                continue;
            }
            let before: Option<Assessment> = self
                .meta
                .get_assessment(repo.id, &target)
                .await?
                .and_then(|t| serde_json::from_str(&t).ok());
            let after = self.assess_commit(repo, &target).await?;
            if name == MAIN_REF {
                // Only while `target` is still the head: a commit landing meanwhile keeps its own.
                self.meta
                    .set_repo_openness(repo.id, &target, &crate::openness_summary(&after))
                    .await?;
                main = Some((target, before, after));
            }
        }
        let Some((commit, before, after)) = main else {
            return Ok(None);
        };
        let (old, new) = (
            before.as_ref().map(finding_ids).unwrap_or_default(),
            finding_ids(&after),
        );
        let tier_before = before.as_ref().map(|b| b.tier.as_str().to_owned());
        let tier_after = after.tier.as_str().to_owned();
        Ok(Some(ReassessChange {
            run_id,
            repo_id: repo.id,
            repo_type: repo.repo_type.as_str().to_owned(),
            repo_name: repo.name.to_string(),
            commit,
            changed: tier_before.as_deref() != Some(tier_after.as_str()) || old != new,
            tier_before,
            tier_after,
            definition_before: before.map(|b| b.definition_version),
            findings_added: new.difference(&old).map(|id| id.to_string()).collect(),
            findings_removed: old.difference(&new).map(|id| id.to_string()).collect(),
            at: 0,
        }))
    }

    /// Works queued runs until the process ends, looking for new ones when idle.
    pub fn spawn_reassessor(&self) -> tokio::task::JoinHandle<()> {
        let hub = Arc::new(self.clone());
        tokio::spawn(async move {
            loop {
                match hub.run_next_reassess().await {
                    Ok(Some(_)) => {}
                    Ok(None) => tokio::time::sleep(Duration::from_secs(5)).await,
                    Err(e) => {
                        tracing::error!(error = %e, "re-assessment failed; retrying");
                        tokio::time::sleep(Duration::from_secs(10)).await;
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_and_their_rules() {
        let a = json!({
            "tier": "restricted-weights",
            "tier_rule": "G3",
            "osaid": {"pass": false, "rule": "O1"},
            "findings": [{"id": "OW006", "rule": "G3"}, {"id": "OW014"}],
            "components": [{"component": "datasets", "rule": "A5"}],
        });
        for t in ["tier", "OW006", "datasets"] {
            assert!(judgment(&a, t).is_some(), "{t}");
        }
        assert!(judgment(&a, "OW999").is_none() && judgment(&a, "").is_none());
        assert_eq!(rule_of(&a, "tier").as_deref(), Some("G3"));
        assert_eq!(rule_of(&a, "osaid").as_deref(), Some("O1"));
        assert_eq!(rule_of(&a, "OW006").as_deref(), Some("G3"));
        assert_eq!(rule_of(&a, "OW014"), None);
        assert_eq!(rule_of(&a, "datasets").as_deref(), Some("A5"));
    }
}
