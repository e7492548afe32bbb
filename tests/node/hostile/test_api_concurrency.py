"""Issue 14, item 7: concurrent large bodies must not run a node out of memory or time.

On 2010e93, 20 concurrent 15 MB JSON bodies took a node from 75 to 589 MB and stalled its
event loop for about 5 s. The API now bounds requests in flight (in total and per address) and
the body bytes being read, and caps a JSON body at 4 MiB (msgpack batches keep 16 MiB).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest

from tests.node.hostile.attacker import get_json, peak_rss_mb, source
from tests.node.processes import Cluster

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CLIENTS = 20
BODY_MB = 15
PEAK_RSS_BOUND_MB = 150  # measured: about 80 MB now, 376-381 MB on 2010e93 (this probe)


def _json_chunks() -> Iterator[bytes]:
    yield b'{"txs": ["'
    chunk = b"ab" * (512 * 1024)
    for _ in range(BODY_MB):
        yield chunk
    yield b'"]}'


def _post(port: int, src: str, chunked: bool, statuses: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(src, 0))
    try:
        headers = {"Content-Type": "application/json"}
        if chunked:
            conn.request(
                "POST", "/v1/txs", body=_json_chunks(), headers=headers, encode_chunked=True
            )
        else:
            body = b"".join(_json_chunks())
            conn.request("POST", "/v1/txs", body=body, headers=headers)
        statuses.append(conn.getresponse().status)
    except OSError:
        statuses.append(0)  # the node answered early and closed while we were still sending
    finally:
        conn.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_twenty_concurrent_fifteen_megabyte_json_bodies(solo: Cluster, chunked: bool) -> None:
    node = solo.nodes[0]
    port = node.node.api.port
    statuses: list[int] = []
    threads = [
        threading.Thread(target=_post, args=(port, source(i), chunked, statuses))
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    code, _ = get_json(port, "/v1/status", source(CLIENTS + 1))
    for thread in threads:
        thread.join()
    assert code == 200
    assert len(statuses) == CLIENTS and 200 not in statuses, statuses
    assert peak_rss_mb(node) < PEAK_RSS_BOUND_MB
    assert node.running
