"""Byzantine actors: nodes that run an honest machine but send what they like.

Byzantine nodes form one coalition (the strongest adversary coordinates). It splits the honest
nodes into two groups, A and B, and each member deviates by its roles:

- `equivocate`: as proposer, sends its block to group A and a twin block (same contents, another
  timestamp, so another hash) to group B, both signed;
- `double-vote`: every vote goes one way to group A and another way to group B: for the two
  twins when the coalition equivocated in that round, else for its choice and for nil (or nil and
  a phantom block). 25 ms later each group also gets the other vote, so honest nodes see the
  equivocation and report evidence;
- `garbage`: on each tick sends peers malformed bytes, bad signatures, strangers' votes, wrong
  heights, forged commits and forged evidence;
- `future-round`: on each tick signs votes and proposals at rounds 2^63, 2^63 - 1, 2^31 + 1
  (malformed: above the wire bound) and 2^31, 2^31 - 1 (well-formed and far away);
- `censor`: as proposer, leaves out one client's txs and evidence against the coalition (set
  through the node's `Censorship`, not here);
- `bad-time`: as proposer of a fresh block, dates it far in the future (a year, or just past the
  honest clocks' precision) or in the past (the oldest time valid(v) allows: the last block's
  time + 1 ms), in turn; proposer-based timestamps must keep chain time within the bound.

With at most f Byzantine validators all of this must be harmless; with f + 1 the split-brain of
equivocate + double-vote forks the chain, which is how the tests show the checker can see a fork.
"""

from __future__ import annotations

import dataclasses
import random

from consensus.messages import NIL, ConsensusMessage, Proposal, encode_message
from consensus.sim.node import SimNode
from consensus.sim.payloads import CatchUp, EvidenceGossip, Payload, Status, Wire
from ledger.block import Block, Commit, CommitSig, DuplicateVoteEvidence, Vote, VoteType
from ledger.hashing import digest
from ledger.keys import PrivateKey

ROLES = ("equivocate", "double-vote", "garbage", "future-round", "censor", "bad-time")
YEAR_MS = 365 * 24 * 3600 * 1000
FAR_ROUNDS = (2**63, 2**63 - 1, 2**31 + 1, 2**31, 2**31 - 1)
EXPOSE_AFTER_MS = 25  # more than any link's jitter: the group's own vote arrives first


class Coalition:
    """What the Byzantine nodes share: their members, the honest split and their twins."""

    def __init__(self, members: frozenset[int], honest: list[int], rng: random.Random) -> None:
        self.members = members
        shuffled = honest[:]
        rng.shuffle(shuffled)
        half = (len(shuffled) + 1) // 2
        self.group_a = shuffled[:half]
        self.group_b = shuffled[half:]
        self.twins: dict[tuple[int, int], tuple[Proposal, Proposal]] = {}
        self.injected: set[tuple[bytes, int, int, int]] = set()  # (validator, h, r, type)


def sign_vote(key: PrivateKey, genesis_hash: bytes, what: tuple[VoteType, int, int, bytes]) -> Vote:
    """A vote for `what` = (type, height, round, block hash), signed without any guard."""
    vote_type, height, round_, block_hash = what
    message = Vote.sign_bytes_for(genesis_hash, vote_type, height, round_, block_hash)
    return Vote(vote_type, height, round_, block_hash, key.address, key.sign(message))


