"""Who signs a multisig proposal now, and which approvals count (issue 23, item 9).

A signer is not a bare address: signing is a right of membership. An approval (or a rejection
by `MultisigReject`) needs a signer who is

- on the proposal's frozen list (the policy copied when voting started),
- still on the list of the collective's *current* policy for the proposal's kind (a SetPolicy
  that drops a signer, or turns the kind away from MULTISIG, ends that signer's right on every
  queued proposal too: Cosmos x/group aborts proposals on a policy change for the same reason),
- and a member in good standing (not jailed, not lapsed, not gone).

Approvals are re-checked whenever they are counted, so the approval of a signer who later left,
was jailed or was dropped stops counting towards m. A proposal that already passed keeps its
outcome: only counting before the decision is affected. `required_approvals` stays the frozen m.
"""

from __future__ import annotations

from ledger.collectives.standing import require_active_member
from ledger.errors import ErrorCode, TxError
from ledger.governance.ballots import approvals
from ledger.governance.kinds import DecisionMethod
from ledger.governance.policy import policy_for
from ledger.governance.proposal import Proposal
from ledger.keys import Address
from ledger.state.view import StateView


def require_signer(view: StateView, now_ms: int, proposal: Proposal, who: Address) -> None:
    """Raise `UNAUTHORIZED` (not listed, or no longer listed) or the good-standing code."""
    frozen = proposal.require_policy()
    if who not in frozen.signers:
        raise TxError(ErrorCode.UNAUTHORIZED, "not a signer of this policy")
    current = policy_for(view, proposal.collective, proposal.kind)
    if current.method is not DecisionMethod.MULTISIG or who not in current.signers:
        raise TxError(ErrorCode.UNAUTHORIZED, "no longer a signer of the current policy")
    require_active_member(view, proposal.collective, who, now_ms)


def is_signer(view: StateView, now_ms: int, proposal: Proposal, who: Address) -> bool:
    try:
        require_signer(view, now_ms, proposal, who)
    except TxError:
        return False
    return True


def counted_approvals(view: StateView, now_ms: int, pid: int, proposal: Proposal) -> int:
    """The approvals of proposal `pid` whose signers still hold the right to sign."""
    return sum(1 for who in approvals(view, pid) if is_signer(view, now_ms, proposal, who))
