"""The checks after every scenario run, as pure functions over what the runner collected.

- agreement: at every height two nodes both have, the same block hash and state root
  (the simulator's agreement property, on real processes).
- durability: every tx the runner saw committed (its acknowledgement) is in the block of that
  height on every node.
- no evidence against honest nodes: every validator here is honest, so any evidence is a fault.
- liveness: after each heal (restart, resume, heal, clear, free), every node passes the height
  the best node had at the heal within the bound (`heal_bound_s`); at the end every node is
  within `END_LAG` heights of the best; and when every node runs at the end (and the chain makes
  empty blocks), the best height rose during the last `heal_bound_s` of a calm chain.
- votes and split payments took effect (when the load has them): every node's proposals count
  the ballots of the votes seen committed, its split the payments.
- clean teardown: no process of any node's process group is alive after the teardown.
Each failure names the height, node and tx it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.genesis import ConsensusParams
from node.p2p.config import P2PConfig as P2PSettings

END_LAG = 2
BOOT_S = 15.0  # a restarted node: interpreter, LevelDB open, WAL replay, on 2 shared cores
ROUNDS_AHEAD = 2
MAX_LISTED = 10


@dataclass(frozen=True, slots=True)
class Heal:
    label: str
    t: float
    height: int  # the best height when the fault ended
    bound_s: float
    recovered_s: float | None = None


@dataclass
class Verdict:
    name: str
    failures: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, text: str) -> None:
        self.failures.append(text)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "failures": self.failures[:MAX_LISTED],
            "failure_count": len(self.failures),
        }


def heal_bound_s(
    params: ConsensusParams, outage_s: float, round_at_heal: int, restarted: bool
) -> float:
    """How long the chain may take to move again after a fault ends, from the timeouts:
    a restarted node's boot, the dial backoff it may have reached (doubling from its initial
    value to its max while the link was down), then two full rounds at `round_at_heal +
    ROUNDS_AHEAD` (timeouts grow with the round), plus one block interval."""
    p2p = P2PSettings()
    # every scenario node is a validator: redialed within the validator cap (2 s), not 30 s
    backoff = min(p2p.dial_backoff_validator_max, max(p2p.dial_backoff_initial, outage_s))
    r = round_at_heal + ROUNDS_AHEAD
    one_round = (
        params.timeout_propose_ms
        + params.timeout_propose_delta_ms * r
        + params.timeout_prevote_ms
        + params.timeout_prevote_delta_ms * r
        + params.timeout_precommit_ms
        + params.timeout_precommit_delta_ms * r
    ) / 1000
    return (
        (BOOT_S if restarted else 0.0) + backoff + 2 * one_round + params.block_interval_ms / 1000
    )


def agreement(chains: dict[str, dict[int, dict[str, Any]]]) -> Verdict:
    v = Verdict("agreement")
    heights = sorted({h for chain in chains.values() for h in chain})
    for h in heights:
        have = {name: chain[h] for name, chain in chains.items() if h in chain}
        first_name, first = next(iter(have.items()))
        for name, block in have.items():
            for key in ("hash", "state_root"):
                if block[key] != first[key]:
                    v.fail(
                        f"height {h}: {name} has {key} {block[key][:16]} but {first_name} "
                        f"has {first[key][:16]}"
                    )
    v.detail = f"{len(heights)} heights on {len(chains)} nodes"
    return v


def durability(
    chains: dict[str, dict[int, dict[str, Any]]], committed: dict[str, tuple[float, int]]
) -> Verdict:
    v = Verdict("durability")
    for name, chain in chains.items():
        for tx_hash, (_t, h) in committed.items():
            block = chain.get(h)
            if block is None:
                v.fail(f"tx {tx_hash}: {name} has no block at height {h}")
            elif tx_hash not in block["tx_set"]:
                v.fail(f"tx {tx_hash}: committed at height {h}, missing there on {name}")
    v.detail = f"{len(committed)} committed txs checked on {len(chains)} nodes"
    return v


def no_evidence(chains: dict[str, dict[int, dict[str, Any]]], honest: set[str]) -> Verdict:
    v = Verdict("no evidence against honest nodes")
    for name, chain in chains.items():
        for h, block in sorted(chain.items()):
            for accused in block["accused"]:
                if accused in honest:
                    v.fail(f"height {h}: {name}'s block holds evidence against {accused}")
    v.detail = f"{len(honest)} honest validators"
    return v


def liveness(
    heals: list[Heal],
    final_heights: dict[str, int],
    moving: tuple[float, int, int] | None = None,
) -> Verdict:
    """`moving`: (window seconds, best height that long before the end, best height at the
    end), when every node runs at the end and the chain makes empty blocks: it must have moved."""
    v = Verdict("liveness")
    for heal in heals:
        if heal.recovered_s is None:
            v.fail(
                f"after {heal.label} at {heal.t:.1f} s: not every node passed height "
                f"{heal.height} by the end"
            )
        elif heal.recovered_s > heal.bound_s:
            v.fail(
                f"after {heal.label} at {heal.t:.1f} s: every node passed height {heal.height} "
                f"after {heal.recovered_s:.1f} s, bound {heal.bound_s:.1f} s"
            )
    if moving is not None and moving[2] <= moving[1]:
        v.fail(f"the chain did not move in the last {moving[0]:.1f} s: height {moving[2]}")
    best = max(final_heights.values(), default=0)
    for name, h in final_heights.items():
        if h < best - END_LAG:
            v.fail(f"at the end {name} is at height {h}, the best at {best}")
    recovered = [h.recovered_s for h in heals if h.recovered_s is not None]
    v.detail = (
        f"{len(heals)} heals, slowest recovery {max(recovered):.1f} s"
        if recovered
        else f"{len(heals)} heals"
    )
    return v


def best_before(
    status: dict[int, list[tuple[float, int | None, int | None, int | None]]], t: float
) -> int:
    """The best height any node had answered with at or before `t` (0 before any answer)."""
    return max(
        (h for series in status.values() for ts, h, _p, _r in series if ts <= t and h is not None),
        default=0,
    )


def recovery(
    status: dict[int, list[tuple[float, int | None, int | None, int | None]]],
    t_heal: float,
    height: int,
) -> float | None:
    """Seconds from `t_heal` until every node had answered with a height above `height`."""
    times = []
    for series in status.values():
        t = next(
            (t for t, h, _p, _r in series if t >= t_heal and h is not None and h > height), None
        )
        if t is None:
            return None
        times.append(t - t_heal)
    return max(times, default=None)


def took_effect(
    targets: dict[str, tuple[str, int]],
    committed: set[str],
    ballots: dict[str, dict[int, int]],
    payments: dict[str, int],
) -> Verdict:
    """The load's votes and split payments counted on every node: a proposal holds at least
    the ballots of its votes seen committed and at most those sent (a vote may commit after
    the chain was read), and the split at least as many payments as were seen committed and at
    most as many as were sent. `ballots`: node -> proposal -> ballots cast; `payments`: node ->
    payments recorded by the split."""
    v = Verdict("votes and split payments took effect")
    sent_votes: dict[int, int] = {}
    seen_votes: dict[int, int] = {}
    sent_pays = seen_pays = 0
    for tx_hash, (kind, pid) in targets.items():
        done = tx_hash in committed
        if kind == "vote":
            sent_votes[pid] = sent_votes.get(pid, 0) + 1
            seen_votes[pid] = seen_votes.get(pid, 0) + done
        else:
            sent_pays += 1
            seen_pays += done
    for node, cast in sorted(ballots.items()):
        for pid, sent in sorted(sent_votes.items()):
            got = cast.get(pid)
            if got is None or not seen_votes[pid] <= got <= sent:
                v.fail(
                    f"proposal {pid}: {node} counts {got} ballots, {seen_votes[pid]} of the "
                    f"{sent} votes sent were committed"
                )
    for node, got in sorted(payments.items()):
        if not seen_pays <= got <= sent_pays:
            v.fail(
                f"split: {node} records {got} payments, {seen_pays} of the {sent_pays} sent "
                "were committed"
            )
    v.detail = (
        f"{sum(seen_votes.values())} votes on {len(sent_votes)} proposals, "
        f"{seen_pays} split payments, on {max(len(ballots), len(payments))} nodes"
    )
    return v


def clean_teardown(left: list[str], mounts: list[str]) -> Verdict:
    v = Verdict("no process left behind")
    for process in left:
        v.fail(f"process {process} still runs after the teardown")
    for mount in mounts:
        v.fail(f"{mount} is still mounted")
    v.detail = "every node's process group is gone"
    return v
