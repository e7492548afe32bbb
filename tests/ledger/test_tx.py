"""The signed tx envelope: golden bytes, signature domain, and bad input."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger import tx as tx_module
from ledger.codec import MalformedError
from ledger.keys import Address, PrivateKey
from ledger.tx import SignedTx, Transfer, TxBody, TxKind

GENESIS_HASH = bytes(32)
ALICE = PrivateKey(bytes(range(32)))
BOB = Address(bytes([7]) * 20)


def transfer(nonce: int = 0, amount: int = 5, chain_id: str = "coterie-test") -> TxBody:
    return TxBody(chain_id, ALICE.public_key, nonce, 1, Transfer(BOB, amount, "hi"))


def test_transfer_golden_bytes() -> None:
    signed = transfer().sign(ALICE, GENESIS_HASH)
    assert signed.body.encode().hex() == (
        # [chain_id, kind=1, sender(32), nonce=0, fee=1, [recipient(20), amount=5, memo="hi"]]
        "96ac636f74657269652d7465737401c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc"
        "8664125531b8000193c414070707070707070707070707070707070707070705a26869"
    )
    assert SignedTx.decode(signed.encode()) == signed


def test_every_registered_kind_has_a_golden_test() -> None:
    # add a golden test (here or in the kind's own test module) and the kind to this set;
    # collectives and governance kinds: tests/ledger/{collectives,governance}/test_golden.py,
    # splits: tests/ledger/splits/test_payloads.py, content: tests/ledger/content/test_content.py,
    # treasury, multisig queue and moderation: tests/ledger/treasury/test_golden.py
    import ledger.state.registry  # noqa: F401 - registers every payload kind

    golden_tested = {
        TxKind.TRANSFER,
        TxKind.COLLECTIVE_CREATE,
        TxKind.MEMBERSHIP_APPLY,
        TxKind.MEMBERSHIP_WITHDRAW,
        TxKind.MEMBERSHIP_RENEW,
        TxKind.RAGEQUIT,
        TxKind.RAGEKICK,
        TxKind.TOKEN_TRANSFER,
        TxKind.DELEGATE,
        TxKind.PROPOSAL_SUBMIT,
        TxKind.PROPOSAL_SPONSOR,
        TxKind.VOTE,
        TxKind.VOTE_COMMIT,
        TxKind.VOTE_REVEAL,
        TxKind.PROPOSAL_CANCEL,
        TxKind.PROPOSAL_PROCESS,
        TxKind.MULTISIG_APPROVE,
        TxKind.MULTISIG_REJECT,
        TxKind.TREASURY_DEPOSIT,
        TxKind.ALLOWANCE_SPEND,
        TxKind.STREAM_CLAIM,
        TxKind.HOLDER_CLAIM,
        TxKind.SPLIT_CREATE,
        TxKind.SPLIT_UPDATE,
        TxKind.SPLIT_PAY,
        TxKind.SPLIT_DISTRIBUTE,
        TxKind.SPLIT_ACCEPT_OWNERSHIP,
        TxKind.CONTENT_ANCHOR,
        TxKind.MODERATION_ACT,
        TxKind.CONTENT_ENDORSE,  # economics: tests/ledger/economics/test_golden.py
        TxKind.MATCHING_CONTRIBUTE,
    }
    registered = {kind for kind in TxKind if kind in tx_module._PAYLOADS}
    assert registered == golden_tested


def test_signature_binds_genesis_and_body() -> None:
    signed = transfer().sign(ALICE, GENESIS_HASH)
    assert signed.verify_signature(GENESIS_HASH)
    assert not signed.verify_signature(bytes([1]) * 32)
    forged = SignedTx(transfer(amount=6), signed.signature)
    assert not forged.verify_signature(GENESIS_HASH)


def test_hash_is_of_the_canonical_envelope() -> None:
    a = transfer().sign(ALICE, GENESIS_HASH)
    b = SignedTx.decode(a.encode())
    assert a.hash == b.hash and len(a.hash) == 32
    assert transfer(nonce=1).sign(ALICE, GENESIS_HASH).hash != a.hash


def test_only_the_sender_can_sign() -> None:
    with pytest.raises(ValueError, match="not the tx sender"):
        transfer().sign(PrivateKey.generate(), GENESIS_HASH)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda f: f[:1], "expected 2 fields"),
        (lambda f: [f[0], b"x" * 63], "expected 64 bytes"),
        (lambda f: [[*f[0][:1], 999, *f[0][2:]], f[1]], "unknown tx kind 999"),
        (lambda f: [[f[0][0], 1, b"k" * 31, *f[0][3:]], f[1]], "sender"),
        (lambda f: [[*f[0][:3], -1, *f[0][4:]], f[1]], "nonce"),
        (lambda f: [[*f[0][:5], [f[0][5][0], 2**64 - 1 + 0, "m" * 300]], f[1]], "memo"),
        (lambda f: [[*f[0][:5], [b"short", 1, ""]], f[1]], "recipient"),
    ],
)
def test_malformed_envelopes_are_refused(mutate: object, reason: str) -> None:
    fields = transfer().sign(ALICE, GENESIS_HASH).to_fields()
    data = codec.encode(mutate(fields))  # type: ignore[operator]
    with pytest.raises(MalformedError, match=reason):
        SignedTx.decode(data)


def test_oversized_tx_is_refused_before_decoding() -> None:
    with pytest.raises(MalformedError, match="exceeds limit"):
        SignedTx.decode(b"\x00" * (64 * 1024 + 1))


@pytest.mark.parametrize(
    ("memo", "chain_id", "nonce"),
    [("", "c", 0), ("hi", "coterie-test", 2**64 - 1), ("é" * 128, "x" * 64, 300)],
)
def test_sign_bytes_cut_from_the_envelope_are_the_bodys(
    memo: str, chain_id: str, nonce: int
) -> None:
    body = TxBody(chain_id, ALICE.public_key, nonce, 2**40, Transfer(BOB, 2**63, memo))
    signed = body.sign(ALICE, GENESIS_HASH)
    for tx in (signed, SignedTx.decode(signed.encode())):
        assert tx.sign_bytes(GENESIS_HASH) == body.sign_bytes(GENESIS_HASH)
        assert tx.verify_signature(GENESIS_HASH)
    assert not signed.verify_signature(bytes([1]) * 32)  # the genesis hash is signed too
