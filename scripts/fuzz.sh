#!/usr/bin/env bash
# Runs each fuzz target (the assessor's parsers; the server's NDJSON commit payload and Range
# header) for a bounded time. Not part of CI.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 lets the stable toolchain use them.
# libFuzzer's -malloc_limit_mb turns any unbounded allocation into a crash. Crashing inputs
# land in fuzz/artifacts/<target>/; copy them to fuzz/regressions/<target>/ so that
# `cargo test -p commonhold-assess --test it inspect_fuzz_regressions` replays them forever (the
# server's targets, commit_ndjson and range: `cargo test -p commonhold-server fuzzing`).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(safetensors gguf pickle_scan front_matter data_grade torch_zip onnx lfs_pointer lineage commit_ndjson range)
fi
# Safe Rust needs no AddressSanitizer to find panics and allocation blow-ups; it only slows
# the build. Set SANITIZER=address to use it anyway.
sanitizer="${SANITIZER:-none}"

export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

seed() { # target name bytes(printf format)
  mkdir -p "fuzz/corpus/$1"
  printf -- "$3" > "fuzz/corpus/$1/$2"
}
seed safetensors tiny '\000\066\000\000\000\000\000\000\000{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}\000\000\000\000'
seed gguf empty '\000GGUF\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
seed pickle_scan global '\000\200\002cos\nsystem\n)R.'
seed pickle_scan stack_global '\000\200\004\214\002os\224\214\006system\224\223).'
seed data_grade card '---\nlicense: mit\n---\n## Training data\n\nTrained on The Pile, 825GiB, deduplicated.\n\0From publicly available sources.\n'
seed front_matter card '---\nlicense: mit\ntags: [a, "arxiv:1.2"]\nmodel-index:\n- name: x\n---\n# Uses\nhttps://github.com/a/b\n'
seed torch_zip empty '\000PK\005\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
seed onnx model '\000\010\010\022\007pytorch'
seed lfs_pointer pointer 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n'
seed lineage adapter '{"base_model_name_or_path":"org/base","peft_type":"LORA","r":8}'
seed lineage merge 'models:\n  - model: org/a\n  - model: org/b\nmerge_method: slerp\n'
seed commit_ndjson commit '{"key":"header","value":{"summary":"s","description":"","parentCommit":"0123456789abcdef0123456789abcdef01234567"}}\n{"key":"file","value":{"path":"a/b.txt","content":"aGVsbG8=","encoding":"base64"}}\n{"key":"lfsFile","value":{"path":"w.bin","algo":"sha256","oid":"4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393","size":5}}\n{"key":"deletedFile","value":{"path":"old.txt"}}\n{"key":"deletedFolder","value":{"path":"dir/"}}\n'
# range: an 8-byte little-endian size (1000), then the header value.
seed range from_to '\350\003\000\000\000\000\000\000bytes=0-18446744073709551615'
seed range suffix '\350\003\000\000\000\000\000\000bytes=-99999999999999999999'

status=0
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${seconds}s"
  if ! cargo fuzz run --fuzz-dir fuzz --sanitizer "$sanitizer" "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=256 -max_len=1048576 -timeout=10; then
    echo "!! $target found a failing input: see fuzz/artifacts/$target/"
    status=1
  fi
done
exit "$status"
