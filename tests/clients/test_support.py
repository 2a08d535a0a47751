"""The suite's own machinery works without the server: the request recorder sees what the clients send.

The cache test asserts that *no* GET happened; that only means something if the recorder would have seen one.
"""

from __future__ import annotations

import http.server
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.compat import RemoteEntryNotFoundError, RequestRecorder, cli_command


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_HEAD(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_http():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_recorder_sees_requests_from_any_thread(recorder: RequestRecorder, local_http):
    from huggingface_hub.utils import get_session

    mark = recorder.mark()
    get_session().get(f"{local_http}/main-thread")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda i: get_session().head(f"{local_http}/worker/{i}"), range(2)))
    seen = sorted((r.method, r.path, r.status) for r in recorder.since(mark))
    assert seen == [("GET", "/main-thread", 200), ("HEAD", "/worker/0", 404), ("HEAD", "/worker/1", 404)]


def test_compat_names_resolve():
    assert issubclass(RemoteEntryNotFoundError, Exception)
    assert cli_command()[0].endswith(("hf", "huggingface-cli"))
