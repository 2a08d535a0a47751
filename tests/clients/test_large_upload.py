"""A file over 100 MB: uploaded with LFS multipart, and downloaded back bit for bit."""

from __future__ import annotations

from pathlib import Path

import pytest
from huggingface_hub import HfApi, hf_hub_download

from support.artifacts import LARGE_FILE_SIZE, sha256_file, write_random_file


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_upload_folder_with_a_file_over_100mb_round_trips(alice, hub, unique, recorder, tmp_path):
    repo_id = f"alice/{unique('large')}"
    folder = tmp_path / "upload"
    digest = write_random_file(folder / "big" / "shard.bin", LARGE_FILE_SIZE, seed=100)
    (folder / "README.md").write_text("# large\n")
    alice.create_repo(repo_id)

    mark = recorder.mark()
    alice.upload_folder(folder_path=folder, repo_id=repo_id, commit_message="Add a large shard")
    uploads = recorder.since(mark)

    batch = [r for r in uploads if r.method == "POST" and r.path.endswith("/info/lfs/objects/batch")]
    assert batch and all(r.status == 200 for r in batch), uploads
    part_puts = [r for r in uploads if r.method == "PUT"]
    # One PUT means the server answered `basic`; multipart splits the object into several part PUTs.
    assert len(part_puts) >= 2, f"expected a multipart upload, saw PUTs {part_puts}"
    assert all(200 <= r.status < 300 for r in part_puts), part_puts

    info = alice.model_info(repo_id, files_metadata=True)
    shard = next(s for s in info.siblings if s.rfilename == "big/shard.bin")
    assert shard.size == LARGE_FILE_SIZE
    assert shard.lfs is not None and shard.lfs.sha256 == digest and shard.lfs.size == LARGE_FILE_SIZE

    path = hf_hub_download(repo_id, "big/shard.bin", cache_dir=tmp_path / "cache", token=False, endpoint=hub.endpoint)
    assert Path(path).stat().st_size == LARGE_FILE_SIZE
    assert sha256_file(Path(path)) == digest


@pytest.mark.skipif(
    not hasattr(HfApi, "upload_large_folder"),
    reason="huggingface_hub 2.x has no upload_large_folder; its upload_folder streams instead (test_xet.py)",
)
@pytest.mark.timeout(600)
def test_upload_large_folder_commits_everything(alice, unique, tmp_path):
    repo_id = f"alice/{unique('largefolder')}"
    folder = tmp_path / "upload"
    digests = {
        f"shards/part-{i}.bin": write_random_file(folder / "shards" / f"part-{i}.bin", 300_000, seed=i)
        for i in range(3)
    }
    for i in range(40):
        (folder / "notes" / f"{i:02}.txt").parent.mkdir(parents=True, exist_ok=True)
        (folder / "notes" / f"{i:02}.txt").write_text(f"note {i}\n")
    alice.create_repo(repo_id)
    alice.upload_large_folder(repo_id=repo_id, folder_path=folder, repo_type="model", num_workers=2, print_report=False)
    files = set(alice.list_repo_files(repo_id))
    assert set(digests) | {f"notes/{i:02}.txt" for i in range(40)} <= files
    for path, digest in digests.items():
        assert sha256_file(Path(alice.hf_hub_download(repo_id, path))) == digest
