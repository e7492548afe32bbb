"""What `coterie validator propose` (= `proposal submit validator`) reads: the changes and the
node keys. A validator added to the set brings its P2P node key (the public key of its node's
`node_key.json`, printed by `coterie init`), which the chain records so that every node lets it
connect; a power change may give a new one (a node-key rotation), a removal none."""

from __future__ import annotations

import click

from cli.commands.govparse import for_option, hex_bytes, parse_int, split_pair
from ledger.governance.validator_set import MAX_VALIDATOR_POWER, ValidatorUpdate
from ledger.keys import PUBLIC_KEY_LEN, Address

NODE_KEY_HELP = (
    "The P2P node key (node_key.json's public key, printed by coterie init) of the validator "
    "an --add or --power names; needed for each --add. With several, PUBLIC_KEY=NODE_KEY."
)


def validator_updates(
    add: tuple[str, ...],
    power: tuple[str, ...],
    remove: tuple[bytes, ...],
    node_keys: tuple[str, ...] = (),
) -> list[ValidatorUpdate]:
    """The proposal's actions, node keys attached; every mistake is a click error."""
    updates: list[ValidatorUpdate] = []
    added: set[bytes] = set()
    for hint, specs in (("--add", add), ("--power", power)):
        with for_option(hint):
            for spec in specs:
                key_text, power_text = split_pair(spec, "PUBLIC_KEY=POWER[,NAME]")
                power_text, _, name = power_text.partition(",")
                value = parse_int(power_text, "power", 1)
                if value > MAX_VALIDATOR_POWER:
                    raise click.BadParameter(f"power is at most 2^40 ({MAX_VALIDATOR_POWER})")
                if len(name.encode()) > 64:
                    raise click.BadParameter("a validator name is at most 64 bytes")
                key = hex_bytes(key_text, PUBLIC_KEY_LEN, "a validator public key")
                updates.append(ValidatorUpdate(key, value, name))
                if hint == "--add":
                    added.add(key)
    updates += [ValidatorUpdate(key, 0) for key in remove]
    keys = [u.public_key for u in updates]
    if not updates:
        raise click.UsageError("give at least one of --add, --power or --remove")
    if len(set(keys)) != len(keys):
        raise click.UsageError("a validator is named twice")
    with for_option("--node-key"):
        given = _node_keys(node_keys, [u.public_key for u in updates if u.power > 0])
    missing = sorted(added - set(given))
    if missing:
        raise click.UsageError(
            f"--add {missing[0].hex()}: give its node key with --node-key (the public key of "
            "the new validator's node_key.json, printed by coterie init), so nodes let it connect"
        )
    return [
        ValidatorUpdate(u.public_key, u.power, u.name, given.get(u.public_key)) for u in updates
    ]


def _node_keys(specs: tuple[str, ...], changed: list[bytes]) -> dict[bytes, bytes]:
    """validator public key -> node key, from `NODE_KEY` (one validator changed) or
    `PUBLIC_KEY=NODE_KEY` entries."""
    out: dict[bytes, bytes] = {}
    for spec in specs:
        if "=" in spec:
            validator_text, node_text = split_pair(spec, "[PUBLIC_KEY=]NODE_KEY")
            validator = hex_bytes(validator_text, PUBLIC_KEY_LEN, "a validator public key")
            if validator not in changed:
                raise click.BadParameter(
                    f"{validator_text}: no --add or --power names this validator"
                )
        elif len(changed) == 1:
            validator, node_text = changed[0], spec
        else:
            raise click.BadParameter(
                "with several validators added or changed (or none), write PUBLIC_KEY=NODE_KEY"
            )
        node_key = hex_bytes(node_text, PUBLIC_KEY_LEN, "a node key")
        if node_key == validator:
            raise click.BadParameter(
                "that is the validator key: the node key is the node's own P2P key "
                "(node_key.json), not its consensus key (priv_validator_key.json)"
            )
        if validator in out:
            raise click.BadParameter(f"two node keys for validator {validator.hex()}")
        out[validator] = node_key
    return out


def describe(update: ValidatorUpdate, prefix: str) -> str:
    """One confirmation line: who, what changes, the node key it brings."""
    who = Address.from_public_key(update.public_key).to_text(prefix)
    change = "remove" if update.power == 0 else f"power {update.power}"
    line = f"validator {who}: {change}" + (f" ({update.name})" if update.name else "")
    return line + (f", node key {update.node_key.hex()}" if update.node_key else "")
