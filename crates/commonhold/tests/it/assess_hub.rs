//! The same release judged three ways gives one judgment: by the hub's background assessor
//! after an upload (`GET /api/models/{repo}/openness`), by `commonhold assess DIR` on the files
//! as they sit on disk, and by `commonhold assess --hub URL repo`, which reads them back through
//! the Hub API (listing and ranged reads, never whole weights). Fixtures: weights uploaded
//! through LFS, a branch holding a training checkpoint, a licence text from `../shared`, and a
//! checkout whose weights are Git LFS pointers the hub never received.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::hub::{Client, file_op, lfs_op};
use support::server::cli_ok;

/// A safetensors file with one F32 tensor of `n` elements.
fn safetensors(n: usize, fill: u8) -> Vec<u8> {
    let header = format!(
        "{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{n}],\"data_offsets\":[0,{}]}}}}",
        n * 4
    );
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend(std::iter::repeat_n(fill, n * 4));
    out
}

fn shared(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/licences")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Files by path.
type Files = Vec<(&'static str, Vec<u8>)>;

/// A release: its files, which of them go to the hub through LFS, and extra branches.
struct Release {
    files: Files,
    lfs: Vec<&'static str>,
    /// Branch name and the files committed on it (on top of `main`).
    branches: Vec<(&'static str, Files)>,
}

impl Release {
    fn write(&self, dir: &Path) {
        for (path, bytes) in &self.files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, bytes).unwrap();
        }
    }

    fn ops(&self, client: &Client, files: &Files) -> Vec<Value> {
        files
            .iter()
            .map(|(path, bytes)| {
                if self.lfs.contains(path) {
                    let oid = client.upload_lfs(bytes);
                    lfs_op(path, &oid, bytes.len() as u64)
                } else {
                    file_op(path, bytes)
                }
            })
            .collect()
    }

    fn upload(&self, client: &Client) {
        client.commit_ok("release", &self.ops(client, &self.files));
        for (branch, files) in &self.branches {
            let path = format!("/api/models/{}/branch/{branch}", client.repo);
            let r = client
                .call("POST", &path, "application/json", b"{}")
                .expect("create branch");
            assert!(r.is_success(), "branch {branch}: {} {}", r.status, r.text());
            let mut body =
                json!({ "key": "header", "value": { "summary": branch, "description": "" } })
                    .to_string();
            for op in self.ops(client, files) {
                body.push('\n');
                body.push_str(&op.to_string());
            }
            let path = format!("/api/models/{}/commit/{branch}", client.repo);
            let r = client
                .call("POST", &path, "application/x-ndjson", body.as_bytes())
                .expect("commit to branch");
            assert!(
                r.is_success(),
                "commit to {branch}: {} {}",
                r.status,
                r.text()
            );
        }
    }
}

/// What must agree: tier, MOF class, OSAID, findings, every component's state, weights read.
fn judgment(a: &Value) -> Value {
    let mut findings: Vec<&str> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    findings.sort_unstable();
    let components: Vec<Value> = a["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!([c["component"], c["state"], c["licence"], c["rule"]]))
        .collect();
    let weights: Vec<Value> = a["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| json!([w["path"], w["size"], w["parameters"], w["error"]]))
        .collect();
    json!({
        "tier": a["tier"],
        "tier_rule": a["tier_rule"],
        "mof": a["mof"]["class"],
        "osaid": a["osaid"],
        "findings": findings,
        "components": components,
        "weights": weights,
        "definition": a["definition_version"],
        "knowledge": a["knowledge"]["sha256"],
    })
}

fn hub_judgment(client: &Client) -> Value {
    let path = format!("/api/models/{}/openness", client.repo);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = client
            .call("GET", &path, "application/json", b"")
            .expect("openness");
        if r.status == 200 {
            return r.json();
        }
        assert_eq!(r.status, 202, "openness: {}", r.text());
        assert!(
            Instant::now() < deadline,
            "the hub did not assess {}",
            client.repo
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assess_json(data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["assess"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&cli_ok(data, &all)).expect("assess prints JSON")
}

#[test]
fn hub_local_and_remote_judgments_agree() {
    let store = support::Store::new();
    let server = support::server::Server::start(&store.data);
    let endpoint = format!("http://{}", server.addr);
    let card_open = "---\nlicense: apache-2.0\nlibrary_name: transformers\ndatasets:\n- allenai/dolma\n---\n# Open model\n\n## Training data\n\nTrained on 3 trillion tokens of [Dolma](https://huggingface.co/datasets/allenai/dolma), deduplicated and filtered for quality.\n\n## Training procedure\n\nThe training code: https://github.com/example/train\n";
    let card_tune = "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\nlibrary_name: transformers\n---\n# A tune\n\nA fully open source fine-tune.\n";
    let pointer = |size: u64| {
        format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {size}\n",
            "ab".repeat(32)
        )
        .into_bytes()
    };
    let releases = [
        (
            "open",
            Release {
                files: vec![
                    ("README.md", card_open.into()),
                    (
                        "config.json",
                        br#"{"architectures":["LlamaForCausalLM"],"model_type":"llama"}"#.to_vec(),
                    ),
                    ("model.safetensors", safetensors(64, 1)),
                    (
                        "train.py",
                        b"from transformers import Trainer\nTrainer().train()\n".to_vec(),
                    ),
                    ("data/part-0.parquet", b"PAR1".to_vec()),
                ],
                lfs: vec!["model.safetensors", "data/part-0.parquet"],
                branches: vec![("step1000", vec![("model.safetensors", safetensors(64, 2))])],
            },
        ),
        (
            "llama-tune",
            Release {
                files: vec![
                    ("README.md", card_tune.into()),
                    ("LICENSE", shared("llama3_1.LICENSE.txt")),
                    ("USE_POLICY.md", shared("llama3_1.USE_POLICY.md")),
                    (
                        "config.json",
                        br#"{"architectures":["LlamaForCausalLM"]}"#.to_vec(),
                    ),
                    ("model-00001-of-00002.safetensors", safetensors(32, 3)),
                    ("model-00002-of-00002.safetensors", safetensors(32, 4)),
                ],
                lfs: vec![
                    "model-00001-of-00002.safetensors",
                    "model-00002-of-00002.safetensors",
                ],
                branches: vec![],
            },
        ),
        (
            "pointers",
            Release {
                files: vec![
                    (
                        "README.md",
                        b"---\nlicense: mit\n---\n# Checked out without git lfs pull\n".to_vec(),
                    ),
                    ("config.json", br#"{"model_type":"llama"}"#.to_vec()),
                    ("model.safetensors", pointer(4_000_000_000)),
                ],
                lfs: vec![],
                branches: vec![],
            },
        ),
    ];
    for (name, release) in &releases {
        let client = Client::new(server.addr, &store.token, &format!("alice/{name}"));
        client.create_repo();
        release.upload(&client);
        let dir = tempfile::tempdir().unwrap();
        release.write(dir.path());

        let on_hub = hub_judgment(&client);
        let local = assess_json(&store.data, &[dir.path().to_str().unwrap()]);
        assert_eq!(
            judgment(&on_hub),
            judgment(&local),
            "{name}: the hub and `assess DIR` disagree"
        );
        if *name == "pointers" {
            // Over the Hub API an object the hub does not hold cannot be read at all; see the
            // --hub reader's documentation.
            continue;
        }
        let remote = assess_json(
            &store.data,
            &[
                "--hub",
                &endpoint,
                &format!("alice/{name}"),
                "--token",
                &store.token,
            ],
        );
        assert_eq!(
            judgment(&on_hub),
            judgment(&remote),
            "{name}: the hub and `assess --hub` disagree"
        );
        assert_eq!(remote["root"], on_hub["root"], "both cite the commit");
        let at_branch = assess_json(
            &store.data,
            &[
                "--hub",
                &endpoint,
                &format!("alice/{name}@main"),
                "--token",
                &store.token,
            ],
        );
        assert_eq!(judgment(&at_branch), judgment(&remote));
    }

    // A repo the caller may not read looks missing, and the command says so.
    let out = support::server::cli(
        &store.data,
        &[
            "assess",
            "--hub",
            &endpoint,
            "alice/nothing-here",
            "--token",
            &store.token,
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("404"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(server);
}

#[test]
fn a_knowledge_file_with_errors_is_refused_with_its_line() {
    let store = support::Store::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("README.md"),
        "---\nlicense: mit\n---\n# M\n",
    )
    .unwrap();
    let bad = dir.path().join("families.toml");
    std::fs::write(
        &bad,
        "version = \"x\"\ndefinition = \"2026.2\"\n\n[[family]]\nid = \"a\"\nname = \"A\"\npatterns = [\"a/*\"]\nlicence = \"no-such-licence\"\nflows_down = true\ndata = \"closed\"\nsource = \"https://example.org\"\nchecked = \"2026-12-03\"\n",
    )
    .unwrap();
    let release = dir.path().to_str().unwrap();
    let out = support::server::cli(
        &store.data,
        &["assess", release, "--knowledge", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 8") && err.contains("no-such-licence"),
        "{err}"
    );

    // A site's own valid file is used and recorded.
    let good = dir.path().join("site.toml");
    std::fs::write(
        &good,
        commonhold_assess::knowledge::BUILTIN_TEXT.replace("2026.2.0", "site-2"),
    )
    .unwrap();
    let a = assess_json(
        &store.data,
        &[release, "--knowledge", good.to_str().unwrap()],
    );
    assert_eq!(a["knowledge"]["version"], "site-2");
    assert_eq!(a["knowledge"]["origin"], good.to_str().unwrap());

    // A server refuses to start on it, naming the line, rather than run with knowledge the
    // operator did not ask for.
    let out = std::process::Command::new(support::server::BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&store.data)
        .env("COMMONHOLD_KNOWLEDGE_FILE", &bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 8"));
}
