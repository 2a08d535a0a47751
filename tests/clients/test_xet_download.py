"""Downloads of Xet-stored files with the real `hf_xet`: the server advertises Xet (HEAD headers, `xetHash` in tree
listings), so clients reconstruct files from xorbs themselves, in ranges; clients without Xet still get exact bytes by
plain GET, ranges included, rebuilt on the server.

Files are uploaded through Xet once per module. Every download runs in a child interpreter with a fresh `HF_HOME` (see
test_xet.py), and what went over the wire is read from the deltas of the server's `GET /metrics` counters:
`reconstructions` and `fetches` for Xet downloads, `plain_reads` for plain GETs rebuilt on the server.
"""

from __future__ import annotations

import hashlib
import textwrap
import uuid
from pathlib import Path

import pytest

from test_xet import XET_UPLOADS, Counters, Target, payload, run_client

pytestmark = pytest.mark.skipif(
    not XET_UPLOADS,
    reason="this client environment does not upload through Xet (needs huggingface_hub >= 1.20 + hf_xet)",
)

MB = 1024 * 1024
BIG = 20 * MB
# Small reconstruction ranges, so that one file takes many reconstruction requests and fetches.
SMALL_RANGES = {
    "HF_XET_RECONSTRUCTION_MIN_RECONSTRUCTION_FETCH_SIZE": "1mb",
    "HF_XET_RECONSTRUCTION_MAX_RECONSTRUCTION_FETCH_SIZE": "2mb",
}
# Counts the HEAD calls huggingface_hub makes (its metadata call), by file name, into `heads`.
COUNT_HEADS = """
import huggingface_hub.file_download as fd
heads = []
_head = fd.get_hf_file_metadata
def _counting_head(url, *a, **kw):
    heads.append(url.rsplit("/", 1)[-1])
    return _head(url, *a, **kw)
fd.get_hf_file_metadata = _counting_head
"""


def sha_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Uploaded:
    """A repo holding `model.bin` (20 MB) and `folder/` (two binaries and two text files), all uploaded through Xet."""

    def __init__(self, root: Path) -> None:
        self.repo = f"alice/xet-down-{uuid.uuid4().hex[:8]}"
        self.big = root / "model.bin"
        self.big.write_bytes(payload(BIG, 31))
        self.folder = root / "folder"
        (self.folder / "sub").mkdir(parents=True)
        files = {
            "a.bin": payload(3 * MB + 123, 32),
            "sub/b.safetensors": payload(2 * MB, 33),
            "config.json": b'{"model_type": "tiny"}\n',
            "README.md": b"# tiny\n",
        }
        for name, data in files.items():
            (self.folder / name).write_bytes(data)
        self.shas = {"model.bin": sha_hex(self.big.read_bytes())}
        self.shas.update({f"folder/{name}": sha_hex(data) for name, data in files.items()})


@pytest.fixture(scope="module")
def target(hub) -> Target:
    return Target(hub.server, hub.alice_token)


@pytest.fixture(scope="module")
def uploaded(target, tmp_path_factory) -> Uploaded:
    up = Uploaded(tmp_path_factory.mktemp("xet-down-src"))
    counters = Counters(target.server)
    run_client(
        target,
        tmp_path_factory.mktemp("xet-down-home-up"),
        """
        api.create_repo(args["repo"])
        api.upload_file(path_or_fileobj=args["big"], path_in_repo="model.bin", repo_id=args["repo"])
        api.upload_folder(folder_path=args["folder"], path_in_repo="folder", repo_id=args["repo"])
        print("{}")
        """,
        repo=up.repo,
        big=str(up.big),
        folder=str(up.folder),
    )
    sent = counters.delta()
    assert sent["shards_received"] >= 2 and sent["xorbs_received"] >= 1, sent
    return up


