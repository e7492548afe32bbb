"""The double-sign guard: refuses conflicts, survives restarts, re-sends identical signatures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consensus.errors import DoubleSignError, SignStateCorruptError, SignStateMissingError
from consensus.messages import NIL, ConsensusMessage, Proposal, Step
from consensus.signer import FileSignStateStore, MemorySignStateStore, Signer
from ledger import codec
from ledger.block import Vote, VoteType
from ledger.keys import PrivateKey, verify
from tests.consensus.harness import GENESIS_HASH, Net, Node

KEY = PrivateKey.from_secret(b"validator-0")
X, Y = bytes([1]) * 32, bytes([2]) * 32


def new_signer(path: Path, *, new_chain: bool = False) -> Signer:
    return Signer(KEY, GENESIS_HASH, FileSignStateStore(path), new_chain=new_chain)


def test_signatures_verify_and_state_is_persisted(tmp_path: Path) -> None:
    path = tmp_path / "sign_state"
    signer = new_signer(path, new_chain=True)
    vote = signer.sign_vote(VoteType.PREVOTE, 1, 0, X)
    assert verify(KEY.public_key, vote.sign_bytes(GENESIS_HASH), vote.signature)
    state = FileSignStateStore(path).load()
    assert state is not None and state.hrs == (1, 0, Step.PREVOTE)
    assert state.signature == vote.signature
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sign_state"]  # no temp file left


def test_conflicting_requests_are_refused() -> None:
    signer = Signer(KEY, GENESIS_HASH, MemorySignStateStore(), new_chain=True)
    signer.sign_vote(VoteType.PRECOMMIT, 5, 2, X)
    with pytest.raises(DoubleSignError, match="different bytes"):
        signer.sign_vote(VoteType.PRECOMMIT, 5, 2, Y)
    with pytest.raises(DoubleSignError, match="already signed"):
        signer.sign_vote(VoteType.PREVOTE, 5, 2, X)  # step regression
    with pytest.raises(DoubleSignError):
        signer.sign_vote(VoteType.PRECOMMIT, 5, 1, X)  # round regression
    with pytest.raises(DoubleSignError):
        signer.sign_vote(VoteType.PREVOTE, 4, 9, X)  # height regression
    with pytest.raises(DoubleSignError):
        signer.sign_vote(VoteType.PRECOMMIT, 5, 2, b"")  # nil is a different value too
    signer.sign_vote(VoteType.PREVOTE, 5, 3, Y)  # forward is fine


def test_identical_request_gets_the_same_signature_without_a_write() -> None:
    store = MemorySignStateStore()
    signer = Signer(KEY, GENESIS_HASH, store, new_chain=True)
    first = signer.sign_vote(VoteType.PREVOTE, 2, 0, X)
    saves = store.saves
    assert signer.sign_vote(VoteType.PREVOTE, 2, 0, X) == first
    assert store.saves == saves


def test_restart_over_the_same_file_keeps_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "sign_state"
    first = new_signer(path, new_chain=True).sign_vote(VoteType.PRECOMMIT, 7, 1, X)
    again = new_signer(path)  # a restart: no new_chain flag needed any more
    assert again.sign_vote(VoteType.PRECOMMIT, 7, 1, X) == first  # re-sent, identical
    with pytest.raises(DoubleSignError):
        again.sign_vote(VoteType.PRECOMMIT, 7, 1, Y)
    with pytest.raises(DoubleSignError):
        again.sign_vote(VoteType.PREVOTE, 7, 1, Y)
    later = again.sign_vote(VoteType.PREVOTE, 7, 2, Y)
    assert new_signer(path).last_signed.signature == later.signature


def test_proposals_share_the_guard_with_votes() -> None:
    net = Net()
    block = net.nodes[0].app.propose(1, 0)
    other = net.nodes[0].app.propose(1, 1)
    signer = Signer(KEY, GENESIS_HASH, MemorySignStateStore(), new_chain=True)
    proposal = signer.sign_proposal(1, 0, -1, block)
    assert isinstance(proposal, Proposal)
    assert verify(KEY.public_key, proposal.sign_bytes(GENESIS_HASH), proposal.signature)
    assert signer.sign_proposal(1, 0, -1, block) == proposal
    with pytest.raises(DoubleSignError):
        signer.sign_proposal(1, 0, -1, other)  # a second block at one round: equivocation
    signer.sign_vote(VoteType.PREVOTE, 1, 0, block.hash())
    with pytest.raises(DoubleSignError):
        signer.sign_proposal(1, 0, -1, block)  # the propose step is behind us


def test_missing_state_with_a_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SignStateMissingError, match="new_chain"):
        new_signer(tmp_path / "sign_state")
    new_signer(tmp_path / "sign_state", new_chain=True)
    new_signer(tmp_path / "sign_state")  # the brand-new chain's state now exists


def test_corrupt_or_foreign_state_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "sign_state"
    new_signer(path, new_chain=True).sign_vote(VoteType.PREVOTE, 1, 0, X)
    with pytest.raises(SignStateCorruptError, match="another chain"):
        Signer(KEY, bytes(32), FileSignStateStore(path))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(SignStateCorruptError, match="cannot read"):
        new_signer(path)


def test_the_machine_signs_everything_it_sends_through_the_guard() -> None:
    net = Net(stop_height=3)
    net.start()
    assert net.run(net.all_decided(3))
    for node in net.nodes:
        assert node.store.saves == 1 + len(node.sent)  # the new-chain state, then one per message
        last = node.store.state
        assert last is not None
        assert last.signature == node.sent[-1].signature


def test_a_restarted_validator_without_its_wal_never_double_signs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    net = Net(stop_height=3)
    victim = next(n for n in net.nodes if n is not net.proposer(2, 0))

    def victim_misses_round_0_proposal(src: Node, dst: Node, m: ConsensusMessage) -> str | None:
        return "drop" if dst is victim and isinstance(m, Proposal) and m.height == 2 else None

    net.rules.append(victim_misses_round_0_proposal)
    net.start()
    assert net.run(lambda: any(isinstance(m, Vote) and m.height == 2 for m in victim.sent))
    last = victim.sent[-1]
    assert isinstance(last, Vote) and last.block_hash == b"" and last.round > 0
    # crash and restart at height 2 from a fresh machine: it has forgotten its nil vote of a
    # later round and, given round 0's proposal, would prevote the block at round 0 now: the
    # guard refuses (round regression) and the machine stays silent; it decides by precommits
    net.restart(victim)
    net.rules.clear()
    net.start(victim)
    net.regossip(victim)
    assert net.run(net.all_decided(3))
    net.assert_no_fork()
    assert "refusing to sign height 2 round 0 step PREVOTE" in caplog.text
    seen: dict[tuple[int, int, int], bytes] = {}
    for message in victim.sent:
        assert isinstance(message, Vote | Proposal)
        step = Step.PROPOSE if isinstance(message, Proposal) else int(message.type) + 1
        key = (message.height, message.round, int(step))
        assert seen.setdefault(key, message.signature) == message.signature


def test_the_sign_state_keeps_the_lock_and_loads_a_version_1_state(tmp_path: Path) -> None:
    """The lock (the last non-nil precommit) survives in the sign state, for a replay that lost
    it (issue 18); a state written before the lock existed still loads, without one."""
    store = FileSignStateStore(tmp_path / "sign_state")
    signer = Signer(KEY, GENESIS_HASH, store, new_chain=True)
    block = b"\x07" * 32
    signer.sign_vote(VoteType.PRECOMMIT, 5, 2, block)
    signer.sign_vote(VoteType.PREVOTE, 5, 3, NIL)  # later steps keep the lock
    signer.sign_vote(VoteType.PRECOMMIT, 5, 3, NIL)  # a nil precommit does not lock
    state = store.load()
    assert state is not None and state.lock_at(5) == (2, block) and state.lock_at(6) is None
    old = codec.encode([1, GENESIS_HASH, 5, 3, 3, b"\x01" * 32, b"\x02" * 64])
    (tmp_path / "sign_state").write_bytes(old)
    state = store.load()
    assert state is not None and state.hrs == (5, 3, 3) and state.lock_at(5) is None
