"""Gated repositories as the real clients see them: without a grant, downloads raise `GatedRepoError`
(anonymous and signed in); the owner lists, accepts and grants with the clients' own calls, and then the
download works. Router tests (crates/server/tests/it/gating.rs) cover every other path to the bytes."""

from __future__ import annotations

import pytest


def test_gated_model_downloads_need_a_grant(alice, bob, anonymous, unique, tmp_path):
    from huggingface_hub import hf_hub_download
    from huggingface_hub.utils import GatedRepoError

    repo_id = f"alice/{unique('gated')}"
    alice.create_repo(repo_id)
    alice.upload_file(path_or_fileobj=b"gated bytes", path_in_repo="w.txt", repo_id=repo_id)
    alice.update_repo_settings(repo_id, gated="manual")
    assert anonymous.model_info(repo_id).gated == "manual"
    for token in [False, bob.token]:
        with pytest.raises(GatedRepoError):
            hf_hub_download(repo_id, "w.txt", endpoint=alice.endpoint, token=token, cache_dir=tmp_path / "c")
    with pytest.raises(GatedRepoError):
        bob.auth_check(repo_id)

    alice.grant_access(repo_id, "bob")
    assert [r.username for r in alice.list_accepted_access_requests(repo_id)] == ["bob"]
    path = hf_hub_download(repo_id, "w.txt", endpoint=alice.endpoint, token=bob.token, cache_dir=tmp_path / "c")
    assert open(path, "rb").read() == b"gated bytes"

    alice.reject_access_request(repo_id, "bob", rejection_reason="no longer")
    assert [r.username for r in alice.list_rejected_access_requests(repo_id)] == ["bob"]
    with pytest.raises(GatedRepoError):
        bob.auth_check(repo_id)
