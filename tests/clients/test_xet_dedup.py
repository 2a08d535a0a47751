"""Global deduplication with the real `hf_xet`: a client whose cache is empty (a fresh `HF_HOME`, as on another
machine) asks the CAS about eligible chunks (`GET /v1/chunks/...`), and the server's keyed shard lets it reference
xorbs the server already holds instead of sending them again. Answers come only from files of the asking repo or of
public repos, so a private repo's content is never confirmed to anyone else.

What arrived is read from the deltas of the server's `GET /metrics` counters.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from test_xet import XET_UPLOADS, Counters, Target, payload, run_client, sha_hex

pytestmark = pytest.mark.skipif(
    not XET_UPLOADS,
    reason="this client environment does not upload through Xet (needs huggingface_hub >= 1.20 + hf_xet)",
)

MB = 1024 * 1024
SIZE = 24 * MB

UPLOAD = """
api.create_repo(args["repo"], private=args["private"], exist_ok=True)
api.upload_file(path_or_fileobj=args["src"], path_in_repo="model.bin", repo_id=args["repo"])
print("{}")
"""

DOWNLOAD = """
print(json.dumps({"sha": sha(hf_hub_download(args["repo"], "model.bin"))}))
"""


def upload(target: Target, home: Path, repo: str, src: Path, private: bool = False) -> dict[str, float]:
    """Uploads `src` as `repo`/model.bin from `home`; returns what the server counted meanwhile."""
    counters = Counters(target.server)
    run_client(target, home, UPLOAD, repo=repo, src=str(src), private=private)
    return counters.delta()


def fine_tune(data: bytes, regions: int, length: int) -> bytes:
    """`data` with `regions` evenly spread runs of `length` bytes rewritten: a fine-tune touching a few places."""
    out = bytearray(data)
    step = len(data) // regions
    for i in range(regions):
        at = i * step + step // 3
        out[at : at + length] = payload(length, 1000 + i)
    return bytes(out)


@pytest.fixture(scope="module")
def base(hub, tmp_path_factory) -> tuple[Target, bytes, dict[str, float]]:
    """A public repo holding a 24 MB file uploaded from its own home: (alice, the bytes, what arrived)."""
    alice = Target(hub.server, hub.alice_token)
    data = payload(SIZE, 51)
    src = tmp_path_factory.mktemp("dedup-base") / "model.bin"
    src.write_bytes(data)
    home = tmp_path_factory.mktemp("dedup-base-home")
    sent = upload(alice, home, f"alice/dedup-base-{uuid.uuid4().hex[:8]}", src)
    assert sent["xorb_bytes_received"] >= SIZE * 0.9, sent
    return alice, data, sent


def test_same_file_from_an_empty_cache_sends_no_xorb(base, tmp_path, unique):
    alice, data, _ = base
    src = tmp_path / "model.bin"
    src.write_bytes(data)
    sent = upload(alice, tmp_path / "fresh-home", f"alice/{unique('dedup-copy')}", src)
    assert sent["dedup_queries"] >= 1, sent
    assert sent["xorbs_received"] == 0 and sent["shards_received"] >= 1, sent


def test_fine_tune_from_an_empty_cache_sends_only_changed_chunks(base, tmp_path, unique):
    alice, data, full = base
    new = fine_tune(data, regions=6, length=64 * 1024)
    src = tmp_path / "model.bin"
    src.write_bytes(new)
    repo = f"alice/{unique('dedup-tune')}"
    sent = upload(alice, tmp_path / "fresh-home", repo, src)
    assert sent["dedup_queries"] >= 1, sent
    # Six 64 KiB rewrites touch about a dozen 64 KiB chunks; the rest is referenced, not sent.
    assert 0 < sent["xorb_bytes_received"] < full["xorb_bytes_received"] / 10, sent
    got = run_client(alice, tmp_path / "home-down", DOWNLOAD, repo=repo)
    assert got["sha"] == sha_hex(new)


def test_private_content_is_not_offered_to_other_repos(hub, tmp_path, unique):
    bob = Target(hub.server, hub.bob_token)
    alice = Target(hub.server, hub.alice_token)
    data = payload(8 * MB, 52)
    src = tmp_path / "model.bin"
    src.write_bytes(data)
    first = upload(bob, tmp_path / "bob-home", f"bob/{unique('dedup-secret')}", src, private=True)
    assert first["xorb_bytes_received"] >= len(data) * 0.9, first
    # The same bytes from alice's empty cache: the server knows every chunk but must not say so.
    sent = upload(alice, tmp_path / "alice-home", f"alice/{unique('dedup-same')}", src)
    assert sent["dedup_queries"] >= 1, sent
    assert sent["xorb_bytes_received"] >= len(data) * 0.9, sent
