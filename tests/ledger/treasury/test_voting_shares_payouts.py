"""Voting shares of another collective paid out of a treasury (a stream claim, a stream cancel,
an allowance spend, a holder claim) are voting power in that collective from the block that paid
them: each payment records the new power at its own height, the block before keeps the old."""

from __future__ import annotations

from ledger.collectives.checkpoints import latest_power, point_at
from ledger.collectives.ids import Asset
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.actions_treasury import (
    HolderDistribution,
    SetAllowance,
    StreamCancel,
    StreamCreate,
)
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee
from ledger.treasury.holder_claim import HolderClaim
from ledger.treasury.stream_claim import StreamClaim
from ledger.treasury.streams import require_stream
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, DAVE, Chain
from tests.ledger.treasury.conftest import Coop, enact

MONTH = 30 * 24 * 3600 * 1000
FAN_CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True, members_only=False),
    TokenClass("loot", ClassKind.LOOT),
)


def fan_shares_in_treasury(coop: Coop) -> Asset:
    """A fan club whose voting shares trade freely (Dave 1,000, Alice 10); the coop holds 600."""
    chain = coop.chain
    fans = chain.create_collective(
        DAVE, [(DAVE, (1_000, 0)), (ALICE, (10, 0))], classes=FAN_CLASSES, name="fans"
    )
    shares = Asset(fans, 0)
    chain.accept(coop.cid, shares)
    chain.send(DAVE, TreasuryDeposit(coop.cid, shares, 600))
    chain.next_block()
    return shares


def gained_at_this_height(chain: Chain, shares: Asset, before: int) -> int:
    """Alice's power gain, checking the block before still shows the old power."""
    assert point_at(chain.view, shares.collective, ALICE.address, chain.height - 1).power == before
    return latest_power(chain.view, shares.collective, ALICE.address) - before


def test_voting_shares_paid_out_of_a_treasury_count_from_the_block_that_paid_them(
    coop: Coop,
) -> None:
    chain = coop.chain
    shares = fan_shares_in_treasury(coop)
    fans = shares.collective
    _, events = enact(
        coop, [StreamCreate(ALICE.address, shares, Schedule(0, 12 * MONTH, MONTH, 0, 120))]
    )
    [created] = [e for e in events if e.kind == "stream_created"]
    sid = created.get("stream")
    assert isinstance(sid, int)
    chain.next_block(require_stream(chain.view, sid).schedule.start_ms + MONTH - chain.time_ms)
    power = latest_power(chain.view, fans, ALICE.address)
    chain.send(ALICE, StreamClaim(sid))
    assert gained_at_this_height(chain, shares, power) == 10
    chain.next_block(MONTH)
    power = latest_power(chain.view, fans, ALICE.address)
    enact(coop, [StreamCancel(sid)])  # executed at the end of a block: pays what vested
    assert latest_power(chain.view, fans, ALICE.address) - power == 10

    enact(coop, [SetAllowance(Grantee.member(BOB.address), shares, 50, 0)])
    chain.next_block()
    power = latest_power(chain.view, fans, ALICE.address)
    chain.send(
        BOB, AllowanceSpend(coop.cid, Grantee.member(BOB.address), shares, ALICE.address, 50)
    )
    assert gained_at_this_height(chain, shares, power) == 50

    enact(coop, [HolderDistribution(Asset(coop.cid, 0), shares, 25)])  # Alice holds 10 of 25
    chain.next_block()
    power = latest_power(chain.view, fans, ALICE.address)
    chain.send(ALICE, HolderClaim(Asset(coop.cid, 0)))
    assert gained_at_this_height(chain, shares, power) == 10
