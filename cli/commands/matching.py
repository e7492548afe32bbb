"""`coterie matching ...`: quadratic funding of initiatives. `matching open` is the proposal that
opens a matching round (its pool leaves the treasury when it executes); `matching contribute`
pays an initiative of an open round; `matching show` prints a round with each initiative's
contributions and the match it would draw now. The round settles by itself in the first block
whose time reaches its end: each initiative gets its contributions plus its match
(docs/economics.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.commands.govflow import builder_for, finish, proposal_options, submit_proposal
from cli.commands.govparse import DURATION, checked, parse_party
from cli.errors import CoterieGroup
from cli.querycontext import context, emit, query_options
from cli.refs import parse_ppm
from cli.txflow import AMOUNT, POSITIVE_AMOUNT, tx_options
from ledger.economics.actions import MatchingOpen
from ledger.economics.contribute import MatchingContribute
from ledger.economics.matching import MAX_INITIATIVES, Initiative, MatchingTerms


@click.group(cls=CoterieGroup)
def matching() -> None:
    """Matching rounds: a pool divided among initiatives by quadratic funding."""


@matching.command("open")
@click.option("--pool", type=POSITIVE_AMOUNT, required=True, help="Native coin to match with.")
@click.option("--period", type=DURATION, required=True, help="How long it runs, e.g. 14d.")
@click.option(
    "--cap", default="100%", show_default=True, help="The most one initiative's match may take."
)
@click.option(
    "--initiative",
    "initiatives",
    multiple=True,
    required=True,
    metavar="PARTY=PURPOSE",
    help=f"An account or split:ID and what it is for (repeat, up to {MAX_INITIATIVES}).",
)
@proposal_options
@tx_options
def open_(
    *,
    pool: int,
    period: int,
    cap: str,
    initiatives: tuple[str, ...],
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Propose a matching round: members who joined before it contribute to the initiatives
    (initiative numbers follow the order given here, from 0); at the end the pool is divided by
    the quadratic funding rule, exactly, capped per initiative."""
    if period % 1000:
        raise click.BadParameter("whole seconds", param_hint="--period")
    builder = builder_for(common)
    listed = []
    for text in initiatives:
        party_text, sep, purpose = text.partition("=")
        if not sep:
            raise click.BadParameter(f"{text!r}: write PARTY=PURPOSE", param_hint="--initiative")
        listed.append(Initiative(parse_party(party_text, builder.prefix), purpose))
    terms = MatchingTerms(pool, period // 1000, parse_ppm(cap), tuple(listed))
    with checked("invalid matching round"):
        terms.check()
    lines = [f"a matching round of {pool} over {period // 1000} s for {len(listed)} initiatives"]
    submit_proposal(
        builder,
        collective=collective,
        actions=(MatchingOpen(terms),),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


@matching.command("contribute")
@click.argument("round_id", type=AMOUNT)
@click.argument("initiative", type=AMOUNT)
@click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="Native coin you give.")
@tx_options
def contribute(*, round_id: int, initiative: int, amount: int, **common: Any) -> None:
    """Give AMOUNT to INITIATIVE (its number) of matching round ROUND_ID; it is paid to the
    initiative with its match when the round ends (members from before the round; not to your
    own account or a split that pays you)."""
    finish(builder_for(common), MatchingContribute(round_id, initiative, amount))


def matching_text(m: dict[str, Any]) -> str:
    lines = [
        f"matching round {m['id']} of collective {m['collective']}: {m['status']}",
        f"pool {m['pool']}  cap {m['cap']} ppm  matched {m['matched']}",
        f"period {m['start_ms']} .. {m['end_ms']} ms",
    ]
    for i in m.get("initiatives") or []:
        lines.append(
            f"  {i['index']}: {i['purpose']}: {i['contributed']} from {i['contributors']}"
            f" contributors, match now {i['match_now']}"
        )
    return "\n".join(lines)


@matching.command("show")
@click.argument("round_id", type=AMOUNT)
@query_options
def show(
    *, round_id: int, node_url: str, output: str, home: Path, genesis_path: Path | None
) -> None:
    """A matching round: each initiative's contributions and (while open) its match now."""
    q = context(node_url, output, home, genesis_path)
    answer = q.get(f"/v1/matchings/{round_id}")
    emit(q, answer, matching_text(answer))
