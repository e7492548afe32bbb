"""Handlers do not trust the wire decoder (issue 23): a payload built in-process with a negative
or oversized integer is refused with INVALID_PAYLOAD and changes nothing; a negative ragequit
used to pay out and mint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.codec import U64_MAX
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.splits.payloads import SplitPay
from ledger.state.context import BlockContext
from ledger.state.executor import check_envelope
from ledger.state.transfer import Transfer
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee
from ledger.tx import Payload, SignedTx, TxBody
from tests.ledger.conftest import ALICE, BOB, Chain
from tests.ledger.treasury.conftest import make_coop


def test_a_negative_ragequit_is_refused_and_mints_nothing(chain: Chain) -> None:
    coop = make_coop(chain)
    code = chain.reject(ALICE, Ragequit(coop.cid, ((0, -5),)))
    assert code is ErrorCode.INVALID_PAYLOAD


BAD = st.one_of(st.integers(max_value=-1), st.integers(min_value=U64_MAX + 1))


def payloads(cid: bytes, bad: int) -> list[Payload]:
    return [
        Transfer(BOB.address, bad),
        Ragequit(cid, ((0, bad),)),
        Ragequit(cid, ((bad, 1),)),
        TreasuryDeposit(cid, NATIVE, bad),
        TokenTransfer(cid, 0, BOB.address, bad),
        AllowanceSpend(cid, Grantee.member(ALICE.address), NATIVE, BOB.address, bad),
        SplitPay(bytes(32), bad),
    ]


@pytest.mark.parametrize("index", range(7))
@settings(max_examples=5, deadline=None)
@given(bad=BAD)
def test_no_integer_outside_u64_reaches_a_handler(index: int, bad: int) -> None:
    """Every kind, any out-of-range integer anywhere in the payload: refused, nothing changed
    (`Chain.reject` checks that the state is untouched)."""
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    payload = payloads(coop.cid, bad)[index]
    assert chain.reject(ALICE, payload) is ErrorCode.INVALID_PAYLOAD


@pytest.mark.parametrize(
    ("nonce", "fee", "named"),
    [(-1, 0, "nonce"), (U64_MAX + 1, -1, "nonce"), (0, -1, "fee"), (5, U64_MAX + 1, "fee")],
)
def test_an_envelope_integer_outside_u64_is_refused_by_name(
    nonce: int, fee: int, named: str
) -> None:
    """The nonce is checked before the fee, each by name, before anything else of the tx."""
    params = ChainParams(chain_id="ints", address_prefix="tcot")
    ctx = BlockContext(params, bytes(32), 1, 0, BOB.address)
    tx = SignedTx(TxBody("ints", ALICE.public_key, nonce, fee, Transfer(BOB.address, 1)), bytes(64))
    with pytest.raises(TxError) as raised:
        check_envelope(tx, ctx, lambda _tx: True)
    assert raised.value.code is ErrorCode.INVALID_PAYLOAD
    assert raised.value.message.startswith(named)
