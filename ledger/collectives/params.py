"""A collective's parameters: admission, deposits, exits, membership terms and limits.

Times are milliseconds (the block clock's unit); ratios are parts per million. Defaults and their
sources are listed in docs/governance.md; the bounds below are checked by `validate`, which every
handler that accepts parameters calls, so decoded and locally built payloads obey the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ledger.codec import Fields
from ledger.collectives.fieldcodec import u64_list
from ledger.collectives.ids import MAX_TOKEN_CLASSES
from ledger.errors import ErrorCode, TxError

PPM = 1_000_000
SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
YEAR = 365 * DAY
MAX_MEMBERS = 10_000


class AdmissionMode(IntEnum):
    CLOSED = 0  # only an Admit action of a passed proposal admits (an invitation)
    APPLICATION = 1  # MembershipApply opens an admission proposal that a member must sponsor
    OPEN = 2  # MembershipApply with exactly `open_tribute` admits at once with `open_grant`


@dataclass(frozen=True, slots=True)
class CollectiveParams:
    admission_mode: AdmissionMode = AdmissionMode.APPLICATION
    open_tribute: int = 0
    open_grant: tuple[int, ...] = ()  # per token class; empty means nothing
    proposal_deposit: int = 0
    expedited_deposit_multiplier: int = 5
    sponsor_threshold: int = 1
    max_live_per_proposer: int = 1
    submission_period_ms: int = 7 * DAY
    execution_expiry_ms: int = 14 * DAY
    cancel_burn_ppm: int = 500_000
    dilution_bound: int = 3
    min_retention_ppm: int = 666_667
    membership_term_ms: int = 0
    renewal_grace_ms: int = 30 * DAY
    dues: int = 0
    max_members: int = 1_000
    large_spend_ppm: int = 100_000
    allow_forfeit: bool = False

    def to_fields(self) -> list[Any]:
        return [
            int(self.admission_mode),
            self.open_tribute,
            list(self.open_grant),
            self.proposal_deposit,
            self.expedited_deposit_multiplier,
            self.sponsor_threshold,
            self.max_live_per_proposer,
            self.submission_period_ms,
            self.execution_expiry_ms,
            self.cancel_burn_ppm,
            self.dilution_bound,
            self.min_retention_ppm,
            self.membership_term_ms,
            self.renewal_grace_ms,
            self.dues,
            self.max_members,
            self.large_spend_ppm,
            self.allow_forfeit,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> CollectiveParams:
        f = Fields(raw, 18, "params")
        mode = f.int("admission_mode", 0, max(AdmissionMode))
        open_tribute = f.int("open_tribute")
        open_grant = u64_list(f, "open_grant", MAX_TOKEN_CLASSES)
        return cls(
            AdmissionMode(mode),
            open_tribute,
            open_grant,
            f.int("proposal_deposit"),
            f.int("expedited_deposit_multiplier", 1, 100),
            f.int("sponsor_threshold", 1),
            f.int("max_live_per_proposer", 1, 100),
            f.int("submission_period_ms"),
            f.int("execution_expiry_ms"),
            f.int("cancel_burn_ppm", 0, PPM),
            f.int("dilution_bound", 0, 1_000),
            f.int("min_retention_ppm", 0, PPM),
            f.int("membership_term_ms"),
            f.int("renewal_grace_ms"),
            f.int("dues"),
            f.int("max_members", 1, MAX_MEMBERS),
            f.int("large_spend_ppm", 0, PPM),
            f.bool("allow_forfeit"),
        )

    def validate(self, class_count: int) -> None:
        """Raise `TxError(INVALID_PARAMS)` unless every parameter is within its bounds."""
        _check(self.open_grant == () or len(self.open_grant) == class_count, "open_grant size")
        _check(
            self.admission_mode is not AdmissionMode.OPEN or any(self.open_grant),
            "open admission must grant some holdings",
        )
        _check(1 <= self.expedited_deposit_multiplier <= 100, "expedited_deposit_multiplier")
        _check(self.sponsor_threshold >= 1, "sponsor_threshold must be at least 1")
        _check(1 <= self.max_live_per_proposer <= 100, "max_live_per_proposer")
        _check(MINUTE <= self.submission_period_ms <= YEAR, "submission_period_ms")
        _check(MINUTE <= self.execution_expiry_ms <= YEAR, "execution_expiry_ms")
        _check(self.cancel_burn_ppm <= PPM, "cancel_burn_ppm")
        _check(self.dilution_bound <= 1_000, "dilution_bound")
        _check(self.min_retention_ppm <= PPM, "min_retention_ppm")
        _check(
            self.membership_term_ms == 0 or MINUTE <= self.membership_term_ms <= 10 * YEAR,
            "membership_term_ms",
        )
        _check(self.renewal_grace_ms <= YEAR, "renewal_grace_ms")
        _check(1 <= self.max_members <= MAX_MEMBERS, "max_members")
        _check(self.large_spend_ppm <= PPM, "large_spend_ppm")

    def grant_for(self, class_count: int) -> tuple[int, ...]:
        return self.open_grant or (0,) * class_count


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise TxError(ErrorCode.INVALID_PARAMS, f"invalid parameter: {what}")
