//! Benchmark: a release with 20 GB of weights (sparse files with valid safetensors headers) and a
//! dataset repository of 10,000 files. Run by `bench/assess.sh`; prints warm timings.

use std::fs::File;
use std::io::Write as _;
use std::time::{Duration, Instant};

use commonhold_assess::{AssessOptions, DirRelease, assess};

const SHARDS: u64 = 5;
const SHARD_BYTES: u64 = 4_000_000_000;
const DATASET_FILES: usize = 10_000;
const RUNS: usize = 5;

fn sparse_shard(path: &std::path::Path) -> std::io::Result<()> {
    let elements = SHARD_BYTES / 2;
    let header = format!(
        "{{\"__metadata__\":{{\"format\":\"pt\"}},\"w\":{{\"dtype\":\"BF16\",\"shape\":[{elements}],\"data_offsets\":[0,{SHARD_BYTES}]}}}}"
    );
    let mut f = File::create(path)?;
    f.write_all(&(header.len() as u64).to_le_bytes())?;
    f.write_all(header.as_bytes())?;
    f.set_len(8 + header.len() as u64 + SHARD_BYTES)
}

/// Median of warm runs (one cold run first, discarded).
fn time(dir: &std::path::Path) -> (Duration, commonhold_assess::Assessment) {
    let run = || {
        let start = Instant::now();
        let release = DirRelease::open(dir).expect("open");
        let a = assess(&release, &AssessOptions::default());
        (start.elapsed(), a)
    };
    let (_, a) = run();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| run().0).collect();
    times.sort();
    (times[RUNS / 2], a)
}

fn main() -> std::io::Result<()> {
    let weights = tempfile::tempdir()?;
    std::fs::write(
        weights.path().join("README.md"),
        "---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# Big model\n",
    )?;
    std::fs::write(
        weights.path().join("config.json"),
        r#"{"architectures":["X"]}"#,
    )?;
    for i in 1..=SHARDS {
        sparse_shard(
            &weights
                .path()
                .join(format!("model-0000{i}-of-0000{SHARDS}.safetensors")),
        )?;
    }
    let (t, a) = time(weights.path());
    let params: u64 = a.weights.iter().filter_map(|w| w.parameters).sum();
    println!(
        "weights: {} GB in {} shards, {params} parameters, tier {}: {:.1} ms (median of {RUNS} warm runs)",
        a.total_bytes / 1_000_000_000,
        SHARDS,
        a.tier.as_str(),
        t.as_secs_f64() * 1000.0
    );

    let data = tempfile::tempdir()?;
    std::fs::write(
        data.path().join("README.md"),
        "---\nlicense: cc-by-4.0\ntask_categories:\n- text-generation\n---\n# Data\n",
    )?;
    for i in 0..DATASET_FILES {
        let dir = data.path().join(format!("data/part-{:03}", i / 100));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("shard-{i:05}.parquet")), b"PAR1")?;
    }
    let (t, a) = time(data.path());
    println!(
        "dataset: {} files, repo type {:?}: {:.1} ms (median of {RUNS} warm runs)",
        a.files,
        a.repo_type,
        t.as_secs_f64() * 1000.0
    );
    Ok(())
}
