//! Listing: visibility, filters, order, pages; download counting.

use commonhold_meta::{MetaStore, PrivateRepos, RepoQuery, RepoSort, RepoSummary};
use commonhold_types::{RepoName, RepoType};

use crate::harness::{Fixture, both_backends};

both_backends!(
    private_repos_are_listed_only_to_their_owners,
    search_author_and_tags_filter,
    sorting_and_pagination_are_stable,
    downloads_count_once_per_day_and_client,
);

/// Creates `ns/name` owned by the account `ns` (created on first use).
async fn repo(s: &MetaStore, full: &str, private: bool) -> i64 {
    let name: RepoName = full.parse().unwrap();
    let owner = match s.account_by_name(name.namespace()).await.unwrap() {
        Some(a) => a,
        None => s.create_user(name.namespace(), false).await.unwrap(),
    };
    s.create_repo(RepoType::Model, &name, owner.id, private)
        .await
        .unwrap()
        .id
}

async fn names(s: &MetaStore, q: &RepoQuery) -> Vec<String> {
    s.list_repos(q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name.to_string())
        .collect()
}

fn by_id(mut q: RepoQuery) -> RepoQuery {
    q.sort = RepoSort::Id;
    q.descending = false;
    q
}

async fn private_repos_are_listed_only_to_their_owners(fx: Fixture) {
    let s = &fx.store;
    repo(s, "alice/public", false).await;
    repo(s, "alice/secret", true).await;
    repo(s, "bob/hidden", true).await;
    let alice = s.account_by_name("alice").await.unwrap().unwrap().id;
    let bob = s.account_by_name("bob").await.unwrap().unwrap().id;

    let anonymous = by_id(RepoQuery::new(RepoType::Model));
    assert_eq!(names(s, &anonymous).await, ["alice/public"]);
    let as_alice = RepoQuery {
        private: PrivateRepos::OwnedBy(vec![alice]),
        ..anonymous.clone()
    };
    assert_eq!(names(s, &as_alice).await, ["alice/public", "alice/secret"]);
    let as_both = RepoQuery {
        private: PrivateRepos::OwnedBy(vec![alice, bob]),
        ..anonymous.clone()
    };
    assert_eq!(
        names(s, &as_both).await,
        ["alice/public", "alice/secret", "bob/hidden"]
    );
    let as_admin = RepoQuery {
        private: PrivateRepos::All,
        ..anonymous.clone()
    };
    assert_eq!(names(s, &as_admin).await, names(s, &as_both).await);
    assert!(
        names(s, &by_id(RepoQuery::new(RepoType::Dataset)))
            .await
            .is_empty()
    );
}

async fn search_author_and_tags_filter(fx: Fixture) {
    let s = &fx.store;
    let llm = repo(s, "Acme/Tiny-LLM", false).await;
    let vision = repo(s, "acme/vision_net", false).await;
    repo(s, "other/tiny-llm-copy", false).await;
    for (id, tags) in [(llm, vec!["nlp", "de"]), (vision, vec!["vision", "de"])] {
        let summary = RepoSummary {
            tags: tags.into_iter().map(String::from).collect(),
            ..RepoSummary::default()
        };
        s.update_repo_summary(id, &summary).await.unwrap();
    }
    let base = by_id(RepoQuery::new(RepoType::Model));

    let q = RepoQuery {
        search: Some("TINY-llm".into()),
        ..base.clone()
    };
    assert_eq!(names(s, &q).await, ["Acme/Tiny-LLM", "other/tiny-llm-copy"]);
    // LIKE wildcards in the search text match only themselves.
    let q = RepoQuery {
        search: Some("_".into()),
        ..base.clone()
    };
    assert_eq!(names(s, &q).await, ["acme/vision_net"]);
    let q = RepoQuery {
        search: Some("%".into()),
        ..base.clone()
    };
    assert!(names(s, &q).await.is_empty());

    let q = RepoQuery {
        author: Some("ACME".into()),
        ..base.clone()
    };
    assert_eq!(names(s, &q).await, ["Acme/Tiny-LLM", "acme/vision_net"]);
    let q = RepoQuery {
        tags: vec!["de".into()],
        ..base.clone()
    };
    assert_eq!(names(s, &q).await, ["Acme/Tiny-LLM", "acme/vision_net"]);
    let q = RepoQuery {
        tags: vec!["de".into(), "nlp".into()],
        ..base.clone()
    };
    assert_eq!(names(s, &q).await, ["Acme/Tiny-LLM"]);
    let q = RepoQuery {
        tags: vec!["de".into(), "nlp".into()],
        author: Some("other".into()),
        ..base.clone()
    };
    assert!(names(s, &q).await.is_empty());
}

