"""The libraries people actually load with: `datasets.load_dataset` and `transformers` `from_pretrained`.

Both probe for optional files and expect EntryNotFound for the missing ones, use ranged reads and paginated trees;
passing here means the server answers the way their code paths need, not only `huggingface_hub`'s happy path.
"""

from __future__ import annotations

import json

import pytest

from support.artifacts import DATASET_ROWS, VOCAB, bert_config, write_parquet, write_tokenizer


@pytest.fixture
def parquet_dataset(alice, unique, tmp_path):
    repo_id = f"alice/{unique('parquet')}"
    folder = tmp_path / "dataset"
    write_parquet(folder / "data" / "train-00000-of-00001.parquet")
    (folder / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n\n# A tiny dataset\n")
    alice.create_repo(repo_id, repo_type="dataset")
    alice.upload_folder(folder_path=folder, repo_id=repo_id, repo_type="dataset", commit_message="Add data")
    return repo_id


@pytest.fixture
def pretrained_repo(alice, unique, tmp_path):
    repo_id = f"alice/{unique('bert')}"
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(bert_config(), indent=2))
    write_tokenizer(folder)
    alice.create_repo(repo_id)
    alice.upload_folder(folder_path=folder, repo_id=repo_id, commit_message="Add config and tokenizer")
    return repo_id


def test_load_dataset_parquet(parquet_dataset, tmp_path):
    import datasets

    ds = datasets.load_dataset(parquet_dataset, split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == len(DATASET_ROWS)
    assert ds.to_list() == DATASET_ROWS


def test_load_dataset_parquet_streaming(parquet_dataset):
    import datasets

    ds = datasets.load_dataset(parquet_dataset, split="train", streaming=True)
    assert list(ds) == DATASET_ROWS


def test_load_private_dataset_needs_token(alice, unique, tmp_path):
    import datasets

    repo_id = f"alice/{unique('privparquet')}"
    write_parquet(tmp_path / "data" / "train.parquet")
    alice.create_repo(repo_id, repo_type="dataset", private=True)
    alice.upload_folder(folder_path=tmp_path / "data", path_in_repo="data", repo_id=repo_id, repo_type="dataset")
    ds = datasets.load_dataset(repo_id, split="train", token=alice.token, cache_dir=str(tmp_path / "c1"))
    assert ds.to_list() == DATASET_ROWS
    # Without a token the repo does not exist; `datasets` turns the hub's RepoNotFound into its own error.
    from datasets.exceptions import DatasetNotFoundError

    with pytest.raises(DatasetNotFoundError):
        datasets.load_dataset(repo_id, split="train", cache_dir=str(tmp_path / "c2"))


def test_auto_config_from_pretrained(pretrained_repo, tmp_path):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(pretrained_repo, cache_dir=str(tmp_path))
    assert config.model_type == "bert"
    assert config.hidden_size == 8
    assert config.num_hidden_layers == 1


def test_auto_tokenizer_from_pretrained(pretrained_repo, tmp_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(pretrained_repo, cache_dir=str(tmp_path))
    ids = tokenizer("hello open models", add_special_tokens=False)["input_ids"]
    assert ids == [VOCAB.index("hello"), VOCAB.index("open"), VOCAB.index("models")]
    assert tokenizer.pad_token == "[PAD]"


def test_from_pretrained_at_a_revision(alice, pretrained_repo, tmp_path):
    from transformers import AutoConfig

    alice.create_tag(pretrained_repo, tag="v1")
    changed = {**bert_config(), "hidden_size": 16}
    alice.upload_file(path_or_fileobj=json.dumps(changed).encode(), path_in_repo="config.json", repo_id=pretrained_repo)
    assert AutoConfig.from_pretrained(pretrained_repo, cache_dir=str(tmp_path)).hidden_size == 16
    old = AutoConfig.from_pretrained(pretrained_repo, revision="v1", cache_dir=str(tmp_path))
    assert old.hidden_size == 8
