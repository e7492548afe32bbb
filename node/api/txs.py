"""Transactions: submit one or a batch (`POST /v1/txs`) and read one by hash.

A submission body is either `application/msgpack` (the canonical bytes of one signed tx, or a
msgpack array of such byte strings: the P2P batch format) or `application/json`
(`{"txs": ["<hex of canonical tx bytes>", ...]}`). Each tx gets its own answer with its hash and
an `ErrorCode` name; the request as a whole answers 200 once the body parsed, even when every tx
was refused, so a batch is never half-reported. Bodies that cannot be parsed get a 4xx.

`POST /v1/txs/check` (`{"tx": "<hex>"}`) is a dry run for wallets: the stateful check against the
node's state plus the sender's pending txs, without admitting anything. The hex is a signed
envelope (signature checked) or an unsigned body (signature not checked, so no password is needed
to try a tx). The answer is `ok`, the `ErrorCode` name and reason, and on success the events the
tx would emit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from ledger import codec
from ledger.codec import MalformedError
from ledger.errors import ErrorCode
from ledger.state import stored_receipts
from ledger.store import TxLocation
from ledger.tx import MAX_TX_BYTES, SignedTx, TxBody
from node.api.context import ApiContext
from node.api.errors import ApiError, bad_request
from node.api.keys import CONTEXT
from node.api.limits import DEFAULT_JSON_BODY_BYTES, MAX_SUBMIT_BYTES, limits_of
from node.api.params import MSGPACK, msgpack_response, parse_hash, wants_msgpack
from node.api.views import committed_tx_view, receipt_view, tx_view
from node.mempool import Admission

MAX_SUBMIT_TXS = 10_000
MAX_JSON_SUBMIT_BYTES = DEFAULT_JSON_BODY_BYTES  # the default of `api.max_json_body_bytes`


async def read_submission(request: web.Request) -> list[bytes]:
    """The raw txs of a submission body, or a 4xx `ApiError`."""
    content_type = request.content_type
    json_limit = limits_of(request.app).max_json_body_bytes
    limit = MAX_SUBMIT_BYTES if content_type == MSGPACK else json_limit
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "body_too_large", f"the body exceeds {limit} bytes")
    body = await _read_limited(request, limit)
    if not body:
        raise bad_request("empty_body", "the body holds no tx")
    if content_type == MSGPACK:
        return _msgpack_txs(body)
    if content_type in ("application/json", ""):
        return _json_txs(body)
    raise ApiError(
        415, "unsupported_media_type", f"send {MSGPACK} or application/json, not {content_type}"
    )


async def _read_limited(request: web.Request, limit: int) -> bytes:
    """The body, refused with 413 past `limit` bytes (checked while reading, not after)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"the body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _msgpack_txs(body: bytes) -> list[bytes]:
    first = body[0]
    if 0x90 <= first <= 0x9F or first in (0xDC, 0xDD):  # a msgpack array: maybe a batch
        try:
            batch = codec.decode_bytes_list(body, MAX_SUBMIT_TXS, MAX_TX_BYTES, MAX_SUBMIT_BYTES)
        except MalformedError:
            pass  # not an array of byte strings: one tx (the mempool decodes it)
        else:
            if not batch:
                raise bad_request("empty_batch", "the batch holds no tx")
            return batch
    return [body]


def _json_txs(body: bytes) -> list[bytes]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise bad_request("invalid_json", "the body is not valid JSON") from None
    items = data.get("txs") if isinstance(data, dict) else None
    if not isinstance(items, list) or set(data) != {"txs"}:
        raise bad_request("invalid_body", 'expected {"txs": ["<tx hex>", ...]}')
    if not 1 <= len(items) <= MAX_SUBMIT_TXS:
        raise bad_request("invalid_batch_size", f"send 1 to {MAX_SUBMIT_TXS} txs")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise bad_request("invalid_tx_hex", f"txs[{i}] is not a hex string")
        try:
            out.append(bytes.fromhex(item.removeprefix("0x")))
        except ValueError:
            raise bad_request("invalid_tx_hex", f"txs[{i}] is not hex") from None
    return out


def admission_view(index: int, admission: Admission) -> dict[str, Any]:
    return {
        "index": index,
        "ok": admission.ok,
        "code": admission.code.name,
        "code_number": int(admission.code),
        "tx_hash": admission.tx_hash.hex() if admission.tx_hash else None,
        "queued": admission.queued,
        "reason": admission.reason,
    }


