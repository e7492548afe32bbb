"""What `query --verify` checks beside the light client's own checks: a treasury asset shown as
`COLLECTIVE/CLASS` must name the entry's own collective and class (what the proof covers), and a
stream's answer must be the view of the proven record."""

from __future__ import annotations

import pytest

from cli.commands.query import _raw_assets
from cli.commands.query_chain import check_stream
from cli.lightclient import VerificationError
from ledger.collectives.ids import NATIVE
from ledger.keys import Address
from ledger.treasury.streams import Stream
from ledger.treasury.vesting import Schedule

CID = "9f" * 20


def test_a_shown_asset_is_checked_as_the_raw_key_it_names() -> None:
    answer = {
        "treasury": [
            {"asset": "native", "collective": None, "token_class": None, "amount": 5},
            {"asset": f"{CID}/1", "collective": CID, "token_class": 1, "amount": 7},
        ]
    }
    raw = _raw_assets(answer)["treasury"]
    assert [t["asset"] for t in raw] == ["native", CID + "01"]
    assert answer["treasury"][1]["asset"] == f"{CID}/1"  # what is shown is left as it was


def test_a_shown_asset_that_disagrees_with_its_entry_does_not_verify() -> None:
    lying = {"treasury": [{"asset": f"{CID}/2", "collective": CID, "token_class": 1}]}
    with pytest.raises(VerificationError, match="is not"):
        _raw_assets(lying)


def test_a_stream_answer_must_be_the_proven_record() -> None:
    record = Stream(
        bytes.fromhex(CID), Address(bytes(20)), NATIVE, Schedule(1_000, 120_000, 60_000, 0, 60)
    )
    answer = {
        "collective": CID,
        "recipient": Address(bytes(20)).to_text("tcot"),
        "asset": "native",
        "schedule": {
            "start_ms": 1_000, "duration_ms": 120_000, "interval_ms": 60_000, "cliff_ms": 0,
            "total": 60,
        },
        "claimed": 0,
        "status": "ACTIVE",
        "final_total": 0,
        "proposal_id": 0,
        "total": 60,
        "claimable": 30,
        "claimable_at_ms": 61_000,
    }  # fmt: skip
    check_stream(answer, "tcot", record.encode())
    with pytest.raises(VerificationError, match="claimable"):
        check_stream({**answer, "claimable": 60}, "tcot", record.encode())
    with pytest.raises(VerificationError, match="does not exist"):
        check_stream(answer, "tcot", None)
