"""Cost of a SetParams that turns membership terms on, off, or changes the grace: every member's
record and voting-power point is rewritten once (ledger/collectives/terms.py, issue 23).

    .venv/bin/python benchmarks/terms_bench.py [--members 10000]

Builds a collective of `--members` members holding one share each in memory, commits it, then
times `apply_term_change` for terms on, the grace changed, and terms off, each in a fresh view
over the committed state (what executing the proposal's action costs inside a block).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from ledger.collectives import roster
from ledger.collectives.create import Founder, install_collective
from ledger.collectives.model import DEFAULT_CLASSES, Collective
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.terms import apply_term_change
from ledger.collectives.tokens import mint
from ledger.genesis import ChainParams
from ledger.hashing import ZERO_HASH
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.reader import MemoryState
from ledger.state.view import StateView

CID = bytes(range(20))
CTX = BlockContext(ChainParams("bench", "tcot"), ZERO_HASH, 2, DAY, Address(bytes(20)))


def build(members: int) -> tuple[MemoryState, Collective]:
    state = MemoryState()
    view = StateView(state)
    params = CollectiveParams(max_members=10_000)
    collective = Collective("bench", "", Address(bytes(20)), 1, DEFAULT_CLASSES, params)
    first = Founder(Address((1).to_bytes(20, "big")), (1, 0))
    install_collective(view, 1, 0, CID, collective, founders=[first], policies=[])
    for i in range(2, members + 1):
        who = Address(i.to_bytes(20, "big"))
        roster.join(view, 1, CID, collective, who, now_ms=0)
        mint(view, 1, CID, collective, token_class=0, to=who, amount=1)
    state.apply(view.changes())
    return state, collective


def timed(state: MemoryState, old: Collective, new_params: CollectiveParams) -> tuple[int, float]:
    view = StateView(state)
    start = time.perf_counter()
    changed = apply_term_change(view, CTX, CID, old.params, old.with_params(new_params))
    return changed, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    members = parser.parse_args().members
    state, collective = build(members)
    on = dataclasses.replace(collective.params, membership_term_ms=30 * DAY)
    changed, ms = timed(state, collective, on)
    print(f"terms on:      {changed} member records rewritten, {ms:.0f} ms")
    termed = collective.with_params(on)
    view = StateView(state)
    apply_term_change(view, CTX, CID, collective.params, termed)
    state.apply(view.changes())
    grace = dataclasses.replace(on, renewal_grace_ms=DAY)
    changed, ms = timed(state, termed, grace)
    print(f"grace changed: {changed} member records rewritten (points only), {ms:.0f} ms")
    off = dataclasses.replace(on, membership_term_ms=0)
    changed, ms = timed(state, termed, off)
    print(f"terms off:     {changed} member records rewritten, {ms:.0f} ms")


if __name__ == "__main__":
    main()
