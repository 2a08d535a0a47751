//! Two `serve` processes sharing one data directory, as behind a load balancer: parallel
//! commits to one branch through both must all land, none lost to a race on the branch head.

use crate::support;

use std::sync::{Arc, Barrier};

use support::Store;
use support::hub::file_op;
use support::server::Server;

const COMMITS: usize = 20;

#[test]
fn twenty_parallel_commits_through_two_servers_all_land() {
    let store = Store::new();
    let (a, client) = store.serve_new_repo("shared");
    let b = Server::start(&store.data);
    let before = client.history().len();

    let barrier = Arc::new(Barrier::new(COMMITS));
    let threads: Vec<_> = (0..COMMITS)
        .map(|i| {
            let client = client.via(if i % 2 == 0 { a.addr } else { b.addr });
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                // No parentCommit: the server must rebase onto whatever head it finds.
                let r = client
                    .commit(
                        &format!("parallel {i}"),
                        &[file_op(
                            &format!("p/{i:02}.txt"),
                            format!("file {i}\n").as_bytes(),
                        )],
                    )
                    .expect("commit request");
                (i, r.status, r.text())
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in threads {
        let (i, status, body) = t.join().expect("commit thread");
        if !(200..300).contains(&status) {
            failures.push(format!("commit {i}: {status} {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "parallel commits failed:\n{}\nserver A:\n{}\nserver B:\n{}",
        failures.join("\n"),
        a.log(),
        b.log()
    );

    for server in [&a, &b] {
        let c = client.via(server.addr);
        assert_eq!(
            c.history().len(),
            before + COMMITS,
            "history through {} must have {COMMITS} new commits",
            server.addr
        );
        for i in 0..COMMITS {
            let r = c.resolve(&format!("p/{i:02}.txt"));
            assert_eq!(
                r.status,
                200,
                "p/{i:02}.txt through {}: {}",
                server.addr,
                r.text()
            );
            assert_eq!(r.text(), format!("file {i}\n"));
        }
    }
    a.stop();
    b.stop();
    store.assert_fsck(0, &[]);
}
