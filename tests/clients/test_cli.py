"""The command-line clients: `hf upload` / `hf download` (1.x+), `huggingface-cli upload` / `download` (0.x)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from support.artifacts import sha256_file, write_random_file
from support.compat import cli_command


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs the env's CLI with the suite's environment (endpoint, cache, no Xet); fails with its output."""
    command = [*cli_command(), *args]
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=100,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, (
        f"`{' '.join(command)}` exited with {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def test_cli_upload_then_download(alice, unique, tmp_path):
    repo_id = f"alice/{unique('cli')}"
    alice.create_repo(repo_id)
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "bert"}\n')
    digest = write_random_file(folder / "weights.bin", 2_000_000, seed=5)

    run_cli("upload", repo_id, str(folder), ".", "--token", alice.token, "--commit-message", "CLI upload", cwd=tmp_path)
    assert {"config.json", "weights.bin"} <= set(alice.list_repo_files(repo_id))
    assert alice.list_repo_commits(repo_id)[0].title == "CLI upload"

    single = tmp_path / "single"
    run_cli("download", repo_id, "config.json", "--local-dir", str(single), cwd=tmp_path)
    assert (single / "config.json").read_text() == '{"model_type": "bert"}\n'

    whole = tmp_path / "whole"
    run_cli("download", repo_id, "--local-dir", str(whole), cwd=tmp_path)
    assert sha256_file(whole / "weights.bin") == digest
    assert (whole / "config.json").read_bytes() == (folder / "config.json").read_bytes()


def test_cli_upload_single_file_to_path_and_dataset(alice, unique, tmp_path):
    repo_id = f"alice/{unique('clids')}"
    alice.create_repo(repo_id, repo_type="dataset", private=True)
    local = tmp_path / "rows.csv"
    local.write_text("a,b\n1,2\n")
    run_cli(
        "upload", repo_id, str(local), "data/rows.csv", "--repo-type", "dataset", "--token", alice.token, cwd=tmp_path
    )
    assert "data/rows.csv" in alice.list_repo_files(repo_id, repo_type="dataset")

    target = tmp_path / "out"
    run_cli(
        "download",
        repo_id,
        "data/rows.csv",
        "--repo-type",
        "dataset",
        "--local-dir",
        str(target),
        "--token",
        alice.token,
        cwd=tmp_path,
    )
    assert (target / "data" / "rows.csv").read_text() == "a,b\n1,2\n"


def test_cli_download_of_private_repo_without_token_fails(alice, unique, tmp_path):
    repo_id = f"alice/{unique('clipriv')}"
    alice.create_repo(repo_id, private=True)
    alice.upload_file(path_or_fileobj=b"x\n", path_in_repo="x.txt", repo_id=repo_id)
    result = subprocess.run(
        [*cli_command(), "download", repo_id, "x.txt", "--local-dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=100,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert not (tmp_path / "out" / "x.txt").exists()
