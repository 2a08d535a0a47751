"""File substitution through Xet is refused: a contributor (a write token, no write access to the repo) who uploads
real xorbs with the real `hf_xet` and then a shard whose file entry claims the sha256 of the owner's LFS file gets a
400, and the owner's file keeps downloading byte for byte, through plain HTTP and through Xet.

`hf_xet` always sends the true sha256, so the forged shard is built by hand (`support/xet_shard.py`) from what the
attacker can learn as any reader: the Xet hash of his own uploaded file (`X-Xet-Hash` on its HEAD) and its terms (the
CAS reconstruction answer). The same hand-built shard with the true sha256 is accepted, which shows that the refusal
is about the claim and not about the shard.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from support.xet_shard import file_shard
from test_xet import UPLOAD_FILE, XET_UPLOADS, Target, download, payload, run_client, sha_hex

pytestmark = pytest.mark.skipif(
    not XET_UPLOADS,
    reason="this client environment does not upload through Xet (needs huggingface_hub >= 1.20 + hf_xet)",
)

MB = 1024 * 1024


def http(method: str, url: str, token: str | None = None, body: bytes | None = None, headers=None):
    """(status, headers, body) of one request; errors are answers too."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def cas_token(endpoint: str, repo: str, kind: str, token: str) -> dict:
    """A CAS token of `kind` (read or write) for `repo`, as the token routes answer it."""
    route = "xet-write-token/None?create_pr=1" if kind == "write" else "xet-read-token/main"
    status, _, body = http("GET", f"{endpoint}/api/models/{repo}/{route}", token)
    assert status == 200, body
    return json.loads(body)


def test_a_contributor_cannot_substitute_the_owners_file(hub, alice, tmp_path, unique):
    endpoint = hub.server.endpoint
    repo = f"alice/{unique('xet-victim')}"
    victim = payload(3 * MB, 71)
    evil = bytes(b ^ 0x5A for b in victim)
    victim_sha = sha_hex(victim)
    # Alice's file arrives through git-LFS (this process runs with HF_HUB_DISABLE_XET=1).
    alice.create_repo(repo)
    alice.upload_file(path_or_fileobj=victim, path_in_repo="model.bin", repo_id=repo)

    # Bob uploads his bytes through Xet as a pull request, which contributors may open.
    bob = Target(hub.server, hub.bob_token)
    src = tmp_path / "evil.bin"
    src.write_bytes(evil)
    up = run_client(bob, tmp_path / "bob-home", UPLOAD_FILE, repo=repo, src=str(src), path="evil.bin", create_pr=True)
    status, headers, _ = http("HEAD", f"{endpoint}/{repo}/resolve/{quote(up['pr_revision'], safe='')}/evil.bin")
    assert status == 200
    file_hash = headers["X-Xet-Hash"]
    assert file_hash, "bob's file was not stored through Xet"
    read = cas_token(endpoint, repo, "read", hub.bob_token)
    status, _, body = http(
        "GET",
        f"{read['casUrl']}/v1/reconstructions/{file_hash}",
        read["accessToken"],
        headers={"Range": f"bytes=0-{len(evil) - 1}"},
    )
    assert status == 200, body
    terms = json.loads(body)["terms"]

    # The forged shard: bob's file, claiming alice's sha256. Refused, naming the file.
    write = cas_token(endpoint, repo, "write", hub.bob_token)
    shards = f"{write['casUrl']}/v1/shards"
    status, _, body = http("POST", shards, write["accessToken"], file_shard(file_hash, terms, victim_sha))
    assert status == 400, body
    assert file_hash in body.decode(), body

    # Alice's file is unchanged for everyone: plain HTTP, anonymous...
    status, headers, body = http("GET", f"{endpoint}/{repo}/resolve/main/model.bin")
    assert status == 200 and sha_hex(body) == victim_sha, "anonymous download served other bytes"
    assert headers["ETag"] == f'"{victim_sha}"' and headers.get("X-Xet-Hash") is None
    # ...and through hf_xet, which would reconstruct a Xet file if one were advertised for it.
    assert download(bob, tmp_path / "bob-down", repo, ["model.bin"]) == {"model.bin": victim_sha}

    # The same hand-built shard with the true sha256 is accepted: the claim was refused, not the shard.
    status, _, body = http("POST", shards, write["accessToken"], file_shard(file_hash, terms, sha_hex(evil)))
    assert status == 200, body
