"""What a payment into a treasury or to a class's holders tells the world: every attribute of
`treasury_deposit`, `holders_paid` and `holder_claim` (indexers and wallets read them)."""

from __future__ import annotations

from ledger.collectives.ids import Asset
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.store import split_id_for
from ledger.state.events import Event
from ledger.treasury.holder_claim import HolderClaim
from tests.ledger.conftest import ALICE, DAVE, ERIN
from tests.ledger.treasury.conftest import Coop, terms


def attributes(events: tuple[Event, ...] | list[Event], kind: str) -> list[dict[str, object]]:
    return [dict(e.attributes) for e in events if e.kind == kind]


def test_a_split_paying_a_treasury_and_a_class_says_who_got_what(coop: Coop) -> None:
    chain = coop.chain
    guild = Party(PartyKind.COLLECTIVE, coop.cid)
    loot = Asset(coop.cid, 1)  # Alice 4, Carol 2
    holders = Party(PartyKind.TOKEN_HOLDERS, loot.raw)
    sid = split_id_for(DAVE.address, chain.nonces.get(DAVE.public_key, 0))
    chain.send(DAVE, SplitCreate(None, terms([(guild, 1), (holders, 1)])))
    receipt = chain.send(ERIN, SplitPay(sid, 600, b"INV-1", "tour"))
    assert attributes(receipt.events, "treasury_deposit") == [
        {
            "collective": coop.cid,
            "payer": sid,
            "asset": b"",
            "amount": 300,
            "memo": "tour",
            "invoice_ref": b"INV-1",
            "receipt": 0,
        }
    ]
    assert attributes(receipt.events, "holders_paid") == [
        {"collective": coop.cid, "token_class": 1, "asset": b"", "amount": 300, "units": 6}
    ]
    claimed = chain.send(ALICE, HolderClaim(loot))
    assert attributes(claimed.events, "holder_claim") == [
        {
            "collective": coop.cid,
            "token_class": 1,
            "holder": ALICE.address.raw,
            "asset": b"",
            "amount": 200,
        }
    ]
