"""Scores, bans, backoff and configuration, without sockets (a hand-driven clock)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from node.p2p import MessageType, P2PConfig, PeerAddress, Penalty, message_limits
from node.p2p.connector import backoff_delay, redial_cap
from node.p2p.handshake import CloseCode, HandshakeError
from node.p2p.scoring import PeerScores

PEER = b"p" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_penalties_add_up_to_a_ban_that_expires_with_a_clean_score():
    clock = Clock()
    scores = PeerScores(ban_score=-100, ban_seconds=60, recovery_per_second=0, clock=clock)
    for _ in range(3):
        assert not scores.penalize(PEER, Penalty.UNDECODABLE, "garbage")
    assert scores.score(PEER) == -75
    assert scores.penalize(PEER, Penalty.UNDECODABLE, "garbage")
    assert scores.is_banned(PEER)
    assert not scores.penalize(PEER, 50, "while banned")  # already banned: no second ban
    clock.now += 59
    assert scores.ban_remaining(PEER) == pytest.approx(1)
    clock.now += 1
    assert scores.score(PEER) == 0  # the ban is over: a clean score, even before anyone asks
    assert not scores.is_banned(PEER)
    assert not scores.penalize(PEER, Penalty.UNDECODABLE, "one more")


def test_the_score_recovers_towards_zero_and_not_beyond():
    clock = Clock()
    scores = PeerScores(ban_score=-100, ban_seconds=60, recovery_per_second=1.0, clock=clock)
    scores.penalize(PEER, 90, "bad")
    clock.now += 30
    assert scores.score(PEER) == -60
    assert not scores.penalize(PEER, 30, "bad")  # -90: recovery kept it above the ban score
    clock.now += 1000
    assert scores.score(PEER) == 0


def test_a_direct_ban_and_bad_arguments():
    clock = Clock()
    scores = PeerScores(ban_score=-100, ban_seconds=60, recovery_per_second=0, clock=clock)
    scores.ban(PEER, "operator said so", seconds=5)
    assert scores.ban_remaining(PEER) == 5
    with pytest.raises(ValueError):
        scores.penalize(PEER, -1, "a reward")
    with pytest.raises(ValueError):
        PeerScores(ban_score=0, ban_seconds=1, recovery_per_second=0)


def test_backoff_doubles_up_to_the_maximum_with_jitter():
    rng = random.Random(7)
    for failures in range(12):
        base = min(30.0, 0.5 * 2**failures)
        delays = [backoff_delay(failures, 0.5, 30.0, rng) for _ in range(50)]
        assert all(base / 2 <= d <= base for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert backoff_delay(10_000, 0.5, 30.0, rng) <= 30.0


def test_a_validator_peer_is_redialed_under_its_own_cap_and_a_refusal_caps_it_lower():
    config = P2PConfig(
        dial_backoff_max=30.0, dial_backoff_validator_max=2.0, dial_backoff_not_allowed_max=1.0
    )
    refused = HandshakeError(CloseCode.NOT_ALLOWED, "not allowed", remote=True)
    timeout = HandshakeError(CloseCode.TIMEOUT, "handshake timed out")
    assert redial_cap(config, False, False) == 30.0
    assert redial_cap(config, True, False) == 2.0
    assert redial_cap(config, True, timeout) == 2.0
    assert redial_cap(config, True, refused) == 1.0
    assert redial_cap(config, False, refused) == 1.0
    with pytest.raises(ValueError, match="max >= initial"):
        P2PConfig(dial_backoff_initial=1.0, dial_backoff_validator_max=0.5)


def test_peer_addresses_parse_and_print():
    key = bytes(range(32))
    address = PeerAddress.parse(f"{key.hex()}@127.0.0.1:26656")
    assert address == PeerAddress("127.0.0.1", 26656, key)
    assert str(address) == f"{key.hex()}@127.0.0.1:26656"
    assert address.url("/p2p") == "http://127.0.0.1:26656/p2p"
    v6 = PeerAddress.parse(f"{key.hex()}@[::1]:9000")
    assert v6.host == "::1" and v6.url("/p2p") == "http://[::1]:9000/p2p"
    for bad in ["127.0.0.1:1", f"{key.hex()}@127.0.0.1", f"{key.hex()[:-2]}@h:1", "zz@h:1"]:
        with pytest.raises(ValueError):
            PeerAddress.parse(bad)
    with pytest.raises(ValueError):
        PeerAddress("h", 70000, key)


def test_config_checks_itself():
    config = P2PConfig()
    assert config.max_frame_bytes == max(config.limits.values()) + 7 + 16  # envelope, AEAD tag
    with pytest.raises(ValueError):
        dataclasses.replace(config, limits={MessageType.VOTE: 10})
    with pytest.raises(ValueError):
        dataclasses.replace(config, tx_batch_max_bytes=config.limits[MessageType.TXS])
    with pytest.raises(ValueError):
        dataclasses.replace(config, ban_score=1)
    with pytest.raises(ValueError):
        dataclasses.replace(config, dial_backoff_initial=2.0, dial_backoff_max=1.0)


def test_config_from_a_file_table():
    limits = message_limits(max_block_bytes=1 << 20)
    config = P2PConfig.from_mapping(
        {"handshake_timeout": 3, "bulk_queue_msgs": 8, "path": "/peers"}, limits=limits
    )
    assert config.handshake_timeout == 3.0 and isinstance(config.handshake_timeout, float)
    assert config.bulk_queue_msgs == 8 and config.path == "/peers"
    assert config.limits == limits
    assert P2PConfig.from_mapping({}) == P2PConfig()
    for bad in ({"handshake_timout": 3}, {"limits": {}}, {"bulk_queue_msgs": 1.5}, {"path": 1}):
        with pytest.raises(ValueError):
            P2PConfig.from_mapping(bad)
    with pytest.raises(ValueError):
        P2PConfig.from_mapping({"ban_seconds": True})
