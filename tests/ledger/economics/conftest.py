"""A funded collective (Alice 10 shares, Bob 10, Carol 5; see tests/ledger/treasury/conftest.py)
and the helpers that open a curation round and anchor content in it."""

from __future__ import annotations

import hashlib

import pytest

from ledger.content.payloads import ContentAnchor
from ledger.economics.actions import MatchingOpen, RoundOpen
from ledger.economics.matching import Initiative, MatchingTerms
from ledger.economics.rounds import RoundTerms
from ledger.governance.proposal import Status
from ledger.keys import PrivateKey
from tests.ledger.conftest import Chain
from tests.ledger.treasury.conftest import Coop, enact, make_coop, proposal

DAY_MS = 24 * 3600 * 1000
WEEK_S = 7 * 24 * 3600


@pytest.fixture
def coop(chain: Chain) -> Coop:
    return make_coop(chain)


def open_round(coop: Coop, terms: RoundTerms) -> int:
    """Pass a proposal that opens a round of `terms`; returns the round id."""
    pid, events = enact(coop, [RoundOpen(terms)])
    assert proposal(coop, pid).status is Status.EXECUTED, events
    opened = [e for e in events if e.kind == "round_opened"]
    round_id = opened[0].get("round")
    assert isinstance(round_id, int)
    return round_id


def open_matching(
    coop: Coop, *initiatives: Initiative, pool: int = 1_000, cap: int = 10**6, weeks: int = 1
) -> int:
    terms = MatchingTerms(pool, weeks * WEEK_S, cap, initiatives)
    pid, events = enact(coop, [MatchingOpen(terms)])
    assert proposal(coop, pid).status is Status.EXECUTED, events
    rid = next(e for e in events if e.kind == "matching_opened").get("round")
    assert isinstance(rid, int)
    return rid


def post(coop: Coop, author: PrivateKey, name: str) -> bytes:
    """`author` anchors a piece of content in the collective; returns its hash."""
    content_hash = hashlib.sha256(name.encode()).digest()
    coop.chain.send(author, ContentAnchor(content_hash, f"ipfs://{name}", "video", coop.cid))
    return content_hash
