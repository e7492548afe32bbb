"""What a split's owner does is told to the world: every create, update and owner change leaves an
event that names the split, its new version and what changed, and the indexes follow."""

from __future__ import annotations

from ledger import codec
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.errors import ErrorCode
from ledger.splits.admin import OwnerAction
from ledger.splits.parties import Party, PartyKind, party_sink
from ledger.splits.payloads import SplitAcceptOwnership, SplitCreate, SplitPay, SplitUpdate
from ledger.splits.records import SplitMode, Tranche
from ledger.splits.store import (
    get_config,
    get_ledger,
    payout_history,
    splits_owned_by,
    splits_paying,
)
from ledger.state.events import Event
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    BRAND,
    CHLOE,
    DEV,
    OUTSIDER,
    Chain,
    account,
    terms_for,
)


def only(events: tuple[Event, ...] | list[Event], kind: str) -> dict[str, object]:
    [event] = [e for e in events if e.kind == kind]
    return dict(event.attributes)


def test_creating_a_split_announces_its_shape(chain: Chain) -> None:
    split_id = chain.next_split_id(ANA)
    terms = terms_for([(BEN, 1), (CHLOE, 2)], fee_ppm=9, mode=SplitMode.ACCRUE)
    receipt = chain.run(ANA, SplitCreate(account(ANA), terms, (Tranche(account(DEV), 5),)))
    assert only(receipt.events, "split_created") == {
        "split": split_id,
        "owner": ANA.address.raw,
        "recipients": 2,
        "tranches": 1,
        "total": 3,
        "fee_ppm": 9,
        "mode": int(SplitMode.ACCRUE),
    }
    assert splits_paying(chain.view, account(DEV)) == [split_id]  # tranche recipients count


def test_an_update_and_an_accepted_transfer_each_announce_the_new_version(chain: Chain) -> None:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(account(ANA), terms_for([(ANA, 1), (BEN, 1)])))
    raise_ben = terms_for([(ANA, 1), (BEN, 3)])  # only the owner falls
    receipt = chain.run(ANA, SplitUpdate(split_id, 0, raise_ben, OwnerAction.PROPOSE, account(DEV)))
    assert only(receipt.events, "split_updated") == {
        "split": split_id,
        "version": 1,
        "terms_changed": 1,
        "owner_action": int(OwnerAction.PROPOSE),
        "pending_owner": DEV.address.raw,
    }
    receipt = chain.run(DEV, SplitAcceptOwnership(split_id))
    assert only(receipt.events, "split_owner_changed") == {
        "split": split_id,
        "version": 2,
        "owner_kind": int(PartyKind.ACCOUNT),
        "owner": DEV.address.raw,
    }
    config = get_config(chain.view, split_id)
    assert (config.owner, config.pending_owner, config.version) == (account(DEV), None, 2)
    assert splits_owned_by(chain.view, account(DEV)) == [split_id]
    assert splits_owned_by(chain.view, account(ANA)) == []
    chain.run(DEV, SplitUpdate(split_id, 2, None, OwnerAction.PROPOSE, account(OUTSIDER)))
    cancel = chain.run(DEV, SplitUpdate(split_id, 3, None, OwnerAction.CANCEL))
    assert only(cancel.events, "split_updated") == {
        "split": split_id,
        "version": 4,
        "terms_changed": 0,
        "owner_action": int(OwnerAction.CANCEL),
        "pending_owner": b"",
    }


def test_new_shares_restart_the_carries_but_not_the_record_numbers(chain: Chain) -> None:
    """Reshaping the terms zeroes the carries; the payout history goes on from where it was."""
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(account(ANA), terms_for([(ANA, 1), (BEN, 1), (CHLOE, 1)])))
    chain.run(BRAND, SplitPay(split_id, 1))
    assert get_ledger(chain.view, split_id).carries != (0, 0, 0)
    chain.run(ANA, SplitUpdate(split_id, 0, terms_for([(ANA, 1), (BEN, 2), (CHLOE, 2)])))
    ledger = get_ledger(chain.view, split_id)
    assert (ledger.carries, ledger.next_seq) == ((0, 0, 0), 1)
    chain.run(BRAND, SplitPay(split_id, 5))
    assert [r.seq for r in payout_history(chain.view, split_id)] == [0, 1]


def test_a_tranche_capped_at_one_unit_round_trips() -> None:
    """The smallest cap a tranche may have is 1."""
    tranche = Tranche(account(DEV), 1)
    assert Tranche.from_fields(codec.decode(codec.encode(tranche.to_fields()))) == tranche


def test_a_proposed_owner_must_be_well_formed_and_exist(chain: Chain) -> None:
    """Only an account or an existing collective can be proposed; the check is the real
    collectives plug-in's, reading state."""
    assert party_sink(PartyKind.COLLECTIVE) is not None
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(account(ANA), terms_for([(ANA, 1)])))
    for bad in (Party(PartyKind.ACCOUNT, b"short"), Party.split(split_id)):
        propose = SplitUpdate(split_id, 0, None, OwnerAction.PROPOSE, bad)
        assert chain.reject(ANA, propose) is ErrorCode.SPLIT_BAD_OWNER
    nowhere = Party(PartyKind.COLLECTIVE, b"\x07" * COLLECTIVE_ID_LEN)
    propose = SplitUpdate(split_id, 0, None, OwnerAction.PROPOSE, nowhere)
    assert chain.reject(ANA, propose) is ErrorCode.NOT_FOUND
    assert get_config(chain.view, split_id).pending_owner is None
