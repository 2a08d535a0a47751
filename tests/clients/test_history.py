"""Git-shaped history through the client: commits, branches, tags, pull-request refs, deletes, and the
compare-and-swap on `parent_commit` that keeps concurrent writers from losing each other's work."""

from __future__ import annotations

from pathlib import Path

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, hf_hub_download

from support.compat import HfHubHTTPError, RemoteEntryNotFoundError, RevisionNotFoundError, status_of


def commit_one(api, repo_id: str, path: str, content: bytes, message: str, **kwargs):
    """`create_commit` with a single added file; extra arguments (create_pr, parent_commit) pass through."""
    return api.create_commit(
        repo_id, [CommitOperationAdd(path_in_repo=path, path_or_fileobj=content)], commit_message=message, **kwargs
    )


@pytest.fixture
def repo(alice, unique):
    """A model repo with two commits: `first.txt`, then `second.txt`."""
    repo_id = f"alice/{unique('hist')}"
    alice.create_repo(repo_id)
    alice.upload_file(path_or_fileobj=b"1\n", path_in_repo="first.txt", repo_id=repo_id, commit_message="First file")
    alice.upload_file(path_or_fileobj=b"2\n", path_in_repo="second.txt", repo_id=repo_id, commit_message="Second file")
    return repo_id


def test_list_repo_commits_newest_first(alice, repo):
    commits = alice.list_repo_commits(repo)
    titles = [c.title for c in commits]
    assert titles[:2] == ["Second file", "First file"]
    head = alice.model_info(repo).sha
    assert commits[0].commit_id == head
    assert len({c.commit_id for c in commits}) == len(commits)
    assert all(len(c.commit_id) == 40 for c in commits)
    assert "alice" in commits[0].authors
    assert commits[0].created_at >= commits[1].created_at


def test_commit_description_is_kept(alice, unique):
    repo_id = f"alice/{unique('desc')}"
    alice.create_repo(repo_id)
    alice.upload_file(
        path_or_fileobj=b"x\n",
        path_in_repo="x.txt",
        repo_id=repo_id,
        commit_message="Title line",
        commit_description="A longer body.",
    )
    newest = alice.list_repo_commits(repo_id)[0]
    assert newest.title == "Title line"
    assert "A longer body." in newest.message


def test_branches_create_list_use_delete(alice, repo, hub, tmp_path):
    head = alice.model_info(repo).sha
    alice.create_branch(repo, branch="dev")
    with pytest.raises(HfHubHTTPError) as raised:
        alice.create_branch(repo, branch="dev")
    assert status_of(raised.value) == 409
    alice.create_branch(repo, branch="dev", exist_ok=True)

    refs = alice.list_repo_refs(repo)
    branches = {b.name: b for b in refs.branches}
    assert set(branches) == {"main", "dev"}
    assert branches["dev"].target_commit == head
    assert branches["dev"].ref == "refs/heads/dev"

    commit = alice.upload_file(path_or_fileobj=b"dev\n", path_in_repo="dev.txt", repo_id=repo, revision="dev")
    assert alice.model_info(repo, revision="dev").sha == commit.oid
    assert alice.model_info(repo).sha == head, "a commit to dev must not move main"
    assert "dev.txt" not in alice.list_repo_files(repo)
    path = hf_hub_download(repo, "dev.txt", revision="dev", cache_dir=tmp_path, token=False, endpoint=hub.endpoint)
    assert Path(path).read_bytes() == b"dev\n"

    alice.delete_branch(repo, branch="dev")
    assert {b.name for b in alice.list_repo_refs(repo).branches} == {"main"}
    with pytest.raises(RevisionNotFoundError):
        alice.model_info(repo, revision="dev")


def test_branch_from_starting_point(alice, repo):
    older = [c for c in alice.list_repo_commits(repo) if c.title == "First file"][0].commit_id
    alice.create_branch(repo, branch="old", revision=older)
    branch = next(b for b in alice.list_repo_refs(repo).branches if b.name == "old")
    assert branch.target_commit == older
    assert set(alice.list_repo_files(repo, revision="old")) >= {"first.txt"}
    assert "second.txt" not in alice.list_repo_files(repo, revision="old")


