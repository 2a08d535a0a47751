"""Discussions and pull requests through the real client: open, list, comment, rename, close, commit to a PR's ref,
merge, and the errors users see (conflicts, merging twice, someone else's discussion)."""

from __future__ import annotations

import pytest
from huggingface_hub import CommitOperationAdd

from support.compat import HfHubHTTPError, status_of


def _commit(api, repo: str, path: str, data: bytes, revision: str | None = None):
    return api.create_commit(
        repo, operations=[CommitOperationAdd(path, data)], commit_message=f"add {path}", revision=revision
    )


def test_pull_request_lifecycle(alice, bob, unique):
    repo = f"alice/{unique('pr')}"
    alice.create_repo(repo)
    _commit(alice, repo, "a.txt", b"a0")

    pr = alice.create_pull_request(repo, title="Add weights", description="first version")
    assert pr.is_pull_request and pr.git_reference == f"refs/pr/{pr.num}" and pr.status == "draft"
    head = _commit(alice, repo, "b.txt", b"b", revision=pr.git_reference).oid
    assert "b.txt" not in alice.list_repo_files(repo)

    question = bob.create_discussion(repo, title="Which licence?")
    assert not question.is_pull_request and question.num == pr.num + 1
    comment = alice.comment_discussion(repo, question.num, "Apache-2.0")
    assert comment.content == "Apache-2.0" and comment.author == "alice"
    assert bob.rename_discussion(repo, question.num, "Which licence applies?").new_title == "Which licence applies?"
    assert alice.change_discussion_status(repo, question.num, "closed").new_status == "closed"

    listed = {d.num: d for d in alice.get_repo_discussions(repo)}
    assert set(listed) == {pr.num, question.num}
    assert listed[question.num].status == "closed" and listed[question.num].title == "Which licence applies?"
    only_prs = list(alice.get_repo_discussions(repo, discussion_type="pull_request"))
    assert [d.num for d in only_prs] == [pr.num]

    details = alice.get_discussion_details(repo, pr.num)
    assert details.target_branch == "refs/heads/main" and details.conflicting_files == []
    assert head in [getattr(e, "oid", None) for e in details.events]
    with pytest.raises(HfHubHTTPError) as raised:
        bob.merge_pull_request(repo, pr.num)
    assert status_of(raised.value) == 403
    alice.merge_pull_request(repo, pr.num, comment="merging")
    merged = alice.get_discussion_details(repo, pr.num)
    assert merged.status == "merged" and merged.merge_commit_oid == head
    assert "b.txt" in alice.list_repo_files(repo)
    with pytest.raises(HfHubHTTPError) as raised:
        alice.merge_pull_request(repo, pr.num)
    assert status_of(raised.value) == 409


def test_conflicting_pull_request_is_refused_with_the_file_named(alice, unique):
    repo = f"alice/{unique('prconflict')}"
    alice.create_repo(repo)
    _commit(alice, repo, "a.txt", b"a0")
    pr = alice.create_commit(
        repo, operations=[CommitOperationAdd("a.txt", b"from the PR")], commit_message="edit a", create_pr=True
    )
    main_head = _commit(alice, repo, "a.txt", b"from main").oid
    assert alice.get_discussion_details(repo, pr.pr_num).conflicting_files == ["a.txt"]
    with pytest.raises(HfHubHTTPError) as raised:
        alice.merge_pull_request(repo, pr.pr_num)
    assert status_of(raised.value) == 409 and "a.txt" in str(raised.value)
    assert alice.model_info(repo).sha == main_head


def test_outside_contributor_proposes_a_large_file_and_the_owner_merges(alice, bob, unique, tmp_path):
    # bob cannot write alice's repo: a direct upload is refused, a pull request (with an LFS file) is not.
    repo = f"alice/{unique('contrib')}"
    alice.create_repo(repo)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(bytes(range(256)) * 8192)  # 2 MiB: an LFS upload
    with pytest.raises(HfHubHTTPError) as raised:
        bob.upload_file(path_or_fileobj=str(weights), path_in_repo="weights.bin", repo_id=repo)
    assert status_of(raised.value) == 403
    info = bob.upload_file(path_or_fileobj=str(weights), path_in_repo="weights.bin", repo_id=repo, create_pr=True)
    assert info.pr_num is not None
    details = alice.get_discussion_details(repo, info.pr_num)
    assert details.author == "bob" and details.is_pull_request
    alice.merge_pull_request(repo, info.pr_num)
    path = alice.hf_hub_download(repo, "weights.bin")
    with open(path, "rb") as f:
        assert f.read() == weights.read_bytes()