def submission_answer(admissions: Sequence[Admission]) -> str:
    """The JSON text of a submission's answer: exactly `json.dumps` of `{"accepted", "rejected",
    "results": [admission_view, ...]}`, with each plain admission (OK, not queued, no reason)
    written from a template: under load nearly every tx is one, and building and dumping its
    dict was about 2 µs of the event loop per tx (docs/performance.md)."""
    parts: list[str] = []
    accepted = 0
    ok = ErrorCode.OK
    for i, admission in enumerate(admissions):
        tx_hash = admission.tx_hash
        if admission.code is ok:
            accepted += 1
            if tx_hash is not None and not admission.queued and not admission.reason:
                parts.append(_PLAIN_OK % (i, tx_hash.hex()))
                continue
        parts.append(json.dumps(admission_view(i, admission)))
    rejected = len(admissions) - accepted
    return f'{{"accepted": {accepted}, "rejected": {rejected}, "results": [{", ".join(parts)}]}}'


_PLAIN_OK = (
    '{"index": %d, "ok": true, "code": "OK", "code_number": 0, "tx_hash": "%s", '
    '"queued": false, "reason": ""}'
)


async def submit_txs(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    raw_txs = await read_submission(request)
    admissions = await ctx.submit(raw_txs)
    return web.json_response(text=submission_answer(admissions))


MAX_CHECK_BYTES = 2 * MAX_TX_BYTES + 64
_UNSIGNED = bytes(64)


def _decode_for_check(raw: bytes) -> tuple[SignedTx, bool]:
    """A signed envelope, or an unsigned body wrapped with a blank signature (not checked)."""
    try:
        return SignedTx.decode(raw), True
    except MalformedError as signed_error:
        try:
            body = TxBody.from_fields(codec.decode(raw, MAX_TX_BYTES))
        except MalformedError:
            raise signed_error from None
        return SignedTx(body, _UNSIGNED), False


async def check_tx(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    body = await _read_limited(request, MAX_CHECK_BYTES)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise bad_request("invalid_json", "the body is not valid JSON") from None
    text = data.get("tx") if isinstance(data, dict) else None
    if not isinstance(text, str) or set(data) != {"tx"}:
        raise bad_request("invalid_body", 'expected {"tx": "<hex of a signed tx or a body>"}')
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise bad_request("invalid_tx_hex", "tx is not hex") from None
    answer: dict[str, Any] = {"ok": False, "signed": False, "tx_hash": None, "events": []}
    try:
        tx, signed = _decode_for_check(raw)
    except MalformedError as exc:
        code, reason = ErrorCode.MALFORMED, str(exc)
    else:
        code, reason, receipt = ctx.mempool.check(tx, signed=signed)
        answer["signed"] = signed
        answer["tx_hash"] = tx.hash.hex() if signed else None
        if receipt is not None:
            answer["events"] = receipt_view(receipt, ctx.hrp)["events"]
    answer.update(ok=code is ErrorCode.OK, code=code.name, code_number=int(code), reason=reason)
    return web.json_response(answer)


async def get_tx(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    tx_hash = parse_hash(request.match_info["hash"], "tx_hash")
    raw = wants_msgpack(request)
    found = ctx.store.tx(tx_hash)
    if found is None:
        pending = ctx.mempool.get(tx_hash)
        if pending is None:
            raise ApiError(404, "not_found", f"no committed or pending tx {tx_hash.hex()}")
        if raw:
            return msgpack_response(pending.encode())
        return web.json_response(
            {"status": "pending", "tx": tx_view(pending, ctx.hrp), "height": None}
        )
    tx, location = found
    if raw:
        return msgpack_response(tx.encode())
    return web.json_response(_committed(ctx, tx_hash, tx, location))


def _committed(
    ctx: ApiContext, tx_hash: bytes, tx: SignedTx, location: TxLocation
) -> dict[str, Any]:
    receipt = stored_receipts.load(location.receipt, tx) if location.receipt else None
    header = ctx.store.header(location.height)
    block_hash = header.hash() if header else b""
    view = committed_tx_view(tx, location, receipt, block_hash, ctx.hrp)
    view["hash"] = tx_hash.hex()
    return view
