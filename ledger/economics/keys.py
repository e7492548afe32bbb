"""State keys of the economics package: prefixes 0xa0-0xb2 (0xa0-0xbf reserved; stable, never
reused).

Integers inside keys are big-endian fixed width so that key order is numeric order (the close
scan walks `ROUND_DUE` in time order).
"""

from __future__ import annotations

from ledger.state.keys import u64

ROUND = b"\xa0"  # + round id(8) -> Round (ledger.economics.rounds)
ROUNDS_OF = b"\xa1"  # + cid + round id(8) -> b""
ROUND_DUE = b"\xa2"  # + end ms(8) + round id(8) -> b"" while the round is open
ENDORSEMENT = b"\xa3"  # + round id(8) + content hash(32) + endorser(20) -> [seq, weight]
ENDORSED_BY = b"\xa4"  # + round id(8) + endorser(20) -> u64 endorsements made in the round
NEXT_ROUND_ID = b"\xa5"  # -> u64


def round_key(round_id: int) -> bytes:
    return ROUND + u64(round_id)


def rounds_of(cid: bytes, round_id: int) -> bytes:
    return ROUNDS_OF + cid + u64(round_id)


def round_due(end_ms: int, round_id: int) -> bytes:
    return ROUND_DUE + u64(end_ms) + u64(round_id)


def endorsements_of(round_id: int) -> bytes:
    return ENDORSEMENT + u64(round_id)


def endorsement(round_id: int, content_hash: bytes, endorser_raw: bytes) -> bytes:
    return ENDORSEMENT + u64(round_id) + content_hash + endorser_raw


def endorsed_by(round_id: int, endorser_raw: bytes) -> bytes:
    return ENDORSED_BY + u64(round_id) + endorser_raw


MATCHING = b"\xa6"  # + matching round id(8) -> MatchingRound (ledger.economics.matching)
MATCHINGS_OF = b"\xa7"  # + cid + id(8) -> b""
MATCHING_DUE = b"\xa8"  # + end ms(8) + id(8) -> b"" while the matching round is open
CONTRIBUTION = b"\xa9"  # + id(8) + initiative(1) + member(20) -> u64 the member's total
NEXT_MATCHING_ID = b"\xaa"  # -> u64


def matching_key(round_id: int) -> bytes:
    return MATCHING + u64(round_id)


def matching_due(end_ms: int, round_id: int) -> bytes:
    return MATCHING_DUE + u64(end_ms) + u64(round_id)


def contributions_of(round_id: int) -> bytes:
    return CONTRIBUTION + u64(round_id)


def contribution(round_id: int, initiative: int, member_raw: bytes) -> bytes:
    return CONTRIBUTION + u64(round_id) + bytes((initiative,)) + member_raw


STANDING = b"\xab"  # + cid + member(20) -> Standing (ledger.economics.reputation)
REPUTATION_POLICY = b"\xac"  # + cid -> ReputationPolicy
ROLE_GATE = b"\xad"  # + cid + role(1) -> u64 points a holder needs when the role is granted


def standing(cid: bytes, member_raw: bytes) -> bytes:
    return STANDING + cid + member_raw


def reputation_policy(cid: bytes) -> bytes:
    return REPUTATION_POLICY + cid


def role_gate(cid: bytes, role: int) -> bytes:
    return ROLE_GATE + cid + bytes((role,))


# 0xae-0xaf: standing as voting weight; 0xb0-0xbf (economics' second range): deliverables and
# the scheduled reward by standing.
VOTE_BONUS = b"\xae"  # + cid + snapshot height(8) + member(20) -> u64 bonus shares
VOTE_BONUS_TOTAL = b"\xaf"  # + cid + snapshot height(8) -> u64 the bonuses' sum (frozen marker)
DELIVERABLE = b"\xb0"  # + cid + funded kind(1) + id(8) -> u64 the accepting proposal
REWARD_SCHEDULE = b"\xb1"  # + cid -> RewardSchedule (ledger.economics.reward_schedule)
REWARD_DUE = b"\xb2"  # + due ms(8) + cid -> b"" while a schedule runs


def vote_bonus_table(cid: bytes, height: int) -> bytes:
    return VOTE_BONUS + cid + u64(height)


def vote_bonus_total(cid: bytes, height: int) -> bytes:
    return VOTE_BONUS_TOTAL + cid + u64(height)


def deliverable(cid: bytes, funded_kind: int, funded_id: int) -> bytes:
    return DELIVERABLE + cid + bytes((funded_kind,)) + u64(funded_id)


def reward_schedule(cid: bytes) -> bytes:
    return REWARD_SCHEDULE + cid


def reward_due(due_ms: int, cid: bytes) -> bytes:
    return REWARD_DUE + u64(due_ms) + cid
