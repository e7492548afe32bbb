"""Content anchors: first anchor wins, queries by hash, author and collective; moderation
decisions recorded and read back; golden bytes of the payload."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.content.store import (
    content_by_author,
    content_in_collective,
    get_content,
    latest_moderation,
    moderation_history,
    record_moderation,
)
from ledger.errors import ErrorCode, TxError
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.tx import TxBody
from tests.ledger.splits.conftest import ANA, BEN, CHLOE, Chain

VIDEO = digest(b"restoring a 1983 arcade board, part 1")
POST = digest(b"parts list")


@pytest.mark.usefixtures("members_only")  # a stand-in for the real membership check
def test_an_author_anchors_content_and_anyone_can_look_it_up(chain: Chain) -> None:
    receipt = chain.run(ANA, ContentAnchor(VIDEO, "ipfs://bafy-video", "video", b"retro-games"))
    record = get_content(chain.view, VIDEO)
    assert record is not None
    assert (record.author, record.kind, record.uri) == (ANA.address, "video", "ipfs://bafy-video")
    assert record.collective == b"retro-games" and record.height == chain.height
    assert receipt.events[0].get("content_hash") == VIDEO
    chain.run(ANA, ContentAnchor(POST, "https://example.org/p/1", "post"))
    assert content_by_author(chain.view, ANA.address) == sorted([VIDEO, POST])
    assert content_in_collective(chain.view, b"retro-games") == [VIDEO]
    assert get_content(chain.view, digest(b"never anchored")) is None


def test_the_first_anchor_wins_and_cannot_be_overwritten(chain: Chain) -> None:
    chain.run(ANA, ContentAnchor(VIDEO, "ipfs://original", "video"))
    copycat = ContentAnchor(VIDEO, "ipfs://copy", "video")
    assert chain.reject(BEN, copycat) is ErrorCode.ALREADY_EXISTS
    assert chain.reject(ANA, copycat) is ErrorCode.ALREADY_EXISTS
    record = get_content(chain.view, VIDEO)
    assert record is not None and record.uri == "ipfs://original"


@pytest.mark.parametrize(
    "payload",
    [
        ContentAnchor(VIDEO, "", "video"),
        ContentAnchor(VIDEO, "ipfs://x", "Video"),
        ContentAnchor(VIDEO, "ipfs://x", ""),
        ContentAnchor(VIDEO, "ipfs://x", "video", b""),
        ContentAnchor(VIDEO[:31], "ipfs://x", "video"),
    ],
)
def test_bad_records_are_refused(chain: Chain, payload: ContentAnchor) -> None:
    assert chain.reject(ANA, payload) is ErrorCode.CONTENT_BAD_RECORD


def test_the_membership_hook_decides_who_anchors_in_a_collective(
    chain: Chain, members_only: object
) -> None:
    outsider = ContentAnchor(VIDEO, "ipfs://x", "video", b"retro-games")
    assert chain.reject(CHLOE, outsider) is ErrorCode.CONTENT_NOT_A_MEMBER
    chain.run(BEN, outsider)
    chain.run(CHLOE, ContentAnchor(POST, "ipfs://y", "post"))  # no collective: no check


@pytest.mark.usefixtures("members_only")  # a stand-in for the real membership check
def test_moderation_decisions_build_a_history_with_a_latest(chain: Chain) -> None:
    chain.run(ANA, ContentAnchor(VIDEO, "ipfs://v", "video", b"retro-games"))
    assert latest_moderation(chain.view, VIDEO) is None
    hidden = record_moderation(
        chain.view,
        chain.ctx,
        VIDEO,
        ModerationAction.HIDE,
        collective=b"retro-games",
        actor=BEN.address.raw,
        reason_uri="ipfs://report-12",
        appeal_until_ms=chain.time_ms + 48 * 3600 * 1000,
    )
    chain.advance(60_000)
    restored = record_moderation(
        chain.view,
        chain.ctx,
        VIDEO,
        ModerationAction.RESTORE,
        collective=b"retro-games",
        actor=b"retro-games",
        proposal_id=(7).to_bytes(8, "big"),
    )
    assert (hidden.seq, restored.seq) == (0, 1)
    assert latest_moderation(chain.view, VIDEO) == restored
    assert moderation_history(chain.view, VIDEO) == [hidden, restored]
    assert moderation_history(chain.view, VIDEO, start_seq=1) == [restored]
    with pytest.raises(TxError) as info:
        record_moderation(
            chain.view, chain.ctx, POST, ModerationAction.LABEL, collective=b"", actor=b""
        )
    assert info.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(ValueError, match="bound"):
        record_moderation(
            chain.view,
            chain.ctx,
            VIDEO,
            ModerationAction.LABEL,
            collective=b"",
            actor=b"",
            label="x" * 65,
        )


def test_content_anchor_golden_bytes() -> None:
    key = PrivateKey(bytes(range(32)))
    payload = ContentAnchor(bytes([7]) * 32, "ipfs://x", "video", b"c")
    body = TxBody("coterie-test", key.public_key, 0, 1, payload)
    assert body.encode().hex() == (
        # [chain_id, kind=90, sender, nonce=0, fee=1, [content_hash, uri, kind, collective]]
        "96ac636f74657269652d746573745ac42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc"
        "8664125531b8000194c4200707070707070707070707070707070707070707070707070707070707070707"
        "a8697066733a2f2f78a5766964656fc40163"
    )
    assert TxBody.from_fields(codec.decode(body.encode())) == body


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ([b"h" * 31, "u", "k", None], "content_hash"),
        ([b"h" * 32, "u" * 513, "k", None], "uri"),
        ([b"h" * 32, "u", "k" * 33, None], "kind"),
        ([b"h" * 32, "u", "k", b"c" * 33], "collective"),
    ],
)
def test_the_anchor_decoder_enforces_its_bounds(fields: list[object], reason: str) -> None:
    with pytest.raises(MalformedError, match=reason):
        ContentAnchor.from_fields(codec.decode(codec.encode(fields)))  # type: ignore[arg-type]
