"""Uploads and downloads through the Xet storage protocol with the real `hf_xet` (no HF_HUB_DISABLE_XET).

The session's conftest pins `HF_HUB_DISABLE_XET=1` before any client is imported, and huggingface_hub reads it at
import time, so each Xet scenario runs in a child interpreter whose environment drops that switch and uses its own
`HF_HOME` (hf_xet caches shards per home, which is what makes deduplication visible). The child prints one JSON line
of facts; the test asserts on them and on the deltas of the server's `GET /metrics` counters, which say what actually
arrived (xorbs, their bytes, shards, tokens).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.compat import cli_command
from support.server import HubServer, free_port

try:
    import hf_xet  # noqa: F401

    HAVE_XET = True
except ImportError:
    HAVE_XET = False

import huggingface_hub

# Only clients >= 1.20 upload straight to Xet; 0.36-1.19 offer "xet" in the LFS batch and take the
# server's "basic" answer, which the rest of the suite already covers for them.
_HUB_VERSION = tuple(int(p) for p in huggingface_hub.__version__.split(".")[:2] if p.isdigit())
XET_UPLOADS = HAVE_XET and _HUB_VERSION >= (1, 20)

pytestmark = pytest.mark.skipif(
    not XET_UPLOADS,
    reason="this client environment does not upload through Xet (needs huggingface_hub >= 1.20 + hf_xet)",
)

MB = 1024 * 1024
BIG = 20 * MB
# hf_xet refreshes a token before a CAS call once fewer than 30 s remain. Tokens that live 2 s are refreshed before
# every call and run out several times during a 23 MB upload on this debug server (~1.5 s for the xorb, then the
# shard); a client that kept using an old one would be refused (and a CAS 401 is fatal to hf_xet).
SHORT_TOKEN_TTL_SECS = 2

# Shared by every child script: the client, a streaming sha256, and the sha256 of every file under a folder.
PRELUDE = """
import hashlib, json, os
from pathlib import Path
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download, snapshot_download
args = json.loads(os.environ["XET_TEST_ARGS"])
api = HfApi(token=os.environ["HF_TOKEN"])

def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

def tree_shas(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(root).parts}
"""


# Uploads args["src"] as args["path"] (creating the repo when args["create"]); prints the commit info.
UPLOAD_FILE = """
if args.get("create"):
    api.create_repo(args["repo"])
info = api.upload_file(path_or_fileobj=args["src"], path_in_repo=args.get("path", "model.bin"), repo_id=args["repo"],
                       create_pr=args.get("create_pr"))
print(json.dumps({"commit": info.oid, "pr_revision": info.pr_revision, "pr_num": info.pr_num}))
"""


@dataclass(frozen=True)
class Target:
    """A server and alice's write token on it."""

    server: HubServer
    token: str


def run_client(target: Target, home: Path, script: str, env: dict[str, str] | None = None, **args) -> dict:
    """Runs PRELUDE + `script` in a child Python with Xet enabled (`args` arrive as `args`); returns its last JSON."""
    child_env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_XET"}
    child_env.update(
        {
            "HF_ENDPOINT": target.server.endpoint,
            "HF_HOME": str(home),
            "HF_TOKEN": target.token,
            "XET_TEST_ARGS": json.dumps(args),
            **(env or {}),
        }
    )
    code = PRELUDE + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code], env=child_env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"client failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def download(target: Target, home: Path, repo: str, paths: list[str], revision: str | None = None) -> dict:
    """Downloads `paths` with a fresh HF_HOME in a child; returns {path: sha256}."""
    return run_client(
        target,
        home,
        """
        out = {p: sha(hf_hub_download(args["repo"], p, revision=args["revision"])) for p in args["paths"]}
        print(json.dumps(out))
        """,
        repo=repo,
        paths=paths,
        revision=revision,
    )


class Counters:
    """Deltas of the server's Xet counters since construction, by short name (`xorbs_received`, ...)."""

    def __init__(self, server: HubServer) -> None:
        self.server = server
        self.before = server.metrics()

    def delta(self) -> dict[str, float]:
        after = self.server.metrics()
        return {
            name.removeprefix("commonhold_xet_").removesuffix("_total"): value - self.before.get(name, 0)
            for name, value in after.items()
            if name.startswith("commonhold_xet_")
        }


def payload(size: int, seed: int) -> bytes:
    """Incompressible but reproducible bytes, so that xorbs carry their full size and dedup sees real content."""
    return random.Random(seed).randbytes(size)


