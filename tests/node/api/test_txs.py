"""POST /v1/txs and GET /v1/txs/{hash} on a live API over a real store."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.errors import ErrorCode
from ledger.tx import SignedTx
from node.api.txs import admission_view, submission_answer
from node.mempool import Admission
from tests.node.api.builder import ALICE, BOB, CAROL, HRP, Client, LiveChain

MSGPACK = {"Content-Type": "application/msgpack"}


async def test_one_tx_as_msgpack_is_admitted(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(ALICE, BOB, 3)
    response = await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)
    assert response.status == 200
    body = await response.json()
    assert body["accepted"] == 1
    assert body["results"] == [
        {
            "index": 0,
            "ok": True,
            "code": "OK",
            "code_number": 0,
            "tx_hash": tx.hash.hex(),
            "queued": False,
            "reason": "",
        }
    ]
    assert tx.hash in chain.mempool


async def test_batch_as_msgpack_answers_each_tx(chain: LiveChain, client: Client) -> None:
    good = chain.builder.transfer(BOB, ALICE, 1)
    broke = chain.builder.transfer(CAROL, ALICE, 10**12)
    batch = codec.encode_bytes_list([good.encode(), broke.encode(), b"\x01\x02"])
    response = await client.post("/v1/txs", data=batch, headers=MSGPACK)
    body = await response.json()
    assert (body["accepted"], body["rejected"]) == (1, 2)
    codes = [r["code"] for r in body["results"]]
    assert codes == ["OK", "INSUFFICIENT_FUNDS", "MALFORMED"]
    assert body["results"][1]["tx_hash"] == broke.hash.hex()
    assert body["results"][2]["tx_hash"] is None


async def test_batch_as_json_hex(chain: LiveChain, client: Client) -> None:
    txs = [chain.builder.transfer(ALICE, BOB, 1) for _ in range(3)]
    response = await client.post("/v1/txs", json={"txs": [t.encode().hex() for t in txs]})
    body = await response.json()
    assert body["accepted"] == 3
    assert [r["tx_hash"] for r in body["results"]] == [t.hash.hex() for t in txs]


async def test_resubmitting_is_a_duplicate(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(ALICE, BOB, 2)
    await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)
    body = await (await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)).json()
    assert body["results"][0]["code"] == "DUPLICATE"


async def test_committed_tx_by_hash(chain: LiveChain, client: Client) -> None:
    tx = chain.txs[0]
    response = await client.get(f"/v1/txs/{tx.hash.hex()}")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "committed"
    assert (body["height"], body["position"]) == (1, 0)
    assert body["block_hash"] == chain.blocks[0].hash().hex()
    assert body["tx"]["sender"] == ALICE.address.to_text(HRP)
    assert body["tx"]["payload"]["recipient"] == BOB.address.to_text(HRP)
    assert body["tx"]["payload"]["amount"] == 100
    assert body["result"]["code"] == "OK"
    (event,) = body["result"]["events"]  # stored in two bytes, read back whole
    assert event == {
        "kind": "transfer",
        "attributes": {
            "sender": ALICE.address.to_text(HRP),
            "recipient": BOB.address.to_text(HRP),
            "amount": 100,
        },
    }


async def test_tx_as_raw_msgpack(chain: LiveChain, client: Client) -> None:
    tx = chain.txs[2]
    response = await client.get(f"/v1/txs/{tx.hash.hex()}?format=msgpack")
    assert response.content_type == "application/msgpack"
    assert SignedTx.decode(await response.read()) == tx


async def test_pending_tx_by_hash(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(CAROL, BOB, 4)
    await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)
    body = await (await client.get(f"/v1/txs/{tx.hash.hex()}")).json()
    assert body["status"] == "pending"
    assert body["height"] is None
    chain.commit([tx])
    body = await (await client.get(f"/v1/txs/{tx.hash.hex()}")).json()
    assert (body["status"], body["height"]) == ("committed", 6)


async def test_check_is_a_dry_run_of_admission(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(ALICE, BOB, 3)
    body = await (await client.post("/v1/txs/check", json={"tx": tx.encode().hex()})).json()
    assert body["ok"] is True and body["code"] == "OK" and body["signed"] is True
    assert body["tx_hash"] == tx.hash.hex() and body["events"]
    assert tx.hash not in chain.mempool  # nothing admitted
    # an unsigned body is checked without its signature: no password needed for a dry run
    unsigned = await client.post("/v1/txs/check", json={"tx": tx.body.encode().hex()})
    answer = await unsigned.json()
    assert (answer["ok"], answer["signed"], answer["tx_hash"]) == (True, False, None)


async def test_check_reports_the_error_code(chain: LiveChain, client: Client) -> None:
    broke = chain.builder.transfer(CAROL, ALICE, 10**12)
    body = await (await client.post("/v1/txs/check", json={"tx": broke.encode().hex()})).json()
    assert (body["ok"], body["code"], body["code_number"]) == (False, "INSUFFICIENT_FUNDS", 102)
    # a pending tx takes the nonce: the same nonce again is NONCE_IN_POOL, the next one passes
    first = chain.builder.transfer(BOB, ALICE, 1)
    await client.post("/v1/txs", data=first.encode(), headers=MSGPACK)
    again = await client.post("/v1/txs/check", json={"tx": first.body.encode().hex()})
    assert (await again.json())["code"] == "NONCE_IN_POOL"
    second = chain.builder.transfer(BOB, ALICE, 1)
    ok = await client.post("/v1/txs/check", json={"tx": second.encode().hex()})
    assert (await ok.json())["ok"] is True
    forged = SignedTx(second.body, bytes(64)).encode().hex()
    bad = await (await client.post("/v1/txs/check", json={"tx": forged})).json()
    assert bad["code"] == "BAD_SIGNATURE"
    junk = await (await client.post("/v1/txs/check", json={"tx": "c1"})).json()
    assert junk["code"] == "MALFORMED"
    shape = await client.post("/v1/txs/check", json={"txs": []})
    assert shape.status == 400


def _generic_answer(admissions: list[Admission]) -> str:
    """The answer as every field's view dumped in one go (what `submission_answer` must equal)."""
    results = [admission_view(i, a) for i, a in enumerate(admissions)]
    accepted = sum(1 for a in admissions if a.ok)
    return json.dumps(
        {"accepted": accepted, "rejected": len(results) - accepted, "results": results}
    )


