"""What differs between the client generations under test, in one place.

`huggingface_hub` 0.x is requests-based and 1.x+ is httpx-based; exception classes and the CLI's name moved too.
Tests import the names below instead of branching on versions themselves.
"""

from __future__ import annotations

import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import huggingface_hub
from huggingface_hub import errors as hf_errors

HUB_VERSION = tuple(int(part) for part in huggingface_hub.__version__.split(".")[:2])
IS_HUB_0X = HUB_VERSION < (1, 0)

RepositoryNotFoundError = hf_errors.RepositoryNotFoundError
GatedRepoError = hf_errors.GatedRepoError
RevisionNotFoundError = hf_errors.RevisionNotFoundError
HfHubHTTPError = hf_errors.HfHubHTTPError
LocalEntryNotFoundError = hf_errors.LocalEntryNotFoundError

# A file missing on the server. 1.x+ splits EntryNotFoundError into Remote (the server said so) and Local (no
# cached copy, often after a network error); only the remote kind proves the server answered EntryNotFound.
RemoteEntryNotFoundError = getattr(hf_errors, "RemoteEntryNotFoundError", hf_errors.EntryNotFoundError)


def status_of(error: BaseException) -> int | None:
    """The HTTP status behind a client exception (both generations keep the response on `.response`)."""
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def cli_command() -> list[str]:
    """The upload/download CLI of this environment: `hf` since 1.0, `huggingface-cli` in 0.x."""
    name = "huggingface-cli" if IS_HUB_0X else "hf"
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found next to {sys.executable} nor on PATH")
    return [found]


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP exchange the client library made, as seen by the client."""

    method: str
    url: str
    status: int

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


class RequestRecorder:
    """Records every request `huggingface_hub` sends (and so `datasets`/`transformers`, which share its session).

    Installed through the public hook of each generation (`set_client_factory` in 1.x+, `configure_http_backend` in
    0.x), so it sees exactly what goes on the wire, from every thread. Tests take a `mark()` and inspect `since(mark)`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []

    def record(self, method: str, url: str, status: int) -> None:
        with self._lock:
            self._entries.append(RecordedRequest(method.upper(), str(url), int(status)))

    def mark(self) -> int:
        with self._lock:
            return len(self._entries)

    def since(self, mark: int) -> list[RecordedRequest]:
        with self._lock:
            return list(self._entries[mark:])

    def install(self) -> None:
        from huggingface_hub.utils import _http

        if hasattr(huggingface_hub, "set_client_factory"):

            def client_factory():
                client = _http.default_client_factory()
                hooks = client.event_hooks
                client.event_hooks = {
                    "request": list(hooks.get("request", [])),
                    "response": [*hooks.get("response", []), self._on_httpx_response],
                }
                return client

            huggingface_hub.set_client_factory(client_factory)
        else:

            def backend_factory():
                session = _http._default_backend_factory()
                session.hooks["response"].append(self._on_requests_response)
                return session

            huggingface_hub.configure_http_backend(backend_factory=backend_factory)

    def _on_httpx_response(self, response) -> None:
        self.record(response.request.method, str(response.request.url), response.status_code)

    def _on_requests_response(self, response, *args, **kwargs):
        self.record(response.request.method, response.url, response.status_code)
        return response
