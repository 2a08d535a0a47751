"""Listing a repo's files and tree, and searching the hub's models and datasets."""

from __future__ import annotations

import pytest

from support.artifacts import model_card


@pytest.fixture
def tree_repo(alice, unique, tmp_path):
    repo_id = f"alice/{unique('tree')}"
    alice.create_repo(repo_id)
    alice.upload_folder(folder_path=_make_tree(tmp_path / "tree"), repo_id=repo_id, commit_message="Add a small tree")
    return repo_id


def _make_tree(root):
    for path, content in {
        "top.txt": "top\n",
        "a/one.txt": "one\n",
        "a/b/two.txt": "two\n",
        "a/b/c/three.txt": "three\n",
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)
    return root


# The Hub starts every repo with a `.gitattributes` commit; a server may or may not, so it is left out below.
INITIAL = {".gitattributes"}


def test_list_repo_files(alice, tree_repo):
    assert set(alice.list_repo_files(tree_repo)) - INITIAL == {"top.txt", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt"}


def test_list_repo_tree_one_level_and_recursive(alice, tree_repo):
    from huggingface_hub.hf_api import RepoFile, RepoFolder

    top = {entry.path: entry for entry in alice.list_repo_tree(tree_repo) if entry.path not in INITIAL}
    assert set(top) == {"top.txt", "a"}
    assert isinstance(top["top.txt"], RepoFile) and top["top.txt"].size == 4
    assert isinstance(top["a"], RepoFolder)

    nested = {entry.path for entry in alice.list_repo_tree(tree_repo, path_in_repo="a/b")}
    assert nested == {"a/b/two.txt", "a/b/c"}

    everything = {e.path: e for e in alice.list_repo_tree(tree_repo, recursive=True) if e.path not in INITIAL}
    assert {p for p, e in everything.items() if isinstance(e, RepoFile)} == {
        "top.txt",
        "a/one.txt",
        "a/b/two.txt",
        "a/b/c/three.txt",
    }
    assert {p for p, e in everything.items() if isinstance(e, RepoFolder)} == {"a", "a/b", "a/b/c"}


def test_list_repo_tree_with_last_commit(alice, tree_repo):
    entries = [e for e in alice.list_repo_tree(tree_repo, expand=True) if e.path not in INITIAL]
    head = alice.model_info(tree_repo).sha
    for entry in entries:
        assert entry.last_commit is not None, entry.path
        assert entry.last_commit.oid == head
        assert entry.last_commit.title == "Add a small tree"


def test_list_repo_tree_lists_large_directories_completely(alice, unique):
    # More entries than one page of a paginated listing (the Hub pages at 1000): the client follows `Link`.
    from huggingface_hub import CommitOperationAdd

    repo_id = f"alice/{unique('wide')}"
    alice.create_repo(repo_id)
    names = [f"many/f{i:04d}.txt" for i in range(1200)]
    alice.create_commit(
        repo_id,
        [CommitOperationAdd(path_in_repo=name, path_or_fileobj=name.encode()) for name in names],
        commit_message="Many files",
    )
    listed = [entry.path for entry in alice.list_repo_tree(repo_id, path_in_repo="many")]
    assert sorted(listed) == names
    assert len(listed) == len(set(listed))


@pytest.fixture
def searchable(alice, unique):
    """Models and a dataset sharing a unique word in their names and a unique tag in their cards."""
    word = unique("findme")
    tag = f"tag-{word}"
    card = model_card([tag])
    repos = {
        "alice_model": f"alice/{word}-alpha",
        "org_model": f"acme/{word}-beta",
        "untagged_model": f"alice/{word}-gamma",
        "private_model": f"alice/{word}-hidden",
        "dataset": f"alice/{word}-data",
    }
    for key, repo_id in repos.items():
        repo_type = "dataset" if key == "dataset" else "model"
        alice.create_repo(repo_id, repo_type=repo_type, private=key == "private_model")
        if key != "untagged_model":
            alice.upload_file(
                path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo_id, repo_type=repo_type
            )
    return word, tag, repos


def test_list_models_by_search_author_and_filter(alice, anonymous, searchable):
    word, tag, repos = searchable
    public_models = {repos["alice_model"], repos["org_model"], repos["untagged_model"]}
    assert {m.id for m in anonymous.list_models(search=word)} == public_models
    assert {m.id for m in alice.list_models(search=word)} == public_models | {repos["private_model"]}
    assert {m.id for m in anonymous.list_models(search=word, author="acme")} == {repos["org_model"]}
    assert {m.id for m in anonymous.list_models(filter=tag)} == {repos["alice_model"], repos["org_model"]}
    tagged = next(iter(anonymous.list_models(filter=tag, author="alice", full=True)))
    assert tagged.id == repos["alice_model"]
    assert tag in tagged.tags
    assert any(s.rfilename == "README.md" for s in tagged.siblings or [])


def test_list_models_limit(anonymous, searchable):
    word, _, _ = searchable
    assert len(list(anonymous.list_models(search=word, limit=2))) == 2


def test_list_datasets_by_search_author_and_filter(anonymous, searchable):
    word, tag, repos = searchable
    assert {d.id for d in anonymous.list_datasets(search=word)} == {repos["dataset"]}
    assert {d.id for d in anonymous.list_datasets(search=word, author="alice")} == {repos["dataset"]}
    assert {d.id for d in anonymous.list_datasets(search=word, author="acme")} == set()
    assert {d.id for d in anonymous.list_datasets(filter=tag)} == {repos["dataset"]}
