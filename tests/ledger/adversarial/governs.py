"""Governance is never bricked: from the state a run reached, the honest members (every member
who is not jailed) pass a governance proposal within a bounded time, with nobody's help."""

from __future__ import annotations

from ledger.collectives.checkpoints import current_power
from ledger.collectives.membership import MembershipRenew
from ledger.collectives.params import DAY
from ledger.collectives.store import get_member
from ledger.governance.ballots import commitment
from ledger.governance.core_actions import SetParams
from ledger.governance.kinds import DecisionMethod
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSponsor, ProposalSubmit
from ledger.governance.vote_txs import Vote, VoteCommit, VoteReveal
from ledger.keys import PrivateKey
from ledger.state.events import Receipt
from tests.ledger.adversarial.world import ACTORS, World
from tests.ledger.conftest import YES

SETTLE_DAYS = 40  # every live proposal is final by then (submission 7 d, expiry 14 d after grace)
PASS_DAYS = 20  # the bound: voting, reveal and grace of the strictest default policy fit in it
SALT = bytes(32)


def honest_majority_governs(world: World) -> None:
    """Run after SETTLE_DAYS of blocks (the caller's, with its invariants checked)."""
    chain, cid = world.chain, world.cid
    collective = world.collective()
    honest = [k for k in ACTORS if (m := get_member(chain.view, cid, k.address)) and not m.jailed]
    for key in honest:
        if collective.params.membership_term_ms:
            chain.attempt(key, MembershipRenew(cid, key.address))
    chain.next_block()
    now = chain.time_ms
    powers = {k: current_power(chain.view, cid, collective, k.address, now) for k in honest}
    if sum(powers.values()) == 0:
        return  # nobody holds a vote any more: there is no majority left to govern
    proposer = max(honest, key=lambda k: powers[k])
    receipt = chain.attempt(proposer, ProposalSubmit(cid, (SetParams(collective.params),)))
    assert isinstance(receipt, Receipt), f"the honest majority cannot even propose: {receipt}"
    pid = next(
        int(e.get("proposal") or 0) for e in receipt.events if e.kind == "proposal_submitted"
    )
    if require_proposal(chain.view, pid).status is Status.SUBMITTED:
        result = chain.attempt(proposer, ProposalSponsor(pid))
        assert isinstance(result, Receipt), f"the honest majority cannot sponsor: {result}"
    policy = require_proposal(chain.view, pid).require_policy()
    for key in honest:
        _support(world, key, pid, policy.method, policy.secret_ballot)
    for _ in range(PASS_DAYS):
        p = require_proposal(chain.view, pid)
        if p.status.is_final:
            break
        if policy.secret_ballot and p.end_ms <= chain.time_ms < p.tally_ms:
            for key in honest:
                chain.attempt(key, VoteReveal(pid, YES, SALT))
        chain.next_block(DAY)
    status = require_proposal(chain.view, pid).status
    assert status is Status.EXECUTED, f"an honest majority could not govern: proposal {status.name}"


def _support(world: World, key: PrivateKey, pid: int, method: DecisionMethod, secret: bool) -> None:
    chain = world.chain
    if method is DecisionMethod.MULTISIG:
        chain.attempt(key, MultisigApprove(pid))
    elif secret:
        chain.attempt(key, VoteCommit(pid, commitment(pid, key.address, YES, SALT)))
    else:
        chain.attempt(key, Vote(pid, YES))
