//! The public web catalogue: server-rendered pages over the hub (home, search, repository,
//! file view, provider, compare, funders) and the stylesheet.
//!
//! Handlers gather plain data from [`Hub`] and render it with `commonhold_catalogue::pages`.
//! What a caller may see is the hub's rule ([`commonhold_hub::can_see`]) applied to each
//! index entry through [`Sight`], which also applies every visibility, owner or deletion change
//! committed since the index was built (read on each page, from any process): a repo made
//! private is gone from the very next page, counts and totals included. The index is loaded
//! from the persisted catalogue index (repo rows and stored card texts) and rebuilt when a card
//! is stored, the assessor moves or a repo's access changes, and at least every
//! [`MAX_INDEX_AGE`], for download counts.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use commonhold_catalogue::pages::{
    self, BlobView, CommitRow, DiscussionRow, DiscussionView, EventView, FileRow, RefRow, RepoView,
    Site,
};
use commonhold_catalogue::{Facet, OpennessBrief, RepoEntry, SearchIndex, SearchQuery, Sort};
use commonhold_gitmodel::EntryMode;
use commonhold_hub::{AccessChanges, EntryKind, Hub, Principal};
use commonhold_meta::Repo;
use commonhold_types::{DiscussionEventKind, RefName, RepoName, RepoType};
use tokio::sync::Mutex;

use super::{UrlKind, both_kinds, exports};
use crate::AppState;
use crate::auth::Caller;

/// How long an index is trusted when nothing recorded has moved: download counts change without
/// a log entry, and a rebuild from rows is cheap.
pub const MAX_INDEX_AGE: Duration = Duration::from_secs(30);
/// Longest index build a page waits for; slower ones (large catalogues) run in the background.
pub const SYNC_BUILD_LIMIT: Duration = Duration::from_millis(250);
/// Stored cards read per query when loading the index.
const CARD_PAGE: u64 = 2000;

/// State of the web routes: the hub, the site description and the search index.
#[derive(Clone)]
pub struct WebState {
    pub hub: Hub,
    pub site: Site,
    pub index: Arc<IndexCache>,
}

/// The in-memory search index over the persisted one: repo rows joined with the card texts the
/// hub's catalogue follower stores (`crates/hub/src/catalogue_index.rs`). No README is read
/// here, not even at start.
#[derive(Default)]
pub struct IndexCache {
    inner: Mutex<CacheInner>,
    /// The last index built and how long building it took, readable without waiting for a
    /// rebuild in progress.
    latest: std::sync::Mutex<Option<(Arc<SearchIndex>, Duration)>>,
    /// Whether a background rebuild is running.
    rebuilding: AtomicBool,
    /// Builds slower than this run in the background ([`SYNC_BUILD_LIMIT`] in the server).
    sync_build_limit: Duration,
}

#[derive(Default)]
struct CacheInner {
    index: Option<Arc<SearchIndex>>,
    /// The largest card rev loaded: later writes (by any process) are read on the next rebuild.
    card_rev: i64,
    /// Where the background assessor was: when it moves, openness summaries have changed.
    assessor_seq: i64,
    /// The last access change the repo rows were read after.
    access_rev: i64,
    built_at: Option<Instant>,
    /// Card text by repo id, as stored.
    cards: HashMap<i64, String>,
}

impl IndexCache {
    pub fn with_sync_build_limit(sync_build_limit: Duration) -> IndexCache {
        IndexCache {
            sync_build_limit,
            ..IndexCache::default()
        }
    }

    /// The current index. While an index builds faster than [`SYNC_BUILD_LIMIT`], a page waits
    /// for it to be current: commits not yet followed are indexed first (so a page reflects the
    /// commit that preceded it), then the index is rebuilt if stored cards or assessments moved
    /// or it is too old. A larger catalogue is served from the last index while a rebuild runs
    /// in the background, so no page stalls for seconds; results then trail commits by about
    /// one build time.
    pub async fn get(
        self: &Arc<Self>,
        hub: &Hub,
    ) -> Result<Arc<SearchIndex>, commonhold_hub::HubError> {
        let latest = self.latest.lock().ok().and_then(|l| l.clone());
        match latest {
            Some((index, took)) if took > self.sync_build_limit => {
                let (cache, hub) = (self.clone(), hub.clone());
                self.start_rebuild(async move { cache.refresh(&hub).await });
                Ok(index)
            }
            _ => self.refresh(hub).await,
        }
    }

