"""`coterie proposal submit ...` for a collective's economics (docs/economics.md): the reputation
policy (`reputation-policy`), roles gated on standing (`role-gate`), a reward paid by standing
once (`reward-standing`) or every period (`reward-schedule`), and accepting the work of a funded
spend or stream (`accept-deliverable`). Curation and matching rounds have their own commands
(`coterie round`, `coterie matching`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli.commands.govflow import builder_for, proposal_options, submit_proposal
from cli.commands.govparse import DURATION, checked
from cli.commands.proposal_rules import ROLE_OPTION, ROLES
from cli.errors import InvalidInputError
from cli.txflow import AMOUNT, POSITIVE_AMOUNT, tx_options
from ledger.economics.actions import (
    RewardStanding,
    SetReputationPolicy,
    SetRewardSchedule,
    SetRoleGate,
)
from ledger.economics.deliverables import AcceptDeliverable, Funded
from ledger.economics.reputation import ReputationPolicy


def _seconds(ms: int, option: str) -> int:
    if ms % 1000:
        raise click.BadParameter("whole seconds", param_hint=option)
    return ms // 1000


F = TypeVar("F", bound=Callable[..., Any])


def _points(name: str, what: str) -> Callable[[F], F]:
    return click.option(f"--{name}", type=AMOUNT, default=0, show_default=True, help=what)


@click.command("reputation-policy")
@_points("vote-cast", "Points for a ballot on a decided proposal.")
@_points("proposal-passed", "Points for the proposer of an executed proposal.")
@_points("endorsed-item", "Points for the author of an item a paid curation round counted.")
@_points("deliverable-accepted", "Points for the recipient of funded work the collective accepts.")
@_points("moderation-upheld", "Points for a moderator whose act a full appeal vote upheld.")
@click.option("--half-life", type=DURATION, required=True, help="Decay half-life, e.g. 90d.")
@click.option("--daily-cap", type=AMOUNT, required=True, help="Points a member may earn a day.")
@_points("vote-weight-ppm", "Voting shares per point, in ppm (0: standing does not weigh votes).")
@_points("max-vote-bonus", "The most voting shares standing adds to one ballot.")
@proposal_options
@tx_options
def reputation_policy(
    *,
    vote_cast: int,
    proposal_passed: int,
    endorsed_item: int,
    deliverable_accepted: int,
    moderation_upheld: int,
    half_life: int,
    daily_cap: int,
    vote_weight_ppm: int,
    max_vote_bonus: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Name the acts that earn standing, their points, the decay and the daily cap, and whether
    (and how much) standing adds to voting weight."""
    policy = ReputationPolicy(
        vote_cast,
        proposal_passed,
        endorsed_item,
        _seconds(half_life, "--half-life"),
        daily_cap,
        deliverable_accepted,
        moderation_upheld,
        vote_weight_ppm,
        max_vote_bonus,
    )
    with checked("invalid reputation policy"):
        policy.check()
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(SetReputationPolicy(policy),),
        metadata=metadata,
        expedited=expedited,
    )


@click.command("role-gate")
@ROLE_OPTION
@click.option("--min-points", type=AMOUNT, required=True, help="Standing needed (0: no gate).")
@proposal_options
@tx_options
def role_gate(
    *,
    role_name: str,
    min_points: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Require MIN_POINTS of standing of whoever is given the role."""
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(SetRoleGate(int(ROLES[role_name]), min_points),),
        metadata=metadata,
        expedited=expedited,
    )


@click.command("reward-standing")
@click.option("--budget", type=POSITIVE_AMOUNT, required=True, help="Native coin paid now.")
@proposal_options
@tx_options
def reward_standing(
    *, budget: int, collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Pay BUDGET from the treasury to the members by their standing, once, exactly."""
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(RewardStanding(budget),),
        metadata=metadata,
        expedited=expedited,
    )


@click.command("reward-schedule")
@click.option("--budget", type=AMOUNT, help="Native coin paid at the end of every period.")
@click.option("--period", type=DURATION, help="The period, 1d to 366d.")
@click.option("--stop", is_flag=True, help="Stop the collective's schedule.")
@proposal_options
@tx_options
def reward_schedule(
    *,
    budget: int | None,
    period: int | None,
    stop: bool,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Pay --budget by standing at the end of every --period, automatically; or --stop."""
    if stop == (budget is not None or period is not None):
        raise InvalidInputError("give --budget and --period, or --stop alone")
    if stop:
        action = SetRewardSchedule(0, 0)
    else:
        if not budget or period is None:
            raise InvalidInputError("give a positive --budget and a --period")
        action = SetRewardSchedule(budget, _seconds(period, "--period"))
    with checked("invalid reward schedule"):
        action.check()
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
    )


@click.command("accept-deliverable")
@click.option("--spend", "spend_pid", type=AMOUNT, help="The executed proposal that paid it.")
@click.option("--stream", "stream_id", type=AMOUNT, help="The stream that pays it.")
@proposal_options
@tx_options
def accept_deliverable(
    *,
    spend_pid: int | None,
    stream_id: int | None,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Accept the work a spend or a stream of the collective paid for: its member recipients
    earn standing (once per funded item)."""
    if (spend_pid is None) == (stream_id is None):
        raise InvalidInputError("name the funded work: --spend PROPOSAL or --stream ID")
    if spend_pid is not None:
        action = AcceptDeliverable(Funded.SPEND, spend_pid)
    else:
        assert stream_id is not None
        action = AcceptDeliverable(Funded.STREAM, stream_id)
    submit_proposal(
        builder_for(common),
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
    )


def register_economics(group: click.Group) -> None:
    for command in (
        reputation_policy,
        role_gate,
        reward_standing,
        reward_schedule,
        accept_deliverable,
    ):
        group.add_command(command)
