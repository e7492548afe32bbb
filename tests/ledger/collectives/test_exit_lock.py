"""The exit lock holds whatever way exit-bearing units would leave a locked holding (issue 23,
item 6): a treasury deposit or an application tribute is a transfer too."""

from __future__ import annotations

from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.core_actions import TreasurySpend
from tests.ledger.conftest import ALICE, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import CLASSES, make_coop, submit, vote


def test_alice_cannot_park_her_locked_loot_in_daves_arcade(chain: Chain) -> None:
    """Before the fix Alice, locked by her yes vote, deposited her loot into a friend's
    treasury (and offered it as a tribute), and the friend could ragequit both."""
    coop = make_coop(chain)
    arcade = chain.create_collective(DAVE, [(DAVE, (1, 0, 0))], classes=CLASSES, name="arcade")
    chain.accept(arcade, Asset(coop.cid, 1))
    pid = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 500)])
    vote(coop, pid, [ALICE])
    loot = Asset(coop.cid, 1)
    assert chain.reject(ALICE, TreasuryDeposit(arcade, loot, 4)) is ErrorCode.EXIT_LOCKED
    tribute = MembershipApply(arcade, ((0, 1),), loot, 4, "my loot for a share")
    assert chain.reject(ALICE, tribute) is ErrorCode.EXIT_LOCKED
    assert holding(chain.view, coop.cid, 1, ALICE.address) == 4


def test_unlocked_loot_may_still_be_deposited_elsewhere(chain: Chain) -> None:
    coop = make_coop(chain)
    arcade = chain.create_collective(DAVE, [(DAVE, (1, 0, 0))], classes=CLASSES, name="arcade")
    chain.accept(arcade, Asset(coop.cid, 1))
    chain.send(ALICE, TreasuryDeposit(arcade, Asset(coop.cid, 1), 4))
    assert holding(chain.view, coop.cid, 1, ALICE.address) == 0