    /// Runs `rebuild` in the background unless one is running already. The flag that says so
    /// is cleared however the rebuild ends, a panic included: otherwise no rebuild would ever
    /// start again and the catalogue would stay as it was until a restart.
    fn start_rebuild(
        self: &Arc<Self>,
        rebuild: impl Future<Output = Result<Arc<SearchIndex>, commonhold_hub::HubError>>
        + Send
        + 'static,
    ) -> Option<tokio::task::JoinHandle<()>> {
        if self.rebuilding.swap(true, Ordering::AcqRel) {
            return None;
        }
        let done = Rebuilding(self.clone());
        Some(tokio::spawn(async move {
            let _done = done;
            if let Err(e) = rebuild.await {
                tracing::warn!(error = %e, "catalogue index rebuild failed");
            }
        }))
    }

    /// Brings the index up to date (rebuilding it if anything moved) and returns it.
    async fn refresh(&self, hub: &Hub) -> Result<Arc<SearchIndex>, commonhold_hub::HubError> {
        let mut inner = self.inner.lock().await;
        hub.index_catalogue_caught_up().await?;
        let (card_rev, assessor_seq) = hub.catalogue_position().await?;
        let access_rev = hub.access_changes().await?.rev();
        let fresh = inner.built_at.is_some_and(|t| t.elapsed() < MAX_INDEX_AGE);
        if let Some(index) = &inner.index
            && card_rev == inner.card_rev
            && assessor_seq == inner.assessor_seq
            && access_rev == inner.access_rev
            && fresh
        {
            return Ok(index.clone());
        }
        loop {
            let page = hub.catalogue_cards_since(inner.card_rev, CARD_PAGE).await?;
            let Some(last) = page.last() else { break };
            inner.card_rev = last.rev;
            for card in page {
                inner.cards.insert(card.repo_id, card.text);
            }
        }
        // Every write up to `card_rev` had committed when it was read, so all of them have been
        // seen, including revs handed out to rows of repos deleted meanwhile (never stored).
        inner.card_rev = inner.card_rev.max(card_rev);
        let repos = hub.all_repos().await?;
        let live: std::collections::HashSet<i64> = repos.iter().map(|r| r.id).collect();
        inner.cards.retain(|id, _| live.contains(id));
        let entries: Vec<RepoEntry> = repos
            .iter()
            .map(|repo| {
                let text = inner.cards.get(&repo.id).cloned().unwrap_or_default();
                entry_of(repo, text)
            })
            .collect();
        // Seconds of CPU at 100,000 repos: off the async workers.
        let started = Instant::now();
        let index = tokio::task::spawn_blocking(move || SearchIndex::build(entries))
            .await
            .map(Arc::new)
            .map_err(|e| commonhold_hub::HubError::internal(format!("index build failed: {e}")))?;
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some((index.clone(), started.elapsed()));
        }
        inner.index = Some(index.clone());
        inner.assessor_seq = assessor_seq;
        inner.access_rev = access_rev;
        inner.built_at = Some(Instant::now());
        Ok(index)
    }
}

/// Clears the cache's `rebuilding` flag when dropped.
struct Rebuilding(Arc<IndexCache>);

impl Drop for Rebuilding {
    fn drop(&mut self) {
        self.0.rebuilding.store(false, Ordering::Release);
    }
}

