"""Development genesis: well-known funded accounts and a genesis for freshly made validators.

The dev account keys are derived from public secrets (`coterie/dev-account/N`), like anvil's
well-known mnemonic: anyone can spend from them, so they exist only on dev and test chains, whose
address prefix (`tcot`) keeps their addresses from being pasted into a real chain by mistake.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import Address, PrivateKey

DEV_CHAIN_ID = "coterie-dev"
DEV_ADDRESS_PREFIX = "tcot"
DEV_ACCOUNT_COUNT = 4
DEV_BALANCE = 10**12


def dev_account_key(index: int) -> PrivateKey:
    """The well-known dev account number `index` (public: for dev and test chains only)."""
    return PrivateKey.from_secret(b"coterie/dev-account/%d" % index)


def dev_genesis(
    chain_id: str,
    validators: Sequence[tuple[str, bytes, bytes | None]],
    time_ms: int,
    accounts: int = DEV_ACCOUNT_COUNT,
    funded: Sequence[Address] = (),
) -> Genesis:
    """A genesis with the given (name, validator public key, node public key) validators at
    power 1, `accounts` dev accounts and the `funded` addresses (benchmark senders) holding
    `DEV_BALANCE` each. The node key lets every node allow the validator's node to connect."""
    addresses = [dev_account_key(i).address for i in range(accounts)] + list(funded)
    return Genesis(
        params=ChainParams(chain_id=chain_id, address_prefix=DEV_ADDRESS_PREFIX),
        genesis_time_ms=time_ms,
        balances=tuple((address, DEV_BALANCE) for address in addresses),
        validators=tuple(GenesisValidator(name, key, 1, node) for name, key, node in validators),
    )
