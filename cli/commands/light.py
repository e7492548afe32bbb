"""`coterie light trust|checkpoint|evidence`: where the wallet's light client starts trusting,
what an operator publishes for others to start from, and a fork report, printed.

Exit codes as for `coterie query --verify`: 9 the node's header does not match the checkpoint,
11 the checkpoint is older than the chain's trust period (docs/lightclient.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli import queryfmt as fmt
from cli.errors import InvalidInputError
from cli.lightclient.checkpoint import anchor, checkpoint_json, read_checkpoint, write_checkpoint
from cli.lightclient.trust import TrustStore
from cli.nodeclient import DEFAULT_NODE, NODE_ENV, NodeClient
from cli.options import parse_hash
from cli.querycontext import QueryGroup, context, emit, query_options


@click.group(cls=QueryGroup)
def light() -> None:
    """The light client's root of trust: checkpoints and fork reports."""


@light.command("trust")
@click.argument("height", required=False, type=click.IntRange(1, 2**63 - 1))
@click.argument("block_hash", metavar="HASH", required=False)
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint file an operator published (`coterie light checkpoint`).",
)
@query_options
def trust(
    *,
    height: int | None,
    block_hash: str | None,
    from_file: Path | None,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
) -> None:
    """Start trusting the chain at HEIGHT with block HASH (from a source you trust).

    The node must serve that header with that hash and a commit of 2/3+ of the validator set it
    names; later --verify queries follow the chain from there (heights below it are no longer
    checked). Needed when the wallet's trusted state is older than the chain's trust period.
    """
    q = context(node_url, output, home, genesis_path)
    genesis = q.genesis()
    if from_file is not None:
        if height is not None or block_hash is not None:
            raise InvalidInputError("give HEIGHT HASH or --from FILE, not both")
        height, digest = read_checkpoint(from_file, genesis.chain_id, genesis.hash())
    elif height is None or block_hash is None:
        raise InvalidInputError("give HEIGHT HASH, or --from FILE")
    else:
        digest = parse_hash(block_hash, "block hash")
    with q.light() as client:
        state = anchor(client, height, digest)
    data = {**checkpoint_json(state), "file": str(client.store.path)}
    text = fmt.lines(
        [
            ("trusted height", state.height),
            ("header", state.header_hash.hex()),
            ("dated", fmt.date(state.time_ms)),
            ("file", client.store.path),
        ]
    )
    emit(q, data, text)


@light.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the checkpoint to this file (default: print it).",
)
@query_options
def checkpoint(
    *, out: Path | None, node_url: str, output: str, home: Path, genesis_path: Path | None
) -> None:
    """The wallet's trusted height and hash, as a file other wallets can start from."""
    q = context(node_url, output, home, genesis_path)
    state = TrustStore(q.home, q.genesis()).load()
    if state.height == 0:
        raise InvalidInputError("this wallet has verified nothing yet: run a --verify query")
    if out is None:
        click.echo(json.dumps(checkpoint_json(state), indent=1))
        return
    write_checkpoint(state, out)
    emit(q, {"file": str(out), "height": state.height}, f"checkpoint of height {state.height}")


@light.command("evidence")
@click.argument("report", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--submit",
    is_flag=True,
    help="Send the duplicate-vote evidence to the node (POST /v1/evidence): its pool checks "
    "it, gossips it, and a block records it.",
)
@click.option("--node", "node_url", envvar=NODE_ENV, default=DEFAULT_NODE, show_default=True)
def evidence(*, report: Path, submit: bool, node_url: str) -> None:
    """Print a fork report the light client wrote (both signed headers, double signers)."""
    try:
        data = json.loads(report.read_text())
        height, trusted, theirs = data["height"], data["trusted"], data["conflicting"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{report} is not a fork report: {exc}") from exc
    rows = [
        ("fork at height", height),
        ("chain", f"{data.get('chain_id')} (genesis {fmt.short(data.get('genesis_hash'))})"),
        ("trusted header", trusted.get("header_hash")),
        ("conflicting header", theirs.get("header_hash")),
        ("conflicting source", theirs.get("source")),
        ("double signers", len(data.get("duplicate_votes", []))),
    ]
    rows += [
        (f"  {v['validator']}", f"evidence {v['evidence_hash']}")
        for v in data.get("duplicate_votes", [])
    ]
    if data.get("signed_both_in_other_rounds"):
        rows.append(("signed both, other rounds", ", ".join(data["signed_both_in_other_rounds"])))
    if submit:
        items = [v["evidence_msgpack"] for v in data.get("duplicate_votes", [])]
        if not items:
            raise InvalidInputError("the report holds no duplicate-vote evidence to submit")
        answer = NodeClient(node_url).post("/v1/evidence", {"evidence": items})
        accepted = sum(1 for r in answer.get("results", []) if r.get("accepted"))
        rows.append(("submitted", f"{accepted} of {len(items)} accepted by {node_url}"))
    click.echo(fmt.lines(rows))
