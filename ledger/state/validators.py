"""The validator set as chain state: the active set, scheduled changes, recorded evidence.

The set that signs block h is the set of `VALIDATOR` records in the state after block h-1, so
every node derives it from the chain alone. A change decided at height H is scheduled for
activation height H + `validator_update_delay` (CometBFT's H+2 by default) and written into the
active set by the end-block hook of the block just before activation. Equivocation evidence is
checked against the active set and recorded once; what follows from it is governance's business.

Each record may carry the validator's P2P node key; `node_keys` gives the node keys of the active
set and of the scheduled additions, which is what a node's peer allowlist follows. An update
without a node key (a power change) keeps the key already on record.

The history: when a change activates at height A, the record it replaces (power 0 for a newcomer)
is kept under `validator_past(address, A)`, so `validator_at(view, address, h)` answers for any
height h, and evidence is judged against the set of its own height: a validator that
double-signs and then leaves can still be convicted, and a key that joined later cannot be
convicted for votes it signed before.
"""

from __future__ import annotations

from dataclasses import replace

from ledger.block import MAX_TOTAL_POWER, MAX_VALIDATORS, DuplicateVoteEvidence
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address, verify
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import register_begin_block, register_end_block
from ledger.state.reader import StateReader
from ledger.state.records import ValidatorRecord
from ledger.state.view import StateView

MAX_EVIDENCE_AGE = 10_000  # heights after which a double-sign is no longer punishable


class BlockRuleError(ValueError):
    """A block-level rule broken by the block itself (not by one tx): the block is invalid."""


def active_validators(view: StateView) -> list[tuple[Address, ValidatorRecord]]:
    """The active set, ordered by address."""
    out = []
    for key, value in view.iter_prefix(keys.VALIDATOR):
        out.append((Address(key[len(keys.VALIDATOR) :]), ValidatorRecord.decode(value)))
    return out


def node_keys(state: StateReader) -> frozenset[bytes]:
    """P2P node keys of the active set and of every scheduled addition or change (so a node
    voted in may connect before the height it first signs); removals take effect with the set."""
    keys_: set[bytes] = set()
    for prefix in (keys.VALIDATOR, keys.VALIDATOR_UPDATE):
        for _, value in state.iter_prefix(prefix):
            record = ValidatorRecord.decode(value)
            if record.power > 0 and record.node_key is not None:
                keys_.add(record.node_key)
    return frozenset(keys_)


def schedule_update(view: StateView, ctx: BlockContext, record: ValidatorRecord) -> int:
    """Schedule adding, changing (power > 0) or removing (power 0) a validator; returns the
    activation height."""
    if record.power == 0 and view.get(keys.validator(_address(record).raw)) is None:
        raise TxError(ErrorCode.NOT_FOUND, "cannot remove a key that is not a validator")
    activation = ctx.height + ctx.params.consensus.validator_update_delay
    powers = projected_powers(view)
    powers[_address(record).raw] = record.power
    problem = cap_error(powers)
    if problem:
        raise TxError(ErrorCode.LIMIT_REACHED, problem)
    view.put(keys.validator_update(activation, _address(record).raw), record.encode())
    return activation


def projected_powers(view: StateView) -> dict[bytes, int]:
    """Address -> power of the set once every scheduled update has activated (power 0: gone)."""
    powers = {a.raw: r.power for a, r in active_validators(view)}
    for _, value in view.iter_prefix(keys.VALIDATOR_UPDATE):  # ordered by activation height
        record = ValidatorRecord.decode(value)
        powers[_address(record).raw] = record.power
    return powers


def cap_error(powers: dict[bytes, int]) -> str | None:
    """Why a set with these powers could not sign blocks (consensus refuses it), or None."""
    members = [p for p in powers.values() if p > 0]
    if len(members) > MAX_VALIDATORS:
        return f"the validator set would exceed {MAX_VALIDATORS} validators"
    if sum(members) > MAX_TOTAL_POWER:
        return f"the validators' total power would exceed {MAX_TOTAL_POWER}"
    return None


