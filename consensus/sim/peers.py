"""What a simulated node sends a peer that says it is stuck (`Status`), as the node's gossip will.

A peer behind in heights gets up to `CATCHUP_BATCH` stored blocks with their commits; it checks
each with `verify_commit` and `valid(v)` before storing it. A peer at our height gets the messages
of the rounds it may need: its round and the next, ours, our valid round, and the proof-of-lock
round of every proposal among them (line 28 needs +2/3 prevotes of that round). A peer ahead of
us gets our own `Status`, so that it sends us blocks.
"""

from __future__ import annotations

from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Proposal
from consensus.sim.app import ChainStore
from consensus.sim.payloads import Bundle, CatchUp, Payload, Status

CATCHUP_BATCH = 16


def answer(status: Status, machine: ConsensusMachine, chain: ChainStore) -> Payload | None:
    if status.height < machine.height:
        last = min(chain.height, status.height + CATCHUP_BATCH - 1)
        blocks = tuple(
            (chain.blocks[h - 1], chain.commits[h - 1]) for h in range(status.height, last + 1)
        )
        return CatchUp(blocks) if blocks else None
    if status.height > machine.height:
        return Status(machine.height, machine.round)
    rounds = {status.round, status.round + 1, machine.round, machine.valid[0]}
    wanted: dict[int, list[ConsensusMessage]] = {}
    for r in sorted(rounds):
        if r >= 0:
            wanted[r] = machine.round_messages(r)
    for messages in list(wanted.values()):
        first = messages[0] if messages else None
        if isinstance(first, Proposal) and first.pol_round >= 0 and first.pol_round not in wanted:
            wanted[first.pol_round] = machine.round_messages(first.pol_round)
    bundle = tuple(m for r in sorted(wanted) for m in wanted[r])
    return Bundle(bundle) if bundle else None
