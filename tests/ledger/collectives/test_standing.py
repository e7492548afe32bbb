"""Good standing, and the lookups that say who is a member: each refusal names its reason, and
a stranger has neither power nor standing."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.collectives.checkpoints import latest_power
from ledger.collectives.roster import update
from ledger.collectives.standing import in_good_standing, require_active_member
from ledger.collectives.store import require_collective, require_member
from ledger.errors import ErrorCode, TxError
from tests.ledger.conftest import ALICE, BOB, DAVE, Chain


def test_standing_names_the_stranger_the_jailed_and_keeps_the_rest(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (5, 0)), (BOB, (5, 0))])
    collective = require_collective(chain.view, cid)
    bob = dataclasses.replace(require_member(chain.view, cid, BOB.address), jailed=True)
    update(chain.view, chain.height, cid, collective, BOB.address, member=bob)
    now = chain.time_ms
    for who, code in ((DAVE, ErrorCode.NOT_MEMBER), (BOB, ErrorCode.JAILED)):
        with pytest.raises(TxError) as info:
            require_active_member(chain.view, cid, who.address, now)
        assert info.value.code is code
        assert not in_good_standing(chain.view, cid, who.address, now)
    assert in_good_standing(chain.view, cid, ALICE.address, now)
    with pytest.raises(TxError) as info:
        require_member(chain.view, cid, DAVE.address)
    assert info.value.code is ErrorCode.NOT_MEMBER


def test_a_stranger_has_no_voting_power(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (5, 0))])
    assert latest_power(chain.view, cid, ALICE.address) == 5
    assert latest_power(chain.view, cid, DAVE.address) == 0
