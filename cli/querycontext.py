"""What every `coterie query` command shares: the node, the output format, the wallet home, the
chain's genesis and (with --verify) the light client.

Exit code 9 means a verified query was refused: something the node sent does not verify against
the validator set tracked from genesis, or is stale, or dated in the future; 10 means a fork was
detected (two headers of one height signed by 2/3+; the evidence is written to a file); 11 means
the wallet's trusted state is older than the chain's trust period (`coterie light trust`)
(docs/cli.md, docs/lightclient.md).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

from cli.errors import CliError, CoterieGroup, InvalidInputError
from cli.lightclient import (
    LightClient,
    LightClientError,
    TrustStore,
    VerificationError,
    VerifiedState,
)
from cli.lightclient.client import DEFAULT_MAX_AGE_MS
from cli.lightclient.errors import ForkError, TrustExpiredError
from cli.nodeclient import (
    DEFAULT_NODE,
    NODE_ENV,
    NodeApiError,
    NodeClient,
    NodeUnreachableError,
)
from cli.options import DEFAULT_HOME, HOME_ENV, open_keystore
from cli.wallet.keystore import KeystoreError
from ledger.bech32m import AddressError
from ledger.genesis import Genesis
from ledger.keys import Address

F = TypeVar("F", bound=Callable[..., Any])

VERIFY_FAILED_EXIT = 9
FORK_EXIT = 12
TRUST_EXPIRED_EXIT = 11
MAX_RAW_BYTES = 32 * 1024 * 1024 + 1
PROGRESS_MIN_STEPS = 3  # a bar only when following the set takes more than a moment


class VerifyFailedError(CliError):
    exit_code: ClassVar[int] = VERIFY_FAILED_EXIT


class ForkDetectedCliError(CliError):
    exit_code: ClassVar[int] = FORK_EXIT


class TrustExpiredCliError(CliError):
    exit_code: ClassVar[int] = TRUST_EXPIRED_EXIT


class QueryGroup(CoterieGroup):
    """The query group: light-client refusals become exit code 9 with the reason, a fork 10
    (with the evidence file), an expired trusted state 11."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ForkError as exc:
            raise ForkDetectedCliError(f"verification failed: {exc}") from exc
        except VerificationError as exc:
            raise VerifyFailedError(f"verification failed: {exc}") from exc
        except TrustExpiredError as exc:
            raise TrustExpiredCliError(f"verification impossible: {exc}") from exc
        except LightClientError as exc:
            raise CliError(str(exc)) from exc


def query_options(f: F) -> F:
    """--node, --output, --home and --genesis (the chain a --verify trusts)."""
    f = click.option(
        "--genesis",
        "genesis_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The chain's genesis.json, trusted by --verify (default: HOME/genesis.json, "
        "then HOME/config/genesis.json).",
    )(f)
    f = click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=HOME_ENV,
        default=DEFAULT_HOME,
        show_default=True,
        help=f"Wallet home: keys by name, the genesis, the light client's state. Env: {HOME_ENV}.",
    )(f)
    f = click.option(
        "--output",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format; json is for scripts.",
    )(f)
    return click.option(
        "--node",
        "node_url",
        envvar=NODE_ENV,
        default=DEFAULT_NODE,
        show_default=True,
        help=f"The node to ask. Env: {NODE_ENV}.",
    )(f)


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep a light-client option for `QueryContext.light` (no command argument needed)."""
    ctx.meta[f"light.{param.name}"] = value


def verify_option(f: F) -> F:
    """--verify, with the light client's --max-age and --witness."""
    f = click.option(
        "--witness",
        "witnesses",
        multiple=True,
        metavar="URL",
        expose_value=False,
        callback=_keep,
        help="With --verify: also ask this node (repeatable) for each verified header; a "
        "conflicting signed header is a fork (exit 12).",
    )(f)
    f = click.option(
        "--max-age",
        "max_age",
        type=click.IntRange(0, 10**9),
        default=DEFAULT_MAX_AGE_MS // 1000,
        show_default=True,
        metavar="SECONDS",
        expose_value=False,
        callback=_keep,
        help="With --verify: refuse (exit 9) an answer proven at a header older than this "
        "(0: no bound).",
    )(f)
    return click.option(
        "--verify",
        is_flag=True,
        help="Check the answer's Merkle proof against a header signed by 2/3+ of the validator "
        "set tracked from genesis; refuse (exit 9) if anything does not verify.",
    )(f)


