"""The bench's prefilled state: N funded accounts written at height 0 into every node's database
must give each account its balance, the root of a tree built from scratch, and a chain that
commits transfers to random accounts on every copy alike."""

from __future__ import annotations

from pathlib import Path

from cli.bench import load, prefill
from ledger.block import Block, Commit, CommitSig, Vote, VoteType
from ledger.keys import PrivateKey
from ledger.merkle.flat import root_of
from ledger.state import keys as state_keys
from ledger.state.records import Account
from ledger.store import Store
from ledger.tx import SignedTx, Transfer
from node.chain import Chain
from node.devnet import DEV_BALANCE
from node.home import NodeHome
from node.testnet import LocalTestnet, init_testnet

ACCOUNTS = 300


def _testnet(tmp_path: Path, validators: int) -> tuple[LocalTestnet, list[Path]]:
    senders = load.sender_keys(5)
    net = init_testnet(tmp_path / "net", validators, funded=[k.address for k in senders])
    return net, [NodeHome(n.home).data_dir / "chain" for n in net.nodes]


def test_prefilled_state_funds_every_account_and_has_the_root_built_from_scratch(
    tmp_path: Path,
) -> None:
    net, chains = _testnet(tmp_path, 2)
    senders = [k.address for k in load.sender_keys(5)]
    items = prefill.prefilled_items(net.genesis, senders, ACCOUNTS)
    root = prefill.write_prefilled(chains, net.genesis, items)
    assert root == root_of(items)
    for chain_dir in chains:
        with Store.open(chain_dir, net.genesis.hash()) as store:
            assert store.height == 0 and store.state_root == root
            assert store.recompute_state_root() == root
            funded = [prefill.account_address(i) for i in (5, 77, ACCOUNTS - 1)] + senders
            for address in funded:
                raw = store.state.get(state_keys.account(address.raw))
                assert raw is not None and Account.decode(raw) == Account(DEV_BALANCE, 0)
            beyond = prefill.account_address(ACCOUNTS)
            assert store.state.get(state_keys.account(beyond.raw)) is None
            accounts = sum(1 for _ in store.state.iter_prefix(state_keys.account(b"")[:1]))
            assert accounts >= ACCOUNTS  # the dev accounts of the genesis come on top


def test_copies_of_a_prefilled_state_commit_transfers_to_random_accounts_alike(
    tmp_path: Path,
) -> None:
    net, chains = _testnet(tmp_path, 1)
    keys = load.sender_keys(5)
    senders = [k.address for k in keys]
    items = prefill.prefilled_items(net.genesis, senders, ACCOUNTS)
    second = tmp_path / "copy"
    prefill.write_prefilled([chains[0], second], net.genesis, items)
    signed = load.presign(net.genesis, keys, 20, prefill.random_recipients(senders, ACCOUNTS))
    txs = [SignedTx.decode(raw) for _sender, raw in signed]
    recipients = {tx.body.payload.recipient for tx in txs if isinstance(tx.body.payload, Transfer)}
    receivers = recipients - set(senders)
    assert len(receivers) > 5  # random prefilled accounts, not the senders' ring
    validator = NodeHome(net.nodes[0].home).load_validator_key()
    roots = []
    for chain_dir in (chains[0], second):
        with Store.open(chain_dir, net.genesis.hash()) as store:
            chain = Chain(
                store,
                net.genesis,
                proposer_address=validator.address,
                txs=lambda _n, _b: txs,
                clock=lambda: net.genesis.genesis_time_ms + 1000,
            )
            block = chain.propose(1, 0)
            assert block is not None and len(block.txs) == 20
            assert chain.validate(block)
            chain.commit(block, _commit(net, block, validator))
            for address in receivers:  # only receive: each holds its start plus what came
                raw = store.state.get(state_keys.account(address.raw))
                assert raw is not None and Account.decode(raw).balance > DEV_BALANCE
            assert store.recompute_state_root() == store.state_root
            roots.append(store.state_root)
    assert roots[0] == roots[1]


def _commit(net: LocalTestnet, block: Block, key: PrivateKey) -> Commit:
    sign_bytes = Vote.sign_bytes_for(
        net.genesis.hash(), VoteType.PRECOMMIT, block.header.height, 0, block.hash()
    )
    return Commit(
        block.header.height, 0, block.hash(), (CommitSig(key.address, key.sign(sign_bytes)),)
    )