admissions = st.builds(
    Admission,
    st.sampled_from(ErrorCode),
    st.none() | st.binary(min_size=32, max_size=32),
    st.sampled_from(["", 'a "quoted" reason', "nonce 3 is pending", "é\\\n"]) | st.text(),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(admissions, max_size=12) | st.lists(st.just(Admission(ErrorCode.OK, bytes(32)))))
def test_the_submission_answer_is_the_generic_json_byte_for_byte(
    batch: list[Admission],
) -> None:
    """The template for plain OK answers must never change a byte clients read."""
    assert submission_answer(batch) == _generic_answer(batch)


async def test_a_mixed_batch_answers_what_each_view_says(chain: LiveChain, client: Client) -> None:
    """Over HTTP: plain OK, queued, refused and undecodable txs in one batch."""
    good = chain.builder.transfer(BOB, ALICE, 1)
    chain.builder.transfer(BOB, ALICE, 1)  # never sent: the next tx waits for it
    ahead = chain.builder.transfer(BOB, ALICE, 1)
    broke = chain.builder.transfer(CAROL, ALICE, 10**12)
    batch = codec.encode_bytes_list([good.encode(), ahead.encode(), broke.encode(), b"\x01"])
    response = await client.post("/v1/txs", data=batch, headers=MSGPACK)
    assert response.content_type == "application/json"
    body = await response.json()
    assert [(r["code"], r["queued"]) for r in body["results"]] == [
        ("OK", False),
        ("OK", True),
        ("INSUFFICIENT_FUNDS", False),
        ("MALFORMED", False),
    ]
    assert (body["accepted"], body["rejected"]) == (2, 2)
