#!/usr/bin/env bash
# Writes a tiny example model release into DIR (default: ./example-release): a safetensors file, a
# config, and a card that calls a Llama-licensed model "open source". Used by the README to show
# `commonhold assess`; nothing is downloaded.
set -euo pipefail
dir="${1:-example-release}"
mkdir -p "$dir"
python3 - "$dir" <<'PY'
import json, struct, sys, pathlib
d = pathlib.Path(sys.argv[1])
header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode()
(d / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(16))
(d / "config.json").write_text(json.dumps({"architectures": ["TinyForCausalLM"], "model_type": "llama"}))
(d / "README.md").write_text("""---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B
tags: [open-source]
---
# Tiny

A fully open source model, fine-tuned from Llama 3.1.
""")
PY
echo "wrote $dir"
