//! Measures ingest and read-back throughput of the local store on one file:
//! `cargo run --release -p commonhold-blob --example ingest -- FILE STORE_DIR`.
//! Compare with `time (tee copy < FILE | openssl dgst -sha256; sync)`.

use std::time::Instant;

use commonhold_blob::{BlobKey, BlobStore, LocalBlobStore};
use futures::StreamExt;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(root)) = (args.next(), args.next()) else {
        return Err("usage: ingest FILE STORE_DIR".into());
    };
    let store = LocalBlobStore::open(root).await?;
    let expected = {
        let bytes = std::fs::read(&input)?;
        (commonhold_blob::sha256_of(&bytes), bytes.len() as u64)
    };
    store.delete(&BlobKey::Lfs(expected.0)).await?;

    let started = Instant::now();
    let mut file = tokio::fs::File::open(&input).await?;
    let mut writer = store.writer().await?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        writer.write(buf.get(..n).unwrap_or_default()).await?;
    }
    writer.commit(expected.0, expected.1).await?;
    let ingest = started.elapsed();

    let started = Instant::now();
    let mut stream = store.read(&BlobKey::Lfs(expected.0), None).await?;
    let mut total = 0;
    while let Some(chunk) = stream.next().await {
        total += chunk?.len();
    }
    let read = started.elapsed();
    let mib = expected.1 as f64 / (1024.0 * 1024.0);
    println!(
        "ingest {:.3}s ({:.0} MiB/s), read {:.3}s ({:.0} MiB/s), {total} bytes",
        ingest.as_secs_f64(),
        mib / ingest.as_secs_f64(),
        read.as_secs_f64(),
        mib / read.as_secs_f64()
    );
    Ok(())
}
