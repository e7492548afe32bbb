"""Accounts: balance and nonce (optionally proven), and the txs that touched an account."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.keys import Address
from ledger.state import keys
from ledger.state.records import Account
from ledger.store import AccountTx
from ledger.tx import SignedTx
from node.api.context import ApiContext
from node.api.errors import bad_request
from node.api.keys import CONTEXT
from node.api.params import page_limit, parse_address, parse_int, query_flag
from node.api.proofs import proof_bundle

HISTORY_SCAN = 8  # newest history entries searched for the account's own public key
KNOWN_KEYS = 10_000  # public keys remembered by address (a key never changes)


class BlockCache:
    """Stored block bytes fetched while answering one request (history entries cluster by
    height); each tx is cut out of them by its index entry and decoded alone."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self._blocks: dict[int, bytes | None] = {}

    def tx(self, entry: AccountTx) -> SignedTx | None:
        store = self.ctx.store
        location = store.tx_location(entry.tx_hash)
        if location is None:
            return None
        if location.height not in self._blocks:
            self._blocks[location.height] = store.block_bytes(location.height)
        return store.tx_at(location, entry.tx_hash, self._blocks[location.height])


class KnownKeys:
    """Public keys by address, bounded (oldest out first): a key never changes."""

    def __init__(self, capacity: int = KNOWN_KEYS) -> None:
        self.capacity = capacity
        self._keys: dict[bytes, bytes] = {}

    def get(self, address: Address) -> bytes | None:
        return self._keys.get(address.raw)

    def add(self, address: Address, public_key: bytes) -> None:
        if len(self._keys) >= self.capacity:
            self._keys.pop(next(iter(self._keys)))
        self._keys[address.raw] = public_key


KEYS = web.AppKey("coterie_api_known_keys", KnownKeys)


def _public_key(ctx: ApiContext, known: KnownKeys, address: Address) -> bytes | None:
    """The account's public key, known once it has sent a committed tx (else None): from the
    newest entries of its history, then remembered."""
    key = known.get(address)
    if key is not None:
        return key
    blocks = BlockCache(ctx)
    for entry in ctx.store.account_history(address, HISTORY_SCAN):
        tx = blocks.tx(entry)
        if tx is not None and tx.body.sender_address == address:
            known.add(address, tx.body.sender)
            return tx.body.sender
    return None


async def get_account(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    address = parse_address(request.match_info["address"], ctx.hrp)
    want_proof = query_flag(request, "proof")
    key = keys.account(address.raw)
    data = ctx.store.state.get(key)
    account = Account() if data is None else Account.decode(data)
    public_key = _public_key(ctx, request.app[KEYS], address)
    pending_next = ctx.mempool.next_nonce(public_key) if public_key else None
    view: dict[str, Any] = {
        "address": address.to_text(ctx.hrp),
        "height": ctx.store.height,
        "exists": data is not None,
        "balance": account.balance,
        "nonce": account.nonce,
        "next_nonce": account.nonce if pending_next is None else pending_next,
        "public_key": public_key.hex() if public_key else None,
    }
    if want_proof:
        view["proof"] = proof_bundle(ctx, key)
    return web.json_response(view)


def _cursor(text: str) -> tuple[int, int]:
    """`before=<height>:<position>`, the last entry of the previous page."""
    height_text, colon, position_text = text.partition(":")
    if not colon:
        raise bad_request("invalid_before", "before must be <height>:<position>")
    return parse_int(height_text, "before", 0), parse_int(position_text, "before", 0, 2**32 - 1)


async def get_account_txs(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    address = parse_address(request.match_info["address"], ctx.hrp)
    limit = page_limit(request)
    before_text = request.query.get("before")
    before = _cursor(before_text) if before_text is not None else None
    entries = ctx.store.account_history(address, limit, before)
    blocks = BlockCache(ctx)
    items = []
    for entry in entries:
        tx = blocks.tx(entry)
        items.append(
            {
                "height": entry.height,
                "position": entry.position,
                "tx_hash": entry.tx_hash.hex(),
                "kind": tx.body.kind.name if tx else None,
                "sender": tx.body.sender_address.to_text(ctx.hrp) if tx else None,
                "nonce": tx.body.nonce if tx else None,
            }
        )
    last = entries[-1] if len(entries) == limit else None
    return web.json_response(
        {
            "address": address.to_text(ctx.hrp),
            "txs": items,
            "next": f"{last.height}:{last.position}" if last else None,
        }
    )
