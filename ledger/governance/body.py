"""The chain's governing body: the collective whose VALIDATORS proposals change the validator set.

The genesis names it: "validators" means the built-in validators body (a collective whose members
are the active validators, see `ledger.collectives.genesis`), anything else is a collective id in
hex. Only that collective may carry validator-set actions; the built-in body may decide nothing
but validator changes, polls and its own policies.
"""

from __future__ import annotations

from ledger.collectives.ids import VALIDATORS_BODY_ID
from ledger.errors import ErrorCode, TxError
from ledger.genesis import GOVERNED_BY_VALIDATORS, ChainParams
from ledger.governance.kinds import ProposalKind

BODY_KINDS = (ProposalKind.VALIDATORS, ProposalKind.SIGNAL, ProposalKind.GOVERNANCE)


def governing_body_id(params: ChainParams) -> bytes:
    if params.governing_body == GOVERNED_BY_VALIDATORS:
        return VALIDATORS_BODY_ID
    return bytes.fromhex(params.governing_body)


def check_kind_allowed(params: ChainParams, cid: bytes, kind: int) -> None:
    """Raise unless collective `cid` may decide proposals of `kind`."""
    if kind == ProposalKind.VALIDATORS and cid != governing_body_id(params):
        raise TxError(ErrorCode.UNAUTHORIZED, "only the governing body changes the validator set")
    if cid == VALIDATORS_BODY_ID and kind not in BODY_KINDS:
        raise TxError(
            ErrorCode.UNAUTHORIZED, "the validators body decides validator changes, polls, policies"
        )
