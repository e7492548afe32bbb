"""State keys of proposals (prefixes 0x30-0x4f); integers are big-endian fixed width.

The deadline index is keyed by time first, so the end-block hook reads the due proposals as a
prefix scan in deadline order and stops at the first one in the future.
"""

from __future__ import annotations

from ledger.state.keys import u64

PROPOSAL = b"\x30"  # + id(8) -> Proposal
BY_COLLECTIVE = b"\x31"  # + cid + id(8) -> b""
DEADLINE = b"\x32"  # + time(8) + id(8) -> b""
BALLOT = b"\x33"  # + id(8) + voter -> Ballot
COMMITMENT = b"\x34"  # + id(8) + voter -> 32-byte commitment
APPROVAL = b"\x35"  # + id(8) + signer -> b""
ESCROW = b"\x36"  # + id(8) + slot(1) -> Escrow
LIVE = b"\x37"  # + cid + proposer -> u64 count of the proposer's live proposals
EVIDENCE_CASE = b"\x38"  # + validator address -> u64 id of the open removal proposal
NEXT_ID = b"\x39"  # -> u64
RUNNING = b"\x3c"  # + id(8) -> RunningTally (ledger.governance.running)
CAST = b"\x3d"  # + id(8) + voter -> [weight, own power] the voter's ballot counts with now
VOTING_OF = b"\x3e"  # + cid + id(8) -> [snapshot height, start ms, kind, excluded] while VOTING
SPENT = b"\x3f"  # + cid + asset raw + epoch(8) -> u64 taken by spends submitted in that epoch


def proposal(pid: int) -> bytes:
    return PROPOSAL + u64(pid)


def by_collective(cid: bytes, pid: int) -> bytes:
    return BY_COLLECTIVE + cid + u64(pid)


def deadline(time_ms: int, pid: int) -> bytes:
    return DEADLINE + u64(time_ms) + u64(pid)


def ballot(pid: int, voter_raw: bytes) -> bytes:
    return BALLOT + u64(pid) + voter_raw


def commitment(pid: int, voter_raw: bytes) -> bytes:
    return COMMITMENT + u64(pid) + voter_raw


def approval(pid: int, signer_raw: bytes) -> bytes:
    return APPROVAL + u64(pid) + signer_raw


def escrow(pid: int, slot: int) -> bytes:
    return ESCROW + u64(pid) + bytes([slot])


def live(cid: bytes, proposer_raw: bytes) -> bytes:
    return LIVE + cid + proposer_raw


def evidence_case(validator_raw: bytes) -> bytes:
    return EVIDENCE_CASE + validator_raw


def running(pid: int) -> bytes:
    return RUNNING + u64(pid)


def cast(pid: int, voter_raw: bytes) -> bytes:
    return CAST + u64(pid) + voter_raw


def voting_of(cid: bytes, pid: int) -> bytes:
    return VOTING_OF + cid + u64(pid)


def spent(cid: bytes, asset_raw: bytes, epoch: int) -> bytes:
    return SPENT + cid + asset_raw + u64(epoch)
