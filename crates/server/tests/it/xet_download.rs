//! Downloads of Xet-stored files through the router: HEAD/GET on `resolve` advertise Xet (hash,
//! refresh route, `Link: rel="xet-auth"`) only for files uploaded through Xet, tree listings and
//! paths-info carry `xetHash`, the advertised route gives a read token that reconstructs the
//! file, and plain GETs with ranges are rebuilt from the xorbs in bounded pieces.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use commonhold_types::Role;
use commonhold_xet::fixtures::{CompressionScheme, FileFixture, file_fixture};
use serde_json::Value;

/// Reproducible, poorly compressible bytes.
fn bytes(n: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn fixture(data: &[u8], chunk: usize, per_xorb: usize) -> FileFixture {
    file_fixture(
        data,
        chunk,
        per_xorb,
        CompressionScheme::LZ4,
        &sha256_hex(data),
    )
    .unwrap()
}

async fn head(t: &TestHub, uri: &str) -> Reply {
    t.call("HEAD", uri, None, Body::empty()).await
}

/// The files of a listing by path.
fn by_path(listing: &Value) -> std::collections::HashMap<String, Value> {
    listing
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

#[tokio::test]
async fn xet_files_are_advertised_and_lfs_files_stay_plain() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    ok(&t.create_repo(&alice, "alice/m", "model", false).await);
    let xet_data = bytes(200_000, 1);
    let f = fixture(&xet_data, 64 * 1024, 2);
    xet_upload(&t, &alice, "models", "alice/m", &f).await;
    let lfs_data = bytes(150_000, 2);
    let lfs_oid = t.lfs_upload(&alice, "alice/m", &lfs_data).await;
    let xet_oid = sha256_hex(&xet_data);
    let r = t
        .commit(
            &alice,
            "alice/m",
            &[
                header_line("three kinds of file"),
                lfs_line("weights/x.bin", &xet_oid, xet_data.len() as u64),
                lfs_line("weights/l.bin", &lfs_oid, lfs_data.len() as u64),
                file_line("config.json", b"{}"),
            ],
        )
        .await;
    ok(&r);
    let commit = r.json()["commitOid"].as_str().unwrap().to_string();
    let route = format!("/api/models/alice/m/xet-read-token/{commit}");

    // HEAD and GET of the Xet file: the LFS headers plus the three Xet ones.
    for method in ["HEAD", "GET"] {
        let r = t
            .call(
                method,
                "/alice/m/resolve/main/weights/x.bin",
                None,
                Body::empty(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{method}");
        assert_eq!(
            r.header("x-xet-hash"),
            Some(f.file_hash.to_string().as_str())
        );
        assert_eq!(r.header("x-xet-refresh-route"), Some(route.as_str()));
        let link = format!("<{PUBLIC}{route}>; rel=\"xet-auth\"");
        assert_eq!(r.header("link"), Some(link.as_str()));
        assert_eq!(r.header("x-repo-commit"), Some(commit.as_str()));
        let etag = format!("\"{xet_oid}\"");
        assert_eq!(r.header("etag"), Some(etag.as_str()));
        assert_eq!(r.header("x-linked-etag"), Some(etag.as_str()));
        let size = xet_data.len().to_string();
        assert_eq!(r.header("x-linked-size"), Some(size.as_str()));
        if method == "GET" {
            assert!(r.body == xet_data, "the plain GET differs");
        }
    }
    // Files uploaded through LFS, and regular files, carry no Xet headers.
    for path in ["weights/l.bin", "config.json"] {
        let r = head(&t, &format!("/alice/m/resolve/main/{path}")).await;
        assert_eq!(r.status, StatusCode::OK);
        for name in ["x-xet-hash", "x-xet-refresh-route", "link"] {
            assert_eq!(r.header(name), None, "{path} has {name}");
        }
    }
    let r = head(&t, "/alice/m/resolve/main/weights/l.bin").await;
    assert_eq!(
        r.header("x-linked-etag"),
        Some(format!("\"{lfs_oid}\"").as_str())
    );

    // The advertised route hands out a read token, which reconstructs the file.
    let r = t.get(&route, Some(&alice)).await;
    ok(&r);
    let read = r.header("x-xet-access-token").unwrap().to_string();
    let recon = format!("/xet-cas/v1/reconstructions/{}", f.file_hash);
    let req = Request::builder()
        .uri(&recon)
        .header("authorization", format!("Bearer {read}"))
        .header("range", "bytes=0-199999");
    let r = t.send(req.body(Body::empty()).unwrap()).await;
    ok(&r);
    assert_eq!(r.json()["terms"].as_array().unwrap().len(), 2);

    // Listings: xetHash beside the lfs block for the Xet file only.
    for uri in [
        "/api/models/alice/m/tree/main?recursive=true".to_string(),
        "/api/models/alice/m/tree/main/weights".to_string(),
        format!("/api/models/alice/m/tree/{commit}/weights?expand=true"),
    ] {
        let r = t.get(&uri, None).await;
        ok(&r);
        let files = by_path(&r.json());
        let x = &files["weights/x.bin"];
        assert_eq!(x["xetHash"], f.file_hash.to_string(), "{uri}");
        assert_eq!(x["lfs"]["oid"], xet_oid, "{uri}");
        assert_eq!(x["lfs"]["size"], xet_data.len(), "{uri}");
        let l = &files["weights/l.bin"];
        assert!(l.get("xetHash").is_none(), "{uri}: {l}");
        assert_eq!(l["lfs"]["oid"], lfs_oid, "{uri}");
        if let Some(c) = files.get("config.json") {
            assert!(c.get("xetHash").is_none() && c.get("lfs").is_none(), "{c}");
        }
    }
    let req = Request::builder()
        .method("POST")
        .uri("/api/models/alice/m/paths-info/main")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "paths=weights/x.bin&paths=weights/l.bin&paths=config.json&paths=weights",
        ))
        .unwrap();
    let r = t.send(req).await;
    ok(&r);
    let files = by_path(&r.json());
    assert_eq!(files.len(), 4);
    assert_eq!(files["weights/x.bin"]["xetHash"], f.file_hash.to_string());
    for path in ["weights/l.bin", "config.json", "weights"] {
        assert!(files[path].get("xetHash").is_none(), "{path}");
    }

    // The LFS file's "not Xet" was just cached; the same content uploaded through Xet to this
    // repo is advertised at once, since this process clears the cache on a shard upload.
    let g = fixture(&lfs_data, 64 * 1024, 2);
    xet_upload(&t, &alice, "models", "alice/m", &g).await;
    let r = head(&t, "/alice/m/resolve/main/weights/l.bin").await;
    assert_eq!(
        r.header("x-xet-hash"),
        Some(g.file_hash.to_string().as_str())
    );
}

#[tokio::test]
async fn the_refresh_route_names_the_repo_type_and_the_resolved_commit() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    ok(&t.create_repo(&alice, "alice/d", "dataset", true).await);
    let data = bytes(70_000, 3);
    let f = fixture(&data, 16 * 1024, 3);
    xet_upload(&t, &alice, "datasets", "alice/d", &f).await;
    let r = t
        .commit_to(
            &alice,
            "/api/datasets/alice/d/commit/main",
            &[
                header_line("data"),
                lfs_line("train.parquet", &sha256_hex(&data), data.len() as u64),
            ],
        )
        .await;
    ok(&r);
    let commit = r.json()["commitOid"].as_str().unwrap().to_string();
    let req = Request::builder()
        .method("HEAD")
        .uri("/datasets/alice/d/resolve/main/train.parquet")
        .header("authorization", format!("Bearer {alice}"));
    let r = t.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let route = format!("/api/datasets/alice/d/xet-read-token/{commit}");
    assert_eq!(r.header("x-xet-refresh-route"), Some(route.as_str()));
    // The repo is private: the route answers its owner only.
    ok(&t.get(&route, Some(&alice)).await);
    assert_eq!(t.get(&route, None).await.status, StatusCode::UNAUTHORIZED);
    // Hidden files advertise nothing to those who cannot see them.
    let r = head(&t, "/datasets/alice/d/resolve/main/train.parquet").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("x-xet-hash"), None);
}

