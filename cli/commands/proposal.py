"""`coterie proposal ...`: submit (one subcommand per action kind), sponsor, vote, commit and
reveal secret ballots, cancel, process, and multisig approve/reject."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from cli.broadcast import TxRefusedError, check
from cli.commands.govflow import builder_for, finish, node_record
from cli.commands.govparse import checked, describe_ballot, parse_ballot
from cli.commands.proposal_submit import submit
from cli.errors import CoterieGroup, InvalidInputError
from cli.refs import PROPOSAL_NUMBER
from cli.txflow import TxBuilder, tx_options
from cli.wallet import salts
from ledger.errors import ErrorCode
from ledger.governance.ballots import SALT_LEN, Ballot, commitment, validate
from ledger.governance.kinds import VotingMethod
from ledger.governance.multisig_queue import MultisigReject
from ledger.governance.process_txs import MultisigApprove, ProposalProcess
from ledger.governance.proposal_txs import ProposalCancel, ProposalSponsor
from ledger.governance.vote_txs import Vote, VoteCommit, VoteReveal

PROPOSAL_ID = click.argument("proposal_id", metavar="PROPOSAL_ID", type=PROPOSAL_NUMBER)
BALLOT = click.argument("options", nargs=-1, required=True, metavar="OPTION[=WEIGHT]...")


@click.group(cls=CoterieGroup)
def proposal() -> None:
    """Propose, vote on and move collective decisions along."""


proposal.add_command(submit)


@proposal.command("sponsor")
@PROPOSAL_ID
@tx_options
def sponsor(*, proposal_id: int, **common: Any) -> None:
    """Sponsor a submitted proposal so that its voting starts (members at the sponsor threshold)."""
    builder = builder_for(common)
    finish(builder, ProposalSponsor(proposal_id))


def _fits(builder: TxBuilder, proposal_id: int, ballot: Ballot) -> list[str] | None:
    """Check the ballot against the proposal's voting method and choices when a node is at hand,
    for a clear error before signing; returns the poll's choices (None: yes/no, or no node)."""
    view = node_record(builder, f"/v1/proposals/{proposal_id}", f"proposal {proposal_id}")
    if not isinstance(view, dict):
        return None
    try:
        method = VotingMethod[str(view.get("method", "BINARY"))]
    except KeyError:
        return None  # a method newer than this wallet: the node will judge
    choices = [str(c) for c in view.get("choices", [])]
    with checked(f"this ballot does not fit proposal {proposal_id} ({method.name.lower()})"):
        validate(ballot, method, len(choices))
    return None if method is VotingMethod.BINARY else choices


@proposal.command("vote")
@PROPOSAL_ID
@BALLOT
@tx_options
def vote(*, proposal_id: int, options: tuple[str, ...], **common: Any) -> None:
    """Vote on PROPOSAL_ID: yes, no, abstain or veto; or choice numbers of a poll.

    \b
    A split vote gives each option a weight that sums to 100%:
      coterie proposal vote 7 yes=70% no=30% --from alice
    Polls: one choice (single), several (approval), in order of preference (ranked), or with
    weights (weighted, quadratic):  coterie proposal vote 9 2=50% 0=50% --from alice
    Your weight is your voting power at the proposal's snapshot (shares plus delegations).
    """
    ballot = parse_ballot(options)
    builder = builder_for(common)
    choices = _fits(builder, proposal_id, ballot)
    finish(builder, Vote(proposal_id, ballot), [f"ballot: {describe_ballot(ballot, choices)}"])


