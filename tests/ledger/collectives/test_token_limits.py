"""Token holdings and supplies at their limits: a holding or supply may reach U64_MAX and not
pass it, a holder may give up exactly what they hold and no more, and a members-only class is
refused to a stranger; each refusal changes nothing and names its reason."""

from __future__ import annotations

import pytest

from ledger.codec import U64_MAX
from ledger.collectives import tokens
from ledger.collectives.holdings import holding, supply
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from tests.ledger.conftest import ALICE, DAVE, Chain

CLASSES = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
)
LOOT = 1


def refused(chain: Chain, action: object) -> ErrorCode:
    before = chain.view.changes()
    with pytest.raises(TxError) as info:
        action()  # type: ignore[operator]
    assert chain.view.changes() == before
    return info.value.code


def test_a_supply_reaches_u64_max_and_stops_there(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], classes=CLASSES)
    collective, view, h = require_collective(chain.view, cid), chain.view, chain.height
    tokens.mint(view, h, cid, collective, token_class=LOOT, to=DAVE.address, amount=U64_MAX - 1)
    tokens.mint(view, h, cid, collective, token_class=LOOT, to=ALICE.address, amount=1)
    assert supply(view, cid, LOOT) == U64_MAX

    def one_more() -> None:
        tokens.mint(view, h, cid, collective, token_class=LOOT, to=ALICE.address, amount=1)

    assert refused(chain, one_more) is ErrorCode.OVERFLOW


def test_a_holding_reaches_u64_max_and_stops_there(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], classes=CLASSES)
    collective, view, h = require_collective(chain.view, cid), chain.view, chain.height
    tokens.credit_holding(
        view, h, cid, collective, token_class=LOOT, to=DAVE.address, amount=U64_MAX - 1
    )
    tokens.credit_holding(view, h, cid, collective, token_class=LOOT, to=DAVE.address, amount=1)
    assert holding(view, cid, LOOT, DAVE.address) == U64_MAX

    def one_more() -> None:
        tokens.credit_holding(view, h, cid, collective, token_class=LOOT, to=DAVE.address, amount=1)

    assert refused(chain, one_more) is ErrorCode.OVERFLOW


def test_a_holder_gives_up_exactly_what_they_hold_and_no_more(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], classes=CLASSES)
    collective, view, h = require_collective(chain.view, cid), chain.view, chain.height
    tokens.mint(view, h, cid, collective, token_class=LOOT, to=DAVE.address, amount=5)

    def too_much() -> None:
        tokens.burn(view, h, cid, collective, token_class=LOOT, holder=DAVE.address, amount=6)

    assert refused(chain, too_much) is ErrorCode.INSUFFICIENT_FUNDS
    event = tokens.burn(view, h, cid, collective, token_class=LOOT, holder=DAVE.address, amount=5)
    assert (holding(view, cid, LOOT, DAVE.address), supply(view, cid, LOOT)) == (0, 0)
    assert (event.kind, dict(event.attributes)) == (
        "burn",
        {"collective": cid, "token_class": LOOT, "holder": DAVE.address.raw, "amount": 5},
    )


def test_a_members_only_class_is_refused_to_a_stranger_even_for_nothing(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], classes=CLASSES)
    collective, view, h = require_collective(chain.view, cid), chain.view, chain.height
    for amount in (0, 1):

        def credit(amount: int = amount) -> None:
            tokens.credit_holding(
                view, h, cid, collective, token_class=0, to=DAVE.address, amount=amount
            )

        assert refused(chain, credit) is ErrorCode.NOT_MEMBER
