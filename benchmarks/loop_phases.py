"""Where a saturated node's event loop spends its CPU, phase by phase, in a real `coterie bench`.

    .venv/bin/python -m benchmarks.loop_phases [coterie bench options]
        (default: --validators 1 --rate 0 --txs 60000)

Runs `python -m cli bench ...` with every node process instrumented through a `sitecustomize`
module put first on its path: the functions below are wrapped to add up `time.thread_time`
around each call on the node's main thread (async handlers step by step, so only their own
CPU counts, not what ran while they waited), and the commit thread's build and write wherever
they run. When the node stops it writes the sums; this prints µs per committed tx for each
phase of the first node (phases nest: "incl" rows hold the rows below them), beside the
bench's own figures and the load average. Each wrapped call costs about 0.5 µs of
`thread_time` calls, so the per-tx rows (decode, admit_verified) read about that much high.
docs/performance.md ("One validator saturated") has what it measured.
"""

from __future__ import annotations

import atexit
import builtins
import functools
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Generator
from pathlib import Path
from typing import Any

OUT_ENV = "COTERIE_LOOP_PHASES_OUT"
DEFAULT_ARGS = ["--validators", "1", "--rate", "0", "--txs", "60000"]

# (module, qualified name, how it runs, the row's name)
PHASES = [
    ("node.api.txs", "submit_txs", "async", "POST /v1/txs handler (incl)"),
    ("node.router", "Router.submit", "async", "  router.submit (incl)"),
    ("node.mempool.pool", "Mempool.admit_batch", "async", "    admit_batch (incl)"),
    ("ledger.tx", "SignedTx.decode", "classmethod", "      decode a tx"),
    ("node.mempool.pool", "Mempool.admit_verified", "sync", "      admit_verified"),
    ("node.mempool.verifier", "SignatureVerifier.verify_batch", "async", "      verify_batch"),
    ("node.router", "Router._gossip", "sync", "    gossip and txs_available"),
    ("node.api.txs", "read_submission", "async", "  read the body, split the batch"),
    ("node.api.txs", "submission_answer", "sync", "  answer JSON"),
    ("node.runner_commit", "OffLoopCommits._commit_staged", "async", "after a commit (incl)"),
    ("node.runner", "Runner._committed", "sync", "  runner._committed (incl)"),
    ("node.mempool.pool", "Mempool.update", "sync", "    mempool.update"),
    ("node.runner_pacing", "RoundZeroPacing._prepare_round0", "async", "proposal (incl)"),
    ("node.mempool.pool", "Mempool.reap", "sync", "  reap"),
    ("node.api.ws", "Session.notifications", "sync", "WebSocket notifications"),
    ("node.api.ws", "_pump", "async", "WebSocket send (incl)"),
    ("node.chain", "Chain.prepare", "any", "block build"),
    ("node.chain", "Chain.write_commit", "any", "block write"),
]
MAIN = threading.main_thread().ident
SUMS: dict[str, float] = {}


def _add(name: str, started: float) -> None:
    SUMS[name] = SUMS.get(name, 0.0) + time.thread_time() - started


def _sync(fn: Callable[..., Any], name: str, *, any_thread: bool) -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        on_loop = threading.get_ident() == MAIN
        if not (on_loop or any_thread):
            return fn(*args, **kwargs)
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(name + ("" if on_loop else " [commit thread]"), started)

    return timed


class _Steps:
    """Awaits a coroutine, adding up the CPU of each of its steps (not of its waits)."""

    def __init__(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        self.coro, self.name = coro, name

    def __await__(self) -> Generator[Any, Any, Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            started = time.thread_time()
            try:
                step = self.coro.throw(error) if error else self.coro.send(value)
            except StopIteration as stop:
                _add(self.name, started)
                return stop.value
            _add(self.name, started)
            try:
                value, error = (yield step), None
            except BaseException as exc:
                value, error = None, exc


def _async(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        return await _Steps(fn(*args, **kwargs), name)

    return timed


def install() -> None:
    """Wrap every phase (in its module and wherever it was imported by name)."""
    for module_name, qualname, kind, name in PHASES:
        owner: Any = importlib.import_module(module_name)
        *path, attr = qualname.split(".")
        for part in path:
            owner = getattr(owner, part)
        fn = getattr(owner, attr)
        wrapped = _async(fn, name) if kind == "async" else _sync(fn, name, any_thread=kind == "any")
        setattr(owner, attr, wrapped)
        if not path:
            for module in list(sys.modules.values()):
                for key, value in list(getattr(module, "__dict__", {}).items()):
                    if value is fn:
                        setattr(module, key, wrapped)


def install_in_node() -> None:
    """Called from the generated sitecustomize: in a node (`cli start`) only, install once the
    node's modules are imported, and write the sums at exit."""
    if "start" not in sys.orig_argv or OUT_ENV not in os.environ:
        return
    original = builtins.__import__
    done = False

    def hook(name: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal done
        module = original(name, *args, **kwargs)
        if not done and name == "node.service":
            done = True
            builtins.__import__ = original
            install()
        return module

    builtins.__import__ = hook

    def dump() -> None:
        out = Path(os.environ[OUT_ENV]) / f"{os.getpid()}.json"
        out.write_text(json.dumps(SUMS))

    atexit.register(dump)


def main() -> None:
    args = sys.argv[1:] or DEFAULT_ARGS
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="loop-phases-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(
            "import benchmarks.loop_phases as phases\nphases.install_in_node()\n"
        )
        env = dict(os.environ)
        env[OUT_ENV] = tmp
        env["PYTHONPATH"] = os.pathsep.join([str(site), str(root), env.get("PYTHONPATH", "")])
        command = [sys.executable, "-m", "cli", "bench", *args, "--output", "json"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
        result = json.loads(done.stdout)
        dumps = sorted(Path(tmp).glob("*.json"))
        if not dumps:
            sys.exit("no node wrote its phases")
        sums = json.loads(dumps[0].read_text())
    txs = max(1, int(result["committed"]))
    print(
        f"coterie bench {' '.join(args)}: {result['tps_overall']:,.0f} tx/s whole run, verify "
        f"ceiling {result['verify_rate']:,.0f}/s, load {result['load_before']} / "
        f"{result['load_after']}"
    )
    cpu = result.get("cpu_us_per_tx", {}).get("node0")
    if cpu:
        print(
            f"node0 CPU per tx, µs: loop {cpu['loop']}, other threads {cpu['threads']}, "
            f"workers {cpu['workers']}"
        )
    print(f"{'phase (first node)':<44}{'µs per committed tx':>20}")
    for _module, _qualname, _kind, name in PHASES:
        for row in (name, name + " [commit thread]"):
            if row in sums:
                print(f"{row:<44}{sums[row] * 1e6 / txs:>20.2f}")


if __name__ == "__main__":
    main()