@proposal.command("commit")
@PROPOSAL_ID
@BALLOT
@tx_options
def commit(*, proposal_id: int, options: tuple[str, ...], **common: Any) -> None:
    """Commit a secret ballot: only its hash goes on chain until you reveal it.

    The ballot and a fresh random salt are saved to HOME/ballots/ (mode 0600) before the commit
    is sent; `coterie proposal reveal PROPOSAL_ID` finds them there after voting ends.
    """
    ballot = parse_ballot(options)
    home: Path = common["home"]
    builder = builder_for(common)
    choices = _fits(builder, proposal_id, ballot)
    voter = builder.sender.address
    salt = os.urandom(SALT_LEN)
    digest = commitment(proposal_id, voter, ballot, salt)
    voter_text = voter.to_text(builder.prefix)
    stored = salts.StoredBallot(builder.chain_id, proposal_id, voter_text, ballot, salt, digest)
    path = salts.save(home, stored)
    lines = [
        f"ballot: {describe_ballot(ballot, choices)} (secret until revealed)",
        f"saved the ballot and its salt to {path}: keep it until you reveal",
    ]
    finish(builder, VoteCommit(proposal_id, digest), lines)


def _pick(builder: TxBuilder, proposal_id: int, stored: list[salts.StoredBallot]) -> VoteReveal:
    """The reveal of the stored ballot whose commitment the chain holds: when several were
    committed, the node's dry run tells which one matches (newest first)."""
    voter = builder.sender.address
    reveals = [
        VoteReveal(proposal_id, s.ballot, s.salt)
        for s in stored
        if commitment(proposal_id, voter, s.ballot, s.salt) == s.commitment
    ]
    if not reveals:
        raise InvalidInputError("no stored ballot matches its own commitment (file damaged?)")
    if len(reveals) == 1 or builder.send is None:
        return reveals[0]
    for candidate in reveals:
        try:
            check(builder.send.client, builder.body(candidate))
        except TxRefusedError as exc:
            if exc.code == ErrorCode.COMMITMENT_MISMATCH.name:
                continue
        return candidate  # it passes, or fails for another reason the send will report
    raise InvalidInputError(
        f"none of the {len(reveals)} stored ballots matches the commitment on chain"
    )


@proposal.command("reveal")
@PROPOSAL_ID
@tx_options
def reveal(*, proposal_id: int, **common: Any) -> None:
    """Reveal the ballot committed with `proposal commit` (after voting ends, within the
    policy's reveal period); the ballot and salt are read from HOME/ballots/."""
    home: Path = common["home"]
    builder = builder_for(common)
    voter = builder.sender.address.to_text(builder.prefix)
    try:
        stored = salts.load(home, builder.chain_id, proposal_id, voter)
    except salts.SaltStoreError as exc:
        raise InvalidInputError(str(exc)) from exc
    payload = _pick(builder, proposal_id, stored)
    finish(builder, payload, [f"revealing ballot: {describe_ballot(payload.ballot)}"])


@proposal.command("cancel")
@PROPOSAL_ID
@tx_options
def cancel(*, proposal_id: int, **common: Any) -> None:
    """Cancel a proposal: its proposer (before or during voting) or a governor.

    Cancelling during voting burns part of the deposit (the collective's cancel_burn_ppm).
    """
    finish(builder_for(common), ProposalCancel(proposal_id))


@proposal.command("process")
@PROPOSAL_ID
@tx_options
def process(*, proposal_id: int, **common: Any) -> None:
    """Advance a proposal whose deadline has passed, or retry a failed execution (anyone)."""
    finish(builder_for(common), ProposalProcess(proposal_id))


@proposal.command("approve")
@PROPOSAL_ID
@tx_options
def approve(*, proposal_id: int, **common: Any) -> None:
    """Approve a proposal under a multisig policy (signers only); m approvals pass it."""
    finish(builder_for(common), MultisigApprove(proposal_id))


@proposal.command("reject")
@PROPOSAL_ID
@tx_options
def reject(*, proposal_id: int, **common: Any) -> None:
    """Open (or approve) the rejection of a multisig proposal: an empty proposal at the same
    queue position; when it reaches m approvals, the proposal it rejects is superseded."""
    finish(builder_for(common), MultisigReject(proposal_id))
