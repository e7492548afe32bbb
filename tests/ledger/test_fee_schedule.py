"""Issue 14, item 4: the spam model. Every tx costs a fee on a real chain; kinds that create
lasting state cost more (`fees.by_kind`); dev and test genesis files stay free.

On 2010e93 `min_fee` defaulted to 0 and had no per-kind rule, so a key with no coins created a
collective.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ledger.errors import ErrorCode, TxError
from ledger.genesis import (
    DEFAULT_FEE_BY_KIND,
    DEFAULT_MIN_FEE,
    ChainParams,
    Genesis,
    GenesisError,
    GenesisValidator,
)
from ledger.keys import PrivateKey
from ledger.state.context import BlockContext
from ledger.state.executor import check_envelope
from ledger.tx import Transfer, TxBody, TxKind

ALICE = PrivateKey.from_secret(b"alice")
VALIDATOR = PrivateKey.from_secret(b"validator")


def document(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "chain_id": "coterie-main",
        "address_prefix": "cot",
        "balances": [{"address": ALICE.address.to_text("cot"), "amount": 10**9}],
        "validators": [{"name": "v0", "public_key": VALIDATOR.public_key.hex(), "power": 1}],
    }
    doc.update(overrides)
    return doc


def test_a_genesis_that_says_nothing_about_fees_is_not_free() -> None:
    params = Genesis.from_json(document()).params
    assert params.min_fee == DEFAULT_MIN_FEE > 0
    assert params.min_fee_for(TxKind.TRANSFER) == DEFAULT_MIN_FEE
    assert params.min_fee_for(TxKind.COLLECTIVE_CREATE) == DEFAULT_FEE_BY_KIND["collective_create"]


def test_a_genesis_written_with_free_params_stays_free() -> None:
    """node/devnet.py builds dev and test genesis files this way (ChainParams' defaults)."""
    genesis = Genesis(
        params=ChainParams(chain_id="coterie-dev", address_prefix="tcot"),
        genesis_time_ms=0,
        balances=(),
        validators=(GenesisValidator("v", VALIDATOR.public_key, 1),),
    )
    again = Genesis.from_json(genesis.to_json())
    assert again.params.min_fee == 0 and again.params.fee_by_kind == ()
    assert again.hash() == genesis.hash()


def test_a_fee_schedule_round_trips_and_is_part_of_the_identity() -> None:
    fees = {"min_fee": 5, "by_kind": {"collective_create": 500}}
    genesis = Genesis.from_json(document(fees=fees))
    assert genesis.params.fee_by_kind == ((int(TxKind.COLLECTIVE_CREATE), 500),)
    assert Genesis.from_json(genesis.to_json()) == genesis
    cheaper = Genesis.from_json(document(fees={"min_fee": 5, "by_kind": {"collective_create": 6}}))
    assert cheaper.hash() != genesis.hash()


@pytest.mark.parametrize(
    ("fees", "reason"),
    [
        ({"min_fee": 0, "by_kind": {"no_such_kind": 1}}, "unknown tx kind"),
        ({"min_fee": 0, "by_kind": {"transfer": -1}}, "by_kind.transfer"),
        ({"min_fee": 0, "by_kind": []}, "by_kind must be an object"),
        ("free", "fees must be an object"),
    ],
)
def test_a_bad_fee_schedule_is_a_clear_error(fees: Any, reason: str) -> None:
    with pytest.raises(GenesisError, match=reason):
        Genesis.from_json(document(fees=fees))


def test_a_kind_pays_the_larger_of_its_fee_and_the_minimum() -> None:
    genesis = Genesis.from_json(document())
    params = dataclasses.replace(
        genesis.params, min_fee=10, fee_by_kind=((int(TxKind.TRANSFER), 3),)
    )
    ctx = BlockContext(params, genesis.hash(), 1, 0, VALIDATOR.address)
    body = TxBody(params.chain_id, ALICE.public_key, 0, 9, Transfer(VALIDATOR.address, 1))
    with pytest.raises(TxError) as caught:
        check_envelope(body.sign(ALICE, genesis.hash()), ctx, None)
    assert caught.value.code is ErrorCode.FEE_TOO_LOW
