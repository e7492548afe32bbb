"""Conservation properties count the native coin with tests/ledger/custody.py; these tests make
sure it knows every place the coin can sit: each state key prefix any ledger module declares is
either counted there or listed here as holding none, so a new pool, escrow or reserve cannot be
added without the properties seeing it (a pool the count missed once made the adversarial
machine report coin lost that was only waiting to be claimed)."""

from __future__ import annotations

import importlib
import pkgutil

import ledger
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.params import DAY
from ledger.governance.actions_treasury import HolderDistribution
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.vote_txs import Vote
from ledger.treasury.holder_claim import HolderClaim
from tests.ledger.adversarial.world import SHARES, setup, submit
from tests.ledger.conftest import ALICE, BOB, CAROL, YES
from tests.ledger.custody import NATIVE_CUSTODY, native_places, native_total

NOT_STORE = ("ledger.store", "ledger.merkle")  # the database layout, outside the state keyspace

# state prefixes whose records hold no coin: what they say about coin is a record or a claim on
# coin that sits in a counted place (an entitlement on a holder pool, a contribution to a round)
_NO_COIN: dict[str, tuple[str, ...]] = {
    "ledger.state.keys": (
        "VALIDATOR",
        "VALIDATOR_UPDATE",
        "EVIDENCE",
        "CHAIN_META",
        "VALIDATOR_PAST",
    ),
    "ledger.collectives.keys": (
        "COLLECTIVE",
        "POLICY",
        "MEMBER",
        "HOLDING",
        "SUPPLY",
        "POWER",
        "POWER_HISTORY",
        "DELEGATION",
        "DELEGATION_HISTORY",
        "ROLE",
        "ROLE_LOCK",
        "EXPELLED",
        "BODY_SYNC",
        "MEMBER_COUNT",
        "EXIT_LOCK",
        "DATED",
        "DATED_PENDING",
        "DATED_HOLDING",
        "ENTITLEMENT",
        "HELD",
        "POOL_ASSETS",
        "DELEGATORS",
        "POWER_TOTAL",
        "POWER_EXPIRY",
        "POWER_CHANGED",
    ),
    "ledger.governance.keys": (
        "PROPOSAL",
        "BY_COLLECTIVE",
        "DEADLINE",
        "BALLOT",
        "COMMITMENT",
        "APPROVAL",
        "LIVE",
        "EVIDENCE_CASE",
        "NEXT_ID",
        "RUNNING",
        "CAST",
        "VOTING_OF",
        "SPENT",
    ),
    "ledger.governance.multisig_queue": ("HEAD", "NEXT", "SEQ", "ENTRY", "REJECTION"),
    "ledger.treasury.keys": (
        "ACCEPTED",
        "ALLOWANCE",
        "STREAMS_OF",
        "STREAMS_TO",
        "NEXT_STREAM_ID",
        "INVOICE",
        "DEPOSIT_SEQ",
        "INVOICE_BY_PAYER",
    ),
    "ledger.splits.keys": ("CONFIG", "HISTORY", "INVOICE", "BY_OWNER", "BY_RECIPIENT"),
    "ledger.content.keys": (
        "RECORD",
        "BY_AUTHOR",
        "BY_COLLECTIVE",
        "MODERATION_LATEST",
        "MODERATION_HISTORY",
    ),
    "ledger.moderation.appeals": ("APPEAL", "OPEN_ON", "WON_ON"),
    "ledger.economics.keys": (
        "ROUNDS_OF",
        "ROUND_DUE",
        "ENDORSEMENT",
        "ENDORSED_BY",
        "NEXT_ROUND_ID",
        "MATCHINGS_OF",
        "MATCHING_DUE",
        "CONTRIBUTION",
        "NEXT_MATCHING_ID",
        "STANDING",
        "REPUTATION_POLICY",
        "ROLE_GATE",
        "DELIVERABLE",
        "VOTE_BONUS",
        "VOTE_BONUS_TOTAL",
        "REWARD_SCHEDULE",  # a budget stays in the treasury until its period pays it
        "REWARD_DUE",
    ),
}
HOLD_NO_COIN = frozenset(f"{module}.{name}" for module, names in _NO_COIN.items() for name in names)


def state_prefixes() -> dict[str, bytes]:
    """Every public one-byte constant of a ledger module outside the store: the state prefixes."""
    out: dict[str, bytes] = {}
    for info in pkgutil.walk_packages(ledger.__path__, "ledger."):
        if info.name.startswith(NOT_STORE):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            public = name.isupper() and not name.startswith("_")
            if public and isinstance(value, bytes) and len(value) == 1:
                out.setdefault(f"{info.name}.{name}", value)
    return out


def test_every_state_prefix_is_counted_or_known_to_hold_no_coin() -> None:
    found = state_prefixes()
    counted = {name for name, prefix in found.items() if prefix in NATIVE_CUSTODY}
    unknown = set(found) - counted - HOLD_NO_COIN
    assert not unknown, f"state prefixes neither counted nor known to hold no coin: {unknown}"
    assert not HOLD_NO_COIN - set(found), "listed prefixes that no module declares any more"
    assert {found[name] for name in counted} == set(NATIVE_CUSTODY)


def test_a_holder_distribution_moves_coin_from_the_treasury_into_the_pool_then_to_holders() -> None:
    """The count follows the coin through every place a distribution puts it."""
    world = setup()
    chain, start = world.chain, native_total(world.chain.view)
    pid = submit(world, ALICE, (HolderDistribution(Asset(world.cid, SHARES), NATIVE, 1_001),))
    for voter in (ALICE, BOB, CAROL):
        chain.send(voter, Vote(pid, YES))
    before = native_places(chain.view)
    for _ in range(8):
        chain.next_block(DAY)
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    after = native_places(chain.view)
    assert after["holder pools"] == before["holder pools"] + 1_001
    assert native_total(chain.view) == start
    chain.send(ALICE, HolderClaim(Asset(world.cid, SHARES)))
    claimed = native_places(chain.view)
    assert 0 < after["holder pools"] - claimed["holder pools"] <= 1_001
    assert native_total(chain.view) == start
