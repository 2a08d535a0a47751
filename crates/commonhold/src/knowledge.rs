//! The site's knowledge file of base-model families (`knowledge_file` in the configuration,
//! `--knowledge` for `commonhold assess`): read with a bound, parsed by the assessor, and
//! watched while the server runs. A file with errors is refused with its line, and the
//! knowledge in force stays.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use commonhold_assess::Knowledge;
use commonhold_assess::knowledge::KNOWLEDGE_MAX;
use commonhold_hub::Hub;

/// How often a running server looks at the file for changes.
const POLL: Duration = Duration::from_secs(5);

/// Reads and parses a knowledge file; the error names the file and the line.
pub fn load(path: &Path) -> anyhow::Result<Knowledge> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read knowledge file {}", path.display()))?;
    anyhow::ensure!(
        meta.len() <= KNOWLEDGE_MAX as u64,
        "knowledge file {} is {} bytes; the limit is {KNOWLEDGE_MAX}",
        path.display(),
        meta.len()
    );
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read knowledge file {} as UTF-8", path.display()))?;
    Knowledge::parse(&text, &path.display().to_string())
        .with_context(|| format!("knowledge file {} refused", path.display()))
}

/// What changed since the file was last looked at.
#[derive(Debug)]
pub enum Poll {
    Unchanged,
    Loaded(Knowledge),
    /// The file changed but was refused; the message names the line.
    Refused(String),
}

/// Follows one file by modification time and length.
#[derive(Debug)]
pub struct Watch {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
}

impl Watch {
    /// A watch that considers the file as it is now already loaded.
    pub fn new(path: PathBuf) -> Watch {
        let seen = stat(&path);
        Watch { path, seen }
    }

    /// Looks at the file once.
    pub fn poll(&mut self) -> Poll {
        let now = stat(&self.path);
        if now == self.seen {
            return Poll::Unchanged;
        }
        self.seen = now;
        match load(&self.path) {
            Ok(k) => Poll::Loaded(k),
            Err(e) => Poll::Refused(format!("{e:#}")),
        }
    }
}

fn stat(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Reloads the file into the hub whenever it changes, until the process ends.
pub fn spawn_watcher(hub: Hub, path: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut watch = Watch::new(path);
        loop {
            tokio::time::sleep(POLL).await;
            match watch.poll() {
                Poll::Unchanged => {}
                Poll::Loaded(k) => {
                    let (version, sha) = (k.version.clone(), k.stamp().sha256.clone());
                    if hub.set_knowledge(k) {
                        tracing::info!(%version, %sha, "knowledge file reloaded");
                        if let Err(e) = hub.queue_reassess_if_changed().await {
                            tracing::error!(error = %e, "cannot queue the re-assessment");
                        }
                    }
                }
                Poll::Refused(why) => {
                    let kept = hub.knowledge();
                    tracing::error!(
                        error = %why,
                        kept_version = %kept.version,
                        kept_sha = %kept.stamp().sha256,
                        "knowledge file refused; the previous knowledge stays in force"
                    );
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_edit_is_refused_with_its_line_and_a_fixed_one_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("families.toml");
        std::fs::write(&path, commonhold_assess::knowledge::BUILTIN_TEXT).unwrap();
        let first = load(&path).unwrap();
        assert_eq!(first.stamp().origin, path.display().to_string());
        let mut watch = Watch::new(path.clone());
        assert!(matches!(watch.poll(), Poll::Unchanged));

        std::fs::write(
            &path,
            "version = \"2\"\ndefinition = \"x\"\n[[family]]\nid = 3\n",
        )
        .unwrap();
        match watch.poll() {
            Poll::Refused(why) => assert!(why.contains("line 4"), "{why}"),
            other => panic!("{other:?}"),
        }
        let fixed = commonhold_assess::knowledge::BUILTIN_TEXT.replace("2026.2.0", "2026.2.1");
        std::fs::write(&path, fixed).unwrap();
        match watch.poll() {
            Poll::Loaded(k) => assert_eq!(k.version, "2026.2.1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_oversized_file_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(KNOWLEDGE_MAX as u64 + 1).unwrap();
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("limit"), "{err}");
    }
}
