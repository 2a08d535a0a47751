//! Several writers at once, as several server processes sharing one store would be.

use std::sync::Arc;

use bytes::Bytes;
use commonhold_blob::*;

use crate::harness::{Fixture, both_backends, content};
use crate::writes::write_in_pieces;

both_backends!(
    concurrent_writers_of_the_same_key,
    concurrent_create_only_writes
);

/// Identical content committed by several writers at once (small and large): every commit
/// succeeds, one blob is stored, intact, and no temporary is left.
async fn concurrent_writers_of_the_same_key(fx: Fixture) {
    for len in [700_000, 12 * 1024 * 1024] {
        let data = Arc::new(content(len, 20));
        let digest = sha256_of(&data);
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let store = fx.store.clone();
                let data = data.clone();
                tokio::spawn(async move {
                    write_in_pieces(store.as_ref(), &data, 300_000 + i * 1_000)
                        .await
                        .commit(digest, data.len() as u64)
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let key = BlobKey::Lfs(digest);
        assert_eq!(
            read_to_vec(fx.store.as_ref(), &key, u64::MAX)
                .await
                .unwrap(),
            *data
        );
        assert!(fx.store.verify(&key).await.unwrap());
    }
    assert_eq!(fx.store.list().await.unwrap().len(), 2);
    assert!(fx.entries("tmp").await.is_empty());
    fx.assert_no_open_uploads().await;
}

/// Racing create-only writes of one key: at least one reports that it stored; with a
/// conditional PUT exactly one does. The content is one writer's, whole.
async fn concurrent_create_only_writes(fx: Fixture) {
    let key = BlobKey::Xorb([0x5a; 32]);
    let data = Bytes::from(content(300_000, 21));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let store = fx.store.clone();
            let data = data.clone();
            tokio::spawn(async move { store.put_verified(&key, data).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        stored += usize::from(task.await.unwrap().unwrap());
    }
    assert!(stored >= 1);
    if fx.create_only_is_atomic() {
        assert_eq!(stored, 1);
    }
    assert_eq!(
        read_to_vec(fx.store.as_ref(), &key, u64::MAX)
            .await
            .unwrap(),
        data
    );
}