async fn sorting_and_pagination_are_stable(fx: Fixture) {
    let s = &fx.store;
    let mut ids = Vec::new();
    for (i, (full, modified)) in [("u/a", 300), ("u/b", 100), ("u/c", 300), ("u/d", 200)]
        .into_iter()
        .enumerate()
    {
        let id = repo(s, full, false).await;
        let summary = RepoSummary {
            last_modified: modified,
            ..RepoSummary::default()
        };
        s.update_repo_summary(id, &summary).await.unwrap();
        for day in 0..i64::try_from(i).unwrap() {
            assert!(s.record_download(id, "client", day).await.unwrap());
        }
        ids.push(id);
    }
    let base = RepoQuery::new(RepoType::Model);
    let q = |sort, descending| RepoQuery {
        sort,
        descending,
        ..base.clone()
    };

    // Ties (a and c both at 300) fall back to id, in the same direction.
    assert_eq!(
        names(s, &q(RepoSort::LastModified, true)).await,
        ["u/c", "u/a", "u/d", "u/b"]
    );
    assert_eq!(
        names(s, &q(RepoSort::LastModified, false)).await,
        ["u/b", "u/d", "u/a", "u/c"]
    );
    assert_eq!(
        names(s, &q(RepoSort::Downloads, true)).await,
        ["u/d", "u/c", "u/b", "u/a"]
    );
    assert_eq!(
        names(s, &q(RepoSort::Id, false)).await,
        ["u/a", "u/b", "u/c", "u/d"]
    );
    assert_eq!(names(s, &q(RepoSort::CreatedAt, false)).await.len(), 4);
    assert_eq!(
        names(s, &q(RepoSort::Likes, true)).await,
        ["u/d", "u/c", "u/b", "u/a"]
    );

    let mut pages = Vec::new();
    for offset in [0, 2, 4] {
        let page = RepoQuery {
            offset,
            limit: 2,
            ..q(RepoSort::LastModified, true)
        };
        pages.push(names(s, &page).await);
    }
    assert_eq!(
        pages,
        [vec!["u/c", "u/a"], vec!["u/d", "u/b"], Vec::<&str>::new()]
    );
    let huge = RepoQuery {
        offset: u64::MAX,
        limit: u64::MAX,
        ..base.clone()
    };
    assert!(names(s, &huge).await.is_empty());
}

async fn downloads_count_once_per_day_and_client(fx: Fixture) {
    let s = &fx.store;
    let id = repo(s, "u/popular", false).await;
    assert!(s.record_download(id, "10.0.0.1", 19_000).await.unwrap());
    assert!(!s.record_download(id, "10.0.0.1", 19_000).await.unwrap());
    assert!(s.record_download(id, "10.0.0.2", 19_000).await.unwrap());
    assert!(s.record_download(id, "10.0.0.1", 19_001).await.unwrap());
    assert_eq!(s.repo_by_id(id).await.unwrap().unwrap().downloads, 3);
    assert!(
        s.record_download(id + 1000, "10.0.0.1", 19_000)
            .await
            .is_err()
    );
}
