"""A collective's life on a live testnet, for the explorer's pages to show: a collective with two
members, a treasury deposit, a signal proposal, a split that pays the collective and a brand deal
paid into it, anchored content, a transfer, and an open matching round with two contributions.
Every tx goes through a node's real API.

Not a test module: the explorer's conftest and its screenshot option use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.ids import NATIVE, derive_collective_id
from ledger.collectives.model import DEFAULT_CLASSES
from ledger.collectives.params import MINUTE, CollectiveParams
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.economics.actions import MatchingOpen
from ledger.economics.contribute import MatchingContribute
from ledger.economics.matching import Initiative, MatchingTerms
from ledger.genesis import Genesis
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption, ProposalKind
from ledger.governance.policy import Policy
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.keys import PrivateKey
from ledger.moderation.actions import Moderate
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.tx import Payload, Transfer, TxBody
from node.devnet import dev_account_key
from tests.node.processes import NodeProc, committed, http, wait_for

CONTENT_HASH = bytes.fromhex("c0ffee" + "00" * 29)
COLLECTIVE_NAME = "Cartridge Keepers"
MATCHING_PURPOSE = "a restoration zine"
PROPOSAL_TEXT = "Restore the Earthbound cartridges?"
DECIDE_AT_ONCE = Policy(
    voting_period_ms=MINUTE, expedited_period_ms=0, grace_period_ms=0, early_execution=True
)
EVIL_MEMO = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"


@dataclass
class Seeder:
    node: NodeProc
    genesis: Genesis
    nonces: dict[bytes, int] = field(default_factory=dict)

    def sign(self, key: PrivateKey, payload: Payload) -> tuple[int, str]:
        """(nonce, hex of the signed tx)."""
        nonce = self.nonces.get(key.public_key, 0)
        self.nonces[key.public_key] = nonce + 1
        body = TxBody(self.genesis.chain_id, key.public_key, nonce, 0, payload)
        return nonce, body.sign(key, self.genesis.hash()).encode().hex()

    def send(self, txs: list[str]) -> list[str]:
        """Submit, wait until every tx is committed; answers their hashes."""
        code, body = http(self.node.url + "/v1/txs", {"txs": txs}, timeout=10.0)
        assert code == 200, body
        bad = [r for r in body["results"] if not r["ok"]]
        assert not bad, bad
        hashes = [str(r["tx_hash"]) for r in body["results"]]
        wait_for(lambda: all(committed(self.node, h) for h in hashes), 60, "seed txs committed")
        return hashes


@dataclass(frozen=True)
class Seeded:
    collective: str
    proposal: int
    moderation: int
    """The proposal that hid the content (a MODERATION vote the founder decides alone)."""
    split: str
    content: str
    transfer: str
    evil: str
    """A transfer whose memo is HTML: it must show as text."""
    founder: str
    member: str
    payer: str


def seed(node: NodeProc, genesis: Genesis) -> Seeded:
    """Three rounds of txs (each waits for the last to commit)."""
    dev = [dev_account_key(i) for i in range(4)]
    hrp = genesis.params.address_prefix
    s = Seeder(node, genesis)
    create_nonce, create = s.sign(
        dev[0],
        CollectiveCreate(
            COLLECTIVE_NAME,
            "Retro game restorers; brand deals split with the guild",
            DEFAULT_CLASSES,
            (Founder(dev[0].address, (10, 0)), Founder(dev[1].address, (5, 1))),
            CollectiveParams(),
            (
                (int(ProposalKind.MODERATION), DECIDE_AT_ONCE),
                (int(ProposalKind.SPEND), DECIDE_AT_ONCE),
            ),
        ),
    )
    cid = derive_collective_id(dev[0].address, create_nonce)
    _, transfer = s.sign(dev[0], Transfer(dev[1].address, 1_000, "first"))
    transfer_hash = s.send([create, transfer])[1]

    guild = Party(PartyKind.COLLECTIVE, cid)
    terms = SplitTerms(tuple(sorted((guild, Party.account(dev[2].address)))), (3, 1), 4)
    split_nonce, split = s.sign(dev[2], SplitCreate(Party.account(dev[2].address), terms))
    split_id = split_id_for(dev[2].address, split_nonce)
    s.send(
        [
            s.sign(dev[0], ProposalSubmit(cid, (), metadata=PROPOSAL_TEXT))[1],
            s.sign(dev[0], TreasuryDeposit(cid, NATIVE, 5_000, "dues"))[1],
            split,
            s.sign(dev[1], ContentAnchor(CONTENT_HASH, "ipfs://bafy-earthbound", "video", cid))[1],
        ]
    )
    _, pay = s.sign(dev[3], SplitPay(split_id, 400, b"inv-1", "brand deal"))
    _, evil = s.sign(dev[3], Transfer(dev[2].address, 1, EVIL_MEMO))
    hide = Moderate(CONTENT_HASH, ModerationAction.HIDE, reason_uri="ipfs://why-hidden")
    _, moderate = s.sign(dev[1], ProposalSubmit(cid, (hide,), metadata="hide the clip"))
    evil_hash = s.send([pay, evil, moderate])[1]
    code, listed = http(f"{node.url}/v1/collectives/{cid.hex()}/proposals")
    assert code == 200, listed
    by_text = {p["metadata"]: int(p["id"]) for p in listed["proposals"]}
    # the founder's 10 of 15 shares decide it: the content is hidden by the collective at once
    s.send([s.sign(dev[0], Vote(by_text["hide the clip"], Ballot.binary(BinaryOption.YES)))[1]])
    # a day-long matching round of 500 for a zine (decided at once: under the large-spend
    # share of the treasury), and two contributions
    zine = Initiative(Party.account(dev[2].address), MATCHING_PURPOSE)
    terms = MatchingTerms(500, 24 * 3600, 1_000_000, (zine,))
    s.send([s.sign(dev[1], ProposalSubmit(cid, (MatchingOpen(terms),), metadata="zine match"))[1]])
    code, listed = http(f"{node.url}/v1/collectives/{cid.hex()}/proposals")
    assert code == 200, listed
    by_text = {p["metadata"]: int(p["id"]) for p in listed["proposals"]}
    s.send([s.sign(dev[0], Vote(by_text["zine match"], Ballot.binary(BinaryOption.YES)))[1]])
    code, rounds = http(f"{node.url}/v1/collectives/{cid.hex()}/matchings")
    assert code == 200 and rounds["matchings"], rounds
    mid = int(rounds["matchings"][0]["id"])
    s.send(
        [
            s.sign(dev[0], MatchingContribute(mid, 0, 40))[1],
            s.sign(dev[1], MatchingContribute(mid, 0, 30))[1],
        ]
    )
    return Seeded(
        collective=cid.hex(),
        proposal=by_text[PROPOSAL_TEXT],
        moderation=by_text["hide the clip"],
        split=split_id.hex(),
        content=CONTENT_HASH.hex(),
        transfer=transfer_hash,
        evil=evil_hash,
        founder=dev[0].address.to_text(hrp),
        member=dev[1].address.to_text(hrp),
        payer=dev[3].address.to_text(hrp),
    )
