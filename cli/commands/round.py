"""`coterie round ...`: curation rounds. `round open` is the proposal that opens one (its budget
leaves the treasury when it executes); `round show` prints a round with what each recipient would
be paid if it closed now. A round closes by itself: it is paid in the first block whose time
reaches its end (docs/economics.md). `round close` is the proposal that ends one early: paid now
by the same rule, or (`--call-off`) its budget returned to the treasury."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.commands.govflow import builder_for, proposal_options, submit_proposal
from cli.commands.govparse import DURATION, checked
from cli.errors import CoterieGroup
from cli.querycontext import context, emit, query_options
from cli.txflow import AMOUNT, POSITIVE_AMOUNT, tx_options
from ledger.economics.actions import RoundOpen
from ledger.economics.round_close import RoundClose
from ledger.economics.rounds import MAX_EARLY, MAX_ENDORSEMENTS, RoundTerms, Weighting

WEIGHTINGS = {
    "one": Weighting.ONE_MEMBER,
    "power": Weighting.POWER,
    "quadratic": Weighting.QUADRATIC,
}


@click.group(cls=CoterieGroup)
def round_() -> None:
    """Curation rounds: a budget paid to the authors of the content members endorse."""


@round_.command("open")
@click.option("--budget", type=POSITIVE_AMOUNT, required=True, help="Native coin paid at close.")
@click.option("--period", type=DURATION, required=True, help="How long it runs, e.g. 7d.")
@click.option(
    "--weighting",
    type=click.Choice(sorted(WEIGHTINGS)),
    default="one",
    show_default=True,
    help="One member one weight, voting power at the open, or its square root.",
)
@click.option(
    "--curator-ppm",
    type=AMOUNT,
    default=0,
    help="Share of the weight they bring paid to early endorsers (ppm, ≤ 500000).",
)
@click.option(
    "--early",
    type=AMOUNT,
    default=0,
    help=f"How many first endorsers of an item earn it (≤ {MAX_EARLY}).",
)
@click.option(
    "--max-endorsements",
    type=AMOUNT,
    default=8,
    show_default=True,
    help=f"Endorsements per member (1 to {MAX_ENDORSEMENTS}); its weight is spread over them.",
)
@proposal_options
@tx_options
def open_(
    *,
    budget: int,
    period: int,
    weighting: str,
    curator_ppm: int,
    early: int,
    max_endorsements: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Propose a curation round: content anchored in the collective during the period can be
    endorsed by members who joined before it; at the end the budget is paid exactly."""
    if period % 1000:
        raise click.BadParameter("whole seconds", param_hint="--period")
    terms = RoundTerms(
        budget, period // 1000, WEIGHTINGS[weighting], curator_ppm, early, max_endorsements
    )
    with checked("invalid round"):
        terms.check()
    lines = [f"a curation round of {budget} over {period // 1000} s, weighting {weighting}"]
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(RoundOpen(terms),),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


def round_text(r: dict[str, Any]) -> str:
    terms = r.get("terms") or {}
    lines = [
        f"round {r['id']} of collective {r['collective']}: {r['status']}"
        + (" (open for endorsements)" if r.get("open") else ""),
        f"budget {terms.get('budget')}  weighting {terms.get('weighting')}  "
        f"endorsements {r.get('endorsements')}  paid {r.get('paid')}",
        f"period {r.get('start_ms')} .. {r.get('end_ms')} ms",
    ]
    for row in r.get("live") or []:
        lines.append(f"  would pay {row['amount']} to {row['to']}")
    return "\n".join(lines)


@round_.command("show")
@click.argument("round_id", type=AMOUNT)
@query_options
def show(
    *, round_id: int, node_url: str, output: str, home: Path, genesis_path: Path | None
) -> None:
    """A round, its status, and (while open) what each recipient would be paid now."""
    q = context(node_url, output, home, genesis_path)
    answer = q.get(f"/v1/rounds/{round_id}")
    emit(q, answer, round_text(answer))


@round_.command("close")
@click.argument("round_id", type=AMOUNT)
@click.option(
    "--call-off",
    is_flag=True,
    help="Return the budget to the treasury instead of paying the endorsements so far.",
)
@proposal_options
@tx_options
def close(
    *,
    round_id: int,
    call_off: bool,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Propose to end round ROUND_ID now: when the proposal executes, the round is paid by the
    endorsements that count then (exactly, as at its end), or called off with --call-off."""
    what = "call off" if call_off else "close and pay now"
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(RoundClose(round_id, call_off),),
        metadata=metadata,
        expedited=expedited,
        lines=[f"{what} curation round {round_id}"],
    )