class SyncProgress:
    """A progress bar on stderr for the header sync, shown only when it has several steps."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if total < PROGRESS_MIN_STEPS or done >= total:
                return
            self._bar = click.progressbar(
                length=total, label="Following validator-set changes", file=sys.stderr
            )
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@dataclass
class QueryContext:
    node_url: str
    output: str
    home: Path
    genesis_path: Path | None
    _hrp: str | None = field(default=None, init=False)
    _genesis: Genesis | None = field(default=None, init=False)
    _light: LightClient | None = field(default=None, init=False)
    started: float = field(default_factory=time.monotonic)

    @property
    def node(self) -> NodeClient:
        return NodeClient(self.node_url, timeout=10.0)

    def get(self, path: str) -> Any:
        return self.node.get(path)

    def get_raw(self, path: str) -> bytes:
        """The bytes of a `?format=msgpack` answer (errors as the JSON client reports them)."""
        url = self.node_url.rstrip("/") + path
        request = urllib.request.Request(url, headers={"Accept": "application/msgpack"})
        try:
            with urllib.request.urlopen(request, timeout=10.0) as response:
                return bytes(response.read(MAX_RAW_BYTES))
        except urllib.error.HTTPError as exc:
            raise NodeApiError(exc.code, "error", f"{path}: {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeUnreachableError(
                f"cannot reach the node at {self.node_url}: {reason}"
            ) from None

    def genesis(self) -> Genesis:
        """The trusted genesis: --genesis, else the one kept in the wallet home."""
        if self._genesis is None:
            home = self.home.expanduser()
            if self.genesis_path is not None:
                self._genesis = Genesis.load(self.genesis_path)
                return self._genesis
            for path in (home / "genesis.json", home / "config" / "genesis.json"):
                if path.is_file():
                    self._genesis = Genesis.load(path)
                    return self._genesis
            raise InvalidInputError(
                "--verify needs the chain's genesis.json: pass --genesis FILE or keep it "
                f"as {home / 'genesis.json'}"
            )
        return self._genesis

    def hrp(self) -> str:
        """The address prefix: the genesis's when at hand, else the node's."""
        if self._hrp is None:
            if self._genesis is not None or self.genesis_path is not None:
                self._hrp = self.genesis().params.address_prefix
            else:
                status = self.get("/v1/status")
                self._hrp = str(status.get("address_prefix", "tcot"))
        return self._hrp

    def native_coin(self) -> str:
        """The native coin's name, as the node states it (`COT`)."""
        return str(self.get("/v1/status").get("native_coin") or "coin")

    def address(self, text: str) -> Address:
        """An address, or the name of a key in the wallet's keystore."""
        try:
            return Address.parse(self.hrp(), text)
        except AddressError:
            if "1" in text and len(text) > 20:
                raise  # an address, mistyped or of another chain: its own message says which
            keystore = open_keystore(self.home)
            try:
                known = keystore.exists(text)
            except KeystoreError:
                known = False
            if not known:
                raise AddressError(
                    f"{text!r} is neither an address of this chain nor a key name in {self.home}"
                ) from None
            return keystore.info(text).address

    @contextmanager
    def light(self) -> Iterator[LightClient]:
        progress = SyncProgress()
        if self._light is None:
            genesis = self.genesis()
            self._hrp = genesis.params.address_prefix
            store = TrustStore(self.home, genesis)
            meta = click.get_current_context().meta
            max_age = int(meta.get("light.max_age", DEFAULT_MAX_AGE_MS // 1000))
            witnesses = [NodeClient(url, timeout=10.0) for url in meta.get("light.witnesses", ())]
            self._light = LightClient(
                self.node,
                genesis,
                store,
                progress,
                max_age_ms=max_age * 1000,
                witnesses=witnesses,
            )
        self._light.progress = progress
        try:
            yield self._light
        finally:
            progress.close()


def context(node_url: str, output: str, home: Path, genesis_path: Path | None) -> QueryContext:
    return QueryContext(node_url, output, home, genesis_path)


def emit(q: QueryContext, data: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if q.output == "json" else text)


def mark(
    answer: dict[str, Any],
    verified: VerifiedState,
    proven: Iterable[str],
    unverified: Iterable[str] = (),
) -> None:
    """Say at which proven height and time the answer holds, and name every field shown that
    was not compared with proven state: each top-level field not in `proven`, plus the parts
    named in `unverified` (such as "members (complete list)")."""
    done = set(proven) | {"verified"}
    if "height" in answer and "height" not in done:
        if answer["height"] != verified.height:
            raise VerificationError(
                f"the node says its answer is of height {answer['height']!r}, but its proofs "
                f"are of height {verified.height}"
            )
        done.add("height")
    left = sorted({k for k in answer if k not in done} | set(unverified))
    answer["verified"] = {
        "height": verified.height,
        "time_ms": verified.header.time_ms,
        "block_hash": verified.header.hash().hex(),
        "state_root": verified.header.state_root.hex(),
        "unverified": left,
    }


def single_key_answer(
    q: QueryContext,
    path: str,
    key: bytes,
    verify: bool,
    check: Callable[[dict[str, Any], bytes | None], Iterable[str]],
) -> dict[str, Any]:
    """The node's answer at `path`; with `verify`, its one-key proof bundle (`?proof=true`) is
    checked and `check(answer, proven value)` names the fields it proved, then the answer is
    marked with the proven height and what stays the node's word."""
    if verify:
        q.genesis()
    answer: dict[str, Any] = q.get(path + ("?proof=true" if verify else ""))
    if verify:
        with q.light() as light:
            verified = light.verify_bundle(answer.pop("proof", None), [key])
            proven = check(answer, verified.get(key))
        mark(answer, verified, proven)
    return answer


def now_ms() -> int:
    return int(time.time() * 1000)
