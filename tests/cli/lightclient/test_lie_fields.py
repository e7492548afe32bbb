"""Nothing shown next to "verified: yes" is the node's word alone unless it is named as
unverified (issue 20, item 5): a probe lies about every other field of every verified query in
turn, and each lie must be refused."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.lightclient.conftest import LiarRun, Showcase
from tests.cli.lightclient.devchain import ALICE, GUILD, Tamper

Liar = Callable[[Tamper], LiarRun]

CLI_ADDED = {"holdings", "paid"}  # computed by the wallet itself, not taken from the answer


def _queries(show: Showcase) -> dict[str, tuple[list[str], Callable[[str], bool]]]:
    """Each verified query, and which request path carries the answer it shows."""
    cid = GUILD.hex()
    return {
        "account": (
            ["account", ALICE.address.to_text("tcot")],
            lambda p: p.startswith("/v1/accounts/"),
        ),
        "collective": (["collective", cid], lambda p: p == f"/v1/collectives/{cid}"),
        "validators": (["validators"], lambda p: p == "/v1/validators"),
        "proposal": (["proposal", str(show.proposal)], lambda p: p.startswith("/v1/proposals/")),
        "proposals": (["proposals", cid], lambda p: p.endswith("/proposals")),
        "split": (["split", show.split.hex()], lambda p: p == f"/v1/splits/{show.split.hex()}"),
        "content": (["content", show.content.hex()], lambda p: p.startswith("/v1/content/")),
    }


def mutate(value: Any) -> Any:
    """Another value of the same shape."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    if isinstance(value, list):
        return value[1:] if value else [{"forged": 1}]
    if isinstance(value, dict):
        return {**value, "forged": 1}
    return {"forged": 1}


@pytest.mark.parametrize(
    "name", ["account", "collective", "validators", "proposal", "proposals", "split", "content"]
)
def test_every_field_not_named_unverified_is_proven(
    liar: Liar, showcase: Showcase, name: str
) -> None:
    args, carries = _queries(showcase)[name]
    honest = liar(lambda _p, d: d)(args)
    assert honest.exit_code == 0, honest.output
    data = json.loads(honest.stdout)
    note = data["verified"]
    assert note["height"] >= 1 and note["time_ms"] > 0
    fields = set(data) - {"verified"} - set(note["unverified"]) - CLI_ADDED
    assert fields, "nothing proven"
    passed = []
    for field in sorted(fields):

        def lie(path: str, answer: Any, field: str = field) -> Any:
            if carries(path) and isinstance(answer, dict) and field in answer:
                answer[field] = mutate(answer[field])
            return answer

        result = liar(lie)(args)
        if result.exit_code != 9:
            passed.append((field, result.exit_code, result.output[-200:]))
    assert not passed, f"lies about these fields of `query {name}` were not refused: {passed}"


def test_the_unverified_fields_are_named_in_text_and_json(liar: Liar, showcase: Showcase) -> None:
    run = liar(lambda _p, d: d)
    split = json.loads(run(["split", showcase.split.hex()]).stdout)
    assert split["verified"]["unverified"] == []  # what was paid too: every payment is proven
    content = json.loads(run(["content", showcase.content.hex()]).stdout)
    assert content["verified"]["unverified"] == []  # the history too: every decision proven
    validators = json.loads(run(["validators"]).stdout)
    assert "validators[].missed_blocks" in validators["verified"]["unverified"]
    text = run(["collective", GUILD.hex()], json_out=False).stdout
    unverified = [line for line in text.splitlines() if line.startswith("unverified (the node")]
    assert unverified and "treasury (tokens of other collectives)" in unverified[0], text
    assert "streams" in unverified[0]  # the node's list of the collective's streams
    assert "proven at:" in text


@pytest.mark.parametrize(
    ("query", "where", "change"),
    [
        ("collective", "/v1/collectives/", lambda d: d["members"][0].update(jailed=True)),
        ("collective", "/v1/collectives/", lambda d: d["supply"][0].update(name="loot")),
        ("validators", "/v1/validators", lambda d: d["validators"][0].update(name="mallory")),
    ],
)
def test_a_lie_inside_a_listed_item_is_refused(
    liar: Liar, showcase: Showcase, query: str, where: str, change: Callable[[Any], None]
) -> None:
    def lie(path: str, data: Any) -> Any:
        if path.startswith(where) and not path.endswith("/proposals"):
            change(data)
        return data

    args = [query] + ([GUILD.hex()] if query == "collective" else [])
    result = liar(lie)(args)
    assert result.exit_code == 9, result.output
    assert result.output.count("\n") == 1 and "proven state holds" in result.output


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["payouts"][0]["payouts"][0].update(amount=10**6),
        lambda d: d.update(payouts=[]),
    ],
    ids=["an inflated payment", "a hidden payment"],
)
def test_what_a_split_paid_is_proven_payment_by_payment(
    liar: Liar, showcase: Showcase, change: Callable[[Any], None]
) -> None:
    def lie(path: str, data: Any) -> Any:
        if path.endswith("/payouts"):
            change(data)
        return data

    result = liar(lie)(["split", showcase.split.hex()])
    assert result.exit_code == 9, result.output
    assert "payment" in result.output and result.output.count("\n") == 1


def test_holdings_follow_the_proven_classes_not_the_nodes(liar: Liar) -> None:
    """A node that hides a collective's token classes cannot hide what the account holds."""

    def hide_classes(path: str, data: Any) -> Any:
        if path.startswith("/v1/collectives/") and "classes" in data:
            data["classes"] = []
        return data

    result = liar(hide_classes)(["account", ALICE.address.to_text("tcot")])
    assert result.exit_code == 0, result.output
    held = json.loads(result.stdout)["holdings"]
    assert [(h["collective_name"], h["class"], h["amount"]) for h in held] == [
        ("Cartridge Keepers", "shares", 10)
    ]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a scalar inside a JSON answer."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))]
    return [path]


def named_unverified(path: tuple[Any, ...], unverified: list[str]) -> bool:
    """Whether `unverified` names the part at `path` ("field" or "list[].field")."""
    for name in unverified:
        head, _, rest = name.partition("[].")
        if path[0] == head.split(" ")[0] and (not rest or rest in path[2:3]):
            return True
    return False


LEAVES_PER_QUERY = 20


@pytest.mark.parametrize(
    "name", ["account", "collective", "validators", "proposal", "proposals", "split", "content"]
)
def test_a_lie_about_any_nested_value_is_refused(liar: Liar, showcase: Showcase, name: str) -> None:
    """The probe above, one level down: every scalar inside the answer (a seeded sample of at
    most LEAVES_PER_QUERY), unless its field is named unverified."""
    args, carries = _queries(showcase)[name]
    data = json.loads(liar(lambda _p, d: d)(args).stdout)
    unverified = data["verified"]["unverified"]
    paths = [
        p
        for p in leaves({k: v for k, v in data.items() if k not in CLI_ADDED | {"verified"}})
        if len(p) > 1 and not named_unverified(p, unverified)
    ]
    paths = random.Random(20).sample(paths, min(len(paths), LEAVES_PER_QUERY))
    passed = []
    for path in paths:

        def lie(request_path: str, answer: Any, path: tuple[Any, ...] = path) -> Any:
            if carries(request_path) and isinstance(answer, dict):
                target = answer
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = mutate(target[path[-1]])
            return answer

        result = liar(lie)(args)
        if result.exit_code != 9:
            passed.append(path)
    assert not passed, f"lies inside `query {name}` at these paths were not refused: {passed}"
