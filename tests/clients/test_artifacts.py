"""The fixture generators produce valid files: checked with the independent readers, no server involved.

If these fail, a failure elsewhere in the suite says nothing about the server.
"""

from __future__ import annotations

import json
import struct

from support.artifacts import (
    DATASET_ROWS,
    VOCAB,
    git_blob_sha1,
    safetensors_bytes,
    sha256_file,
    write_model_folder,
    write_parquet,
    write_random_file,
    write_safetensors,
    write_tokenizer,
)


def test_safetensors_built_by_hand_is_read_by_the_reference_library(tmp_path):
    from safetensors import safe_open

    tensors = write_safetensors(tmp_path / "m.safetensors", seed=3)
    with safe_open(str(tmp_path / "m.safetensors"), framework="np") as f:
        assert sorted(f.keys()) == sorted(tensors)
        assert f.metadata() == {"format": "pt"}
        for name, values in tensors.items():
            assert [round(float(v), 3) for v in f.get_tensor(name)] == values


def test_safetensors_header_is_padded_to_eight_bytes():
    data = safetensors_bytes({"a": [1.0, 2.0, 3.0]})
    (header_len,) = struct.unpack("<Q", data[:8])
    assert header_len % 8 == 0
    header = json.loads(data[8 : 8 + header_len])
    assert header["a"]["data_offsets"] == [0, 12]
    assert len(data) == 8 + header_len + 12


def test_random_file_is_reproducible_and_hash_matches(tmp_path):
    a = write_random_file(tmp_path / "a.bin", 3_000_001, seed=7)
    b = write_random_file(tmp_path / "b.bin", 3_000_001, seed=7)
    c = write_random_file(tmp_path / "c.bin", 3_000_001, seed=8)
    assert a == b != c
    assert sha256_file(tmp_path / "a.bin") == a
    assert (tmp_path / "a.bin").stat().st_size == 3_000_001


def test_git_blob_sha1_matches_git():
    # `printf 'hello\n' | git hash-object --stdin`
    assert git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_parquet_round_trips(tmp_path):
    import pyarrow.parquet as pq

    write_parquet(tmp_path / "train.parquet")
    assert pq.read_table(tmp_path / "train.parquet").to_pylist() == DATASET_ROWS


def test_tokenizer_and_config_load_locally_with_transformers(tmp_path):
    from transformers import AutoConfig, AutoTokenizer

    files = write_model_folder(tmp_path / "model", tags=["x"])
    assert {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors", "README.md"} <= set(files)
    config = AutoConfig.from_pretrained(str(tmp_path / "model"))
    assert config.model_type == "bert" and config.hidden_size == 8
    tokenizer = AutoTokenizer.from_pretrained(str(tmp_path / "model"))
    assert tokenizer("hello open world", add_special_tokens=False)["input_ids"] == [
        VOCAB.index("hello"),
        VOCAB.index("open"),
        VOCAB.index("world"),
    ]
    assert tokenizer("hello zebra", add_special_tokens=False)["input_ids"] == [VOCAB.index("hello"), 1]


def test_tokenizer_alone_writes_the_expected_files(tmp_path):
    write_tokenizer(tmp_path)
    assert json.loads((tmp_path / "tokenizer_config.json").read_text())["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert json.loads((tmp_path / "tokenizer.json").read_text())["model"]["type"] == "WordLevel"
