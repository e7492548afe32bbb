"""Decision policies: how a collective decides each kind of proposal.

A policy is chosen per proposal kind (the x/group idea of several decision policies over one
group). Each kind has a chain-wide default (`DEFAULT_POLICIES`, with sources in
docs/governance.md); a collective may override any kind at creation or later by a SetPolicy
action. A proposal copies its policy when voting starts, so changing a policy never affects a
vote in progress (Aragon's frozen settings, friendlier than x/group's abort).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import keys
from ledger.collectives.fieldcodec import address_list
from ledger.collectives.model import Member
from ledger.collectives.params import DAY, MINUTE, PPM, YEAR
from ledger.errors import ErrorCode, TxError
from ledger.governance.kinds import DecisionMethod, ProposalKind
from ledger.keys import Address
from ledger.state.view import StateView

MAX_SIGNERS = 32


@dataclass(frozen=True, slots=True)
class Policy:
    method: DecisionMethod = DecisionMethod.VOTE
    quorum_ppm: int = 334_000  # participation >= quorum (Aragon: >=)
    threshold_ppm: int = 500_000  # yes / (yes + no + veto) > threshold (strict, Aragon/Cosmos)
    veto_ppm: int = 334_000  # veto / all votes >= veto fails the proposal; 0 disables veto
    yes_quorum_ppm: int = 0  # yes / total >= yes_quorum (Baal, ADR-069); 0 disables
    optimistic_reject_ppm: int = 100_000  # OPTIMISTIC: no + veto >= this share of total rejects
    voting_period_ms: int = 3 * DAY
    grace_period_ms: int = 2 * DAY
    early_execution: bool = False
    vote_replacement: bool = False
    secret_ballot: bool = False
    reveal_period_ms: int = DAY
    expedited_period_ms: int = DAY  # 0: expedited proposals are not allowed
    expedited_quorum_ppm: int = 500_000
    expedited_threshold_ppm: int = 667_000
    signers: tuple[Address, ...] = field(default=())  # MULTISIG only, strictly ascending
    required_approvals: int = 0  # MULTISIG only: m of len(signers)

    def to_fields(self) -> list[Any]:
        return [
            int(self.method),
            self.quorum_ppm,
            self.threshold_ppm,
            self.veto_ppm,
            self.yes_quorum_ppm,
            self.optimistic_reject_ppm,
            self.voting_period_ms,
            self.grace_period_ms,
            self.early_execution,
            self.vote_replacement,
            self.secret_ballot,
            self.reveal_period_ms,
            self.expedited_period_ms,
            self.expedited_quorum_ppm,
            self.expedited_threshold_ppm,
            [s.raw for s in self.signers],
            self.required_approvals,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> Policy:
        f = Fields(raw, 17, "policy")
        return cls(
            DecisionMethod(f.int("method", 0, max(DecisionMethod))),
            f.int("quorum_ppm", 0, PPM),
            f.int("threshold_ppm", 0, PPM),
            f.int("veto_ppm", 0, PPM),
            f.int("yes_quorum_ppm", 0, PPM),
            f.int("optimistic_reject_ppm", 0, PPM),
            f.int("voting_period_ms"),
            f.int("grace_period_ms"),
            f.bool("early_execution"),
            f.bool("vote_replacement"),
            f.bool("secret_ballot"),
            f.int("reveal_period_ms"),
            f.int("expedited_period_ms"),
            f.int("expedited_quorum_ppm", 0, PPM),
            f.int("expedited_threshold_ppm", 0, PPM),
            address_list(f, "signers", MAX_SIGNERS),
            f.int("required_approvals", 0, MAX_SIGNERS),
        )

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> Policy:
        return cls.from_fields(codec.decode(data))

    def validate(self) -> None:
        """Raise `TxError(INVALID_POLICY)` unless the policy is coherent and within bounds."""
        for name in ("quorum_ppm", "veto_ppm", "yes_quorum_ppm", "expedited_quorum_ppm"):
            _check(getattr(self, name) <= PPM, name)
        _check(self.threshold_ppm < PPM, "threshold_ppm must be below 1,000,000 (strict >)")
        _check(self.expedited_threshold_ppm < PPM, "expedited_threshold_ppm")
        _check(MINUTE <= self.voting_period_ms <= YEAR, "voting_period_ms")
        _check(self.grace_period_ms <= YEAR, "grace_period_ms")
        _check(self.reveal_period_ms <= YEAR, "reveal_period_ms")
        _check(
            not self.secret_ballot or self.reveal_period_ms >= MINUTE,
            "secret ballots need a reveal period of at least a minute",
        )
        _check(
            not (self.early_execution and self.vote_replacement),
            "early execution and vote replacement exclude each other (Aragon)",
        )
        _check(
            not (self.early_execution and self.secret_ballot),
            "a secret ballot cannot execute early",
        )
        if self.expedited_period_ms:
            _check(
                MINUTE <= self.expedited_period_ms < self.voting_period_ms,
                "expedited_period_ms must be shorter than the voting period",
            )
            _check(
                self.expedited_quorum_ppm >= self.quorum_ppm
                and self.expedited_threshold_ppm >= self.threshold_ppm,
                "an expedited proposal must face a higher bar",
            )
        if self.method is DecisionMethod.MULTISIG:
            raws = [s.raw for s in self.signers]
            _check(raws == sorted(set(raws)), "signers must be strictly ascending")
            _check(
                1 <= self.required_approvals <= len(self.signers),
                "required_approvals must be in [1, signers]",
            )
        else:
            _check(not self.signers and self.required_approvals == 0, "signers need MULTISIG")
        if self.method is DecisionMethod.OPTIMISTIC:
            _check(self.optimistic_reject_ppm > 0, "optimistic_reject_ppm must be positive")


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise TxError(ErrorCode.INVALID_POLICY, f"invalid policy: {what}")


_BINARY = Policy()
_STRICT = Policy(
    quorum_ppm=500_000,
    threshold_ppm=667_000,
    voting_period_ms=5 * DAY,
    expedited_quorum_ppm=500_000,
)
DEFAULT_POLICIES: dict[int, Policy] = {
    ProposalKind.ADMIT: _BINARY,
    ProposalKind.EXPEL: replace(_BINARY, threshold_ppm=667_000, veto_ppm=0),
    ProposalKind.SPEND: replace(_BINARY, early_execution=True),
    ProposalKind.SPEND_LARGE: replace(_STRICT, expedited_period_ms=0),
    ProposalKind.TOKENS: _STRICT,
    ProposalKind.GOVERNANCE: _STRICT,
    ProposalKind.SIGNAL: replace(_BINARY, veto_ppm=0, grace_period_ms=0, expedited_period_ms=0),
    ProposalKind.VALIDATORS: replace(
        _BINARY,
        quorum_ppm=667_000,
        yes_quorum_ppm=666_667,
        early_execution=True,
        grace_period_ms=0,
        expedited_period_ms=0,
    ),
}


def register_default_policy(kind: int, policy: Policy) -> None:
    """Give a new proposal kind its chain-wide default (for modules that add kinds)."""
    if kind in DEFAULT_POLICIES:
        raise RuntimeError(f"proposal kind {kind} already has a default policy")
    policy.validate()
    DEFAULT_POLICIES[kind] = policy


def policy_for(view: StateView, cid: bytes, kind: int) -> Policy:
    """The policy a collective applies to proposals of `kind`: its override, else the default.

    A MULTISIG override with fewer than m signers still members and not jailed could never pass
    again (signing is a right of membership, issue 23): the kind then falls back to its default
    policy, so no departure or expulsion of signers can brick a kind, governance included. A
    lapsed signer still counts here: anyone can renew her."""
    data = view.get(keys.policy(cid, kind))
    if data is not None:
        policy = Policy.decode(data)
        if policy.method is not DecisionMethod.MULTISIG or _signers_left(view, cid, policy):
            return policy
    try:
        return DEFAULT_POLICIES[kind]
    except KeyError:
        raise TxError(ErrorCode.NOT_FOUND, f"no policy for proposal kind {kind}") from None


def _signers_left(view: StateView, cid: bytes, policy: Policy) -> bool:
    """At least m of the policy's signers are members who are not jailed."""
    left = 0
    for signer in policy.signers:
        data = view.get(keys.member(cid, signer.raw))
        if data is not None and not Member.decode(data).jailed:
            left += 1
            if left >= policy.required_approvals:
                return True
    return False


def set_policy(view: StateView, cid: bytes, kind: int, policy: Policy) -> None:
    view.put(keys.policy(cid, kind), policy.encode())


def validate_kind(kind: int) -> None:
    if kind not in ProposalKind._value2member_map_:
        raise TxError(ErrorCode.INVALID_POLICY, f"unknown proposal kind {kind}")
