//! The real `commonhold` binary as a child process: `serve` on a free loopback port, and the
//! admin commands (`user add`, `token create`, `fsck`) on the same data directory.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test, built by cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_commonhold");

/// How long a server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a graceful stop may take before the server is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long an admin command may run.
const CLI_TIMEOUT: Duration = Duration::from_secs(120);

/// A running `commonhold serve`; killed (SIGKILL) when dropped, so a failing test leaves no
/// process behind.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub data: PathBuf,
    /// Everything the server wrote to stderr, for failure messages.
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts a server on `127.0.0.1:0` and waits until it prints `listening on http://ADDR`.
    pub fn start(data: &Path) -> Server {
        Server::start_with_env(data, &[])
    }

    /// As [`Server::start`], with extra environment variables (e.g. a short upload URL lifetime).
    pub fn start_with_env(data: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let stderr = child.stderr.take().expect("stderr was piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        // Drains stderr for the server's whole life, so a chatty server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && let Some(addr) = listening_addr(&line) {
                    sent = tx.send(addr).is_ok();
                }
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(addr) => Server {
                child,
                addr,
                data: data.to_path_buf(),
                log,
            },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = log.lock().map(|l| l.clone()).unwrap_or_default();
                panic!("server did not print its address within {START_TIMEOUT:?}; stderr:\n{log}");
            }
        }
    }

    /// The server's stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident set so far (VmHWM in /proc), in MB.
    pub fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server's /proc status");
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc status");
        kb / 1024
    }

    /// SIGKILL, the crash the durability tests simulate; waits for the process to be gone.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (graceful shutdown), then SIGKILL if it does not exit in time.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Parses `... listening on http://127.0.0.1:PORT ...`.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("listening on http://")?;
    rest.split(|c: char| c.is_whitespace() || c == '/' || c == ',')
        .next()?
        .parse()
        .ok()
}

/// Runs an admin command on `data` to completion, bounded by [`CLI_TIMEOUT`].
pub fn cli(data: &Path, args: &[&str]) -> Output {
    let child = Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN} {args:?}: {e}"));
    let pid = child.id();
    let (tx, rx) = mpsc::channel::<()>();
    // A watchdog so that a hung command fails the test instead of hanging it.
    std::thread::spawn(move || {
        if rx.recv_timeout(CLI_TIMEOUT).is_err() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{BIN} {args:?}: {e}"));
    let _ = tx.send(());
    out
}

/// Runs an admin command that must succeed; returns its stdout.
pub fn cli_ok(data: &Path, args: &[&str]) -> String {
    let out = cli(data, args);
    assert!(
        out.status.success(),
        "commonhold {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Creates user `name` and returns a fresh write token for it.
pub fn user_with_write_token(data: &Path, name: &str) -> String {
    cli_ok(data, &["user", "add", name]);
    let token = cli_ok(
        data,
        &["token", "create", "--user", name, "--role", "write"],
    );
    let token = token.trim().to_string();
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "token create printed {token:?}"
    );
    token
}

/// `commonhold fsck` on `data`: its exit code and stdout.
pub fn fsck(data: &Path) -> (i32, String, String) {
    let out = cli(data, &["fsck"]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_the_listening_line() {
        let line = "commonhold 0.1.0 listening on http://127.0.0.1:4321 (public URL x, data y)";
        assert_eq!(
            super::listening_addr(line),
            Some("127.0.0.1:4321".parse().unwrap())
        );
        assert_eq!(super::listening_addr("starting"), None);
    }
}
