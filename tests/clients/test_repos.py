"""Creating repositories: types, visibility, namespaces, conflicts; and who the tokens say they are."""

from __future__ import annotations

import pytest

from support.compat import HfHubHTTPError, status_of


def test_whoami_reports_user_and_org(alice, bob):
    me = alice.whoami()
    assert me["name"] == "alice"
    assert "acme" in [org["name"] for org in me["orgs"]]
    assert bob.whoami()["name"] == "bob"
    assert "acme" not in [org["name"] for org in bob.whoami()["orgs"]]


@pytest.mark.parametrize("repo_type", ["model", "dataset"])
@pytest.mark.parametrize("private", [False, True])
def test_create_repo_public_and_private(alice, hub, unique, repo_type, private):
    repo_id = f"alice/{unique('create')}"
    url = alice.create_repo(repo_id, repo_type=repo_type, private=private)
    assert url.repo_id == repo_id
    assert url.repo_type == repo_type
    prefix = "/datasets/" if repo_type == "dataset" else "/"
    assert str(url) == f"{hub.endpoint}{prefix}{repo_id}"
    info = alice.repo_info(repo_id, repo_type=repo_type)
    assert info.id == repo_id
    assert info.private is private
    # A new repo may have no commit yet (the Hub makes one with `.gitattributes`); if it has one, it is a git id.
    assert info.sha is None or (len(info.sha) == 40 and all(c in "0123456789abcdef" for c in info.sha))


@pytest.mark.parametrize("repo_type", ["model", "dataset"])
def test_create_repo_twice_conflicts_unless_exist_ok(alice, unique, repo_type):
    repo_id = f"alice/{unique('dup')}"
    alice.create_repo(repo_id, repo_type=repo_type)
    with pytest.raises(HfHubHTTPError) as raised:
        alice.create_repo(repo_id, repo_type=repo_type)
    assert status_of(raised.value) == 409
    url = alice.create_repo(repo_id, repo_type=repo_type, exist_ok=True)
    assert url.repo_id == repo_id


def test_same_name_as_model_and_dataset_are_distinct_repos(alice, unique):
    repo_id = f"alice/{unique('both')}"
    alice.create_repo(repo_id, repo_type="model")
    alice.create_repo(repo_id, repo_type="dataset", private=True)
    assert alice.repo_info(repo_id, repo_type="model").private is False
    assert alice.repo_info(repo_id, repo_type="dataset").private is True


def test_org_member_creates_in_org_and_outsider_cannot(alice, bob, unique):
    repo_id = f"acme/{unique('orgrepo')}"
    url = alice.create_repo(repo_id)
    assert url.repo_id == repo_id
    assert alice.model_info(repo_id).id == repo_id
    with pytest.raises(HfHubHTTPError) as raised:
        bob.create_repo(f"acme/{unique('intruder')}")
    assert status_of(raised.value) in (401, 403)


def test_user_cannot_create_in_another_users_namespace(bob, unique):
    with pytest.raises(HfHubHTTPError) as raised:
        bob.create_repo(f"alice/{unique('squat')}")
    assert status_of(raised.value) in (401, 403)


def test_delete_repo(alice, unique):
    from support.compat import RepositoryNotFoundError

    repo_id = f"alice/{unique('gone')}"
    alice.create_repo(repo_id)
    alice.delete_repo(repo_id)
    with pytest.raises(RepositoryNotFoundError):
        alice.model_info(repo_id)


@pytest.mark.parametrize("repo_type", ["model", "dataset"])
def test_update_repo_settings_gates_and_ungates(alice, unique, repo_type):
    """`gated` is honoured (enforced on every download, see the router tests in
    crates/server/tests/it/gating.rs) and shown in repo info; `private` still works through the same call."""
    repo_id = f"alice/{unique('settings')}"
    alice.create_repo(repo_id, repo_type=repo_type)
    alice.update_repo_settings(repo_id, repo_type=repo_type, gated="manual")
    assert alice.repo_info(repo_id, repo_type=repo_type).gated == "manual"
    assert alice.repo_info(repo_id, repo_type=repo_type).private is False
    alice.update_repo_settings(repo_id, repo_type=repo_type, gated=False, private=True)
    assert alice.repo_info(repo_id, repo_type=repo_type).gated is False
    assert alice.repo_info(repo_id, repo_type=repo_type).private is True
