"""The load's votes always have a proposal their sender may vote on, once: whatever the mix and
seed, every sender is a member of exactly one voting collective, no collective exceeds the
genesis' 100 founders, and each sender's k-th vote goes to a distinct open proposal there."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from cli.bench.load import sender_keys
from cli.scenario import setup
from cli.scenario.load import draw
from ledger.collectives.ids import genesis_collective_id
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.tx import SignedTx
from node.devnet import dev_genesis

KEYS = sender_keys(500)


@settings(max_examples=25, deadline=None)
@given(
    senders=st.integers(1, 500),
    per_sender=st.integers(1, 12),
    vote=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**32),
)
def test_every_vote_has_its_own_open_proposal_in_its_senders_collective(
    senders: int, per_sender: int, vote: float, seed: int
) -> None:
    plan = draw(senders, senders * per_sender, {"transfer": 1.0 - vote, "vote": vote}, seed)
    pre = setup.plan(setup.votes_needed(plan), splits=False, voting_index=1)
    addresses = [k.address for k in KEYS[:senders]]
    collectives = setup.genesis_collectives(pre, addresses)
    if not pre.proposals_per_voter:  # no vote drawn: nothing to set up
        assert collectives == [] and all(kind != "vote" for _i, kind in plan)
        return
    assert all(len(c.founders) <= setup.MAX_FOUNDERS for c in collectives)
    members = Counter(a for c in collectives for a, _s, _l in c.founders)
    assert all(members[a] == 1 for a in addresses)  # proposers are in every one, senders once
    # the ids the chain would give, one per (proposer, collective)
    pre.proposals = {
        c: [1000 * c + j for j in range(pre.proposals_per_voter)] for c in range(len(collectives))
    }
    votes: Counter[int] = Counter()
    cast: set[tuple[int, int]] = set()
    for i, kind in plan:
        if kind == "vote":
            pid = pre.proposal_for(i, votes[i])
            votes[i] += 1
            c = pid // 1000
            assert addresses[i] in {a for a, _s, _l in collectives[c].founders}
            assert (i, pid) not in cast
            cast.add((i, pid))


def test_setup_txs_open_one_proposal_per_proposer_and_collective_with_its_own_nonces() -> None:
    pre = setup.plan(3, splits=True, voting_index=1)
    genesis = dev_genesis("c", [], 0)
    txs = [SignedTx.decode(raw).body for raw in setup.setup_txs(pre, genesis, 250)]
    assert len(txs) == 1 + 3 * pre.collectives(250) and pre.collectives(250) == 3
    proposals = [b for b in txs if isinstance(b.payload, ProposalSubmit)]
    seen = {(b.sender, b.payload.collective) for b in proposals}
    assert len(seen) == len(proposals)  # at most one live proposal per proposer and collective
    for key in pre.proposer_keys:
        mine = [b for b in proposals if b.sender == key.public_key]
        assert [b.nonce for b in mine] == [0, 1, 2]
        assert [b.payload.collective for b in mine] == [genesis_collective_id(c) for c in (1, 2, 3)]
