"""Bounded cost without timing: starting a vote, voting and closing read as much state in a
collective of 300 members as in one of 30 (before running tallies each of them visited every
member), and a payment to 300 holders as much as to 30."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ledger.collectives import roster, tokens
from ledger.collectives.delegation import set_delegation
from ledger.collectives.ids import Asset
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.store import require_collective
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.keys import Address
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.state.reader import MemoryState
from tests.ledger.conftest import ALICE, BOB, CAROL, ERIN, YES, Chain, proposal_id


class CountingState:
    """A state that counts what is read from it: point reads and prefix-scan items."""

    def __init__(self, inner: MemoryState) -> None:
        self.inner = inner
        self.reads = 0

    def get(self, key: bytes) -> bytes | None:
        self.reads += 1
        return self.inner.get(key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        self.reads += 1
        for item in self.inner.iter_prefix(prefix):
            self.reads += 1
            yield item

    def apply(self, changes: Mapping[bytes, bytes | None]) -> None:
        self.inner.apply(changes)


def reads_at(size: int) -> dict[str, int]:
    """State reads of each step in a collective of Alice, Bob, Carol and `size` more members,
    every tenth of them lending half a vote to Bob."""
    chain = Chain(check_signatures=False)
    founders = [(k, (10, 1)) for k in (ALICE, BOB, CAROL)]
    cid = chain.create_collective(ALICE, founders, params=CollectiveParams(max_members=1_000))
    view, height = chain.view, chain.height
    collective = require_collective(view, cid)
    for n in range(size):  # the crowd joins as admissions would: membership, then units
        who = Address(bytes([0xCC]) + n.to_bytes(19, "big"))
        roster.join(view, height, cid, collective, who, now_ms=chain.time_ms)
        for token_class in (0, 1):
            tokens.mint(view, height, cid, collective, token_class=token_class, to=who, amount=10)
        if n % 10 == 0:
            set_delegation(view, height, cid, who, scope=0, splits=((BOB.address, 500_000),))
    chain.next_block()
    counting = CountingState(chain.state)
    chain.state = counting  # type: ignore[assignment]
    chain.next_block()
    reads: dict[str, int] = {}

    def step(name: str, action: object) -> None:
        before = counting.reads
        action() if callable(action) else None
        reads[name] = counting.reads - before

    pid_box: list[int] = []
    step("start", lambda: pid_box.append(proposal_id(chain.send(ALICE, ProposalSubmit(cid, ())))))
    chain.next_block()
    step("vote", lambda: chain.send(CAROL, Vote(pid_box[0], YES)))  # Bob reads his lenders
    chain.next_block(4 * DAY)
    step("close", chain.next_block)
    assert require_proposal(chain.view, pid_box[0]).status is not Status.VOTING
    holders = Party(PartyKind.TOKEN_HOLDERS, Asset(cid, 1).raw)
    create = SplitCreate(None, SplitTerms((holders,), (1,), 1))
    sid = split_id_for(ERIN.address, chain.nonces.get(ERIN.public_key, 0))
    chain.send(ERIN, create)
    chain.next_block()
    step("payment", lambda: chain.send(ERIN, SplitPay(sid, 1_000)))
    return reads


def test_starting_voting_closing_and_paying_holders_read_alike_at_30_and_300_members() -> None:
    small, large = reads_at(30), reads_at(300)
    assert small == large, (small, large)
