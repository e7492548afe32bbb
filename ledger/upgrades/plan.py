"""The upgrade plan in state: at most one pending, replaced by a later vote; and applied upgrades.

Keys (chain meta, `ledger.state.keys.chain_meta`): `upgrade/plan` -> [name, height, info];
`upgrade/done/<name>` -> height (8) at which the upgrade's migration ran.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.errors import ErrorCode, TxError
from ledger.state import keys
from ledger.state.reader import StateReader

PLAN_KEY = keys.chain_meta(b"upgrade/plan")
MAX_NAME = 64
MAX_INFO = 1024
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def done_key(name: str) -> bytes:
    return keys.chain_meta(b"upgrade/done/" + name.encode())


@dataclass(frozen=True, slots=True)
class UpgradePlan:
    """Switch to the software that knows upgrade `name` at `height`; `info` says where to get it."""

    name: str
    height: int
    info: str = ""

    def check(self) -> None:
        if not NAME.match(self.name):
            raise TxError(
                ErrorCode.INVALID_ACTION,
                "an upgrade name is 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit",
            )
        if not 1 <= self.height < 2**63:
            raise TxError(ErrorCode.INVALID_ACTION, "an upgrade height is a positive height")
        if len(self.info.encode()) > MAX_INFO:
            raise TxError(ErrorCode.INVALID_ACTION, f"upgrade info is at most {MAX_INFO} bytes")

    def encode(self) -> bytes:
        return codec.encode([self.name, self.height, self.info])

    @classmethod
    def decode(cls, data: bytes) -> UpgradePlan:
        f = Fields(codec.decode(data, MAX_INFO + MAX_NAME + 64), 3, "upgrade_plan")
        return cls(f.str("name", MAX_NAME), f.int("height", 1), f.str("info", MAX_INFO))

    def describe(self) -> str:
        return f"upgrade {self.name!r} at height {self.height}" + (
            f" ({self.info})" if self.info else ""
        )


def read_plan(state: StateReader) -> UpgradePlan | None:
    data = state.get(PLAN_KEY)
    return None if data is None else UpgradePlan.decode(data)


def applied_height(state: StateReader, name: str) -> int | None:
    data = state.get(done_key(name))
    return None if data is None else int.from_bytes(data, "big")