class Byzantine:
    def __init__(self, roles: frozenset[str], coalition: Coalition, rng: random.Random) -> None:
        unknown = roles - set(ROLES)
        if unknown:
            raise ValueError(f"unknown Byzantine roles: {sorted(unknown)}")
        self.roles = roles
        self.coalition = coalition
        self.rng = rng
        self.stranger = PrivateKey.from_secret(b"sim-stranger-%d" % rng.randrange(1 << 30))

    def outgoing(self, node: SimNode, message: ConsensusMessage) -> None:
        if isinstance(message, Proposal) and message.pol_round == -1 and "bad-time" in self.roles:
            message = self._redate(node, message)
        if isinstance(message, Proposal) and "equivocate" in self.roles:
            self._equivocate(node, message)
        elif isinstance(message, Vote) and "double-vote" in self.roles:
            self._double_vote(node, message)
        else:
            node.transport.broadcast(node.index, message)

    def tick(self, node: SimNode) -> None:
        if "garbage" in self.roles:
            self._garbage(node)
        if "future-round" in self.roles:
            self._future_rounds(node)

    # -- equivocation ------------------------------------------------------------------------

    def _redate(self, node: SimNode, proposal: Proposal) -> Proposal:
        block = proposal.block
        blocks = node.disk.chain.blocks
        oldest = blocks[-1].header.time_ms + 1 if blocks else 1
        local = node.queue.now + node.config.offset_ms
        precision = node.config.synchrony.precision_ms
        time_ms = self.rng.choice(
            (local + YEAR_MS, local + 2 * precision + 1 + self.rng.randrange(1000), oldest)
        )
        header = dataclasses.replace(block.header, time_ms=max(time_ms, oldest))
        dated = Block(header, block.txs, block.evidence, block.last_commit)
        message = Proposal.sign_bytes_for(
            node.world.genesis_hash, proposal.height, proposal.round, -1, dated.hash()
        )
        return dataclasses.replace(proposal, block=dated, signature=node.key.sign(message))

    def _send_split(self, node: SimNode, to_a: ConsensusMessage, to_b: ConsensusMessage) -> None:
        c = self.coalition
        for dst in [*c.group_a, *(m for m in sorted(c.members) if m != node.index)]:
            node.transport.send(node.index, dst, to_a)
        for dst in c.group_b:
            node.transport.send(node.index, dst, to_b)

    def _equivocate(self, node: SimNode, proposal: Proposal) -> None:
        block = proposal.block
        header = dataclasses.replace(block.header, time_ms=block.header.time_ms + 1)
        twin = Block(header, block.txs, block.evidence, block.last_commit)
        genesis = node.world.genesis_hash
        message = Proposal.sign_bytes_for(
            genesis, proposal.height, proposal.round, proposal.pol_round, twin.hash()
        )
        twin_proposal = dataclasses.replace(proposal, block=twin, signature=node.key.sign(message))
        node.checker.built(node.index, twin, node.queue.now)
        self.coalition.twins[(proposal.height, proposal.round)] = (proposal, twin_proposal)
        self._send_split(node, proposal, twin_proposal)

    def _double_vote(self, node: SimNode, vote: Vote) -> None:
        twins = self.coalition.twins.get((vote.height, vote.round))
        if twins is not None:
            hash_a, hash_b = twins[0].block_hash, twins[1].block_hash
        elif vote.block_hash:
            hash_a, hash_b = vote.block_hash, NIL
        else:
            hash_a, hash_b = NIL, digest(b"phantom %d %d" % (vote.height, vote.round))
        genesis = node.world.genesis_hash
        vote_a = sign_vote(node.key, genesis, (vote.type, vote.height, vote.round, hash_a))
        vote_b = sign_vote(node.key, genesis, (vote.type, vote.height, vote.round, hash_b))
        self._send_split(node, vote_a, vote_b)
        key = (node.key.address.raw, vote.height, vote.round, int(vote.type))
        if key in self.coalition.injected:
            return
        self.coalition.injected.add(key)
        c = self.coalition
        for dst in c.group_a:  # each group then also gets the other vote: honest nodes see
            node.queue.after(EXPOSE_AFTER_MS, node.transport.send, node.index, dst, vote_b)
        for dst in c.group_b:
            node.queue.after(EXPOSE_AFTER_MS, node.transport.send, node.index, dst, vote_a)

    # -- noise -------------------------------------------------------------------------------

    def _garbage(self, node: SimNode) -> None:
        rng, machine = self.rng, node.machine
        genesis = node.world.genesis_hash
        height, round_ = max(machine.height, 1), machine.round
        dst = rng.choice([i for i in range(node.peers) if i != node.index])
        kind = rng.randrange(9)
        payload: Payload
        if kind == 0:
            payload = Wire(rng.randbytes(rng.randint(0, 300)))
        elif kind == 1:
            vote = sign_vote(node.key, genesis, (VoteType.PREVOTE, height, round_, NIL))
            data = bytearray(encode_message(vote))
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            payload = Wire(bytes(data))
        elif kind == 2:
            vote = sign_vote(node.key, genesis, (VoteType.PREVOTE, height, round_, NIL))
            payload = dataclasses.replace(vote, signature=rng.randbytes(64))
        elif kind == 3:
            payload = sign_vote(self.stranger, genesis, (VoteType.PRECOMMIT, height, round_, NIL))
        elif kind == 4:
            payload = sign_vote(node.key, genesis, (VoteType.PREVOTE, height, round_, b"short"))
        elif kind == 5:
            payload = self._bad_proposal(node, height, round_)
        elif kind == 6:
            payload = self._forged_catchup(node, height)
        elif kind == 7:
            vote = sign_vote(node.key, genesis, (VoteType.PREVOTE, height, round_, NIL))
            fake = dataclasses.replace(vote, block_hash=digest(b"x"), signature=rng.randbytes(64))
            payload = EvidenceGossip(DuplicateVoteEvidence(vote, fake))
        else:
            payload = Status(2**63, 2**63)
        node.transport.send(node.index, dst, payload)

    def _bad_proposal(self, node: SimNode, height: int, round_: int) -> Proposal:
        """A proposal signed by a node that is not the round's proposer, for a wrong height."""
        block = node.app.propose(height, round_)
        header = dataclasses.replace(block.header, height=height + 7)
        block = Block(header, block.txs, block.evidence, block.last_commit)
        message = Proposal.sign_bytes_for(node.world.genesis_hash, height, round_, -1, block.hash())
        return Proposal(height, round_, -1, block, node.key.sign(message))

    def _forged_catchup(self, node: SimNode, height: int) -> CatchUp:
        """A block for `height` whose commit holds only our own signature."""
        block = node.app.propose(height, 0)
        genesis = node.world.genesis_hash
        vote = sign_vote(node.key, genesis, (VoteType.PRECOMMIT, height, 0, block.hash()))
        commit = Commit(height, 0, block.hash(), (CommitSig(node.key.address, vote.signature),))
        return CatchUp(((block, commit),))

    def _future_rounds(self, node: SimNode) -> None:
        genesis = node.world.genesis_hash
        height = max(node.machine.height, 1)
        block_hash = digest(b"future %d" % height)
        for round_ in FAR_ROUNDS:
            for vote_type in (VoteType.PREVOTE, VoteType.PRECOMMIT):
                vote = sign_vote(node.key, genesis, (vote_type, height, round_, block_hash))
                node.transport.broadcast(node.index, vote)
        vote = sign_vote(node.key, genesis, (VoteType.PREVOTE, height, 2**63, block_hash))
        node.transport.broadcast(node.index, Wire(encode_message(vote)))
        block = node.app.propose(height, 0)
        message = Proposal.sign_bytes_for(genesis, height, 2**63, -1, block.hash())
        node.transport.broadcast(
            node.index, Proposal(height, 2**63, -1, block, node.key.sign(message))
        )
