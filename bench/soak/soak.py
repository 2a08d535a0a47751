"""The kill soak: client workers commit while the server is SIGKILLed and restarted, then every acknowledged
commit is read back by commit id and compared byte for byte, and `fsck` must be clean.

Run through bench/soak.sh, which builds the binary and picks a Python with huggingface_hub and hf_xet.

Three workers, each its own process (the clients read their Xet switch at import time):
  small  regular files (`upload_file` of a few hundred bytes; the hub stores them as git blobs)
  lfs    `.bin` files over git-LFS (HF_HUB_DISABLE_XET=1)
  xet    `.bin` files over Xet (hf_xet)
A commit counts as acknowledged only when `upload_file` returned its commit id. A worker that sees any error
(the server was killed mid-request) records the attempt as unacknowledged and goes on: an unacknowledged
commit may or may not have landed, and both are fine; an acknowledged one must be readable forever.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

WORKERS = {
    # name: (file suffix, size range in bytes, extra environment)
    "small": (".txt", (64, 4096), {"HF_HUB_DISABLE_XET": "1"}),
    "lfs": (".bin", (64 << 10, 2 << 20), {"HF_HUB_DISABLE_XET": "1"}),
    "xet": (".bin", (64 << 10, 2 << 20), {}),
}


def log(message: str) -> None:
    print(f"[soak] {message}", file=sys.stderr, flush=True)


def content(worker: str, index: int, low: int, high: int) -> bytes:
    """Deterministic bytes for one attempt; mostly random so Xet cannot deduplicate them away."""
    rng = random.Random(f"{worker}-{index}")
    size = rng.randint(low, high)
    return rng.randbytes(size)


def run_worker(args: argparse.Namespace) -> int:
    """One client worker: commit until the stop file appears; append each acknowledged commit to the journal."""
    from huggingface_hub import HfApi  # imported here: the environment decides Xet before import

    suffix, (low, high), _ = WORKERS[args.worker]
    api = HfApi(endpoint=args.endpoint, token=args.token)
    repo = f"{args.owner}/soak-{args.worker}"
    journal = Path(args.journal)
    stop = Path(args.stop)
    index = 0
    with journal.open("a") as out:
        while not stop.exists():
            index += 1
            data = content(args.worker, index, low, high)
            path = f"w/{index:05d}{suffix}"
            record = {"worker": args.worker, "index": index, "path": path, "sha256": hashlib.sha256(data).hexdigest()}
            try:
                info = api.upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=repo, commit_message=path)
                record["commit"] = info.oid
            except Exception as error:  # noqa: BLE001 (any failure while the server dies is expected)
                record["error"] = f"{type(error).__name__}: {str(error)[:200]}"
                time.sleep(0.2)
            out.write(json.dumps(record) + "\n")
            out.flush()
            os.fsync(out.fileno())
    return 0


class Server:
    def __init__(self, binary: str, data: Path, port: int, log_path: Path) -> None:
        self.binary, self.data, self.port, self.log_path = binary, data, port, log_path
        self.endpoint = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        began = time.monotonic()
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "serve",
                    "--data",
                    str(self.data),
                    "--listen",
                    f"127.0.0.1:{self.port}",
                    "--public-url",
                    self.endpoint,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited during startup; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/api/health", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - began
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise SystemExit(f"server never became healthy; see {self.log_path}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, *args, "--data", str(self.data)],
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )


def verify(endpoint: str, token: str, owner: str, records: list[dict]) -> list[str]:
    """Reads every acknowledged file at its commit id; returns what was wrong."""
    problems = []
    for r in records:
        url = f"{endpoint}/{owner}/soak-{r['worker']}/resolve/{r['commit']}/{r['path']}"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                got = hashlib.sha256(answer.read()).hexdigest()
        except urllib.error.HTTPError as error:
            problems.append(f"{r['worker']} {r['path']} @ {r['commit'][:12]}: HTTP {error.code}")
            continue
        if got != r["sha256"]:
            problems.append(f"{r['worker']} {r['path']} @ {r['commit'][:12]}: bytes differ")
    return problems


def run_soak(args: argparse.Namespace) -> int:
    work = Path(args.work)
    data = work / "data"
    server = Server(args.binary, data, args.port, work / "server.log")
    server.start()
    for step in (("user", "add", "soak"),):
        result = server.admin(*step)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(step)} failed: {result.stderr}")
    token = server.admin("token", "create", "--user", "soak", "--role", "write").stdout.strip()
    from huggingface_hub import HfApi

    api = HfApi(endpoint=server.endpoint, token=token)
    for worker in WORKERS:
        api.create_repo(f"soak/soak-{worker}")

    stop = work / "stop"
    journals = {w: work / f"journal-{w}.jsonl" for w in WORKERS}
    children = []
    for worker, (_, _, env) in WORKERS.items():
        child_env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_XET"}
        child_env.update(
            env, HF_HOME=str(work / f"home-{worker}"), HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_DISABLE_TELEMETRY="1"
        )
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "worker",
                    "--worker",
                    worker,
                    "--endpoint",
                    server.endpoint,
                    "--token",
                    token,
                    "--owner",
                    "soak",
                    "--journal",
                    str(journals[worker]),
                    "--stop",
                    str(stop),
                ],
                env=child_env,
                stdin=subprocess.DEVNULL,
                stderr=(work / f"worker-{worker}.log").open("ab"),
            )
        )

    rng = random.Random(args.seed)
    restarts = []
    began = time.monotonic()
    for kill in range(1, args.kills + 1):
        time.sleep(rng.uniform(args.min_gap, args.max_gap))
        server.kill()
        time.sleep(rng.uniform(0.0, 0.5))
        restarts.append(server.start())
        log(f"kill {kill}/{args.kills}: restarted in {restarts[-1] * 1000:.0f} ms")
    time.sleep(args.min_gap)  # a last stretch with the server up, so every worker acknowledges something after
    stop.touch()
    for child in children:
        child.wait(timeout=300)
    soak_secs = time.monotonic() - began

    records = {w: [json.loads(line) for line in journals[w].read_text().splitlines() if line] for w in WORKERS}
    acknowledged = [r for w in WORKERS for r in records[w] if "commit" in r]
    problems = verify(server.endpoint, token, "soak", acknowledged)
    server.stop()
    fsck = server.admin("fsck")

    summary = {
        "kills": args.kills,
        "seconds": round(soak_secs, 1),
        "restart_ms_median": round(sorted(restarts)[len(restarts) // 2] * 1000),
        "restart_ms_max": round(max(restarts) * 1000),
        "workers": {
            w: {"acknowledged": sum("commit" in r for r in records[w]), "failed": sum("error" in r for r in records[w])}
            for w in WORKERS
        },
        "verified": len(acknowledged) - len(problems),
        "problems": problems[:20],
        "fsck_exit": fsck.returncode,
        "fsck": (fsck.stdout + fsck.stderr).strip().splitlines()[-5:],
    }
    print(json.dumps(summary, indent=2))
    ok = not problems and fsck.returncode == 0 and all(v["acknowledged"] > 0 for v in summary["workers"].values())
    if not ok:
        log(
            f"FAILED: {len(problems)} acknowledged commits unreadable or wrong, fsck exit {fsck.returncode}; "
            f"work dir kept at {work}"
        )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    soak = sub.add_parser("soak")
    soak.add_argument("--binary", required=True)
    soak.add_argument("--work", required=True)
    soak.add_argument("--port", type=int, required=True)
    soak.add_argument("--kills", type=int, default=30)
    soak.add_argument("--min-gap", type=float, default=0.5)
    soak.add_argument("--max-gap", type=float, default=3.0)
    soak.add_argument("--seed", type=int, default=1)
    worker = sub.add_parser("worker")
    for name in ("--worker", "--endpoint", "--token", "--owner", "--journal", "--stop"):
        worker.add_argument(name, required=True)
    args = parser.parse_args()
    return run_soak(args) if args.command == "soak" else run_worker(args)


if __name__ == "__main__":
    sys.exit(main())