#[tokio::test]
async fn ranged_plain_gets_of_a_multi_xorb_file_are_exact() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    ok(&t.create_repo(&alice, "alice/big", "model", false).await);
    // 3 MiB in 48 chunks of 64 KiB, 8 per xorb: six xorbs, one term each.
    let data = bytes(3 << 20, 4);
    let f = fixture(&data, 64 * 1024, 8);
    assert_eq!(f.xorbs.len(), 6);
    xet_upload(&t, &alice, "models", "alice/big", &f).await;
    let r = t
        .commit(
            &alice,
            "alice/big",
            &[
                header_line("big"),
                lfs_line("big.bin", &sha256_hex(&data), data.len() as u64),
            ],
        )
        .await;
    ok(&r);
    let uri = "/alice/big/resolve/main/big.bin";
    let xorb = 8 * 64 * 1024;
    for (a, b) in [
        // Across two xorb boundaries, starting and ending inside chunks.
        (xorb - 12_345, 3 * xorb + 777),
        // One byte at a chunk boundary in the middle, and the chunk's last byte.
        (2 * xorb + 65_536, 2 * xorb + 65_536),
        (2 * xorb + 65_535, 2 * xorb + 65_535),
        // Everything but the first and last byte.
        (1, data.len() - 2),
    ] {
        let r = ranged(&t, uri, &format!("bytes={a}-{b}")).await;
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
        let expected = format!("bytes {a}-{b}/{}", data.len());
        assert_eq!(r.header("content-range"), Some(expected.as_str()));
        assert_eq!(r.body.len(), b - a + 1, "{a}-{b}");
        assert!(r.body == data[a..=b], "range {a}-{b} differs");
    }
    let r = ranged(&t, uri, "bytes=-100").await;
    assert!(r.body == data[data.len() - 100..]);
    let r = t.get(uri, None).await;
    assert!(r.body == data, "the whole file differs");
}

