//! JSON shapes Hub clients parse. API views are built here, apart from the database models.

use commonhold_hub::{EntryKind, TreeItem, format_time_ms};
use commonhold_meta::Repo;
use commonhold_types::RepoType;
use commonhold_xet::XetHash;
use serde_json::{Map, Value, json};

/// A stable 24-hex-digit `_id` (the Hub's ids are MongoDB ObjectIds; clients only echo them).
pub fn object_id(repo: &Repo) -> String {
    format!("{:024x}", repo.id)
}

/// Repo info without `siblings`; those depend on the revision and are added by the caller.
pub fn repo_summary(repo: &Repo) -> Map<String, Value> {
    let s = &repo.summary;
    let mut m = Map::new();
    m.insert("_id".into(), json!(object_id(repo)));
    m.insert("id".into(), json!(repo.name.to_string()));
    if repo.repo_type == RepoType::Model {
        m.insert("modelId".into(), json!(repo.name.to_string()));
    }
    m.insert("author".into(), json!(repo.name.namespace()));
    m.insert("sha".into(), json!(s.sha.map(|c| c.to_hex())));
    m.insert(
        "lastModified".into(),
        json!(format_time_ms(s.last_modified)),
    );
    m.insert("createdAt".into(), json!(format_time_ms(repo.created_at)));
    m.insert("private".into(), json!(repo.private));
    // The Hub's spelling: `false`, or the mode.
    let gated: Value = repo.gating.as_str().map_or(json!(false), |g| json!(g));
    m.insert("gated".into(), gated);
    m.insert("disabled".into(), json!(false));
    m.insert("downloads".into(), json!(repo.downloads));
    m.insert("likes".into(), json!(0));
    m.insert("tags".into(), json!(s.tags));
    if let Some(p) = &s.pipeline_tag {
        m.insert("pipeline_tag".into(), json!(p));
    }
    if let Some(l) = &s.library_name {
        m.insert("library_name".into(), json!(l));
    }
    m.insert("cardData".into(), s.card_data.clone());
    m.insert("xetEnabled".into(), json!(false));
    if let Some(o) = &s.openness {
        m.insert("openness".into(), o.clone());
    }
    m
}

/// A sibling entry of repo info; with `blobs`, sizes, blob ids and LFS details too.
pub fn sibling(item: &TreeItem, blobs: bool) -> Value {
    if !blobs {
        return json!({ "rfilename": item.path });
    }
    let mut v = json!({ "rfilename": item.path, "size": item.size, "blobId": item.oid.to_hex() });
    if let Some(lfs) = &item.lfs {
        v["lfs"] =
            json!({ "sha256": lfs.oid.to_hex(), "size": lfs.size, "pointerSize": item.blob_size });
    }
    v
}

/// An entry of the tree and paths-info endpoints. A Xet-stored file carries its `xetHash` beside
/// the `lfs` block, which sends Xet clients straight to the CAS without a HEAD per file.
pub fn tree_entry(
    item: &TreeItem,
    xet_hash: Option<&XetHash>,
    last_commit: Option<Value>,
) -> Value {
    let mut v = match item.kind {
        EntryKind::Directory => {
            json!({ "type": "directory", "oid": item.oid.to_hex(), "size": 0, "path": item.path })
        }
        EntryKind::File => {
            json!({ "type": "file", "oid": item.oid.to_hex(), "size": item.size, "path": item.path })
        }
    };
    if let Some(lfs) = &item.lfs {
        v["lfs"] =
            json!({ "oid": lfs.oid.to_hex(), "size": lfs.size, "pointerSize": item.blob_size });
    }
    if let Some(hash) = xet_hash {
        v["xetHash"] = json!(hash.to_string());
    }
    if let Some(c) = last_commit {
        v["lastCommit"] = c;
    }
    v
}

/// Keeps only the `expand`ed properties (plus `id` and `_id`); unknown names are ignored.
pub fn apply_expand(mut m: Map<String, Value>, expand: &[&str]) -> Map<String, Value> {
    if expand.is_empty() {
        return m;
    }
    m.retain(|k, _| k == "id" || k == "_id" || expand.contains(&k.as_str()));
    for e in expand {
        // Properties we do not track are answered with a neutral value rather than omitted,
        // since some clients index them directly.
        match *e {
            "likes" | "downloads" | "downloadsAllTime" | "trendingScore" => {
                m.entry(e.to_string()).or_insert(json!(0));
            }
            "xetEnabled" => {
                m.entry(e.to_string()).or_insert(json!(false));
            }
            _ => {}
        }
    }
    m
}
