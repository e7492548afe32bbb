"""`query collective --verify` proves a treasury asset shown as `COLLECTIVE/CLASS`: the text must
name the entry's own collective and class, which are what the proof covers."""

from __future__ import annotations

import pytest

from cli.commands.query import _raw_assets
from cli.lightclient import VerificationError

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
