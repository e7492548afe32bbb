"""Header sync from genesis and verification of state proofs against signed headers.

The client trusts the genesis file and nothing the node says. It follows the signing set:

- it asks the node for the heights where the set changes (`GET /v1/validator-sets`);
- for each change first signing at height c, it fetches header c-1 with its commit, checks that
  the header names the set it trusts (`validators_hash`), that 2/3+ of that set's power signed it,
  and that the new set hashes to the header's `next_validators_hash`; only then does it adopt the
  new set (the checks are `consensus.headers`', which state sync runs too);
- the heights between changes are skipped: a header of height t is accepted when 2/3+ of the set
  it trusts for t signed it and the header names that set.

A node that hides a change is caught because the next header it serves names a set the client
does not hold. Everything accepted is saved (`TrustStore`), so a later run starts there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from cli.lightclient.errors import (
    ForkError,
    TrustExpiredError,
    VerificationError,
    WrongChainError,
)
from cli.lightclient.fork import SignedHeader, fork_report
from cli.lightclient.proofs import proven_values
from cli.lightclient.signed import (
    VerifiedState,
    date_text,
    decode_commit,
    decode_header,
    hex_field,
    wall_clock,
)
from cli.lightclient.trust import TrustStore, write_atomically
from cli.lightclient.witness import cross_check
from cli.nodeclient import NodeClient
from consensus.errors import HeaderError
from consensus.headers import check_next_set, check_signed_header
from consensus.validators import ValidatorSet
from ledger.block import Commit, Header
from ledger.codec import MalformedError
from ledger.genesis import Genesis

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""(steps done, steps in all) while following validator-set changes."""
Clock = Callable[[], int]
"""Milliseconds since the epoch (the wallet's clock)."""

MAX_CHANGE_PAGES = 1000
MAX_CLOCK_DRIFT_MS = 10_000  # how far ahead of our clock a header may be dated (CometBFT: 10 s)
DEFAULT_MAX_AGE_MS = 300_000  # a verified answer older than this is refused (--max-age)


