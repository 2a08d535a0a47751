"""Uploads and downloads through `huggingface_hub`: regular and LFS files, the local cache, snapshots, metadata."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from huggingface_hub import hf_hub_download, snapshot_download, try_to_load_from_cache

from support.artifacts import git_blob_sha1, sha256_file, write_model_folder


@pytest.fixture
def model_repo(alice, unique, tmp_path_factory):
    """A public model repo holding the generated model folder; returns (repo_id, {path: local file})."""
    repo_id = f"alice/{unique('model')}"
    folder = tmp_path_factory.mktemp("upload")
    files = write_model_folder(folder, tags=["commonhold-suite"], seed=1)
    alice.create_repo(repo_id)
    alice.upload_folder(folder_path=folder, repo_id=repo_id, commit_message="Add model files")
    return repo_id, files


def _is_hex(value: str, length: int) -> bool:
    return len(value) == length and all(c in "0123456789abcdef" for c in value)


def test_upload_folder_lists_every_file(alice, model_repo):
    repo_id, files = model_repo
    assert set(alice.list_repo_files(repo_id)) == set(files)


def test_model_info_files_metadata_reports_sizes_and_lfs(alice, model_repo):
    repo_id, files = model_repo
    info = alice.model_info(repo_id, files_metadata=True)
    assert _is_hex(info.sha, 40)
    siblings = {s.rfilename: s for s in info.siblings}
    assert set(siblings) == set(files)
    for path, local in files.items():
        sibling = siblings[path]
        assert sibling.size == local.stat().st_size, path
    for lfs_path in ("weights.bin", "model.safetensors"):
        lfs = siblings[lfs_path].lfs
        assert lfs is not None, f"{lfs_path} should be stored in LFS"
        assert lfs.sha256 == sha256_file(files[lfs_path])
        assert lfs.size == files[lfs_path].stat().st_size
    for regular in ("config.json", "README.md", "docs/notes.txt"):
        assert siblings[regular].lfs is None, f"{regular} is small text and should be a regular git blob"
        assert siblings[regular].blob_id == git_blob_sha1(files[regular].read_bytes())


def test_upload_file_from_bytes_and_path(alice, unique, tmp_path):
    repo_id = f"alice/{unique('single')}"
    alice.create_repo(repo_id)
    first = alice.upload_file(path_or_fileobj=b'{"a": 1}\n', path_in_repo="nested/dir/a.json", repo_id=repo_id)
    local = tmp_path / "blob.bin"
    local.write_bytes(bytes(range(256)) * 4096)
    second = alice.upload_file(path_or_fileobj=str(local), path_in_repo="blob.bin", repo_id=repo_id)
    assert _is_hex(first.oid, 40) and _is_hex(second.oid, 40) and first.oid != second.oid
    assert alice.model_info(repo_id).sha == second.oid
    assert set(alice.list_repo_files(repo_id)) >= {"nested/dir/a.json", "blob.bin"}
    downloaded = alice.hf_hub_download(repo_id, "blob.bin", cache_dir=tmp_path / "cache")
    assert Path(downloaded).read_bytes() == local.read_bytes()


def test_upload_unchanged_file_again_is_accepted(alice, unique):
    repo_id = f"alice/{unique('same')}"
    alice.create_repo(repo_id)
    alice.upload_file(path_or_fileobj=b"same\n", path_in_repo="same.txt", repo_id=repo_id)
    # Clients skip files whose remote oid matches (preupload); the call must still succeed.
    alice.upload_file(path_or_fileobj=b"same\n", path_in_repo="same.txt", repo_id=repo_id)
    assert alice.list_repo_files(repo_id).count("same.txt") == 1


def test_download_twice_second_comes_from_cache(model_repo, hub, recorder, tmp_path):
    repo_id, files = model_repo
    cache = tmp_path / "cache"
    mark = recorder.mark()
    first = hf_hub_download(repo_id, "weights.bin", cache_dir=cache, token=False, endpoint=hub.endpoint)
    assert sha256_file(Path(first)) == sha256_file(files["weights.bin"])
    first_gets = [r for r in recorder.since(mark) if r.method == "GET"]
    assert first_gets, "the first download must fetch the file"

    mark = recorder.mark()
    second = hf_hub_download(repo_id, "weights.bin", cache_dir=cache, token=False, endpoint=hub.endpoint)
    assert second == first
    second_requests = recorder.since(mark)
    assert [r for r in second_requests if r.method == "GET"] == [], second_requests
    assert all(r.method == "HEAD" for r in second_requests), second_requests
    assert try_to_load_from_cache(repo_id, "weights.bin", cache_dir=cache) == first

    # By commit id the cached file is trusted without asking the server at all.
    commit = Path(first).parent.name
    assert len(commit) == 40
    mark = recorder.mark()
    third = hf_hub_download(
        repo_id, "weights.bin", revision=commit, cache_dir=cache, token=False, endpoint=hub.endpoint
    )
    assert third == first
    assert recorder.since(mark) == []


def test_download_regular_file_uses_git_blob_etag(model_repo, hub, tmp_path):
    repo_id, files = model_repo
    path = Path(hf_hub_download(repo_id, "config.json", cache_dir=tmp_path, token=False, endpoint=hub.endpoint))
    assert path.read_bytes() == files["config.json"].read_bytes()
    # The cache names blobs by the server's etag: git blob sha1 for regular files, sha256 for LFS files.
    assert path.resolve().name == git_blob_sha1(files["config.json"].read_bytes())
    lfs = Path(hf_hub_download(repo_id, "weights.bin", cache_dir=tmp_path, token=False, endpoint=hub.endpoint))
    assert lfs.resolve().name == sha256_file(files["weights.bin"])


def test_download_from_a_subfolder_and_a_dataset(alice, hub, unique, tmp_path):
    repo_id = f"alice/{unique('ds')}"
    alice.create_repo(repo_id, repo_type="dataset")
    alice.upload_file(
        path_or_fileobj=b"a,b\n1,2\n", path_in_repo="data/part 1.csv", repo_id=repo_id, repo_type="dataset"
    )
    path = hf_hub_download(
        repo_id, "part 1.csv", subfolder="data", repo_type="dataset", cache_dir=tmp_path, endpoint=hub.endpoint
    )
    assert Path(path).read_bytes() == b"a,b\n1,2\n"


def test_snapshot_download_with_allow_patterns(model_repo, hub, tmp_path):
    repo_id, files = model_repo
    root = Path(
        snapshot_download(
            repo_id, allow_patterns=["*.json"], cache_dir=tmp_path / "cache", token=False, endpoint=hub.endpoint
        )
    )
    got = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert got == {name for name in files if name.endswith(".json")}
    for name in got:
        assert (root / name).read_bytes() == files[name].read_bytes()


def test_snapshot_download_everything_to_local_dir(model_repo, hub, tmp_path):
    repo_id, files = model_repo
    target = tmp_path / "local"
    snapshot_download(repo_id, local_dir=target, token=False, endpoint=hub.endpoint)
    got = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert got == set(files)
    for name, local in files.items():
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == sha256_file(local), name
