"""Reading and writing collective and member records (raw storage, no side effects).

Membership changes that affect voting power go through `ledger.collectives.roster`, which keeps
checkpoints and the member count right; this module only encodes and decodes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ledger.collectives import keys
from ledger.collectives.model import Collective, Member
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.view import StateView


def get_collective(view: StateView, cid: bytes) -> Collective | None:
    data = view.get(keys.collective(cid))
    return None if data is None else Collective.decode(data)


def require_collective(view: StateView, cid: bytes) -> Collective:
    collective = get_collective(view, cid)
    if collective is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no collective {cid.hex()}")
    return collective


def put_collective(view: StateView, cid: bytes, collective: Collective) -> None:
    view.put(keys.collective(cid), collective.encode())


def get_member(view: StateView, cid: bytes, address: Address) -> Member | None:
    data = view.get(keys.member(cid, address.raw))
    return None if data is None else Member.decode(data)


def require_member(view: StateView, cid: bytes, address: Address) -> Member:
    member = get_member(view, cid, address)
    if member is None:
        raise TxError(ErrorCode.NOT_MEMBER, f"{address!r} is not a member")
    return member


def put_member_record(view: StateView, cid: bytes, address: Address, member: Member) -> None:
    view.put(keys.member(cid, address.raw), member.encode())


def delete_member_record(view: StateView, cid: bytes, address: Address) -> None:
    view.delete(keys.member(cid, address.raw))


def iter_members(view: StateView, cid: bytes) -> Iterator[tuple[Address, Member]]:
    """Members in address order."""
    prefix = keys.MEMBER + cid
    for key, value in view.iter_prefix(prefix):
        yield Address(key[len(prefix) :]), Member.decode(value)


def is_expelled(view: StateView, cid: bytes, address: Address) -> bool:
    return view.get(keys.expelled(cid, address.raw)) is not None