class LightClient:
    """Verifies a node's headers and state proofs against the validators tracked from genesis
    (or from a checkpoint), within the chain's trust period and the wallet's clock."""

    def __init__(
        self,
        node: NodeClient,
        genesis: Genesis,
        store: TrustStore,
        progress: Progress | None = None,
        *,
        clock: Clock | None = None,
        max_age_ms: int = DEFAULT_MAX_AGE_MS,
        witnesses: Sequence[NodeClient] = (),
    ) -> None:
        self.node = node
        self.genesis = genesis
        self.genesis_hash = genesis.hash()
        self.store = store
        self.progress = progress
        self.clock = clock or wall_clock
        self.max_age_ms = max_age_ms
        self.witnesses = list(witnesses)
        self.state = store.load()
        self._chain_checked = False

    # -- the chain and its headers -----------------------------------------------------------

    def check_chain(self) -> None:
        """Refuse a node whose genesis is not the wallet's (before trusting anything else)."""
        if self._chain_checked:
            return
        answer = self.node.get("/v1/genesis")
        theirs = answer.get("genesis_hash") if isinstance(answer, dict) else None
        if theirs != self.genesis_hash.hex():
            raise WrongChainError(
                f"the node serves the chain with genesis {str(theirs)[:16]}…, but this wallet "
                f"trusts {self.genesis.chain_id} with genesis {self.genesis_hash.hex()[:16]}… "
                "(wrong --node or wrong --genesis?)"
            )
        self._chain_checked = True

    def check_header(
        self,
        header: Header,
        commit: Commit,
        validators: ValidatorSet,
        *,
        source: str | None = None,
    ) -> None:
        """`header` is signed by 2/3+ of `validators`, which it names, is not dated beyond the
        clock bound, and does not conflict with a header verified before (else `ForkError`)."""
        if header.chain_id != self.genesis.chain_id:
            raise WrongChainError(
                f"header {header.height} is of chain {header.chain_id!r}, "
                f"not {self.genesis.chain_id!r}"
            )
        try:
            check_signed_header(
                header,
                commit,
                validators,
                chain_id=self.genesis.chain_id,
                genesis_hash=self.genesis_hash,
            )
        except HeaderError as exc:
            raise VerificationError(str(exc)) from exc
        state = self.state
        known = state.seen_hash(header.height)
        if known is not None and known != header.hash():  # whatever its time: evidence
            self._fork(SignedHeader(header, commit, source or self.node.url), validators, known)
        now = self.clock()
        if header.time_ms > now + MAX_CLOCK_DRIFT_MS:
            raise VerificationError(
                f"header {header.height} is dated {date_text(header.time_ms)}, more than "
                f"{MAX_CLOCK_DRIFT_MS // 1000} s ahead of this computer's clock (a header from "
                "the future: refused)"
            )
        if (
            header.height > state.height
            and state.time_ms is not None
            and header.time_ms <= state.time_ms
        ):
            raise VerificationError(
                f"header {header.height} is dated {date_text(header.time_ms)}, not after the "
                f"trusted header {state.height} ({date_text(state.time_ms)})"
            )

    def _fork(self, conflicting: SignedHeader, validators: ValidatorSet, known: bytes) -> None:
        header = conflicting.header
        trusted = None
        if self.state.signed is not None and header.height == self.state.height:
            mine_header = decode_header(self.state.signed[0].hex())
            mine_commit = decode_commit(self.state.signed[1].hex())
            trusted = SignedHeader(mine_header, mine_commit, "this wallet's trusted state")
        report = fork_report(
            chain_id=self.genesis.chain_id,
            genesis_hash=self.genesis_hash,
            hrp=self.genesis.params.address_prefix,
            validators=validators,
            trusted_hash=known,
            trusted=trusted,
            conflicting=conflicting,
        )
        path = self.store.dir / f"fork-{header.height}-{header.hash().hex()[:16]}.json"
        write_atomically(path, json.dumps(report, indent=1) + "\n")
        raise ForkError(
            f"FORK at height {header.height}: {conflicting.source} sent header "
            f"{header.hash().hex()[:16]}…, signed by 2/3+ of the validators, but this wallet "
            f"verified {known.hex()[:16]}… for that height; the evidence is in {path}",
            report,
            path,
        )

    def signed_header(self, height: int, node: NodeClient | None = None) -> tuple[Header, Commit]:
        answer = (node or self.node).get(f"/v1/commits/{height}")
        if not isinstance(answer, dict):
            raise VerificationError(f"the node's answer for header {height} is not an object")
        header = decode_header(answer.get("header_msgpack"))
        commit = decode_commit(answer.get("commit_msgpack"))
        if header.height != height:
            raise VerificationError(f"asked for header {height}, the node sent {header.height}")
        return header, commit

    def changes(self, after: int) -> list[tuple[int, ValidatorSet]]:
        """The node's claimed set changes first signing above `after`, ascending (unverified)."""
        out: list[tuple[int, ValidatorSet]] = []
        cursor: int | None = after
        for _ in range(MAX_CHANGE_PAGES):
            if cursor is None:
                break
            answer = self.node.get(f"/v1/validator-sets?after={cursor}&limit=1000")
            if not isinstance(answer, dict) or not isinstance(answer.get("changes"), list):
                raise VerificationError("the node's validator-set changes are not a list")
            for item in answer["changes"]:
                height = item.get("height") if isinstance(item, dict) else None
                if not isinstance(height, int) or height <= (out[-1][0] if out else after):
                    raise VerificationError("the node's validator-set changes are out of order")
                try:
                    validators = ValidatorSet.decode(
                        hex_field(item.get("validators_msgpack"), "set")
                    )
                except (MalformedError, ValueError) as exc:
                    raise VerificationError(f"a validator set does not decode: {exc}") from exc
                out.append((height, validators))
            next_after = answer.get("next_after")
            cursor = next_after if isinstance(next_after, int) else None
        return out

    def sync(self, target: int, signed: tuple[Header, Commit] | None = None) -> Header:
        """Verify header `target` (fetched, or `signed` when given) and everything needed to
        trust it, cross-checked with the witnesses; returns the verified header and saves the
        new trusted state."""
        header = self._sync(target, signed)
        for witness in self.witnesses:
            cross_check(self, witness, header)
        return header

    def sync_quietly(self, target: int) -> Header:
        """`sync` without the witnesses (for a witness's own cross-check)."""
        return self._sync(target)

    def _sync(self, target: int, signed: tuple[Header, Commit] | None = None) -> Header:
        self.check_chain()
        state = self.state
        if target < state.base:
            raise VerificationError(
                f"header {target} is below this wallet's checkpoint at height {state.base}: "
                "it cannot be checked"
            )
        known = state.set_for(target)
        if known is not None:
            header, commit = signed or self.signed_header(target)
            self.check_header(header, commit, known)
            if target == state.height + 1:
                self._check_trust_period()
                self._advance(header, commit)
            else:
                self._remember(header)
            return header
        self._check_trust_period()
        changes = [c for c in self.changes(state.height + 1) if c[0] <= target + 1]
        steps = [c for c in changes if c[0] <= target]
        total = len(steps) + 1
        for done, (first_height, new_set) in enumerate(steps):
            self._report(done, total)
            header, commit = self.signed_header(first_height - 1)
            self.check_header(header, commit, self.state.next_set)
            self._adopt(header, commit, first_height, new_set)
        header, commit = signed or self.signed_header(target)
        if header.height != target:
            raise VerificationError(f"expected header {target}, got {header.height}")
        self.check_header(header, commit, self.state.next_set)
        self._advance(header, commit, [c for c in changes if c[0] == target + 1])
        self._report(total, total)
        return header

    def _check_trust_period(self) -> None:
        """Moving ahead from the trusted state is safe only within the chain's trust period of
        its header's time: after that, its signers may have left the set unaccountable."""
        state = self.state
        if state.time_ms is None and state.height == 0:
            self.state = state = replace(state, time_ms=self.genesis.genesis_time_ms)
        if state.time_ms is None:  # a state saved before header times were kept
            header, _commit = self.signed_header(state.height)
            if header.hash() != state.header_hash:
                raise VerificationError(
                    f"the node's header {state.height} is not the one this wallet trusts"
                )
            self.state = replace(state, time_ms=header.time_ms)
            state = self.state
        assert state.time_ms is not None
        period = self.genesis.params.trust_period_ms
        if self.clock() - state.time_ms > period:
            raise TrustExpiredError(
                f"this wallet's trusted state (height {state.height}, "
                f"{date_text(state.time_ms)}) is "
                f"older than the chain's trust period of {period // 3_600_000} h: get a recent "
                "height and block hash from a source you trust and run "
                "`coterie light trust HEIGHT HASH`"
            )

    def _remember(self, header: Header) -> None:
        remembered = self.state.remembered(header.height, header.hash())
        if remembered is not self.state:
            self.state = remembered
            self.store.save(self.state)

    def _adopt(
        self, header: Header, commit: Commit, first_height: int, new_set: ValidatorSet
    ) -> None:
        """Take the set that `header` (verified, of height first_height - 1) names as next."""
        try:
            check_next_set(header, first_height, new_set)
        except HeaderError as exc:
            raise VerificationError(str(exc)) from exc
        self.state = self.state.advanced(
            header.height,
            header.hash(),
            header.time_ms,
            (first_height, new_set),
            (header.encode(), commit.encode()),
        )
        self.store.save(self.state)

    def _advance(
        self,
        header: Header,
        commit: Commit,
        following: Iterable[tuple[int, ValidatorSet]] | None = None,
    ) -> None:
        """Trust `header` (verified); its next set is the current one or a listed change."""
        if header.height <= self.state.height:
            return
        if header.next_validators_hash == self.state.next_set.hash():
            self.state = self.state.advanced(
                header.height,
                header.hash(),
                header.time_ms,
                signed=(header.encode(), commit.encode()),
            )
            self.store.save(self.state)
            return
        if following is None:
            following = self.changes(header.height)
        for first_height, new_set in following:
            if first_height == header.height + 1:
                self._adopt(header, commit, first_height, new_set)
                return
        raise VerificationError(
            f"verified header {header.height} names a next validator set the node did not "
            "disclose (GET /v1/validator-sets)"
        )

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    # -- answers about the present ------------------------------------------------------------

    def check_not_stale(self, height: int) -> None:
        """An answer about the present below the height this wallet already verified is stale
        (a replay, or a node behind the one asked before)."""
        if height < self.state.height:
            raise VerificationError(
                f"the node answered from height {height}, below height {self.state.height} "
                "that this wallet already verified (a stale or replayed answer, or a node "
                "behind the one asked before)"
            )

    def check_fresh(self, header: Header) -> None:
        """The header of an answer about the present is at most --max-age old."""
        age = self.clock() - header.time_ms
        if self.max_age_ms and age > self.max_age_ms:
            raise VerificationError(
                f"the node's answer is proven at height {header.height}, dated "
                f"{date_text(header.time_ms)}: {age // 1000} s old, more than --max-age "
                f"{self.max_age_ms // 1000} s (a stalled node, or a replayed answer)"
            )

    # -- state proofs ------------------------------------------------------------------------

    def verify_bundle(self, bundle: Any, wanted: Iterable[bytes]) -> VerifiedState:
        """Check a proof bundle (one key: GET ...?proof=true, many: POST /v1/proofs) and return
        the proven value of every key in `wanted` (None: proven absent)."""
        if not isinstance(bundle, dict):
            raise VerificationError("the node sent no proof")
        if bundle.get("header_msgpack") is None:
            raise VerificationError("no block is committed yet: nothing to verify against")
        header = decode_header(bundle.get("header_msgpack"))
        commit = decode_commit(bundle.get("commit_msgpack"))
        if bundle.get("height") != header.height:
            raise VerificationError("the proof's height is not its header's height")
        self.check_not_stale(header.height)
        header = self.sync(header.height, (header, commit))
        self.check_fresh(header)
        values = proven_values(bundle.get("entries", [bundle]), header, wanted)
        return VerifiedState(header.height, header, values)

    def prove(self, keys: list[bytes]) -> VerifiedState:
        """Fetch and verify proofs of `keys` at the node's committed height."""
        self.check_chain()
        bundle = self.node.post("/v1/proofs", {"keys": [k.hex() for k in keys]})
        return self.verify_bundle(bundle, keys)
