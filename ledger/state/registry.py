"""Imports every handler module so that its handlers and hooks are registered.

The set of tx kinds a node executes is exactly what this module imports: add new handler modules
here. Import `ledger.state.registry` (or `ledger.state.machine`) before executing blocks.
"""

from __future__ import annotations

from ledger.collectives import (
    create,
    delegation,
    exit,
    membership,
    token_transfer,
    treasury_deposit,
)
from ledger.content import handlers as content_handlers
from ledger.economics import actions as economics_actions
from ledger.economics import acts as economics_acts
from ledger.economics import close as economics_close
from ledger.economics import contribute as economics_contribute
from ledger.economics import deliverables as economics_deliverables
from ledger.economics import endorse as economics_endorse
from ledger.economics import reward_schedule as economics_reward_schedule
from ledger.economics import role_gates as economics_role_gates
from ledger.economics import round_close as economics_round_close
from ledger.economics import vote_weight as economics_vote_weight
from ledger.governance import (
    actions_splits,
    actions_treasury,
    core_actions,
    lifecycle,
    multisig_queue,
    process_txs,
    proposal_txs,
    roles,
    upgrade_action,
    validator_set,
    vote_txs,
)
from ledger.moderation import act as moderation_act
from ledger.moderation import actions as moderation_actions
from ledger.moderation import anchors, appeals
from ledger.splits import handlers as split_handlers
from ledger.state import transfer, validators
from ledger.treasury import allowance_spend, holder_claim, sinks, stream_claim
from ledger.upgrades import gate as upgrade_gate

HANDLER_MODULES = (
    transfer,
    validators,
    create,
    token_transfer,
    treasury_deposit,
    membership,
    exit,
    delegation,
    proposal_txs,
    vote_txs,
    process_txs,
    lifecycle,
    core_actions,
    roles,
    validator_set,
    upgrade_action,
    upgrade_gate,
    split_handlers,
    content_handlers,
    # treasury, multisig queue, collective splits and moderation (issue 5)
    multisig_queue,
    actions_treasury,
    actions_splits,
    allowance_spend,
    stream_claim,
    holder_claim,
    sinks,
    anchors,
    appeals,
    moderation_actions,
    moderation_act,
    # economics (issue 22)
    economics_actions,
    economics_endorse,
    economics_contribute,
    economics_close,
    economics_acts,
    economics_role_gates,
    economics_vote_weight,
    economics_deliverables,
    economics_reward_schedule,
    economics_round_close,
)
