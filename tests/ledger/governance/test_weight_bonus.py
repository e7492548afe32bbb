"""The weight bonus hook of the tally (`governance/weight_bonus.py`), pinned with a provider of
fixed bonuses (Alice 4, Carol 2) so these tests do not depend on how economics computes them:
the bonus counts on the voter's own ballot and in the total, is never lent, leaves with the
voter's last share, and expulsion targets have none."""

from __future__ import annotations

import pytest

from ledger.collectives.delegation import Delegate
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.governance import weight_bonus
from ledger.governance.core_actions import Expel, TreasurySpend
from ledger.governance.proposal import Proposal
from ledger.governance.running import cast_weight
from ledger.keys import Address
from ledger.state.view import StateView
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, NO, Chain
from tests.ledger.treasury.conftest import Coop, make_coop, proposal, submit, vote

FIXED = {ALICE.address: 4, CAROL.address: 2}


def fixed_bonus(view: StateView, cid: bytes, height: int, who: Address) -> int:
    return FIXED.get(who, 0)


def fixed_total(view: StateView, p: Proposal) -> int:
    return sum(FIXED.values())


def fixed_coop(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> Coop:
    """The funded coop, with the fixed bonuses as the only provider (for this test only)."""
    monkeypatch.setattr(weight_bonus, "_PROVIDERS", [(fixed_bonus, fixed_total)])
    return make_coop(chain)


def spend(coop: Coop) -> int:
    return submit(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], proposer=BOB)


def test_the_bonus_counts_on_the_own_ballot_and_in_the_total(
    chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    coop = fixed_coop(chain, monkeypatch)
    pid = spend(coop)
    assert proposal(coop, pid).total_power == 25 + 6
    vote(coop, pid, (ALICE,), NO)
    vote(coop, pid, (BOB,), NO)
    assert cast_weight(chain.view, pid, ALICE.address) == (14, 14)
    assert cast_weight(chain.view, pid, BOB.address) == (10, 10)
    assert proposal(coop, pid).status.name == "VOTING"


def test_the_bonus_is_never_lent(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    coop = fixed_coop(chain, monkeypatch)
    chain.send(ALICE, Delegate(coop.cid, 0, ((CAROL.address, 1_000_000),)))
    chain.next_block()
    pid = spend(coop)
    vote(coop, pid, (CAROL,), NO)
    assert cast_weight(chain.view, pid, CAROL.address) == (5 + 2 + 10, 5 + 2)


def test_the_bonus_leaves_with_the_last_share(
    chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    coop = fixed_coop(chain, monkeypatch)
    pid = spend(coop)
    vote(coop, pid, (CAROL,), NO)
    chain.send(CAROL, Ragequit(coop.cid, ((0, 4),)))
    assert cast_weight(chain.view, pid, CAROL.address) == (1 + 2, 1 + 2)
    chain.send(CAROL, Ragequit(coop.cid, ((0, 1),)))
    assert cast_weight(chain.view, pid, CAROL.address) == (0, 0)


def test_an_expulsion_target_has_no_bonus(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    coop = fixed_coop(chain, monkeypatch)
    pid = submit(coop, [Expel(ALICE.address)], proposer=BOB)
    assert proposal(coop, pid).total_power == 10 + 5 + 2
    assert weight_bonus.bonus(chain.view, proposal(coop, pid), ALICE.address) == 0
    assert weight_bonus.bonus(chain.view, proposal(coop, pid), CAROL.address) == 2
