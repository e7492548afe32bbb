"""Governance cost at scale: votes, starts and end-of-block closes in a 10,000-member collective.

    .venv/bin/python benchmarks/governance_bench.py                    # 10,000 members, 1,000 open
    .venv/bin/python benchmarks/governance_bench.py --members 1000 --proposals 128

One collective of `--members` members (1 to 100 shares each; every tenth member delegates half
of their vote to one of 50 delegates, so each delegate has about 20 delegators) and
`--proposals` open binary proposals (10 proposers, 100 live each), each with `--votes` ballots.
Then measured, through the real executor and end-block hooks (signatures not checked):
- a vote at that size: one `Vote` tx of a plain member, and of a delegate (their weight reads
  their delegators), median of `--reps` each;
- starting a vote: one `ProposalSubmit` by a member (snapshot total, running tally);
- a voter's shares changing while the votes are open: a `Ragequit` of one share (its ballots
  count only what is still held, so every open vote of the collective is looked at);
- end of block with the proposals open and none due, and each block that closes them (the
  hook closes at most 128 per block); the worst block is reported;
- holder payouts: one payment to a class of `--members` holders.
State is an in-memory sorted map with O(log n) prefix seeks, as LevelDB gives the node; the
Merkle update and the commit are not included (docs/ledger.md measures those). Times are the
CPU time of the executing thread (`time.thread_time`), so other processes on the shared cores
do not inflate them. Prints one line per measurement and a Markdown table at the end.
"""

from __future__ import annotations

import argparse
import bisect
import statistics
import time
from collections.abc import Callable, Iterator, Mapping

import ledger.state.registry  # noqa: F401 - registers every tx kind and hook
from ledger.collectives.create import Founder, install_collective
from ledger.collectives.delegation import set_delegation
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.model import ClassKind, Collective, TokenClass
from ledger.collectives.params import DAY, CollectiveParams
from ledger.genesis import ChainParams
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote
from ledger.keys import Address
from ledger.state.accounts import credit
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.executor import execute_tx
from ledger.state.handlers import end_block_hooks
from ledger.state.view import StateView
from ledger.treasury.holders import pay_holders
from ledger.tx import Payload, SignedTx, TxBody

CLOCK = time.thread_time  # CPU seconds of this thread: other processes share the cores
CID = bytes([7]) * 20
GENESIS = bytes(32)
PARAMS = ChainParams(chain_id="bench", address_prefix="tcot")
START = 1_700_000_000_000
YES = Ballot.binary(BinaryOption.YES)
CLASSES = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
)


