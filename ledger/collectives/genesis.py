"""The collectives that exist at height 0: those the genesis lists, and the validators body.

When the genesis names the validators as the governing body, the chain keeps a built-in
collective (`VALIDATORS_BODY_ID`) whose members are the active validators with their power as
non-transferable voting shares; its membership follows the validator set (see
`ledger.governance.validator_set`), so validator-set proposals reuse all proposal machinery.
"""

from __future__ import annotations

from ledger.collectives.create import Founder, install_collective, validate_definition
from ledger.collectives.ids import SYSTEM_ADDRESS, VALIDATORS_BODY_ID, genesis_collective_id
from ledger.collectives.model import DEFAULT_CLASSES, ClassKind, Collective, TokenClass
from ledger.collectives.params import MAX_MEMBERS, AdmissionMode, CollectiveParams
from ledger.genesis import GOVERNED_BY_VALIDATORS, Genesis
from ledger.state.reader import MemoryState
from ledger.state.view import StateView

BODY_CLASSES = (TokenClass("power", ClassKind.SHARES),)
BODY_PARAMS = CollectiveParams(admission_mode=AdmissionMode.CLOSED, max_members=MAX_MEMBERS)


def collective_genesis_items(genesis: Genesis) -> dict[bytes, bytes]:
    view = StateView(MemoryState())
    now = genesis.genesis_time_ms
    for index, entry in enumerate(genesis.collectives):
        founders = [Founder(a, (shares, loot)) for a, shares, loot in entry.founders]
        params = CollectiveParams()
        validate_definition(entry.name, DEFAULT_CLASSES, founders, params, ())
        collective = Collective(
            entry.name, entry.metadata, SYSTEM_ADDRESS, 0, DEFAULT_CLASSES, params
        )
        cid = genesis_collective_id(index)
        install_collective(view, 0, now, cid, collective, founders=founders, policies=())
    if genesis.params.governing_body == GOVERNED_BY_VALIDATORS:
        body = Collective("validators", "", SYSTEM_ADDRESS, 0, BODY_CLASSES, BODY_PARAMS)
        founders = [Founder(v.address, (v.power,)) for v in genesis.validators]
        install_collective(view, 0, now, VALIDATORS_BODY_ID, body, founders=founders, policies=())
    return {k: v for k, v in view.changes().items() if v is not None}
