"""Restart time of a validator with many heights (and optionally a large state).

One validator whose genesis sets 1 ms block and empty-block intervals, so that it piles up empty
heights as fast as it can commit them, on a state prefilled with `--accounts` funded accounts
(cli/bench/prefill.py); once it reaches `--heights`, it is stopped and started again and timed as
`coterie bench --restart` does (cli/bench/restart.py: until its API answers, CPU time by then,
until it commits again). Prints one JSON object, with the load average before and after.

Usage: .venv/bin/python -m benchmarks.restart_bench --accounts 1000000 --heights 10000
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

from cli.bench import load, prefill
from cli.bench.nodes import peak_rss_mib, print_logs
from cli.bench.restart import measure_restart
from cli.testnet_run import NodeProcess, Supervisor
from node.home import NodeHome
from node.testnet import init_testnet


def run(accounts: int, heights: int) -> dict[str, object]:
    load_before = os.getloadavg()[0]
    keys = load.sender_keys(10)
    with tempfile.TemporaryDirectory(prefix="coterie-restart-") as tmp:
        net = init_testnet(Path(tmp) / "net", 1, block_interval_ms=1, empty_block_interval_ms=1)
        started = time.perf_counter()
        items = prefill.prefilled_items(net.genesis, [k.address for k in keys], accounts)
        chain = NodeHome(net.nodes[0].home).data_dir / "chain"
        prefill.write_prefilled([chain], net.genesis, items)
        del items
        prefill_s = time.perf_counter() - started
        node = NodeProcess("node0", net.nodes[0].home, net.nodes[0].api_url)
        supervisor = Supervisor([node], out=io.StringIO())
        try:
            node.start(sys.executable)
            started = time.perf_counter()
            while True:
                node.poll()
                if node.exit_code is not None:
                    raise RuntimeError(f"the node exited with code {node.exit_code}")
                if node.height >= heights:
                    break
                time.sleep(1.0)
            pile_s = time.perf_counter() - started
            restart = measure_restart(node)
            rss = peak_rss_mib(node)
        except Exception:
            print_logs([node])
            raise
        finally:
            supervisor.stop_all()
    return {
        "accounts": accounts,
        "heights": restart["restart_height"],
        "prefill_s": round(prefill_s, 1),
        "heights_per_s": round(heights / pile_s, 1),
        **restart,
        "rss_mib_after_restart": rss,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=0)
    parser.add_argument("--heights", type=int, default=2_000)
    args = parser.parse_args()
    print(json.dumps(run(args.accounts, args.heights), indent=2))


if __name__ == "__main__":
    main()
