"""`coterie query` text: moderation history and finished proposals say what the JSON says."""

from __future__ import annotations

from cli import queryfmt as fmt

NOW = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC
GUILD = "9f06931e" + "00" * 16
MODERATOR = "tcot1qvzsxqcrqvzsxqcrqvzsxqcrqvzsxqcrs6mzj0"


def _content(history: list[dict[str, object]]) -> dict[str, object]:
    return {
        "hash": "ab" * 32,
        "author": MODERATOR,
        "uri": "ipfs://clip",
        "kind": "video",
        "collective": GUILD,
        "time_ms": NOW,
        "moderation": history[-1],
        "moderation_history": history,
    }


def test_moderation_history_names_actor_proposal_appeal_deadline_and_reason() -> None:
    hide = {
        "action": "HIDE",
        "actor": MODERATOR,
        "actor_kind": "ACCOUNT",
        "proposal_id": 23,
        "appeal_until_ms": NOW + 2 * 86_400_000,
        "reason_uri": "ipfs://why",
        "label": "",
        "time_ms": NOW,
    }
    restore = {
        **hide,
        "action": "RESTORE",
        "actor": GUILD,
        "actor_kind": "COLLECTIVE",
        "appeal_until_ms": 0,
        "reason_uri": "reversed on appeal",
    }
    text = fmt.content_text(_content([hide, restore]), NOW)
    assert f"HIDE by moderator {MODERATOR}, proposal 23" in text
    assert "appeal until 2026-01-03 00:00:00 UTC (in 2 d)" in text
    assert "reason ipfs://why" in text
    assert f"RESTORE by collective {GUILD}, proposal 23, reason reversed on appeal" in text
    assert "upheld" not in text
