"""`coterie query` text: moderation history and finished proposals say what the JSON says."""

from __future__ import annotations

import click
import pytest

from cli import queryfmt as fmt
from cli.refs import PROPOSAL_NUMBER

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


def _finished(status: str, **extra: object) -> dict[str, object]:
    return {
        "id": 7,
        "collective": GUILD,
        "kind": "SPEND",
        "status": status,
        "proposer": MODERATOR,
        "metadata": "",
        "start_ms": NOW - 3_600_000,
        "next_deadline": None,
        "live_tally": None,
        "tally": [150, 40, 10, 0],
        "total_power": 250,
        "winner": -1,
        "choices": [],
        "closed_ms": NOW - 600_000,
        "grace_end_ms": NOW + 60_000 if status == "GRACE" else NOW - 60_000,
        "actions": [{"tag": "SPEND"}],
        **extra,
    }


def test_a_finished_proposal_shows_its_result_close_and_execution() -> None:
    """GRACE, EXECUTED and REJECTED show the final tally from the record (issue 15)."""
    executed = fmt.proposal_text(_finished("EXECUTED"), NOW)
    assert "result:        EXECUTED (final tally of 250 voting power)" in executed
    assert "  yes:         150 (60%)" in executed and "  no:          40 (16%)" in executed
    assert "closed:        2025-12-31 23:50:00 UTC" in executed
    assert "executed:      yes, its actions ran (grace period ended 2025-12-31 23:59:00 UTC)" in (
        executed
    )
    grace = fmt.proposal_text(_finished("GRACE"), NOW)
    assert "when the grace period ends, 2026-01-01 00:01:00 UTC (in 1 min)" in grace
    rejected = fmt.proposal_text(_finished("REJECTED", tally=[10, 200, 0, 40]), NOW)
    assert "result:        REJECTED" in rejected and "  veto:        40 (16%)" in rejected
    poll = fmt.proposal_text(_finished("EXECUTED", choices=["a", "b"], tally=[5, 9], winner=1), NOW)
    assert "winner:        b" in poll


def test_a_verified_finished_proposal_prints_the_proven_tally() -> None:
    answer = _finished("REJECTED", verified={"height": 9, "block_hash": "ab" * 32})
    text = fmt.proposal_text(answer, NOW)
    assert "  no:" in text and "verified:" in text


def test_one_validator_is_not_1_validators() -> None:
    one = {"height": 3, "total_power": 1, "validators": [{"address": MODERATOR, "power": 1}]}
    assert fmt.validators_text(one).startswith("height 3, 1 validator, total power 1")


def test_a_proposal_number_is_taken_as_lists_print_it() -> None:
    """`query proposals` prints `#12`; `query proposal` and `proposal vote` take `#12` too."""
    assert PROPOSAL_NUMBER.convert("#12", None, None) == 12
    assert PROPOSAL_NUMBER.convert("12", None, None) == 12
    with pytest.raises(click.BadParameter, match="not a proposal number"):
        PROPOSAL_NUMBER.convert("#x", None, None)


def test_the_list_shows_a_closed_vote_by_its_final_tally() -> None:
    listed = fmt.proposals_text({"proposals": [_finished("EXECUTED")]}, NOW)
    assert listed.startswith("#7") and "EXECUTED  | yes 150 no 40 abstain 10 veto 0" in listed


def test_query_tx_shows_each_event_with_its_attributes() -> None:
    """The ids an event names (here the collective, by its hex id) are printed, so they can be
    pasted; the payload's asset and invoice read as the wallet takes them."""
    answer = {
        "hash": "aa" * 32,
        "status": "committed",
        "height": 5,
        "tx": {
            "kind": "TREASURY_DEPOSIT",
            "sender": MODERATOR,
            "nonce": 1,
            "fee": 0,
            "payload": {
                "collective": GUILD,
                "asset": {"collective": GUILD, "token_class": 1},
                "invoice_ref": b"brand-2026-001".hex(),
            },
        },
        "result": {
            "events": [{"kind": "treasury_deposit", "attributes": {"collective": GUILD}}],
        },
    }
    text = fmt.tx_text(answer)
    assert f"event:         treasury_deposit collective={GUILD}" in text
    assert f"  asset:       {GUILD}/1" in text and '"brand-2026-001"' in text