def sha_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_commit(target: Target, repo: str, lfs_files: list[dict]) -> tuple[int, str]:
    """POSTs a commit NDJSON naming LFS files by sha256 and size only, as a client that uploaded earlier does."""
    lines = [{"key": "header", "value": {"summary": "commit by sha256", "description": ""}}]
    lines += [{"key": "lfsFile", "value": {"algo": "sha256", **f}} for f in lfs_files]
    request = urllib.request.Request(
        f"{target.server.endpoint}/api/models/{repo}/commit/main",
        data="\n".join(json.dumps(line) for line in lines).encode(),
        headers={"Authorization": f"Bearer {target.token}", "Content-Type": "application/x-ndjson"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def main_hub(hub) -> Target:
    return Target(hub.server, hub.alice_token)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """One 20 MB file, written once for the module."""
    path = tmp_path_factory.mktemp("xet-big") / "model.bin"
    path.write_bytes(payload(BIG, 1))
    return path


@pytest.fixture(scope="module")
def warm(main_hub, big, tmp_path_factory) -> tuple[Path, str]:
    """An HF_HOME that already uploaded `big` (to the returned repo), so its shard cache knows every chunk."""
    home = tmp_path_factory.mktemp("xet-warm-home")
    repo = f"alice/xet-dedup-{uuid.uuid4().hex[:8]}"
    run_client(
        main_hub,
        home,
        UPLOAD_FILE,
        create=True,
        repo=repo,
        src=str(big),
    )
    return home, repo


@pytest.fixture(scope="module")
def short_token_hub() -> Target:
    """A second server whose Xet tokens are short-lived (COMMONHOLD_XET_TOKEN_TTL_SECS), with its own alice."""
    work = Path(tempfile.mkdtemp(prefix="commonhold-xet-ttl-"))
    server = HubServer(free_port(), work, env={"COMMONHOLD_XET_TOKEN_TTL_SECS": str(SHORT_TOKEN_TTL_SECS)})
    server.start()
    try:
        server.admin("user", "add", "alice")
        yield Target(server, server.create_token("alice", "write"))
    finally:
        server.stop()
    shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("seed, policy", [(11, ""), (12, "none"), (13, "lz4"), (14, "bg4-lz4")])
def test_upload_file_through_xet_then_download(main_hub, tmp_path, unique, seed, policy):
    # Content of its own per policy: bytes the server already holds could be deduplicated and never sent.
    big = tmp_path / "model.bin"
    big.write_bytes(payload(BIG, seed))
    repo = f"alice/{unique('xet')}"
    env = {"HF_XET_XORB_COMPRESSION_POLICY": policy} if policy else {}
    counters = Counters(main_hub.server)
    up = run_client(
        main_hub,
        tmp_path / "home-up",
        UPLOAD_FILE,
        create=True,
        env=env,
        repo=repo,
        src=str(big),
    )
    assert up["commit"]
    sent = counters.delta()
    assert sent["xorbs_received"] >= 1 and sent["shards_received"] >= 1, sent
    # Stored as xorbs only: no plain LFS copy under the content's sha256.
    sha = sha_hex(big.read_bytes())
    assert any(p.is_file() for p in main_hub.server.data_dir.rglob("xorbs/*/*/*")), "no xorb was stored"
    assert not list(main_hub.server.data_dir.rglob(sha)), "a plain copy was stored"
    assert download(main_hub, tmp_path / "home-down", repo, ["model.bin"]) == {"model.bin": sha}


def make_folder(root: Path, big: Path) -> dict[str, str]:
    """A model-like folder: two large binaries and a small one (LFS mode, so Xet) and three text files (regular).
    Returns {path: sha256}."""
    files = {
        "weights/model-00001.bin": big.read_bytes(),
        "weights/model-00002.bin": payload(3 * MB, 2),
        "tokenizer.bin": payload(200 * 1024, 3),
        "config.json": b'{"model_type": "demo", "hidden_size": 64}\n',
        "README.md": b"---\nlicense: apache-2.0\n---\n# Demo\n",
        "nested/notes.txt": b"plain text, committed as a regular file\n",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return {name: sha_hex(data) for name, data in files.items()}


def upload_new_folder(target: Target, tmp_path: Path, repo: str, big: Path) -> tuple[dict[str, str], dict]:
    """Creates `repo` and uploads a fresh `make_folder` with `upload_folder`; returns its sha256s and the counters."""
    folder = tmp_path / "folder"
    expected = make_folder(folder, big)
    counters = Counters(target.server)
    run_client(
        target,
        tmp_path / "home-up",
        """
        api.create_repo(args["repo"])
        api.upload_folder(folder_path=args["folder"], repo_id=args["repo"])
        print("{}")
        """,
        repo=repo,
        folder=str(folder),
    )
    sent = counters.delta()
    assert sent["xorbs_received"] >= 1 and sent["shards_received"] >= 1, sent
    return expected, sent


def test_upload_folder_mixes_xet_and_regular_files(main_hub, alice, big, tmp_path, unique):
    repo = f"alice/{unique('xet-folder')}"
    expected, _ = upload_new_folder(main_hub, tmp_path, repo, big)
    # The binaries are LFS entries resolved through Xet, named by their sha256; the text files are plain git blobs.
    infos = {i.path: i for i in alice.get_paths_info(repo, list(expected))}
    for name in ("weights/model-00001.bin", "weights/model-00002.bin", "tokenizer.bin"):
        assert infos[name].lfs is not None and infos[name].lfs.sha256 == expected[name], name
    for name in ("config.json", "README.md", "nested/notes.txt"):
        assert infos[name].lfs is None, name
    assert download(main_hub, tmp_path / "home-down", repo, list(expected)) == expected


def test_create_pr_lands_on_a_pr_ref_and_leaves_main(main_hub, alice, big, tmp_path, unique):
    repo = f"alice/{unique('xet-pr')}"
    alice.create_repo(repo)
    main_before = alice.upload_file(path_or_fileobj=b"# base\n", path_in_repo="README.md", repo_id=repo).oid
    up = run_client(
        main_hub,
        tmp_path / "home-up",
        UPLOAD_FILE,
        create_pr=True,
        repo=repo,
        src=str(big),
    )
    assert up["pr_revision"] == f"refs/pr/{up['pr_num']}", up
    refs = alice.list_repo_refs(repo, include_pull_requests=True)
    assert {r.ref: r.target_commit for r in refs.pull_requests} == {up["pr_revision"]: up["commit"]}
    assert [b.target_commit for b in refs.branches if b.name == "main"] == [main_before]
    assert "model.bin" not in alice.list_repo_files(repo)
    assert "model.bin" in alice.list_repo_files(repo, revision=up["pr_revision"])
    got = download(main_hub, tmp_path / "home-down", repo, ["model.bin"], revision=up["pr_revision"])
    assert got == {"model.bin": sha_hex(big.read_bytes())}


def test_upload_folder_with_create_pr_opens_a_pull_request_and_merges(main_hub, alice, big, tmp_path, unique):
    # huggingface_hub 2.x with hf_xet opens the PR through the discussions API first, then commits to its ref.
    repo = f"alice/{unique('xet-folder-pr')}"
    alice.create_repo(repo)
    main_before = alice.upload_file(path_or_fileobj=b"# base\n", path_in_repo="README.md", repo_id=repo).oid
    folder = tmp_path / "folder"
    expected = make_folder(folder, big)
    del expected["README.md"]
    (folder / "README.md").unlink()
    up = run_client(
        main_hub,
        tmp_path / "home-up",
        """
        info = api.upload_folder(folder_path=args["folder"], repo_id=args["repo"], create_pr=True)
        print(json.dumps({"pr_revision": info.pr_revision, "pr_num": info.pr_num, "pr_url": info.pr_url}))
        """,
        repo=repo,
        folder=str(folder),
    )
    assert up["pr_revision"] == f"refs/pr/{up['pr_num']}", up
    assert up["pr_url"].endswith(f"/{repo}/discussions/{up['pr_num']}"), up
    assert [b.target_commit for b in alice.list_repo_refs(repo).branches if b.name == "main"] == [main_before]
    pr = alice.get_discussion_details(repo, up["pr_num"])
    assert pr.is_pull_request and pr.status in ("draft", "open") and pr.conflicting_files == []
    assert download(main_hub, tmp_path / "home-pr", repo, list(expected), revision=up["pr_revision"]) == expected
    alice.merge_pull_request(repo, up["pr_num"])
    assert alice.get_discussion_details(repo, up["pr_num"]).status == "merged"
    assert download(main_hub, tmp_path / "home-main", repo, list(expected)) == expected


def test_hf_cli_uploads_and_downloads_through_xet(main_hub, alice, tmp_path, unique):
    # The README's quick start: `hf upload` / `hf download` with nothing but HF_ENDPOINT and HF_TOKEN set.
    repo = f"alice/{unique('xet-cli')}"
    alice.create_repo(repo)
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "demo"}\n')
    weights = payload(5 * MB, 31)  # content no other test uploads, so xorbs must arrive
    (folder / "model.bin").write_bytes(weights)
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_DISABLE_XET", "HF_HUB_DISABLE_IMPLICIT_TOKEN")}
    env.update({"HF_ENDPOINT": main_hub.server.endpoint, "HF_TOKEN": main_hub.token, "NO_COLOR": "1"})

    def hf(*args: str, home: str) -> None:
        done = subprocess.run(
            [*cli_command(), *args],
            env={**env, "HF_HOME": str(tmp_path / home)},
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"hf {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"

    counters = Counters(main_hub.server)
    hf("upload", repo, str(folder), ".", home="home-up")
    sent = counters.delta()
    assert sent["xorbs_received"] >= 1 and sent["shards_received"] >= 1, sent
    counters = Counters(main_hub.server)
    hf("download", repo, "--local-dir", str(tmp_path / "copy"), home="home-down")
    got = counters.delta()
    assert got["reconstructions"] >= 1 and got["plain_reads"] == 0, got
    assert sha_hex((tmp_path / "copy" / "model.bin").read_bytes()) == sha_hex(weights)
    assert (tmp_path / "copy" / "config.json").read_text() == '{"model_type": "demo"}\n'


def test_reupload_with_the_same_home_sends_only_a_shard(main_hub, alice, big, warm):
    home, repo = warm
    counters = Counters(main_hub.server)
    run_client(
        main_hub,
        home,
        UPLOAD_FILE,
        path="copy.bin",
        repo=repo,
        src=str(big),
    )
    sent = counters.delta()
    assert sent["xorbs_received"] == 0 and sent["xorb_bytes_received"] == 0, sent
    assert sent["shards_received"] >= 1, sent
    [info] = alice.get_paths_info(repo, ["copy.bin"])
    assert info.lfs is not None and info.lfs.sha256 == sha_hex(big.read_bytes())


def edited(data: bytes, offsets: list[int], length: int = 1024) -> bytes:
    """`data` with `length` bytes inverted at each offset: a fine-tune that touched a few regions."""
    out = bytearray(data)
    for at in offsets:
        out[at : at + length] = bytes(b ^ 0xFF for b in out[at : at + length])
    return bytes(out)


def test_edited_file_uploads_only_the_changed_chunks(main_hub, big, warm, tmp_path):
    home, repo = warm
    new = edited(big.read_bytes(), [2 * MB, 9 * MB + 12345, 17 * MB])
    src = tmp_path / "model.bin"
    src.write_bytes(new)
    counters = Counters(main_hub.server)
    run_client(
        main_hub,
        home,
        UPLOAD_FILE,
        repo=repo,
        src=str(src),
    )
    sent = counters.delta()
    # Three 1 KiB edits touch a few chunks (8-128 KiB each); the rest deduplicates against the shard cache. The
    # issue's goal for a fine-tune is under 10% of a full upload.
    assert 0 < sent["xorb_bytes_received"] < BIG // 10, sent
    assert sent["shards_received"] >= 1, sent
    assert download(main_hub, tmp_path / "home-down", repo, ["model.bin"]) == {"model.bin": sha_hex(new)}


def test_same_file_into_a_second_repo_and_scoping(main_hub, alice, big, warm, tmp_path, unique):
    home, _ = warm
    second, stranger = f"alice/{unique('xet-second')}", f"alice/{unique('xet-stranger')}"
    alice.create_repo(stranger)
    counters = Counters(main_hub.server)
    run_client(
        main_hub,
        home,
        UPLOAD_FILE,
        create=True,
        repo=second,
        src=str(big),
    )
    sent = counters.delta()
    assert sent["xorbs_received"] == 0 and sent["shards_received"] >= 1, sent
    sha = sha_hex(big.read_bytes())
    assert download(main_hub, tmp_path / "home-down", second, ["model.bin"]) == {"model.bin": sha}
    # Storage is shared, access is not: a repo whose tokens never uploaded this file cannot commit its sha256.
    head = alice.repo_info(stranger).sha
    status, body = raw_commit(main_hub, stranger, [{"path": "stolen.bin", "oid": sha, "size": BIG}])
    assert status == 400, body
    assert alice.repo_info(stranger).sha == head
    assert "stolen.bin" not in alice.list_repo_files(stranger)


def test_classic_lfs_path_still_works_without_xet(main_hub, alice, tmp_path, unique):
    """This process has HF_HUB_DISABLE_XET=1 (conftest): the client uses the LFS batch API on the same server."""
    repo = f"alice/{unique('lfs-classic')}"
    data = payload(12 * MB, 7)
    alice.create_repo(repo)
    counters = Counters(main_hub.server)
    alice.upload_file(path_or_fileobj=data, path_in_repo="model.bin", repo_id=repo)
    sent = counters.delta()
    assert sent["xorbs_received"] == sent["shards_received"] == sent["tokens_issued"] == 0, sent
    assert list(main_hub.server.data_dir.rglob(sha_hex(data))), "the LFS upload was not stored as a plain object"
    path = alice.hf_hub_download(repo, "model.bin", cache_dir=tmp_path / "cache")
    assert sha_hex(Path(path).read_bytes()) == sha_hex(data)


def test_tokens_that_expire_during_an_upload_are_refreshed(short_token_hub, big, tmp_path):
    repo = "alice/xet-refresh"
    expected, sent = upload_new_folder(short_token_hub, tmp_path, repo, big)
    # One token when the upload starts; the others are refreshes (before the dedup queries, the xorb, the shard).
    assert sent["tokens_issued"] >= 3, repr(sent)
    assert download(short_token_hub, tmp_path / "home-down", repo, list(expected)) == expected


def test_large_folder_is_committed_in_batches(main_hub, alice, tmp_path, unique):
    """huggingface_hub 2.x has no `upload_large_folder`: `upload_folder` itself streams, uploading later files through
    Xet while earlier batches are committed (256 files per commit at first). 300 small binaries (LFS mode by content,
    so Xet files) make two commits, the second naming files whose shards arrived while the first was committing."""
    repo = f"alice/{unique('xet-large')}"
    folder = tmp_path / "folder"
    expected = {}
    for i in range(300):
        data = payload(2048, 1000 + i)
        (folder / f"shard-{i // 100}").mkdir(parents=True, exist_ok=True)
        (folder / f"shard-{i // 100}" / f"part-{i:03}.bin").write_bytes(data)
        expected[f"shard-{i // 100}/part-{i:03}.bin"] = sha_hex(data)
    counters = Counters(main_hub.server)
    run_client(
        main_hub,
        tmp_path / "home-up",
        """
        api.create_repo(args["repo"])
        api.upload_folder(folder_path=args["folder"], repo_id=args["repo"], commit_message="many files")
        print("{}")
        """,
        repo=repo,
        folder=str(folder),
    )
    sent = counters.delta()
    assert sent["xorbs_received"] >= 1 and sent["shards_received"] >= 2, sent
    titles = [c.title for c in alice.list_repo_commits(repo)]
    assert titles[:2] == ["many files (part 2)", "many files"], titles
    listed = {f.path: f.lfs.sha256 for f in alice.list_repo_tree(repo, recursive=True) if hasattr(f, "lfs") and f.lfs}
    assert listed == expected
    sample = ["shard-0/part-000.bin", "shard-1/part-150.bin", "shard-2/part-299.bin"]
    assert download(main_hub, tmp_path / "home-down", repo, sample) == {p: expected[p] for p in sample}


def test_xet_upload_committed_later_after_a_restart(short_token_hub, big, tmp_path):
    """The shard's sha256 -> Xet file mapping is durable: a client may upload now (`preupload_lfs_files`, no commit)
    and commit much later, naming only sha256 and size, after the server restarted."""
    repo = "alice/xet-later"
    up = run_client(
        short_token_hub,
        tmp_path / "home-up",
        """
        api.create_repo(args["repo"])
        op = CommitOperationAdd(path_in_repo="model.bin", path_or_fileobj=args["src"])
        api.preupload_lfs_files(args["repo"], additions=[op])
        print(json.dumps({"sha": op.upload_info.sha256.hex(), "size": op.upload_info.size}))
        """,
        repo=repo,
        src=str(big),
    )
    sha = sha_hex(big.read_bytes())
    assert up == {"sha": sha, "size": BIG}
    server = short_token_hub.server
    assert server.metrics()["commonhold_xet_shards_received_total"] >= 1
    server.stop()
    server.start()
    status, body = raw_commit(short_token_hub, repo, [{"path": "model.bin", "oid": sha, "size": BIG}])
    assert status == 200, body
    assert download(short_token_hub, tmp_path / "home-down", repo, ["model.bin"]) == {"model.bin": sha}