/// A repo as the catalogue sees it.
pub fn entry_of(repo: &Repo, card_text: String) -> RepoEntry {
    let s = &repo.summary;
    RepoEntry {
        repo_id: repo.id,
        kind: repo.repo_type,
        namespace: repo.name.namespace().to_string(),
        name: repo.name.name().to_string(),
        owner_id: repo.owner_id,
        private: repo.private,
        gated: repo.gating.as_str().map(str::to_string),
        created_at: repo.created_at,
        last_modified: s.last_modified,
        downloads: repo.downloads,
        sha: s.sha.map(|o| o.to_hex()),
        card_data: s.card_data.clone(),
        tags: s.tags.clone(),
        pipeline_tag: s.pipeline_tag.clone(),
        openness: s.openness.as_ref().and_then(OpennessBrief::from_summary),
        card_text,
    }
}

/// A repo's pages, each registered once for both kinds.
fn repo_pages() -> Router<WebState> {
    both_kinds([
        ("", get(repo_page)),
        ("/discussions", get(discussions_list)),
        ("/discussions/{num}", get(discussion)),
        ("/blob/{rev}/{*path}", get(blob_page)),
    ])
}

/// The web routes, with their own state, ready to merge into the main router.
pub fn router(hub: Hub) -> Router<AppState> {
    let state = WebState {
        site: Site {
            name: "commonhold".into(),
        },
        hub,
        index: Arc::new(IndexCache::with_sync_build_limit(SYNC_BUILD_LIMIT)),
    };
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/compare", get(compare))
        .route("/funders", get(funders))
        .route("/funders/{slug}", get(funder))
        .route("/organizations/{name}", get(organization))
        .route(pages::DEFINITION_PATH, get(definition))
        .route("/settings/reassessments", get(reassessments))
        .route(commonhold_catalogue::html::CSS_PATH, get(css))
        .merge(repo_pages())
        .merge(exports::routes())
        .with_state(state)
}

/// An HTML error page with its status.
pub struct PageError {
    status: StatusCode,
    html: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        (self.status, Html(self.html)).into_response()
    }
}

impl WebState {
    fn not_found(&self, what: &str) -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            html: pages::error_page(
                &self.site,
                "Not found",
                &format!("{what} was not found, or you may not see it."),
            ),
        }
    }

    /// A gated repo's file, for a caller without a grant: the hub's message says why and where
    /// to ask (401 anonymous, 403 signed in, like the API).
    fn gated(&self, caller: &Caller, message: &str) -> PageError {
        PageError {
            status: if caller.authenticated() {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNAUTHORIZED
            },
            html: pages::error_page(&self.site, "Gated repository", message),
        }
    }

    fn internal(&self, e: impl std::fmt::Display) -> PageError {
        tracing::error!(error = %e, "catalogue page failed");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            html: pages::error_page(
                &self.site,
                "Internal Server Error",
                "Something went wrong on our side; try again shortly.",
            ),
        }
    }

    pub(crate) async fn index(&self) -> Result<Arc<SearchIndex>, PageError> {
        self.index
            .get(&self.hub)
            .await
            .map_err(|e| self.internal(e))
    }

    /// What `who` may see of the index, as of now.
    pub(crate) async fn sight(
        &self,
        who: Option<&Principal>,
    ) -> Result<Sight, commonhold_hub::HubError> {
        Ok(Sight {
            who: who.cloned(),
            changes: self.hub.access_changes().await?,
        })
    }

    /// The index and what the caller may see of it.
    async fn index_for(&self, caller: &Caller) -> Result<(Arc<SearchIndex>, Sight), PageError> {
        let index = self.index().await?;
        let sight = self
            .sight(caller.principal())
            .await
            .map_err(|e| self.internal(e))?;
        Ok((index, sight))
    }
}

/// What a caller may see of the index: the hub's rule, with every access change committed so
/// far applied to the index's copy of each repo.
pub(crate) struct Sight {
    who: Option<Principal>,
    changes: Arc<AccessChanges>,
}

impl Sight {
    pub(crate) fn sees(&self, e: &RepoEntry) -> bool {
        self.changes
            .can_see(self.who.as_ref(), e.repo_id, e.owner_id, e.private)
    }
}

type PageResult = Result<Response, PageError>;

fn page(html: String) -> PageResult {
    Ok(Html(html).into_response())
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .take(64)
        .collect()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        commonhold_catalogue::html::CSS,
    )
        .into_response()
}