class SortedState:
    """A `StateReader` over a dict and a sorted key list: O(log n) seeks like LevelDB's."""

    def __init__(self) -> None:
        self.items: dict[bytes, bytes] = {}
        self.keys: list[bytes] = []

    def get(self, key: bytes) -> bytes | None:
        return self.items.get(key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        i = bisect.bisect_left(self.keys, prefix)
        while i < len(self.keys) and self.keys[i].startswith(prefix):
            key = self.keys[i]
            yield key, self.items[key]
            i += 1

    def apply(self, changes: Mapping[bytes, bytes | None]) -> None:
        added = [k for k, v in changes.items() if v is not None and k not in self.items]
        for key, value in changes.items():
            if value is None:
                self.items.pop(key, None)
            else:
                self.items[key] = value
        gone = {k for k, v in changes.items() if v is None}
        if gone:
            self.keys = [k for k in self.keys if k not in gone]
        self.keys = sorted(self.keys + added) if added else self.keys


def member_key(n: int) -> bytes:
    """A distinct 32-byte public key per member (signatures are not checked here)."""
    return b"\x99" + n.to_bytes(31, "big")


def address(n: int) -> Address:
    return Address.from_public_key(member_key(n))


class Bench:
    def __init__(self) -> None:
        self.state = SortedState()
        self.view = StateView(self.state)
        self.height = 1
        self.time_ms = START
        self.nonces: dict[int, int] = {}

    @property
    def ctx(self) -> BlockContext:
        return BlockContext(PARAMS, GENESIS, self.height, self.time_ms, address(0))

    def send(self, who: int, payload: Payload) -> list[Event]:
        """Execute `payload` from member number `who` (signatures are not what is measured)."""
        nonce = self.nonces.get(who, 0)
        tx = SignedTx(TxBody(PARAMS.chain_id, member_key(who), nonce, 0, payload), bytes(64))
        receipt = execute_tx(self.view, self.ctx, tx, signature_ok=lambda _tx: True)
        self.nonces[who] = nonce + 1
        return list(receipt.events)

    def end_block(self, advance_ms: int = 1_000) -> float:
        """Run the end-block hooks, commit, open the next block; returns the hooks' seconds."""
        t0 = CLOCK()
        for _name, hook in end_block_hooks():
            hook(self.view, self.ctx)
        elapsed = CLOCK() - t0
        self.state.apply(self.view.changes())
        self.view = StateView(self.state)
        self.height += 1
        self.time_ms += advance_ms
        return elapsed


def timed(action: Callable[[], object]) -> float:
    t0 = CLOCK()
    action()
    return CLOCK() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--votes", type=int, default=20, help="ballots per proposal")
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args()
    bench = Bench()
    count = args.members
    members = [address(n) for n in range(count)]
    params = CollectiveParams(max_members=10_000, max_live_per_proposer=100)
    t0 = time.perf_counter()
    collective = Collective("bench", "", members[0], 0, CLASSES, params)
    founders = [Founder(a, (n % 100 + 1, 1)) for n, a in enumerate(members)]
    install_collective(bench.view, 1, START, CID, collective, founders=founders, policies=())
    for who in members:
        credit(bench.view, who, 10**9)
    delegates = range(50)  # members 0-49; every tenth member from 50 on lends them half a vote
    for n in range(50, count, 10):
        splits = ((members[n % 50], 500_000),)
        set_delegation(bench.view, 1, CID, members[n], scope=0, splits=splits)
    bench.end_block()
    print(f"set up {count:,} members in {time.perf_counter() - t0:.1f}s", flush=True)

    pids: list[int] = []
    starts = []
    for n in range(args.proposals):
        payload = ProposalSubmit(CID, (), metadata=f"p{n}")
        started = CLOCK()
        events = bench.send(50 + n % 10, payload)
        starts.append(CLOCK() - started)
        pids += [int(e.get("proposal") or 0) for e in events if e.kind == "proposal_submitted"]
        if n % 200 == 199:
            bench.end_block()
    bench.end_block()
    voters = range(100, count - args.reps)
    for i, pid in enumerate(pids):
        for j in range(args.votes):
            bench.send(voters[(i * args.votes + j) % len(voters)], Vote(pid, YES))
        if i % 100 == 99:
            bench.end_block()
    bench.end_block()
    tally = running_tally(bench.view, pids[0], require_proposal(bench.view, pids[0]))
    print(f"{len(pids):,} proposals open with {args.votes} ballots each: {tally}", flush=True)

    idle = statistics.median(bench.end_block() for _ in range(5))
    plain, delegate = [], []
    for r in range(args.reps):
        pid = pids[r % len(pids)]
        plain.append(timed(lambda p=pid, v=count - 1 - r: bench.send(v, Vote(p, YES))))
        who = delegates[r % len(delegates)]
        delegate.append(timed(lambda p=pid, v=who: bench.send(v, Vote(p, YES))))
    exits = []
    for r in range(args.reps):  # a voter's shares change while every vote is open
        who = voters[r * args.votes % len(voters)]
        exits.append(timed(lambda v=who: bench.send(v, Ragequit(CID, ((0, 1),)))))
    bench.end_block(4 * DAY)  # past every deadline: the next blocks close 128 each
    closes = [bench.end_block() for _ in range((len(pids) + 127) // 128)]
    still_open = [p for p in pids if require_proposal(bench.view, p).status is Status.VOTING]
    assert not still_open, f"{len(still_open)} proposals still open"
    holders = Asset(CID, 1)
    payment = statistics.median(
        timed(lambda: pay_holders(bench.view, holders, NATIVE, 1_000_003)) for _ in range(20)
    )
    ms = 1_000
    rows = [
        ("vote (plain member), median", statistics.median(plain) * ms, "≤ 1 ms"),
        ("vote (a delegate, ~20 delegators), median", statistics.median(delegate) * ms, "≤ 1 ms"),
        ("ProposalSubmit that starts a vote, median", statistics.median(starts) * ms, ""),
        (
            f"Ragequit of 1 share by a voter, {len(pids):,} votes open, median",
            statistics.median(exits) * ms,
            "",
        ),
        (f"end of block, {len(pids):,} open, none due, median", idle * ms, "≤ 50 ms"),
        ("end of block closing 128 (worst block)", max(closes) * ms, "≤ 50 ms"),
        ("end of block closing 128 (median block)", statistics.median(closes) * ms, "≤ 50 ms"),
        (f"payment to {args.members:,} holders, median", payment * ms, ""),
    ]
    for name, value, _goal in rows:
        print(f"{name}: {value:.2f} ms", flush=True)
    print(f"\n| measured at {args.members:,} members, {len(pids):,} proposals | ms | goal |")
    print("| --- | --- | --- |")
    for name, value, goal in rows:
        print(f"| {name} | {value:.2f} | {goal} |")


if __name__ == "__main__":
    main()
