"""Uploads and downloads through the Xet storage protocol with the real `hf_xet` (no HF_HUB_DISABLE_XET).

The session's conftest pins `HF_HUB_DISABLE_XET=1` before any client is imported, and huggingface_hub reads it at
import time, so each Xet scenario runs in a child interpreter whose environment drops that switch and uses a fresh
`HF_HOME` (hf_xet caches shards per home). The child prints one JSON line of facts; the test asserts on them.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

try:
    import hf_xet  # noqa: F401

    HAVE_XET = True
except ImportError:
    HAVE_XET = False

import huggingface_hub

# Only clients >= 1.20 upload straight to Xet; 0.36-1.19 offer "xet" in the LFS batch and take the
# server's "basic" answer, which the rest of the suite already covers for them.
_HUB_VERSION = tuple(int(p) for p in huggingface_hub.__version__.split(".")[:2] if p.isdigit())
XET_UPLOADS = HAVE_XET and _HUB_VERSION >= (1, 20)

pytestmark = pytest.mark.skipif(
    not XET_UPLOADS,
    reason="this client environment does not upload through Xet (needs huggingface_hub >= 1.20 + hf_xet)",
)


def run_client(hub, home, script: str, **env_extra) -> dict:
    """Runs `script` in a child Python with Xet enabled; returns the JSON it printed last."""
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_XET"}
    env.update({"HF_HOME": str(home), "HF_TOKEN": hub.alice_token, **env_extra})
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"client failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def payload(size: int, seed: int) -> bytes:
    """Incompressible but reproducible bytes (a hash chain), so that chunking and dedup see real content."""
    out, block = bytearray(), hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:size])


@pytest.mark.parametrize("policy", ["", "none", "lz4", "bg4-lz4"])
def test_upload_file_through_xet_then_download(hub, tmp_path, unique, policy):
    data = payload(20 * 1024 * 1024, 1)
    src = tmp_path / "model.bin"
    src.write_bytes(data)
    repo = f"alice/{unique('xet')}"
    env = {"HF_XET_XORB_COMPRESSION_POLICY": policy} if policy else {}
    up = run_client(
        hub,
        tmp_path / "home-up",
        f"""
        import json, os
        from huggingface_hub import HfApi
        api = HfApi(token=os.environ["HF_TOKEN"])
        api.create_repo("{repo}")
        info = api.upload_file(path_or_fileobj="{src}", path_in_repo="model.bin", repo_id="{repo}")
        print(json.dumps({{"commit": info.oid}}))
        """,
        **env,
    )
    assert up["commit"]
    # Stored as xorbs only: no plain LFS copy under the content's sha256.
    sha = hashlib.sha256(data).hexdigest()
    assert any(p.is_file() for p in hub.server.data_dir.rglob("xorbs/*/*/*")), "no xorb was stored"
    assert not list(hub.server.data_dir.rglob(sha)), "a plain copy was stored"
    down = run_client(
        hub,
        tmp_path / "home-down",
        f"""
        import hashlib, json, os
        from huggingface_hub import hf_hub_download
        path = hf_hub_download("{repo}", "model.bin", token=os.environ["HF_TOKEN"])
        print(json.dumps({{"sha": hashlib.sha256(open(path, "rb").read()).hexdigest()}}))
        """,
    )
    assert down["sha"] == sha
