"""Issue 14, item 2: outsiders must not keep a validator from its peers.

On 2010e93 the peer port had 16 pending-handshake slots shared by everyone, 5 s each: about
12 silent upgrades per second kept a restarted validator at 0 peers, and with two validators
both needed, the chain stopped. Now an outsider address holds at most a few pending handshakes,
a silent one is closed after the HELLO deadline, and the configured peers' hosts have slots of
their own.
"""

from __future__ import annotations

import time

import pytest

from tests.node.hostile.attacker import SlotSquatter
from tests.node.processes import Cluster, NodeProc, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _peers(node: NodeProc) -> int:
    status = node.status()
    return int(status["peers"]) if status else -1


def test_silent_upgrades_from_outsiders_do_not_keep_a_restarted_validator_alone(
    pair: Cluster,
) -> None:
    a, b = pair.nodes
    ports = [a.node.p2p.port, b.node.p2p.port]
    with SlotSquatter(ports) as squatter:
        time.sleep(2.0)  # the squatter holds every slot it can get
        b.stop()
        b.start()
        wait_for(lambda: _peers(a) >= 1 and _peers(b) >= 1, 45, "the validators to reconnect")
        top = a.answered_height()
        wait_for(lambda: min(pair.heights()) >= top + 3, 45, "commits under the squatter")
        assert squatter.opened >= 16  # it held at least as many as the old shared pool had
    assert a.running and b.running
