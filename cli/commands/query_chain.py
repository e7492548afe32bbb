"""`coterie query block|tx|light-status`: chain objects checked against verified headers, and
what the light client trusts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli import queryfmt as fmt
from cli.lightclient import TrustStore, VerificationError
from cli.lightclient.chainchecks import TX_PROVEN, check_block, check_tx
from cli.options import parse_hash
from cli.querycontext import (
    context,
    emit,
    query_options,
    single_key_answer,
    verify_option,
)
from ledger.codec import MalformedError
from ledger.treasury import keys as treasury_keys
from ledger.treasury.streams import Stream
from node.api.eventview import asset_text
from node.api.views import jsonable

# -- blocks and txs --------------------------------------------------------------------------


@click.command("block")
@click.argument("which", required=False, metavar="[HEIGHT|HASH]")
@query_options
@verify_option
def block(
    *,
    which: str | None,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """A block (the latest without HEIGHT or HASH): header, txs and commit signatures.

    --verify checks the header against its commit and the validator set tracked from genesis,
    and that everything shown is the view of the block's bytes, whose body matches the header.
    """
    q = context(node_url, output, home, genesis_path)
    wanted = _block_ref(which)
    if isinstance(wanted, bytes):
        answer = q.get(f"/v1/blocks/by-hash/{wanted.hex()}")
    else:
        answer = q.get(f"/v1/blocks/{wanted if wanted is not None else 'latest'}")
    if verify:
        with q.light() as light:
            if wanted is None:  # the latest block: an answer about the present
                light.check_not_stale(int(answer["height"]))
            header = light.sync(int(answer["height"]))
            if wanted is None:
                light.check_fresh(header)
            if isinstance(wanted, bytes) and header.hash() != wanted:
                raise VerificationError(
                    f"the node answered block {answer['height']} for hash {wanted.hex()}, but "
                    f"the verified header at that height is {header.hash().hex()}"
                )
            raw = q.get_raw(f"/v1/blocks/{header.height}?format=msgpack")
            proven = check_block(answer, raw, header, q.hrp())
        answer["verified"] = {
            "height": header.height,
            "time_ms": header.time_ms,
            "block_hash": header.hash().hex(),
            "unverified": sorted(k for k in answer if k not in proven),
        }
    emit(q, answer, fmt.block_text(answer))


def _block_ref(text: str | None) -> int | bytes | None:
    """A height (digits) or a block hash (64 hex), as `tx` results and events print them."""
    if text is None:
        return None
    if text.isdigit() and len(text) < 19:
        if int(text) < 1:
            raise click.BadParameter("heights start at 1", param_hint="HEIGHT")
        return int(text)
    return parse_hash(text, "block height or hash")


@click.command("tx")
@click.argument("tx_hash", metavar="HASH")
@query_options
@verify_option
def tx(
    *, tx_hash: str, node_url: str, output: str, home: Path, genesis_path: Path | None, verify: bool
) -> None:
    """A committed tx with its result (or a pending one).

    --verify checks that what is shown is the tx's own bytes and that the tx is in its block:
    the block's tx hashes must give the tx root of a header signed by the validators tracked
    from genesis (the result and events are the node's word).
    """
    q = context(node_url, output, home, genesis_path)
    digest = parse_hash(tx_hash, "tx hash")
    answer = q.get(f"/v1/txs/{digest.hex()}")
    if verify:
        if answer.get("status") != "committed":
            raise VerificationError("a pending tx is not committed: nothing to verify yet")
        with q.light() as light:
            header = light.sync(int(answer["height"]))
            hashes = q.get(f"/v1/blocks/{header.height}?txs=hashes").get("txs", [])
            raw = q.get_raw(f"/v1/txs/{digest.hex()}?format=msgpack")
            check_tx(answer, digest, raw, hashes=hashes, header=header, hrp=q.hrp())
        answer["verified"] = {
            "height": header.height,
            "time_ms": header.time_ms,
            "block_hash": header.hash().hex(),
            "unverified": sorted(k for k in answer if k not in TX_PROVEN),
        }
    emit(q, answer, fmt.tx_text(answer))


# -- the light client's own state ------------------------------------------------------------


@click.command("light-status")
@query_options
def light_status(*, node_url: str, output: str, home: Path, genesis_path: Path | None) -> None:
    """What the light client trusts now (height, header, validator sets), without the node."""
    q = context(node_url, output, home, genesis_path)
    store = TrustStore(q.home, q.genesis())
    state = store.load()
    hrp = q.genesis().params.address_prefix
    data = {
        "chain_id": state.chain_id,
        "genesis_hash": state.genesis_hash.hex(),
        "height": state.height,
        "header_hash": state.header_hash.hex(),
        "time_ms": state.time_ms,
        "checkable_from": state.base,
        "file": str(store.path),
        "validator_sets": [
            {
                "first_height": first,
                "validators_hash": vs.hash().hex(),
                "validators": [
                    {"address": v.address.to_text(hrp), "power": v.power} for v in vs.validators
                ],
            }
            for first, vs in state.sets
        ],
    }
    text = fmt.lines(
        [
            ("chain", f"{state.chain_id} (genesis {fmt.short(state.genesis_hash.hex())})"),
            ("trusted height", state.height),
            ("header", state.header_hash.hex()),
            ("dated", fmt.date(state.time_ms)),
            ("checkable from", f"height {state.base}"),
            ("validator sets", len(state.sets)),
            (
                "signing now",
                f"{fmt.count(len(state.next_set), 'validator')}, "
                f"power {state.next_set.total_power}",
            ),
            ("file", store.path),
        ]
    )
    emit(q, data, text)


# -- streams ---------------------------------------------------------------------------------


@click.command("stream")
@click.argument("stream_id", type=click.IntRange(0, 2**64 - 1), metavar="ID")
@query_options
@verify_option
def stream(
    *,
    stream_id: int,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """A treasury stream: recipient, asset, schedule, claimed and claimable now.

    --verify proves the stream record, and that `claimable` follows from it at the time the
    node names (the time is the node's word).
    """
    q = context(node_url, output, home, genesis_path)
    answer = single_key_answer(  # `claimable_at_ms` is the node's word: marked unverified
        q,
        f"/v1/streams/{stream_id}",
        treasury_keys.stream(stream_id),
        verify,
        lambda shown, value: check_stream(shown, q.hrp(), value),
    )
    emit(q, answer, fmt.stream_text(answer, q.native_coin()))


def check_stream(answer: dict[str, Any], hrp: str, data: bytes | None) -> set[str]:
    """The answer is the view of the proven stream record (VerificationError otherwise);
    returns the fields proven."""
    if data is None:
        raise VerificationError("the proof shows that the stream does not exist")
    try:
        record = Stream.decode(data)
    except (MalformedError, ValueError) as exc:
        raise VerificationError(f"the proven stream does not decode: {exc}") from exc
    proven = {
        **jsonable(record, hrp),
        "asset": asset_text(record.asset.raw),
        "total": record.total,
        "claimable": record.claimable(int(answer.get("claimable_at_ms") or 0)),
    }
    for field, value in proven.items():
        if answer.get(field) != value:
            raise VerificationError(
                f"the node's stream says {field} = {answer.get(field)!r}, but the proven "
                f"state holds {value!r}"
            )
    return set(proven)
