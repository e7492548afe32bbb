"""The payee graph: no split may reach itself, however the search meets shared children, and the
search stops at MAX_GRAPH_NODES reachable splits (bounded work per tx)."""

from __future__ import annotations

import pytest

from ledger.errors import ErrorCode, TxError
from ledger.keys import PrivateKey
from ledger.splits.consent import missing_consents
from ledger.splits.graph import MAX_GRAPH_NODES
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitUpdate
from ledger.splits.records import MAX_RECIPIENTS
from ledger.splits.store import get_config
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    CHLOE,
    DEV,
    EMI,
    Chain,
    account,
    terms_for,
)


def leaf(chain: Chain, key: PrivateKey) -> bytes:
    """An immutable split paying one account: a node of the graph with no nested payees."""
    split_id = chain.next_split_id(key)
    chain.run(key, SplitCreate(None, terms_for([(key, 1)])))
    return split_id


def test_a_child_met_twice_does_not_end_the_search_before_the_cycle(chain: Chain) -> None:
    """x -> {e, f}, e -> {f, x}: the search meets f again before it reaches x, and goes on.

    Depth-first from the new payees pops the largest id first; the ids are chosen (by spending
    BEN's nonces on throwaway splits) so that f is popped first from both lists, which makes the
    second visit of f come before x.
    """
    x = chain.next_split_id(ANA)
    e = chain.next_split_id(CHLOE)
    while chain.next_split_id(BEN) < max(x, e):
        leaf(chain, BEN)
    chain.run(ANA, SplitCreate(account(ANA), terms_for([(ANA, 1)])))
    f = leaf(chain, BEN)
    chain.run(CHLOE, SplitCreate(None, terms_for([(Party.split(f), 1), (Party.split(x), 1)])))
    assert f > x and f > e
    closing = terms_for([(ANA, 1), (Party.split(e), 1), (Party.split(f), 1)])
    assert chain.reject(ANA, SplitUpdate(x, 0, closing)) is ErrorCode.SPLIT_CYCLE
    assert get_config(chain.view, x).version == 0


def hub(chain: Chain, children: list[bytes]) -> bytes:
    """An immutable split paying each of `children` one share."""
    split_id = chain.next_split_id(DEV)
    chain.run(DEV, SplitCreate(None, terms_for([(Party.split(c), 1) for c in children])))
    return split_id


def test_payees_may_reach_exactly_the_graph_limit_and_not_one_split_more(chain: Chain) -> None:
    """256 reachable nested splits are checked; the 257th refuses the tx as too large to check."""
    leaves = [leaf(chain, EMI) for _ in range(MAX_GRAPH_NODES - 1)]
    first = hub(chain, leaves[:MAX_RECIPIENTS])
    second = hub(chain, leaves[MAX_RECIPIENTS : MAX_GRAPH_NODES - 2])
    # reachable from [first, second]: 2 hubs + 254 leaves = 256
    at_limit = terms_for([(Party.split(first), 1), (Party.split(second), 1)])
    chain.run(ANA, SplitCreate(None, at_limit))
    one_more = terms_for([(Party.split(first), 1), (Party.split(second), 1), (account(ANA), 1)])
    extra = terms_for(
        [(Party.split(first), 1), (Party.split(second), 1), (Party.split(leaves[-1]), 1)]
    )
    chain.run(ANA, SplitCreate(None, one_more))  # an account is no node of the graph
    assert chain.reject(ANA, SplitCreate(None, extra)) is ErrorCode.SPLIT_GRAPH_TOO_LARGE


def test_asking_consent_walks_at_most_the_graph_limit_and_names_each_party_once(
    chain: Chain,
) -> None:
    """Harmed nested splits are asked through every party they pay, but the walk is bounded like
    the payee graph: 256 nested splits are walked, the 257th refuses the change as too large to
    ask. An account reached through 254 leaves is missing once, and every harmed account that
    did not consent is named, not only the first."""
    leaves = [leaf(chain, EMI) for _ in range(MAX_GRAPH_NODES - 1)]
    first = hub(chain, leaves[:MAX_RECIPIENTS])
    second = hub(chain, leaves[MAX_RECIPIENTS : MAX_GRAPH_NODES - 2])
    at_limit = [Party.split(first), Party.split(second)]
    assert missing_consents(chain.view, at_limit, frozenset()) == [account(EMI)]
    assert missing_consents(chain.view, at_limit, frozenset({account(EMI)})) == []
    with pytest.raises(TxError) as refused:
        missing_consents(chain.view, [*at_limit, Party.split(leaves[-1])], frozenset())
    assert refused.value.code is ErrorCode.SPLIT_GRAPH_TOO_LARGE
    harmed = [account(ANA), account(BEN), account(ANA)]
    assert missing_consents(chain.view, harmed, frozenset()) == [account(ANA), account(BEN)]
    assert missing_consents(chain.view, harmed, frozenset({account(ANA)})) == [account(BEN)]