async fn home(State(s): State<WebState>, caller: Caller) -> PageResult {
    let (index, sight) = s.index_for(&caller).await?;
    page(pages::home_page(&s.site, &index, &|e| sight.sees(e)))
}

async fn search(State(s): State<WebState>, caller: Caller, RawQuery(raw): RawQuery) -> PageResult {
    let mut q = SearchQuery {
        limit: 20,
        ..SearchQuery::default()
    };
    for (k, v) in query_pairs(raw.as_deref()) {
        match k.as_str() {
            "q" => q.text = v.chars().take(200).collect(),
            "sort" => q.sort = Sort::parse(&v),
            "offset" => q.offset = search_offset(&s, &v)?,
            key => {
                if let Some(f) = Facet::from_key(key)
                    && !v.is_empty()
                {
                    q.filters.push((f, v));
                }
            }
        }
    }
    let (index, sight) = s.index_for(&caller).await?;
    let results = index.search_as(&q, &|e| sight.sees(e));
    page(pages::search_page(&s.site, &q, &results))
}

/// Furthest a search page goes; deeper offsets get an empty page (sorting keeps at most
/// `offset + limit` hits, so this also bounds the work).
const MAX_SEARCH_OFFSET: usize = 100_000;

/// The `offset` of a search page: a whole number, else a 400 page that names it.
fn search_offset(s: &WebState, v: &str) -> Result<usize, PageError> {
    match v.parse::<u64>() {
        Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(usize::try_from(n).map_or(MAX_SEARCH_OFFSET, |n| n.min(MAX_SEARCH_OFFSET)))
        }
        _ => Err(PageError {
            status: StatusCode::BAD_REQUEST,
            html: pages::error_page(
                &s.site,
                "Bad request",
                &format!("offset={v:?} is not a whole number: use 0, 20, 40, ..."),
            ),
        }),
    }
}

/// A readable repo, or the not-found page.
async fn readable(
    s: &WebState,
    caller: &Caller,
    kind: RepoType,
    ns: &str,
    name: &str,
) -> Result<Repo, PageError> {
    let what = format!("{}{ns}/{name}", kind.url_prefix());
    let name = RepoName::new(ns, name).map_err(|_| s.not_found(&what))?;
    s.hub
        .readable_repo(caller.principal(), kind, &name)
        .await
        .map_err(|_| s.not_found(&what))
}

async fn repo_page(
    State(s): State<WebState>,
    caller: Caller,
    UrlKind(kind): UrlKind,
    Path((ns, name)): Path<(String, String)>,
) -> PageResult {
    let repo = readable(&s, &caller, kind, &ns, &name).await?;
    let hub = &s.hub;
    let head = hub.resolve(&repo, "main").await.ok().map(|r| r.commit);
    let mut view = RepoView {
        entry: entry_of(&repo, String::new()),
        readme: None,
        commit: head.map(|h| h.to_hex()),
        files: Vec::new(),
        commits: Vec::new(),
        branches: Vec::new(),
        tags: Vec::new(),
        assessment: None,
        disputes: Vec::new(),
    };
    view.disputes = hub
        .disputes(&repo, super::openness::DISPUTES_SHOWN)
        .await
        .map_err(|e| s.internal(e))?
        .into_iter()
        .map(|d| pages::DisputeRow {
            target: d.target,
            rule: d.rule,
            author: d.author,
            reason: d.reason,
            evidence_url: d.evidence_url,
            commit: d.commit.to_hex(),
            created_at_ms: d.created_at,
        })
        .collect();
    if let Some(head) = head {
        view.readme = hub.readme(&head).await.map_err(|e| s.internal(e))?;
        // The data card of a dataset is judged from it.
        view.entry.card_text = view.readme.clone().unwrap_or_default();
        let root = hub.root_tree(&head).await.map_err(|e| s.internal(e))?;
        let items = hub
            .list(&root, "", false)
            .await
            .map_err(|e| s.internal(e))?;
        view.files = items
            .unwrap_or_default()
            .into_iter()
            .map(|i| FileRow {
                is_dir: i.kind == EntryKind::Directory,
                path: i.path,
                size: i.size,
                lfs: i.lfs.is_some(),
            })
            .collect();
        let (history, _) = hub.history(&head, 0, 20).await.map_err(|e| s.internal(e))?;
        view.commits = history
            .into_iter()
            .map(|(oid, c)| CommitRow {
                id: oid.to_hex(),
                title: c.title().to_string(),
                author: c.author.name.clone(),
                at_ms: c.committer.time.saturating_mul(1000),
            })
            .collect();
        view.assessment = hub
            .assessment(&repo, &head)
            .await
            .map_err(|e| s.internal(e))?
            .and_then(|v| serde_json::from_value(v).ok());
    }
    for (name, target) in hub.refs(&repo).await.map_err(|e| s.internal(e))? {
        let row = |n: &str| RefRow {
            name: n.to_string(),
            target: target.to_hex(),
        };
        match RefName::parse(&name) {
            Some(RefName::Branch(b)) => view.branches.push(row(&b)),
            Some(RefName::Tag(t)) => view.tags.push(row(&t)),
            _ => {}
        }
    }
    page(pages::repo_page(&s.site, &view))
}

