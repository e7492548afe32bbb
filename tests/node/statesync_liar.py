"""A lying state-sync peer, run as a real process: `python -m tests.node.statesync_liar ...`.

Not a test module: tests/node/test_state_sync_peers.py starts it. It speaks the real P2P
protocol (node.p2p, its own node key, the joiner in its allowlist) on 127.0.0.1 and serves what
an honest validator keeps (its snapshot folder, its blocks over the validator's API), lying:

    corrupt   offers the validator's snapshots, but flips a byte in every chunk it serves
    forge     offers a forged snapshot one height above the validator's newest (the newest
              state with one value changed, chunk hashes to match), and serves every block with
              a forged state root (and the real commit), claiming a height ahead of the chain
    hide      offers the newest snapshot without the validator-set changes after the genesis
              (the history keys dropped, chunk hashes to match); serves blocks honestly
    misname   serves the snapshots as they are, but every block naming another validator set
              (with a commit for that block, by the real signers), claiming a height ahead
    honest    serves the snapshots and blocks as they are
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import urllib.request
from pathlib import Path

from aiohttp import web

from ledger import codec
from ledger.block import Block, Commit
from ledger.genesis import Genesis
from ledger.keys import PrivateKey
from ledger.store.snapshot import chunk_items
from node.chain import VALIDATOR_SET_HISTORY
from node.p2p import BaseHandler, Identity, MessageType, PeerManager, message_limits
from node.p2p.config import P2PConfig
from node.snapshots import SnapshotServer
from node.statesync_wire import ChunkRequest, ChunkResponse, SnapshotOffer, encode_offers
from node.wire import BlockRequest, BlockResponse, Status


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        data: bytes = answer.read()
        return data


class Liar(BaseHandler):
    def __init__(self, mode: str, folder: Path, upstream: str) -> None:
        self.mode, self.upstream = mode, upstream
        self.server = SnapshotServer(folder)
        self.net: PeerManager
        self.forged: tuple[SnapshotOffer, list[bytes]] | None = None

    def _forge(self) -> tuple[SnapshotOffer, list[bytes]]:
        if self.forged is None:
            newest = self.server.offers()[0]
            chunks = [self.server.chunk(newest.height, i) for i in range(len(newest.chunk_hashes))]
            if self.mode == "hide":
                chunks = [
                    codec.encode([[k, v] for k, v in chunk_items(c) if not _hidden(k)])
                    for c in chunks
                ]
                height = newest.height
            else:
                items = chunk_items(chunks[0])
                key, value = items[0]
                items[0] = (key, value + b"forged")
                chunks[0] = codec.encode([[k, v] for k, v in items])
                height = newest.height + 1
            hashes = tuple(hashlib.sha256(c).digest() for c in chunks)
            offer = SnapshotOffer(height, hashlib.sha256(b"forged").digest(), hashes)
            self.forged = (offer, chunks)
        return self.forged

    async def on_peer_connected(self, peer: bytes) -> None:
        if self.mode in {"forge", "misname"}:
            status = Status(10**6, bytes(32), 0)  # "far ahead": ask me for blocks first
            self.net.send(peer, MessageType.STATUS, status.encode())

    async def on_message(self, peer: bytes, msg_type: MessageType, payload: bytes) -> None:
        if msg_type is MessageType.SNAPSHOTS_REQUEST:
            offers = self.server.offers()
            if self.mode == "forge":
                offers = [self._forge()[0], *offers]
            elif self.mode == "hide":
                offers = [self._forge()[0]]
            self.net.send(peer, MessageType.SNAPSHOTS_RESPONSE, encode_offers(offers))
        elif msg_type is MessageType.CHUNK_REQUEST:
            request = ChunkRequest.decode(payload)
            data = bytearray(self.server.chunk(request.height, request.index))
            if self.mode in {"forge", "hide"} and request.height == self._forge()[0].height:
                data = bytearray(self._forge()[1][request.index])
            elif self.mode == "corrupt" and data:
                data[len(data) // 2] ^= 0xFF
            response = ChunkResponse(request.height, request.index, bytes(data))
            self.net.send(peer, MessageType.CHUNK_RESPONSE, response.encode())
        elif msg_type is MessageType.BLOCK_REQUEST:
            height = BlockRequest.decode(payload).height
            block = Block.decode(_get(f"{self.upstream}/v1/blocks/{height}?format=msgpack"))
            signed = json.loads(_get(f"{self.upstream}/v1/commits/{height}"))
            commit = Commit.decode(bytes.fromhex(signed["commit_msgpack"]))
            if self.mode == "forge":
                header = dataclasses.replace(block.header, state_root=hashlib.sha256(b"x").digest())
                block = Block(header, block.txs, block.evidence, block.last_commit)
            elif self.mode == "misname":
                other = hashlib.sha256(b"another set").digest()
                header = dataclasses.replace(block.header, validators_hash=other)
                block = Block(header, block.txs, block.evidence, block.last_commit)
                commit = dataclasses.replace(commit, block_hash=block.hash())
            payload = BlockResponse.encode_stored(height, block.encode(), commit.encode())
            self.net.send(peer, MessageType.BLOCK_RESPONSE, payload)


def _hidden(key: bytes) -> bool:
    return key.startswith(VALIDATOR_SET_HISTORY)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--mode", choices=("corrupt", "forge", "hide", "misname", "honest"), required=True
    )
    parser.add_argument("--key", required=True, help="the liar's node key seed, hex")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--genesis", type=Path, required=True)
    parser.add_argument("--snapshots", type=Path, required=True)
    parser.add_argument("--upstream", required=True, help="the honest validator's API URL")
    parser.add_argument("--allow", required=True, help="the joiner's node public key, hex")
    args = parser.parse_args()
    genesis = Genesis.load(args.genesis)
    identity = Identity(PrivateKey(bytes.fromhex(args.key)), genesis.chain_id, genesis.hash())
    liar = Liar(args.mode, args.snapshots, args.upstream)
    max_block = genesis.params.consensus.max_block_bytes
    liar.net = PeerManager(
        identity,
        allowlist=[bytes.fromhex(args.allow)],
        handler=liar,
        config=P2PConfig(limits=message_limits(max_block)),
    )
    app = web.Application()
    liar.net.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    print("liar listening", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