def _address(record: ValidatorRecord) -> Address:
    return Address.from_public_key(record.public_key)


def apply_scheduled_updates(view: StateView, ctx: BlockContext) -> list[Event]:
    """End-block: write the updates that activate at the next height into the active set."""
    prefix = keys.VALIDATOR_UPDATE + keys.u64(ctx.height + 1)
    events = []
    scheduled = list(view.iter_prefix(prefix))
    powers = {a.raw: r.power for a, r in active_validators(view)} if scheduled else {}
    for key, value in scheduled:
        view.delete(key)
        record = ValidatorRecord.decode(value)
        address = _address(record)
        if record.power == 0:
            if address.raw not in powers:
                continue
            if len(powers) <= 1:
                events.append(Event.of("validator_update_refused", validator=address.raw))
                continue
            del powers[address.raw]
            _keep_past(view, address, ctx.height + 1, record.public_key)
            view.delete(keys.validator(address.raw))
        else:
            after = {**powers, address.raw: record.power}
            if cap_error(after):  # scheduled before the caps were checked at scheduling
                events.append(Event.of("validator_update_refused", validator=address.raw))
                continue
            powers = after
            _keep_past(view, address, ctx.height + 1, record.public_key)
            old = view.get(keys.validator(address.raw))
            if record.node_key is None and old is not None:
                record = replace(record, node_key=ValidatorRecord.decode(old).node_key)
            view.put(keys.validator(address.raw), record.encode())
        events.append(
            Event.of(
                "validator_update", validator=address.raw, power=record.power, at=ctx.height + 1
            )
        )
    return events


def _keep_past(view: StateView, address: Address, activation: int, public_key: bytes) -> None:
    """Keep the record valid below `activation` (power 0 when `address` was not a member)."""
    current = view.get(keys.validator(address.raw))
    past = current if current is not None else ValidatorRecord(public_key, 0, "").encode()
    view.put(keys.validator_past(address.raw, activation), past)


def validator_at(view: StateView, address: Address, height: int) -> ValidatorRecord | None:
    """The record of `address` in the set that signed `height`, None if it was not a member."""
    prefix = keys.VALIDATOR_PAST + address.raw
    for key, value in view.iter_prefix(prefix):  # ordered by the height each change began
        if int.from_bytes(key[len(prefix) :], "big") > height:
            record = ValidatorRecord.decode(value)
            return record if record.power > 0 else None
    data = view.get(keys.validator(address.raw))
    return ValidatorRecord.decode(data) if data is not None else None


def record_evidence(view: StateView, ctx: BlockContext) -> list[Event]:
    """Begin-block: check and record the block's equivocation evidence."""
    events = []
    for evidence in ctx.evidence:
        problem = evidence_error(view, ctx, evidence)
        if problem:
            raise BlockRuleError(f"invalid evidence: {problem}")
        vote = evidence.vote_a
        view.put(keys.evidence(evidence.offence_key()), keys.u64(ctx.height) + evidence.hash())
        events.append(
            Event.of("evidence", validator=vote.validator.raw, height=vote.height, round=vote.round)
        )
    return events


def evidence_error(
    view: StateView, ctx: BlockContext, evidence: DuplicateVoteEvidence
) -> str | None:
    """Why `evidence` cannot be recorded in this block, or None."""
    problem = evidence.structural_error()
    if problem:
        return problem
    vote = evidence.vote_a
    if vote.height >= ctx.height or ctx.height - vote.height > MAX_EVIDENCE_AGE:
        return "evidence height outside the accepted window"
    if view.get(keys.evidence(evidence.offence_key())) is not None:
        return "evidence already recorded"
    record = validator_at(view, vote.validator, vote.height)
    if record is None:
        return f"offender was not a validator at height {vote.height}"
    public_key = record.public_key
    for v in (evidence.vote_a, evidence.vote_b):
        if not verify(public_key, v.sign_bytes(ctx.genesis_hash), v.signature):
            return "a vote's signature does not verify"
    return None


register_begin_block("evidence", record_evidence)
register_end_block("validator_updates", apply_scheduled_updates)
