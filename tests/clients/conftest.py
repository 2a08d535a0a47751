"""Session setup for the real-client suite: environment, the server under test, its users and tokens.

The clients read their configuration (endpoint, cache dir, Xet switch) from the environment when they are imported,
so this module sets it first, before any test module imports `huggingface_hub`, `datasets` or `transformers`. The
server itself starts lazily, on the first test that needs it, so the fixture-generator tests run without a binary.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.server import HubServer, free_port

_PORT = free_port()
_WORK_DIR = Path(tempfile.mkdtemp(prefix="commonhold-clients-"))

# Every client generation reads these at import time; they must be set before the first client import.
for _var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.pop(_var, None)
os.environ.update(
    {
        "HF_ENDPOINT": f"http://127.0.0.1:{_PORT}",
        # A throwaway home per session: no cached files, tokens or settings leak in from the machine or across runs.
        "HF_HOME": str(_WORK_DIR / "hf-home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        # Most of the suite exercises the git-LFS path (basic + multipart), which clients with `hf_xet` skip unless
        # told to; the Xet tests (test_xet*.py) run their clients in child processes without this switch.
        "HF_HUB_DISABLE_XET": "1",
        "DO_NOT_TRACK": "1",
    }
)

from support.compat import RequestRecorder  # noqa: E402  (must follow the environment setup above)

_REAL_GETADDRINFO = socket.getaddrinfo


def _getaddrinfo_without_datasets_server(host, *args, **kwargs):
    """`datasets` asks `datasets-server.<endpoint host>` for parquet exports and swallows the failure; on a machine
    with a slow resolver that lookup costs up to 100 s. Fail it at once; every other name resolves normally."""
    if isinstance(host, str) and host.startswith("datasets-server."):
        raise socket.gaierror(socket.EAI_NONAME, "datasets-server lookups are disabled in the client suite")
    return _REAL_GETADDRINFO(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo_without_datasets_server

RECORDER = RequestRecorder()
RECORDER.install()

_SERVER: HubServer | None = None


@dataclass(frozen=True)
class Hub:
    """The running server and the principals the session created on it."""

    server: HubServer
    endpoint: str
    alice_token: str
    bob_token: str
    org: str = "acme"


@pytest.fixture(scope="session")
def hub() -> Hub:
    """Starts `commonhold serve`, then creates alice, bob, org acme (member alice) and their write tokens."""
    global _SERVER
    server = HubServer(_PORT, _WORK_DIR)
    _SERVER = server
    server.start()
    try:
        server.admin("user", "add", "alice")
        server.admin("user", "add", "bob")
        server.admin("org", "add", "acme", "--member", "alice")
        hub = Hub(
            server=server,
            endpoint=server.endpoint,
            alice_token=server.create_token("alice", "write"),
            bob_token=server.create_token("bob", "write"),
        )
    except Exception:
        server.stop()
        raise
    yield hub
    server.stop()


@pytest.fixture(scope="session")
def alice(hub: Hub):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.endpoint, token=hub.alice_token)


@pytest.fixture(scope="session")
def bob(hub: Hub):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.endpoint, token=hub.bob_token)


@pytest.fixture(scope="session")
def anonymous(hub: Hub):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.endpoint, token=False)


@pytest.fixture
def unique():
    """Returns unique repo names (`prefix-<8 hex>`), so tests never share repos and can run in any order."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def recorder() -> RequestRecorder:
    return RECORDER


@pytest.fixture(autouse=True)
def _server_log_for_failures(request):
    """Remembers where the server log stood when the test began, so a failure can show just its part."""
    request.node._server_log_offset = _SERVER.log_size() if _SERVER is not None else 0
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _SERVER is not None:
        offset = getattr(item, "_server_log_offset", 0)
        report.sections.append(("server log during this test", _SERVER.log_since(offset)))


def pytest_terminal_summary(terminalreporter, exitstatus):
    if _SERVER is None:
        return
    if exitstatus != 0:
        terminalreporter.section(f"server log ({_SERVER.log_path})")
        terminalreporter.write_line(_SERVER.log_tail(60_000))
    terminalreporter.write_line(f"client env: {os.environ.get('COMMONHOLD_CLIENT_ENV', '?')}, work dir {_WORK_DIR}")


def pytest_sessionfinish(session, exitstatus):
    if _SERVER is not None:
        _SERVER.stop()
    # Keep the data dir and log of a failed run for inspection; a passing run leaves nothing behind.
    if exitstatus == 0:
        shutil.rmtree(_WORK_DIR, ignore_errors=True)
