"""Cross-check a verified header with a witness node (`--witness URL`), as CometBFT's light
client does: the witness must hold the same header at that height. A witness that lags (by at most
`MAX_WITNESS_LAG` heights) is asked for its latest header instead, compared with the primary's at
that height.

A witness header that is signed by 2/3+ of the trusted set but differs is a fork (`ForkError`,
with both headers in the report); one that does not verify means the witness is faulty, and the
answer is refused as not cross-checked (the user asked for the check).
"""

from __future__ import annotations

from typing import Protocol

from cli.lightclient.errors import ForkError, VerificationError
from cli.lightclient.trust import TrustedState
from cli.nodeclient import NodeApiError, NodeClient, NodeClientError
from consensus.validators import ValidatorSet
from ledger.block import Commit, Header


class Verifier(Protocol):
    """What a cross-check asks of the light client (`LightClient`, which calls it: a protocol,
    so that this module need not import the client that imports it)."""

    @property
    def state(self) -> TrustedState: ...

    def sync_quietly(self, target: int) -> Header: ...

    def signed_header(
        self, height: int, node: NodeClient | None = None
    ) -> tuple[Header, Commit]: ...

    def check_header(
        self,
        header: Header,
        commit: Commit,
        validators: ValidatorSet,
        *,
        source: str | None = None,
    ) -> None: ...


MAX_WITNESS_LAG = 10
"""How many heights a witness may lag the node and still confirm an answer (at its latest
height); farther, a node could be serving heights the chain has not reached."""


def cross_check(client: Verifier, witness: NodeClient, header: Header) -> None:
    try:
        theirs, commit = _theirs(client, witness, header.height)
    except NodeClientError as exc:
        raise VerificationError(f"witness {witness.url} cannot confirm the answer: {exc}") from exc
    if theirs.height < header.height:
        client.sync_quietly(theirs.height)  # the primary's header there, verified and kept
    validators = client.state.set_for(theirs.height)
    if validators is None:
        raise VerificationError(
            f"witness {witness.url} is at height {theirs.height}, below this wallet's checkpoint"
        )
    try:
        client.check_header(theirs, commit, validators, source=witness.url)
    except ForkError:
        raise
    except VerificationError as exc:
        raise VerificationError(
            f"witness {witness.url} sent a header {theirs.height} that does not verify "
            f"(a faulty witness; the answer is not cross-checked): {exc}"
        ) from exc


def _theirs(client: Verifier, witness: NodeClient, height: int) -> tuple[Header, Commit]:
    try:
        return client.signed_header(height, witness)
    except NodeApiError as exc:
        if exc.status != 404:
            raise
    answer = witness.get("/v1/commits/latest")
    height_w = answer.get("height") if isinstance(answer, dict) else None
    if not isinstance(height_w, int) or not 1 <= height_w < height:
        raise VerificationError(
            f"witness {witness.url} has no header {height} and no usable latest height"
        )
    if height - height_w > MAX_WITNESS_LAG:
        raise VerificationError(
            f"witness {witness.url} is at height {height_w}, far below the node's {height}: "
            "it cannot confirm the answer (a lagging witness, or a node ahead of the chain)"
        )
    return client.signed_header(height_w, witness)