/// The openness definition, every rule anchored for the links on repository pages.
async fn definition(State(s): State<WebState>) -> PageResult {
    page(pages::definition_page(&s.site))
}

/// Re-assessment runs and what they changed, for administrators (others: 404, as for any page
/// they may not see).
async fn reassessments(State(s): State<WebState>, caller: Caller) -> PageResult {
    if !caller.principal().is_some_and(|p| p.account.is_admin) {
        return Err(s.not_found("This page"));
    }
    let runs = s
        .hub
        .reassessments(caller.principal(), 20, super::openness::CHANGES_SHOWN)
        .await
        .map_err(|e| s.internal(e))?;
    let mut rows = Vec::with_capacity(runs.len());
    for (r, changes) in runs {
        rows.push(pages::RunRow {
            id: r.id,
            reason: r.reason,
            definition: r.definition,
            knowledge_version: r.knowledge_version,
            knowledge_sha256: r.knowledge_sha256,
            status: r.status,
            repos_done: r.repos_done,
            repos_changed: r.repos_changed,
            created_at_ms: r.created_at,
            finished_at_ms: r.finished_at,
            changes: changes
                .into_iter()
                .map(|c| {
                    let prefix = if c.repo_type == "dataset" {
                        "/datasets"
                    } else {
                        ""
                    };
                    pages::ChangeRow {
                        web_path: format!("{prefix}/{}", c.repo_name),
                        repo: c.repo_name,
                        tier_before: c.tier_before,
                        tier_after: c.tier_after,
                        definition_before: c.definition_before,
                        findings_added: c.findings_added,
                        findings_removed: c.findings_removed,
                        changed: c.changed,
                    }
                })
                .collect(),
        });
    }
    page(pages::reassessments_page(&s.site, &rows))
}

fn discussion_row(d: &commonhold_meta::Discussion) -> DiscussionRow {
    DiscussionRow {
        num: d.num,
        title: d.title.clone(),
        status: d.status,
        is_pr: d.is_pr,
        author: d.author.clone(),
        created_ms: d.created_at,
    }
}

/// Discussions shown on the list page (the newest; the API pages through all).
const DISCUSSIONS_SHOWN: u64 = 200;

async fn discussions_list(
    State(s): State<WebState>,
    caller: Caller,
    UrlKind(kind): UrlKind,
    Path((ns, name)): Path<(String, String)>,
) -> PageResult {
    let repo = readable(&s, &caller, kind, &ns, &name).await?;
    let (list, _, _) = s
        .hub
        .list_discussions(&repo, &Default::default(), 0, DISCUSSIONS_SHOWN)
        .await
        .map_err(|e| s.internal(e))?;
    let rows: Vec<DiscussionRow> = list.iter().map(discussion_row).collect();
    let path = super::repo_url_path(&repo);
    page(pages::discussions_page(
        &s.site,
        &repo.name.to_string(),
        &format!("/{path}"),
        &rows,
    ))
}

