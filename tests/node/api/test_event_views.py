"""Every event attribute is shown in the form a command takes back (issue 15): a collective as
its hex id, an asset as `native` or `COLLECTIVE/CLASS`, an invoice reference as its text, enum
numbers by name, a party's id by its kind."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives.ids import Asset
from ledger.content.records import ModerationAction, ModerationDecision
from ledger.errors import ErrorCode
from ledger.governance.kinds import ProposalKind
from ledger.keys import Address
from ledger.splits.parties import PartyKind
from ledger.state.events import Event, Receipt
from ledger.state.keys import u64
from node.api.splits import decision_view
from node.api.views import receipt_view

GUILD = bytes.fromhex("9f06931e" + "00" * 16)
BOB = Address(bytes([7]) * 20)


def _attributes(event: Event) -> dict[str, object]:
    view = receipt_view(Receipt(bytes(32), ErrorCode.OK, (event,)), "tcot")
    attributes: dict[str, object] = view["events"][0]["attributes"]
    return attributes


def test_a_deposit_names_the_collective_by_id_and_the_invoice_by_its_text() -> None:
    shown = _attributes(
        Event.of(
            "treasury_deposit",
            collective=GUILD,
            sender=BOB.raw,
            asset=Asset(GUILD, 1).raw,
            amount=5,
            invoice_ref=b"brand-2026-001",
        )
    )
    assert shown["collective"] == GUILD.hex()
    assert shown["sender"] == BOB.to_text("tcot")
    assert shown["asset"] == f"{GUILD.hex()}/1"
    assert shown["invoice_ref"] == "brand-2026-001"


def test_native_asset_enum_numbers_and_party_ids_by_kind() -> None:
    shown = _attributes(
        Event.of(
            "allowance_set",
            collective=GUILD,
            grantee_kind=int(PartyKind.COLLECTIVE),
            grantee=GUILD,
            asset=b"",
            proposal_kind=int(ProposalKind.SPEND),
        )
    )
    assert shown["asset"] == "native"
    assert shown["grantee_kind"] == "COLLECTIVE" and shown["grantee"] == GUILD.hex()
    assert shown["proposal_kind"] == "SPEND"
    account = _attributes(Event.of("x", party_kind=0, party=BOB.raw))
    assert account["party"] == BOB.to_text("tcot")
    hidden = _attributes(Event.of("moderation_reversed", proposal=23, action=3))
    assert hidden == {"proposal": 23, "action": "RESTORE"}


def test_bytes_that_are_not_text_stay_hex() -> None:
    shown = _attributes(Event.of("split_paid", invoice_ref=b"\x00\xff"))
    assert shown["invoice_ref"] == "00ff"


@settings(max_examples=60, deadline=None)
@given(cid=st.binary(min_size=20, max_size=20), index=st.integers(0, 7))
def test_every_collective_and_asset_attribute_parses_back(cid: bytes, index: int) -> None:
    """The shown forms are what `Resolver.collective`/`asset` read: 40 hex, hex/index."""
    shown = _attributes(Event.of("mint", collective=cid, asset=Asset(cid, index).raw))
    assert bytes.fromhex(str(shown["collective"])) == cid
    collective, _, token = str(shown["asset"]).partition("/")
    assert bytes.fromhex(collective) == cid and int(token) == index


def test_a_moderation_decision_names_its_proposal_by_number_and_its_moderator_by_address() -> None:
    """`proposal_id` 23, not "0000000000000017"; the moderator as an address, the collective's
    own reversal by the collective's id (issue 15)."""
    moderator = Address(bytes([5]) * 20)
    by_moderator = ModerationDecision(
        0, ModerationAction.HIDE, GUILD, moderator.raw, "", "ipfs://why", u64(23), 1_000, 5, 900
    )
    view = decision_view(by_moderator, "tcot")
    assert view["proposal_id"] == 23 and view["appeal_until_ms"] == 1_000
    assert view["actor"] == moderator.to_text("tcot") and view["actor_kind"] == "ACCOUNT"
    reversal = dataclasses.replace(by_moderator, action=ModerationAction.RESTORE, actor=GUILD)
    view = decision_view(reversal, "tcot")
    assert view["actor"] == GUILD.hex() and view["actor_kind"] == "COLLECTIVE"
    assert view["action"] == "RESTORE" and view["reason_uri"] == "ipfs://why"
