"""What a pending transfer costs in memory, measured over a real pool (issue 17, goal 7: a node
behind by a block or two holds tens of thousands of them at its memory peak)."""

from __future__ import annotations

import gc
import random
import tracemalloc

from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import Address, PrivateKey
from ledger.state.genesis_state import genesis_state
from ledger.tx import SignedTx, Transfer, TxBody
from node.mempool import Mempool, MempoolLimits

SENDERS = [PrivateKey.from_secret(b"footprint-%d" % i) for i in range(200)]
TXS = 3_000
BYTES_PER_PENDING_TX = 1_090
"""A transfer pending with its signature remembered: the decoded tx with its wire bytes and hash
(about 640 bytes, its sender's public key shared with the sender's other txs), its recorded
effect (one flat tuple of key, seen and written value per account: about 230 with the
recipient's key and the new values), its share of the pool's indexes (the effect held beside
the tx in its sender's queue), of the verified hashes and of its sender's overlay: 1,067
measured (tracemalloc counts exact allocations: the figure moves only with the code or the
interpreter; the decoder's per-sender caches are filled first). 1,627 when the effect was a
frozen object holding two dicts, indexed by hash."""


async def test_a_pending_transfer_holds_a_bounded_number_of_bytes() -> None:
    genesis = Genesis(
        params=ChainParams(chain_id="coterie-footprint", address_prefix="tcot"),
        genesis_time_ms=0,
        balances=tuple((k.address, 10**12) for k in SENDERS),
        validators=(GenesisValidator("v0", SENDERS[0].public_key, 10),),
    )
    genesis_hash = genesis.hash()
    rng = random.Random(17)
    wires = [
        TxBody(
            "".join(["coterie-", "footprint"]),  # a string of its own, as a decoder sees it
            SENDERS[n % len(SENDERS)].public_key,
            n // len(SENDERS),
            0,
            Transfer(Address(rng.randbytes(20)), 10),
        )
        .sign(SENDERS[n % len(SENDERS)], genesis_hash)
        .encode()
        for n in range(TXS)
    ]
    limits = MempoolLimits(verify_processes=0)
    pool = Mempool(genesis.params, genesis_hash, genesis_state(genesis), limits)
    try:
        await pool.admit_batch(wires[:10])  # the pool's own first allocations
        for wire in wires[-len(SENDERS) :]:  # the decoder's per-sender caches: not per tx
            SignedTx.decode(wire)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for start in range(10, TXS, 500):
                results = await pool.admit_batch(wires[start : start + 500])
                assert all(r.ok for r in results)
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    finally:
        pool.verifier.close()
    assert len(pool) == TXS
    per_tx = held / (TXS - 10)
    assert per_tx <= BYTES_PER_PENDING_TX, f"{per_tx:.0f} bytes per pending transfer"
