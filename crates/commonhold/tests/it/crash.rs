//! Crash safety: a server killed with SIGKILL in the middle of an upload or of a stream of
//! commits must come back with a store that `fsck` passes, no half-stored object and no
//! half-visible commit, and every commit a client saw succeed still in history.

use crate::support;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::http::{path_of, start_request};
use support::hub::{file_op, lfs_op, sha256_hex};
use support::server::Server;
use support::{Store, find_files_named};

/// The declared size of the upload that is cut off: large enough that the kill lands mid-body.
const BIG: u64 = 200 * 1024 * 1024;
/// How much of it is sent before the kill.
const SENT_BEFORE_KILL: usize = 24 * 1024 * 1024;

#[test]
fn sigkill_during_an_upload_stores_nothing_visible() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("big");
    let data = &store.data;
    client.commit_ok("card", &[file_op("README.md", b"# big\n")]);

    // The object's oid need not match bytes that will never all arrive.
    let oid = sha256_hex(b"two hundred megabytes that never finish arriving");
    let href = client
        .upload_href(&oid, BIG)
        .expect("a fresh object must be asked for");
    let mut stream = start_request(
        server.addr,
        "PUT",
        path_of(&href),
        &[("Content-Type", "application/octet-stream")],
        BIG,
    )
    .expect("open the upload");
    let chunk = vec![0x5au8; 256 * 1024];
    let mut sent = 0;
    while sent < SENT_BEFORE_KILL {
        stream
            .write_all(&chunk)
            .expect("server takes the body while alive");
        sent += chunk.len();
        // Slow enough that the server is surely inside the body when it dies.
        std::thread::sleep(Duration::from_millis(2));
    }
    server.kill9();
    drop(stream);

    store.assert_fsck(0, &[]);
    assert!(
        find_files_named(&data.join("blobs"), &oid).is_empty(),
        "no stored object may carry the oid {oid}"
    );
    let server = Server::start(data);
    let client = client.via(server.addr);
    assert!(
        client.upload_href(&oid, BIG).is_some(),
        "after the crash the batch API must still ask for the upload"
    );
    let r = client
        .commit("use the half upload", &[lfs_op("big.bin", &oid, BIG)])
        .expect("commit request");
    assert!(
        !r.is_success(),
        "a commit naming the unfinished object must be refused, got {} {}",
        r.status,
        r.text()
    );
    assert_eq!(
        client.resolve("big.bin").status,
        404,
        "the unfinished object must not be visible"
    );
    server.stop();
    store.assert_fsck(0, &[]);
}

/// A moment in `lo..hi` that differs from run to run, without a random-number dependency.
fn some_moment(lo: Duration, hi: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let span = (hi - lo).as_millis().max(1) as u64;
    lo + Duration::from_millis(u64::from(nanos) % span)
}

#[test]
fn sigkill_during_commits_leaves_only_complete_commits() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("many");
    let data = &store.data;
    // An LFS object every commit refers to, so the head's files include a blob-store object.
    let shared = support::pseudo_random(64 * 1024, 3);
    let shared_oid = client.upload_lfs(&shared);

    let succeeded = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let committer = {
        let (client, succeeded, stop) = (client.clone(), Arc::clone(&succeeded), Arc::clone(&stop));
        let shared_size = shared.len() as u64;
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            for i in 0u32.. {
                if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                    return;
                }
                let ops = [
                    file_op(
                        &format!("files/f{i:05}.txt"),
                        format!("content {i}\n").as_bytes(),
                    ),
                    lfs_op(&format!("weights/w{i:05}.bin"), &shared_oid, shared_size),
                ];
                match client.commit(&format!("commit {i}"), &ops) {
                    Ok(r) if r.is_success() => {
                        let id = r.json()["commitOid"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        succeeded.lock().unwrap().push(id);
                    }
                    // The server is gone (connection refused or reset) or answered an error.
                    _ => return,
                }
            }
        })
    };
    // Let a few commits land, then kill at a moment the committer cannot predict.
    let wait_start = Instant::now();
    while succeeded.lock().unwrap().len() < 3 && wait_start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(some_moment(
        Duration::from_millis(50),
        Duration::from_millis(1500),
    ));
    server.kill9();
    stop.store(true, Ordering::Relaxed);
    committer.join().expect("committer thread");
    let succeeded = succeeded.lock().unwrap().clone();
    assert!(
        succeeded.len() >= 3,
        "too few commits before the kill to test anything: {}",
        succeeded.len()
    );
    eprintln!("{} commits acknowledged before the kill", succeeded.len());

    store.assert_fsck(0, &[]);
    let server = Server::start(data);
    let client = client.via(server.addr);
    let history = client.history();
    for id in &succeeded {
        assert!(
            history.contains(id),
            "commit {id} was acknowledged but is not in history after the crash"
        );
    }
    // The head is complete: every file it lists resolves, with the content its commit gave it.
    let files = client.files();
    let n = files.iter().filter(|f| f.starts_with("files/")).count();
    assert!(
        n >= succeeded.len(),
        "head has {n} text files but {} commits succeeded",
        succeeded.len()
    );
    for f in &files {
        let r = client.resolve(f);
        assert_eq!(
            r.status,
            200,
            "{f} is listed at the head but does not resolve: {}",
            r.text()
        );
        if let Some(i) = f
            .strip_prefix("files/f")
            .and_then(|s| s.strip_suffix(".txt"))
        {
            let i: u32 = i.parse().expect("file number");
            assert_eq!(r.text(), format!("content {i}\n"), "{f}");
        } else if f.starts_with("weights/") {
            assert!(r.body == shared, "{f}: LFS content differs");
        }
    }
    server.stop();
    store.assert_fsck(0, &[]);
}
