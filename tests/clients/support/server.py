"""The commonhold server under test: started from the built binary on a free loopback port with a fresh data dir.

The suite talks to it only the way users do: the HTTP API through the real clients, and the admin CLI
(`commonhold user add`, `org add`, `token create`) for what has no API.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT_S = 60.0
ADMIN_TIMEOUT_S = 60.0


class ServerError(RuntimeError):
    """The server could not be started or an admin command failed; the message carries its output."""


def free_port() -> int:
    """A port the kernel says is free now; the server binds it moments later (a small, accepted race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary_path() -> Path:
    """`$COMMONHOLD_BIN`, else the debug build that scripts/test-all.sh makes first."""
    return Path(os.environ.get("COMMONHOLD_BIN") or REPO_ROOT / "target" / "debug" / "commonhold")


class HubServer:
    """One `commonhold serve` process, its data dir and its log."""

    def __init__(self, port: int, work_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = port
        # Extra environment for `serve` (e.g. COMMONHOLD_XET_TOKEN_TTL_SECS); admin commands run without it.
        self.env = dict(env or {})
        self.endpoint = f"http://127.0.0.1:{port}"
        self.data_dir = work_dir / "data"
        self.log_path = work_dir / "server.log"
        self.binary = binary_path()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if not self.binary.is_file():
            raise ServerError(f"server binary {self.binary} not found: run `cargo build -p commonhold` first")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(self.binary),
            "serve",
            "--data",
            str(self.data_dir),
            "--listen",
            f"127.0.0.1:{self.port}",
            "--public-url",
            self.endpoint,
        ]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ServerError(f"server exited with {self._process.returncode} during startup:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/api/health", timeout=2) as response:
                    if response.status == 200:
                        return
                    last_error = f"status {response.status}"
            except (urllib.error.URLError, OSError) as error:
                last_error = str(error)
            time.sleep(0.1)
        raise ServerError(f"GET /api/health never answered 200 ({last_error}):\n{self.log_tail()}")

    def admin(self, *args: str) -> str:
        """Runs `commonhold ARGS --data DIR` and returns its stdout; raises with stderr on failure."""
        command = [str(self.binary), *args, "--data", str(self.data_dir)]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=ADMIN_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            raise ServerError(
                f"`{' '.join(command)}` exited with {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result.stdout

    def create_token(self, user: str, role: str = "write") -> str:
        """A fresh token for `user`; the CLI contract is that stdout holds only the token."""
        output = self.admin("token", "create", "--user", user, "--role", role).strip()
        if not output or len(output.split()) != 1:
            raise ServerError(f"`token create` should print only the token, printed {output!r}")
        return output

    def metrics(self) -> dict[str, float]:
        """The server's counters from `GET /metrics` (Prometheus text), by name."""
        with urllib.request.urlopen(f"{self.endpoint}/metrics", timeout=10) as response:
            text = response.read().decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int, max_chars: int = 20_000) -> str:
        """The server's output since `offset` (bytes), trimmed to its last `max_chars` characters."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
        except OSError as error:
            return f"(cannot read {self.log_path}: {error})"
        return text if len(text) <= max_chars else "[...]\n" + text[-max_chars:]

    def log_tail(self, max_chars: int = 20_000) -> str:
        return self.log_since(0, max_chars)
