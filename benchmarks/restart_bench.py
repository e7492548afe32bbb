"""Restart time of a validator with a long history (and optionally a large state).

One validator on a state prefilled with `--accounts` funded accounts (cli/bench/prefill.py) and
`--heights` committed empty blocks written before it starts (cli/bench/history.py: blocks as the
node builds them, commits signed by its key); it starts, commits once, and is then stopped and
started again, timed as `coterie bench --restart` does (cli/bench/restart.py: until its API
answers, CPU time by then, until it commits again). With `--profile DIR` the node runs under
cProfile; DIR/node0.prof is the restarted run's, written when it stops. Prints one JSON object,
with the load average before and after. `make bench` measures the same at 1M accounts and
100,000 heights (after a load) as its goal-6 row.

Usage: .venv/bin/python -m benchmarks.restart_bench --accounts 1000000 --heights 100000
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from cli.bench import history, load, prefill
from cli.bench.nodes import make_node, peak_rss_mib, print_logs, wait_ready
from cli.bench.restart import measure_restart
from cli.testnet_run import Supervisor
from node.home import NodeHome
from node.testnet import init_testnet


def run(accounts: int, heights: int, profile: Path | None = None) -> dict[str, object]:
    load_before = os.getloadavg()[0]
    keys = load.sender_keys(10)
    with tempfile.TemporaryDirectory(prefix="coterie-restart-") as tmp:
        now = int(time.time() * 1000)
        net = init_testnet(Path(tmp) / "net", 1, time_ms=history.genesis_time_for(heights, now))
        home = NodeHome(net.nodes[0].home)
        chain = home.data_dir / "chain"
        started = time.perf_counter()
        items = prefill.prefilled_items(net.genesis, [k.address for k in keys], accounts)
        prefill.write_prefilled([chain], net.genesis, items)
        del items
        prefill_s = time.perf_counter() - started
        started = time.perf_counter()
        history.write_history([chain], net.genesis, [home.load_validator_key()], heights)
        history_s = time.perf_counter() - started
        spec = net.nodes[0]
        node = make_node(spec.moniker, spec.home, spec.api_url, profile)  # both starts
        supervisor = Supervisor([node], out=io.StringIO())
        try:
            node.start(sys.executable)
            wait_ready([node])
            restart = measure_restart(node)
            rss = peak_rss_mib(node)
        except Exception:
            print_logs([node])
            raise
        finally:
            supervisor.stop_all()
    return {
        "accounts": accounts,
        "heights_written": heights,
        "prefill_s": round(prefill_s, 1),
        "history_s": round(history_s, 1),
        **restart,
        "rss_mib_after_restart": rss,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=0)
    parser.add_argument("--heights", type=int, default=2_000)
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the restart here")
    args = parser.parse_args()
    print(json.dumps(run(args.accounts, args.heights, args.profile), indent=2))


if __name__ == "__main__":
    main()