async fn discussion(
    State(s): State<WebState>,
    caller: Caller,
    UrlKind(kind): UrlKind,
    Path((ns, name, num)): Path<(String, String, String)>,
) -> PageResult {
    let repo = readable(&s, &caller, kind, &ns, &name).await?;
    let what = format!("Discussion #{num} of {}", repo.name);
    let num: u64 = num.parse().map_err(|_| s.not_found(&what))?;
    let d = s
        .hub
        .discussion_details(&repo, num)
        .await
        .map_err(|_| s.not_found(&what))?;
    let events = d
        .events
        .iter()
        .map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
            let text = |k: &str| data[k].as_str().unwrap_or_default().to_string();
            let (author, at_ms) = (e.author.clone(), e.created_at);
            match e.kind {
                DiscussionEventKind::Comment => EventView::Comment {
                    author,
                    at_ms,
                    text: text("raw"),
                },
                DiscussionEventKind::TitleChange => EventView::Title {
                    author,
                    at_ms,
                    from: text("from"),
                    to: text("to"),
                },
                DiscussionEventKind::Commit => EventView::Commit {
                    author,
                    at_ms,
                    oid: text("oid"),
                    subject: text("subject"),
                },
                DiscussionEventKind::StatusChange => EventView::Status {
                    author,
                    at_ms,
                    status: text("status"),
                },
            }
        })
        .collect();
    let (changes, conflicts) = match &d.changes {
        Some(c) => (
            c.changes
                .iter()
                .map(|(p, change)| (p.clone(), change.label()))
                .collect(),
            c.conflicts.clone(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let view = DiscussionView {
        repo_id: repo.name.to_string(),
        repo_path: format!("/{}", super::repo_url_path(&repo)),
        row: discussion_row(&d.discussion),
        target: d.discussion.target_ref.clone(),
        events,
        changes,
        conflicts,
    };
    page(pages::discussion_page(&s.site, &view))
}

async fn blob_page(
    State(s): State<WebState>,
    caller: Caller,
    UrlKind(kind): UrlKind,
    Path((ns, name, rev, path)): Path<(String, String, String, String)>,
) -> PageResult {
    let repo = readable(&s, &caller, kind, &ns, &name).await?;
    let hub = &s.hub;
    // The page shows the file's text: it is a path to the bytes like `resolve`.
    match hub.require_read_bytes(caller.principal(), &repo).await {
        Ok(()) => {}
        Err(commonhold_hub::HubError::Gated(m)) => return Err(s.gated(&caller, &m)),
        Err(e) => return Err(s.internal(e)),
    }
    let what = format!("{path} at {rev}");
    let resolved = hub
        .resolve(&repo, &rev)
        .await
        .map_err(|_| s.not_found(&what))?;
    let root = resolved.tree;
    let Some((EntryMode::File | EntryMode::Executable, oid)) =
        hub.lookup(&root, &path).await.map_err(|e| s.internal(e))?
    else {
        return Err(s.not_found(&what));
    };
    let info = hub.blob_info(&oid).await.map_err(|e| s.internal(e))?;
    let size = info.file_size();
    let text = if info.lfs.is_none() && size as usize <= pages::MAX_INLINE_BYTES {
        String::from_utf8(hub.blob_content(&oid).await.map_err(|e| s.internal(e))?).ok()
    } else {
        None
    };
    let entry = entry_of(&repo, String::new());
    page(pages::blob_page(
        &s.site,
        &BlobView {
            repo_id: entry.id(),
            repo_path: entry.web_path(),
            commit: resolved.commit.to_hex(),
            path,
            size,
            lfs: info.lfs.is_some(),
            text,
        },
    ))
}

async fn organization(
    State(s): State<WebState>,
    caller: Caller,
    Path(name): Path<String>,
) -> PageResult {
    let account = s
        .hub
        .account(&name)
        .await
        .map_err(|e| s.internal(e))?
        .ok_or_else(|| s.not_found(&name))?;
    let (index, sight) = s.index_for(&caller).await?;
    let assets = index
        .entries()
        .iter()
        .filter(|e| e.owner_id == account.id && sight.sees(e))
        .cloned()
        .collect();
    let members = s
        .hub
        .member_names(&account)
        .await
        .map_err(|e| s.internal(e))?;
    let profile = s
        .hub
        .provider_profile(&account)
        .await
        .map_err(|e| s.internal(e))?;
    page(pages::org_page(
        &s.site,
        &pages::OrgView {
            name: account.name.clone(),
            is_org: account.kind == commonhold_meta::AccountKind::Org,
            created_at: account.created_at,
            assets,
            members,
            due_diligence: pages::DueDiligence {
                security_contact: profile.security_contact,
                data_handling: profile.data_handling,
                verified: profile.verified,
            },
        },
    ))
}

async fn compare(State(s): State<WebState>, caller: Caller, RawQuery(raw): RawQuery) -> PageResult {
    let asked: Vec<String> = query_pairs(raw.as_deref())
        .into_iter()
        .filter(|(k, v)| k == "models" && !v.trim().is_empty())
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|m| m.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|m| !m.is_empty())
        .collect();
    let mut items = Vec::new();
    let mut problems = Vec::new();
    if asked.len() > 4 {
        problems.push("Compare at most four models at a time.".to_string());
    }
    for id in asked.iter().take(4) {
        let Some((ns, name)) = id.split_once('/') else {
            problems.push(format!("“{id}” is not of the form namespace/name."));
            continue;
        };
        let Ok(repo) = readable(&s, &caller, RepoType::Model, ns, name).await else {
            problems.push(format!("No model “{id}” was found."));
            continue;
        };
        let assessment = match repo.summary.sha {
            Some(head) => s
                .hub
                .assessment(&repo, &head)
                .await
                .map_err(|e| s.internal(e))?
                .and_then(|v| serde_json::from_value(v).ok()),
            None => None,
        };
        items.push(pages::CompareItem {
            entry: entry_of(&repo, String::new()),
            assessment,
        });
    }
    if asked.len() == 1 {
        problems.push("Name at least two models to compare.".to_string());
    }
    page(pages::compare_page(&s.site, &items, &asked, &problems))
}

async fn funders(State(s): State<WebState>, caller: Caller) -> PageResult {
    let (index, sight) = s.index_for(&caller).await?;
    let list: Vec<&RepoEntry> = index.entries().iter().filter(|e| sight.sees(e)).collect();
    page(pages::funders_index(&s.site, &list))
}

async fn funder(State(s): State<WebState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    let (index, sight) = s.index_for(&caller).await?;
    let list: Vec<&RepoEntry> = index
        .entries()
        .iter()
        .filter(|e| sight.sees(e))
        .filter(|e| {
            e.funding()
                .iter()
                .any(|f| commonhold_catalogue::funding::funder_slug(&f.funder) == slug)
        })
        .collect();
    page(pages::funder_page(&s.site, &slug, &list))
}

/// The web routes carry their own state; the caller is found exactly as for the API.
impl axum::extract::FromRequestParts<WebState> for Caller {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let app = AppState {
            hub: state.hub.clone(),
        };
        <Caller as axum::extract::FromRequestParts<AppState>>::from_request_parts(parts, &app).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonhold_hub::{CommitOp, CommitRequest, HubConfig};
    use commonhold_types::{RepoPath, Role};

    async fn hub() -> (
        tempfile::TempDir,
        Hub,
        Principal,
        commonhold_meta::MetaStore,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let meta =
            commonhold_meta::MetaStore::open(&format!("sqlite://{}/m.db", dir.path().display()))
                .await
                .unwrap();
        let blobs = commonhold_blob::LocalBlobStore::open(dir.path().join("b"))
            .await
            .unwrap();
        let hub = Hub::new(
            meta.clone(),
            Arc::new(blobs),
            HubConfig::default(),
            Some(vec![7; 32]),
        )
        .await
        .unwrap();
        let account = meta.create_user("u", false).await.unwrap();
        let who = Principal {
            account,
            token: None,
            token_name: "t".into(),
            role: Role::Write,
            orgs: Vec::new(),
        };
        (dir, hub, who, meta)
    }

    async fn add_repo(hub: &Hub, who: &Principal, name: &str) {
        let name = RepoName::new("u", name).unwrap();
        let repo = hub
            .create_repo(who, RepoType::Model, &name, false)
            .await
            .unwrap();
        let req = CommitRequest {
            revision: "main".into(),
            summary: "card".into(),
            description: String::new(),
            parent_commit: None,
            create_pr: false,
            ops: vec![CommitOp::AddRegular {
                path: RepoPath::new("README.md").unwrap(),
                content: b"# zebra finch".to_vec(),
            }],
        };
        hub.create_commit(&repo, &who.account, req).await.unwrap();
    }

    /// A large catalogue is served from its last index while a rebuild runs; a repo made
    /// private meanwhile is hidden all the same, since what a caller sees is decided with the
    /// access changes of the moment, not the index's copy.
    #[tokio::test]
    async fn a_stale_index_hides_a_repo_made_private_since() {
        let (_dir, hub, who, meta) = hub().await;
        add_repo(&hub, &who, "one").await;
        let cache = Arc::new(IndexCache::with_sync_build_limit(Duration::ZERO));
        cache.get(&hub).await.unwrap();
        let name = RepoName::new("u", "one").unwrap();
        let repo = meta
            .repo_by_name(RepoType::Model, &name)
            .await
            .unwrap()
            .unwrap();
        meta.set_private(repo.id, true).await.unwrap();
        let stale = cache.get(&hub).await.unwrap();
        let e = &stale.entries()[0];
        assert!(!e.private, "served from the index built before the change");
        let state = WebState {
            hub: hub.clone(),
            site: Site { name: "t".into() },
            index: cache,
        };
        assert!(!state.sight(None).await.unwrap().sees(e));
        let stranger = Principal {
            account: meta.create_user("x", false).await.unwrap(),
            ..who.clone()
        };
        assert!(!state.sight(Some(&stranger)).await.unwrap().sees(e));
        assert!(state.sight(Some(&who)).await.unwrap().sees(e), "the owner");
        let anyone = state.sight(None).await.unwrap();
        let found = stale.search_as(&SearchQuery::default(), &|e| anyone.sees(e));
        assert_eq!(found.total, 0, "nor counted");
    }

    #[tokio::test]
    async fn a_rebuild_that_panics_does_not_stop_later_ones() {
        let cache = Arc::new(IndexCache::default());
        let crashed = cache
            .start_rebuild(async { panic!("a bug in the rebuild") })
            .expect("nothing was running");
        assert!(crashed.await.unwrap_err().is_panic());
        let next = cache.start_rebuild(async { Ok(Arc::new(SearchIndex::default())) });
        assert!(next.is_some(), "the flag was cleared by the panic");
        next.unwrap().await.unwrap();
        assert!(!cache.rebuilding.load(Ordering::Acquire));
    }

    #[tokio::test]
    async fn fast_builds_are_waited_for_and_slow_ones_rebuild_in_the_background() {
        let (_dir, hub, who, _meta) = hub().await;
        add_repo(&hub, &who, "one").await;

        // A page waits for a build under the limit: a commit shows on the very next page.
        let waiting = Arc::new(IndexCache::with_sync_build_limit(Duration::from_secs(3600)));
        assert_eq!(waiting.get(&hub).await.unwrap().len(), 1);
        add_repo(&hub, &who, "two").await;
        assert_eq!(waiting.get(&hub).await.unwrap().len(), 2);

        // Past the limit the last index answers at once while a rebuild runs, and the next
        // pages see the commit once it is done.
        let background = Arc::new(IndexCache::with_sync_build_limit(Duration::ZERO));
        assert_eq!(
            background.get(&hub).await.unwrap().len(),
            2,
            "first build waits"
        );
        add_repo(&hub, &who, "three").await;
        assert_eq!(background.get(&hub).await.unwrap().len(), 2, "served stale");
        let mut seen = 2;
        for _ in 0..200 {
            seen = background.get(&hub).await.unwrap().len();
            if seen == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(seen, 3, "the background rebuild picked the commit up");
    }
}
