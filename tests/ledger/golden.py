"""The checks behind every payload golden test: pinned bytes, decoding back, a signed round trip.

Not a test module: the test_golden.py modules import it (as tests/node/processes.py is used).
"""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.keys import PrivateKey
from ledger.tx import Payload, SignedTx, TxBody, payload_class

SIGNER = PrivateKey(bytes(range(32)))


def check_golden(payload: Payload, expected: str) -> None:
    """`payload` encodes to the hex `expected`, decodes back, and survives signing."""
    encoded = codec.encode(payload.to_fields())
    assert encoded.hex() == expected
    assert payload_class(payload.KIND).from_fields(codec.decode(encoded)) == payload
    signed = TxBody("coterie-test", SIGNER.public_key, 1, 2, payload).sign(SIGNER, bytes(32))
    assert SignedTx.decode(signed.encode()) == signed


def check_malformed(payload_type: type[Payload], fields: codec.Value, reason: str) -> None:
    """Decoding `fields` (through the canonical codec) as `payload_type` fails with `reason`."""
    with pytest.raises(MalformedError, match=reason):
        payload_type.from_fields(codec.decode(codec.encode(fields)))
