"""The funded collective of the treasury tests, with a post anchored in it and a moderator."""

from __future__ import annotations

import pytest

from ledger.content.payloads import ContentAnchor
from ledger.governance.kinds import Role
from ledger.governance.roles import SetRole
from ledger.hashing import digest
from tests.ledger.conftest import BOB, CAROL, Chain
from tests.ledger.treasury.conftest import Coop, enact, make_coop

POST = digest(b"how I restored a Vectrex")


@pytest.fixture
def coop(chain: Chain) -> Coop:
    return make_coop(chain)


def make_posted(chain: Chain) -> Coop:
    """Carol anchored POST in the collective; Bob is a moderator."""
    coop = make_coop(chain)
    coop.chain.send(CAROL, ContentAnchor(POST, "ipfs://vectrex", "post", coop.cid))
    enact(coop, [SetRole(Role.MODERATOR, BOB.address)])
    return coop


@pytest.fixture
def posted(chain: Chain) -> Coop:
    return make_posted(chain)
