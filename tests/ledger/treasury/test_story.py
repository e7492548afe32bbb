"""Stories: five creators take a brand deal through their collective's split, invoice and all,
and a member's stream vests month by month."""

from __future__ import annotations

from fractions import Fraction

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.collectives.model import DEFAULT_CLASSES
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.actions_splits import CollectiveSplitCreate, collective_split_id
from ledger.governance.actions_treasury import StreamCreate
from ledger.governance.proposal import Status
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitPay
from ledger.splits.store import records_for_invoice
from ledger.treasury.invoices import receipts_for_invoice
from ledger.treasury.stream_claim import StreamClaim
from ledger.treasury.streams import require_stream, reserves
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, BRAND, CAROL, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import Coop, balance, enact, proposal, terms

CREATORS = (ALICE, BOB, CAROL, DAVE, ERIN)
DAY = 24 * 3600 * 1000
MONTH = 30 * DAY


def test_five_creators_take_a_brand_deal_and_every_share_arrives(chain: Chain) -> None:
    # Five creators run a collective; the video editor (Erin) holds the smallest share.
    cid = chain.create_collective(
        ALICE,
        [(key, (shares, 0)) for key, shares in zip(CREATORS, (8, 6, 4, 2, 1), strict=True)],
        classes=DEFAULT_CLASSES,
        name="Five Frames",
    )
    chain.next_block()
    coop = Coop(chain, cid)

    # They agree by proposal on how deals are shared: 10 % to the collective's treasury, the
    # rest by the work each one puts in. The split belongs to the collective: only a proposal
    # can change it.
    guild = Party(PartyKind.COLLECTIVE, cid)
    deal_terms = terms([(ALICE, 27), (BOB, 23), (CAROL, 20), (DAVE, 13), (ERIN, 7), (guild, 10)])
    pid, _ = enact(coop, [CollectiveSplitCreate(deal_terms)], voters=CREATORS)
    assert proposal(coop, pid).status is Status.EXECUTED
    split_id = collective_split_id(cid, pid, deal_terms, ())

    # The sneaker brand pays the invoice straight into the split; it is shared in the same tx.
    before = {k: balance(chain, k) for k in CREATORS}
    deal = 987_653
    chain.send(BRAND, SplitPay(split_id, deal, b"SNKR-2025-014", "summer sneaker campaign"))
    received = {k: balance(chain, k) - before[k] for k in CREATORS}
    kept = treasury.balance(chain.view, cid, NATIVE)
    assert sum(received.values()) + kept == deal  # to the last unit
    for party, share in zip(deal_terms.recipients, deal_terms.shares, strict=True):
        exact = Fraction(deal * share, deal_terms.total)
        got = (
            kept
            if party == guild
            else received[next(k for k in CREATORS if k.address.raw == party.id)]
        )
        assert abs(got - exact) < 1

    # The invoice links the deal to its payment in the split's history and in the treasury's.
    (paid,) = records_for_invoice(chain.view, split_id, b"SNKR-2025-014")
    assert paid.amount == deal and paid.source == Party.account(BRAND.address)
    (receipt,) = receipts_for_invoice(chain.view, cid, b"SNKR-2025-014")
    assert receipt.amount == kept and receipt.payer == Party.split(split_id)
    assert receipt.memo == "summer sneaker campaign"


def test_a_members_stream_vests_monthly(chain: Chain) -> None:
    # The collective funds Carol's restoration series: 600 a month for six months, nothing
    # before the first episode ships (a one-month cliff).
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (10, 0)), (CAROL, (5, 0))])
    chain.send(BRAND, TreasuryDeposit(cid, NATIVE, 10_000, "patron fund"))
    chain.next_block()
    coop = Coop(chain, cid)
    schedule = Schedule(0, 6 * MONTH, MONTH, MONTH, 6 * 600)
    pid, events = enact(coop, [StreamCreate(CAROL.address, NATIVE, schedule)])
    assert proposal(coop, pid).status is Status.EXECUTED
    stream_id = next(e.get("stream") for e in events if e.kind == "stream_created")
    assert isinstance(stream_id, int)
    start = require_stream(chain.view, stream_id).schedule.start_ms
    assert treasury.balance(chain.view, cid, NATIVE) == 10_000 - 3_600  # reserved at once

    # Carol claims at each month's end; every month pays exactly 600.
    before = balance(chain, CAROL)
    for month in range(1, 7):
        chain.next_block(start + month * MONTH - chain.time_ms)
        chain.send(CAROL, StreamClaim(stream_id))
        assert balance(chain, CAROL) - before == 600 * month
    assert require_stream(chain.view, stream_id).reserve == 0
    assert reserves(chain.view) == []
    assert treasury.balance(chain.view, cid, NATIVE) == 10_000 - 3_600
