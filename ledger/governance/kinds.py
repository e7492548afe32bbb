"""Stable numbers for proposal kinds, action tags, decision methods and ballot methods.

Like `TxKind`, numbers are assigned once and never reused. Some are reserved for the treasury,
splits and moderation work that builds on governance, so their numbers are fixed already.
"""

from __future__ import annotations

from enum import IntEnum


class ProposalKind(IntEnum):
    """The policy key: every action belongs to one kind, and a proposal's actions share it."""

    ADMIT = 1
    EXPEL = 2
    SPEND = 3
    SPEND_LARGE = 4  # a spend above `large_spend_ppm` of the treasury's balance of an asset
    TOKENS = 5  # mint and burn
    GOVERNANCE = 6  # parameters, policies, roles
    SIGNAL = 7  # no actions: a text proposal or a multiple-choice poll
    VALIDATORS = 8  # validator-set changes, for the chain's governing body only
    # reserved for the treasury, splits and moderation work
    ALLOWANCE = 9
    STREAMS = 10
    SPLITS = 11
    MODERATION = 12
    ALLOCATION = 13


class ActionTag(IntEnum):
    ADMIT = 1
    EXPEL = 2
    MINT = 3
    BURN = 4
    TREASURY_SPEND = 5
    SET_PARAMS = 6
    SET_POLICY = 7
    SET_ROLE = 8
    REVOKE_ROLE = 9
    LOCK_ROLE = 10
    VALIDATOR_UPDATE = 11
    # reserved for the treasury, splits and moderation work
    SET_ALLOWANCE = 20
    STREAM_CREATE = 21
    STREAM_CANCEL = 22
    SPLIT_CREATE = 23
    SPLIT_UPDATE = 24
    MODERATE = 25
    ACCEPT_ASSET = 26
    HOLDER_DISTRIBUTION = 27
    ALLOCATE = 28
    UPGRADE_PLAN = 60  # ledger.governance.upgrade_action (a number far from the next ones)
    SPLIT_ACCEPT = 29  # a collective accepts ownership of a split
    ROUND_OPEN = 40  # economics (issue 22): open a curation round
    MATCHING_OPEN = 41  # economics: open a quadratic-funding matching round
    SET_REPUTATION_POLICY = 42  # economics: the acts that earn standing, decay, daily cap
    SET_ROLE_GATE = 43  # economics: the standing a role's holder needs when granted
    REWARD_STANDING = 44  # economics: pay a budget to members by their standing
    ACCEPT_DELIVERABLE = 45  # economics: a funded spend's or stream's work is accepted
    REWARD_SCHEDULE = 46  # economics: pay a budget by standing at the end of every period
    ROUND_CLOSE = 47  # economics: settle a curation round now, or call it off


class DecisionMethod(IntEnum):
    VOTE = 0  # quorum, threshold and veto over the ballots
    OPTIMISTIC = 1  # passes at the end unless enough power objects (lazy consensus)
    MULTISIG = 2  # m approvals of a fixed signer list


class VotingMethod(IntEnum):
    """The ballot shape. Only BINARY may carry actions; the others are polls (Snapshot)."""

    BINARY = 0  # yes / no / abstain / veto, optionally split in ppm (Cosmos weighted votes)
    SINGLE = 1
    APPROVAL = 2
    RANKED = 3  # instant-runoff over ranked prefixes
    WEIGHTED = 4
    QUADRATIC = 5


class BinaryOption(IntEnum):
    YES = 0
    NO = 1
    ABSTAIN = 2
    VETO = 3


class Role(IntEnum):
    """Per-collective roles (Baal shamans, Colony roles): what a holder may do without a vote."""

    GOVERNOR = 1  # cancel proposals during voting
    MODERATOR = 2  # reserved for moderation
    TREASURER = 3  # reserved for allowances