def test_hf_hub_download_reconstructs_in_ranges_through_xet(target, uploaded, tmp_path):
    counters = Counters(target.server)
    got = run_client(
        target,
        tmp_path / "home",
        """
        from huggingface_hub import get_hf_file_metadata, hf_hub_url
        meta = get_hf_file_metadata(hf_hub_url(args["repo"], "model.bin"))
        path = hf_hub_download(args["repo"], "model.bin")
        print(json.dumps({"sha": sha(path), "size": os.path.getsize(path), "etag": meta.etag,
                          "xet_hash": meta.xet_file_data and meta.xet_file_data.file_hash,
                          "refresh": meta.xet_file_data and meta.xet_file_data.refresh_route}))
        """,
        env=SMALL_RANGES,
        repo=uploaded.repo,
    )
    assert got["sha"] == uploaded.shas["model.bin"]
    assert got["size"] == BIG
    assert got["etag"] == uploaded.shas["model.bin"]
    # The HEAD advertised the file's Xet hash and an absolute read-token route for this commit.
    assert got["xet_hash"] and len(got["xet_hash"]) == 64, got
    assert got["refresh"].startswith(f"{target.server.endpoint}/api/models/{uploaded.repo}/xet-read-token/"), got
    seen = counters.delta()
    # 20 MB in ranges of at most 2 MB: at least ten reconstruction requests, each fetched; no plain GET.
    assert seen["reconstructions"] >= 10, seen
    assert seen["fetches"] >= 10, seen
    assert seen["fetch_bytes"] >= BIG, seen
    assert seen["plain_reads"] == 0, seen


def test_snapshot_download_takes_xet_files_from_the_tree_listing(target, uploaded, tmp_path):
    counters = Counters(target.server)
    got = run_client(
        target,
        tmp_path / "home",
        COUNT_HEADS
        + textwrap.dedent(
            """
            root = snapshot_download(args["repo"], allow_patterns=["folder/*"])
            print(json.dumps({"shas": tree_shas(root), "heads": sorted(heads)}))
            """
        ),
        repo=uploaded.repo,
    )
    folder = {k: v for k, v in uploaded.shas.items() if k.startswith("folder/")}
    assert got["shas"] == folder
    # The listing's xetHash stood in for a HEAD per Xet file; regular files were still HEADed.
    assert got["heads"] == ["README.md", "config.json"], got
    seen = counters.delta()
    assert seen["reconstructions"] >= 2 and seen["fetches"] >= 2, seen
    assert seen["plain_reads"] == 0, seen


def test_plain_downloads_with_xet_disabled_are_exact(target, uploaded, tmp_path):
    counters = Counters(target.server)
    got = run_client(
        target,
        tmp_path / "home",
        """
        from huggingface_hub import HfFileSystem
        path = hf_hub_download(args["repo"], "model.bin")
        with HfFileSystem().open(f"{args['repo']}/model.bin", "rb") as f:
            f.seek(args["at"])
            middle = f.read(args["n"])
        print(json.dumps({"sha": sha(path), "middle": hashlib.sha256(middle).hexdigest(), "n": len(middle)}))
        """,
        env={"HF_HUB_DISABLE_XET": "1"},
        repo=uploaded.repo,
        at=7 * MB + 4321,
        n=5 * MB + 17,
    )
    data = uploaded.big.read_bytes()
    assert got["sha"] == uploaded.shas["model.bin"]
    assert got["n"] == 5 * MB + 17
    assert got["middle"] == sha_hex(data[7 * MB + 4321 : 12 * MB + 4338])
    seen = counters.delta()
    assert seen["plain_reads"] >= 2, seen
    assert seen["reconstructions"] == 0 and seen["fetches"] == 0, seen


def test_hf_file_system_gets_xet_files_through_xet(target, uploaded, tmp_path):
    counters = Counters(target.server)
    got = run_client(
        target,
        tmp_path / "home",
        """
        from huggingface_hub import HfFileSystem
        fs = HfFileSystem()
        local = os.path.join(os.environ["HF_HOME"], "a.bin")
        fs.get_file(f"{args['repo']}/folder/a.bin", local)
        info = fs.info(f"{args['repo']}/folder/a.bin")
        print(json.dumps({"sha": sha(local), "xet_hash": info.get("xet_hash")}))
        """,
        repo=uploaded.repo,
    )
    assert got["sha"] == uploaded.shas["folder/a.bin"]
    assert got["xet_hash"] and len(got["xet_hash"]) == 64, got
    seen = counters.delta()
    assert seen["reconstructions"] >= 1 and seen["fetches"] >= 1, seen
    assert seen["plain_reads"] == 0, seen
