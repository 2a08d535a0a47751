"""Access control as clients see it: private repos look missing to outsiders, bad tokens get 401, missing files
and revisions raise the specific exceptions that libraries rely on."""

from __future__ import annotations

import pytest
from huggingface_hub import hf_hub_download

from support.compat import (
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
    status_of,
)


@pytest.fixture
def private_repo(alice, unique):
    repo_id = f"alice/{unique('secret')}"
    alice.create_repo(repo_id, private=True)
    alice.upload_file(path_or_fileobj=b"classified\n", path_in_repo="secret.txt", repo_id=repo_id)
    return repo_id


@pytest.fixture
def public_repo(alice, unique):
    repo_id = f"alice/{unique('open')}"
    alice.create_repo(repo_id)
    alice.upload_file(path_or_fileobj=b"hello\n", path_in_repo="hello.txt", repo_id=repo_id)
    return repo_id


def _assert_repo_not_found(error: BaseException) -> None:
    assert isinstance(error, RepositoryNotFoundError)
    assert not isinstance(error, GatedRepoError), "a private repo must not be reported as gated"


def test_private_repo_is_invisible_to_anonymous(anonymous, private_repo, hub, tmp_path):
    with pytest.raises(RepositoryNotFoundError) as raised:
        anonymous.model_info(private_repo)
    _assert_repo_not_found(raised.value)
    assert status_of(raised.value) == 401
    with pytest.raises(RepositoryNotFoundError) as raised:
        hf_hub_download(private_repo, "secret.txt", cache_dir=tmp_path, token=False, endpoint=hub.endpoint)
    _assert_repo_not_found(raised.value)
    assert not list(tmp_path.rglob("secret.txt"))


def test_private_repo_is_invisible_to_other_users(bob, private_repo, hub, tmp_path):
    with pytest.raises(RepositoryNotFoundError) as raised:
        bob.model_info(private_repo)
    _assert_repo_not_found(raised.value)
    assert status_of(raised.value) == 404
    with pytest.raises(RepositoryNotFoundError):
        bob.list_repo_files(private_repo)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(private_repo, "secret.txt", cache_dir=tmp_path, token=bob.token, endpoint=hub.endpoint)


def test_private_repo_is_readable_by_owner(alice, private_repo, hub, tmp_path):
    assert alice.model_info(private_repo).private is True
    path = hf_hub_download(private_repo, "secret.txt", cache_dir=tmp_path, token=alice.token, endpoint=hub.endpoint)
    with open(path, "rb") as f:
        assert f.read() == b"classified\n"


def test_private_org_repo_is_readable_by_member_only(alice, bob, unique):
    repo_id = f"acme/{unique('orgsecret')}"
    alice.create_repo(repo_id, private=True)
    assert alice.model_info(repo_id).private is True
    with pytest.raises(RepositoryNotFoundError):
        bob.model_info(repo_id)


def test_other_user_cannot_write_public_repo(bob, alice, public_repo):
    head = alice.model_info(public_repo).sha
    with pytest.raises(HfHubHTTPError) as raised:
        bob.upload_file(path_or_fileobj=b"vandalism\n", path_in_repo="hello.txt", repo_id=public_repo)
    assert status_of(raised.value) in (401, 403, 404)
    assert alice.model_info(public_repo).sha == head


def test_anonymous_cannot_write(anonymous, alice, public_repo):
    head = alice.model_info(public_repo).sha
    with pytest.raises((HfHubHTTPError, ValueError)):
        anonymous.upload_file(path_or_fileobj=b"x\n", path_in_repo="x.txt", repo_id=public_repo)
    assert alice.model_info(public_repo).sha == head


def test_invalid_token_is_rejected_with_401(hub, public_repo):
    from huggingface_hub import HfApi

    api = HfApi(endpoint=hub.endpoint, token="hf_thisIsNotAValidTokenAtAll0000000")
    # 0.x re-raises whoami's HfHubHTTPError as a plain `requests.HTTPError`; both kinds are OSErrors with a response.
    with pytest.raises(OSError) as raised:
        api.whoami()
    assert status_of(raised.value) == 401
    with pytest.raises(HfHubHTTPError) as raised:
        api.model_info(public_repo)
    assert status_of(raised.value) == 401


def test_missing_file_raises_remote_entry_not_found(public_repo, hub, tmp_path):
    with pytest.raises(RemoteEntryNotFoundError) as raised:
        hf_hub_download(public_repo, "no/such/file.txt", cache_dir=tmp_path, token=False, endpoint=hub.endpoint)
    # A Local* error would mean the client could not make sense of the answer and fell back to its cache.
    assert not isinstance(raised.value, LocalEntryNotFoundError)
    assert status_of(raised.value) == 404


def test_missing_repo_and_revision(anonymous, alice, public_repo, hub, tmp_path):
    with pytest.raises(RepositoryNotFoundError):
        anonymous.model_info("alice/does-not-exist-anywhere")
    with pytest.raises(RepositoryNotFoundError):
        alice.model_info("nobody/does-not-exist-anywhere")
    with pytest.raises(RevisionNotFoundError):
        alice.model_info(public_repo, revision="no-such-branch")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(
            public_repo, "hello.txt", revision="no-such-branch", cache_dir=tmp_path, token=False, endpoint=hub.endpoint
        )