#[tokio::test]
async fn plain_reads_of_large_terms_come_in_bounded_pieces() {
    use futures::TryStreamExt;
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    ok(&t.create_repo(&alice, "alice/t", "model", false).await);
    // One 6 MiB term of poorly compressible data, and one of zeros (a few KiB in the xorb, but
    // 8 MiB unpacked): both must be rebuilt a bounded piece at a time.
    let mut data = bytes(6 << 20, 5);
    data.extend(std::iter::repeat_n(0u8, 8 << 20));
    let f = fixture(&data, 128 * 1024, 64);
    assert_eq!(f.xorbs.len(), 2);
    assert!(f.xorbs[1].1.len() < 1 << 20, "zeros should compress");
    xet_upload(&t, &alice, "models", "alice/t", &f).await;
    let repo = t
        .meta
        .repo_by_name(
            commonhold_types::RepoType::Model,
            &"alice/t".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let sha = commonhold_types::Sha256::from_hex(&sha256_hex(&data)).unwrap();
    let file = t.hub.xet_file(repo.id, &sha).await.unwrap().unwrap();
    assert_eq!(file.hash, f.file_hash);
    assert_eq!(file.size(), data.len() as u64);
    let bound = commonhold_hub::READ_PIECE_BYTES as usize;
    for (a, b) in [(0, data.len()), (1_000_001, 13_000_003)] {
        let pieces: Vec<_> = t
            .hub
            .xet_file_stream(&file, a as u64..b as u64)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let largest = pieces.iter().map(|p| p.len()).max().unwrap();
        assert!(largest <= bound, "a piece of {largest} bytes");
        assert!(pieces.len() >= (b - a) / bound, "{} pieces", pieces.len());
        assert!(pieces.concat() == data[a..b], "{a}..{b} differs");
    }
}