def test_tags(alice, repo, hub, tmp_path):
    head = alice.model_info(repo).sha
    alice.create_tag(repo, tag="v1.0", tag_message="First release")
    with pytest.raises(HfHubHTTPError) as raised:
        alice.create_tag(repo, tag="v1.0")
    assert status_of(raised.value) == 409
    tags = {t.name: t for t in alice.list_repo_refs(repo).tags}
    assert tags["v1.0"].target_commit == head
    assert tags["v1.0"].ref == "refs/tags/v1.0"

    alice.upload_file(path_or_fileobj=b"3\n", path_in_repo="third.txt", repo_id=repo)
    assert alice.model_info(repo, revision="v1.0").sha == head
    assert "third.txt" not in alice.list_repo_files(repo, revision="v1.0")
    path = hf_hub_download(repo, "first.txt", revision="v1.0", cache_dir=tmp_path, token=False, endpoint=hub.endpoint)
    assert Path(path).read_bytes() == b"1\n"


def test_refs_of_a_dataset_repo(alice, unique):
    repo_id = f"alice/{unique('dsrefs')}"
    alice.create_repo(repo_id, repo_type="dataset")
    alice.upload_file(path_or_fileobj=b"a\n", path_in_repo="a.txt", repo_id=repo_id, repo_type="dataset")
    alice.create_tag(repo_id, tag="v0", repo_type="dataset")
    refs = alice.list_repo_refs(repo_id, repo_type="dataset")
    assert [b.name for b in refs.branches] == ["main"]
    assert [t.name for t in refs.tags] == ["v0"]


def test_delete_file(alice, repo, hub, tmp_path):
    before = alice.model_info(repo).sha
    commit = alice.delete_file("first.txt", repo_id=repo, commit_message="Remove first")
    assert commit.oid != before
    assert "first.txt" not in alice.list_repo_files(repo)
    assert "second.txt" in alice.list_repo_files(repo)
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(repo, "first.txt", cache_dir=tmp_path, token=False, endpoint=hub.endpoint)
    # History keeps it: the previous commit still serves the file.
    path = hf_hub_download(repo, "first.txt", revision=before, cache_dir=tmp_path, token=False, endpoint=hub.endpoint)
    assert Path(path).read_bytes() == b"1\n"


def test_delete_folder_and_add_in_one_commit(alice, unique):
    repo_id = f"alice/{unique('mixed')}"
    alice.create_repo(repo_id)
    alice.create_commit(
        repo_id,
        [CommitOperationAdd(path_in_repo=f"dir/{n}.txt", path_or_fileobj=n.encode()) for n in ("a", "b")],
        commit_message="Add dir",
    )
    alice.create_commit(
        repo_id,
        [
            CommitOperationDelete(path_in_repo="dir/"),
            CommitOperationAdd(path_in_repo="keep.txt", path_or_fileobj=b"keep"),
        ],
        commit_message="Replace dir",
    )
    assert set(alice.list_repo_files(repo_id)) - {".gitattributes"} == {"keep.txt"}


def test_create_commit_as_pull_request(alice, repo, hub, tmp_path):
    head = alice.model_info(repo).sha
    info = commit_one(alice, repo, "proposal.txt", b"please merge\n", "Propose a change", create_pr=True)
    assert info.pr_url is not None and info.pr_url.endswith("/discussions/1"), info.pr_url
    assert info.pr_revision == "refs/pr/1"
    assert info.pr_num == 1
    assert alice.model_info(repo).sha == head, "a PR must not move main"
    assert "proposal.txt" not in alice.list_repo_files(repo)

    refs = alice.list_repo_refs(repo, include_pull_requests=True)
    prs = {r.ref: r for r in refs.pull_requests or []}
    assert "refs/pr/1" in prs
    assert prs["refs/pr/1"].target_commit == info.oid
    assert not alice.list_repo_refs(repo).pull_requests

    path = hf_hub_download(
        repo, "proposal.txt", revision="refs/pr/1", cache_dir=tmp_path, token=False, endpoint=hub.endpoint
    )
    assert Path(path).read_bytes() == b"please merge\n"
    assert "proposal.txt" in alice.list_repo_files(repo, revision="refs/pr/1")


def test_stale_parent_commit_is_refused(alice, repo):
    stale = [c for c in alice.list_repo_commits(repo) if c.title == "First file"][0].commit_id
    head = alice.model_info(repo).sha
    assert stale != head
    with pytest.raises(HfHubHTTPError) as raised:
        commit_one(alice, repo, "late.txt", b"late\n", "Based on an old head", parent_commit=stale)
    assert status_of(raised.value) in (409, 412), status_of(raised.value)
    assert alice.model_info(repo).sha == head
    assert "late.txt" not in alice.list_repo_files(repo)


def test_current_parent_commit_is_accepted(alice, repo):
    head = alice.model_info(repo).sha
    info = commit_one(alice, repo, "ontime.txt", b"ok\n", "Based on the head", parent_commit=head)
    assert alice.model_info(repo).sha == info.oid != head
