from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, START_BALANCE, Chain


def test_spend_flow(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (5, 0)), (CAROL, (5, 0))])
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1000, "gift"))
    chain.next_block()
    r = chain.send(ALICE, ProposalSubmit(cid, (TreasurySpend(NATIVE, DAVE.address, 50),)))
    pid = r.events[0].get("proposal")
    assert isinstance(pid, int)
    p = require_proposal(chain.view, pid)
    assert p.status is Status.VOTING and p.total_power == 20, p
    chain.send(ALICE, Vote(pid, Ballot.binary(BinaryOption.YES)))
    assert require_proposal(chain.view, pid).status is Status.VOTING
    chain.send(BOB, Vote(pid, Ballot.binary(BinaryOption.YES)))
    p = require_proposal(chain.view, pid)
    assert p.status is Status.GRACE, p
    chain.next_block(2 * DAY)
    chain.next_block()
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    assert treasury.balance(chain.view, cid, NATIVE) == 950
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE - 1000 + 50
