"""What the runner checks of a proposal against its round's proposer, and whether it proposes.

All are cheap reads of the machine's current height, round and validator set; none changes it.
"""

from __future__ import annotations

from consensus.height_state import ROUND_WINDOW
from consensus.machine import ConsensusMachine
from consensus.messages import Proposal
from consensus.signer import Signer
from ledger.keys import verify


def signed_by_round_proposer(m: ConsensusMachine, proposal: Proposal) -> bool:
    """True when `proposal` is for the current height and signed by its round's proposer."""
    validators = m.validators
    if proposal.height != m.height or validators is None or m.decided:
        return False
    if not 0 <= proposal.round <= m.round + ROUND_WINDOW:
        return False
    proposer = validators.proposer(proposal.round)
    return verify(proposer.public_key, proposal.sign_bytes(m.genesis_hash), proposal.signature)


def names_round_proposer(m: ConsensusMachine, proposal: Proposal) -> bool:
    """False only for a fresh proposal, in the machine's round window, whose block names another
    proposer than the round's (who signed it); a re-proposal (pol_round >= 0) carries a block
    proposed in an earlier round."""
    validators = m.validators
    if proposal.pol_round >= 0 or validators is None:
        return True
    if not 0 <= proposal.round <= m.round + ROUND_WINDOW:
        return True  # the machine ignores it
    expected = validators.proposer(proposal.round).address
    return proposal.block.header.proposer == expected


def decides_alone(m: ConsensusMachine, signer: Signer | None) -> bool:
    """True when `signer`'s own power is a quorum of the current height's set."""
    validators = m.validators
    if validators is None or signer is None:
        return False
    return validators.has_quorum(validators.power_of(signer.address))


def proposes_round0(m: ConsensusMachine, signer: Signer | None) -> bool:
    """True when `signer` proposes round 0 of the machine's current height (node/pacing.py)."""
    validators = m.validators
    return (
        validators is not None
        and signer is not None
        and validators.proposer(0).address == signer.address
    )
