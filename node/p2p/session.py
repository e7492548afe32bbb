"""The session after the handshake: every frame sealed with ChaCha20-Poly1305.

Station-to-station, as CometBFT's SecretConnection: each HELLO carries a fresh X25519 public key
(`ephemeral`); both keys are in the transcript each side signs with its node key (handshake.py),
so each side knows the ephemeral key it sees belongs to the node it authenticated. Both sides
then compute the X25519 shared secret and derive two 32-byte keys with HKDF-SHA256:

    okm = HKDF(sha256, length=64, salt=SHA-256(transcript without the role), info=SESSION_INFO)
          (shared secret)
    dialer -> listener: okm[:32]      listener -> dialer: okm[32:]

Each direction seals its frames in order with a 96-bit nonce that counts from 0 (little endian)
and no associated data; the receiver expects the same count. A frame that does not open (an
injected, altered, dropped, reordered or replayed frame) ends the session: `SessionError`. A relay
that passed the handshake through has neither ephemeral private key, so it can neither read nor
forge a frame; a relay that substitutes its own ephemeral keys cannot produce the node keys'
signatures over them. Each frame costs 16 bytes of tag (`TAG_LEN`).

Frames are not padded, so their sizes show; the WebSocket's ping, pong and close frames are not
sealed (a relay can always cut a connection; it cannot speak in it).
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SESSION_INFO = b"coterie/p2p-session/v2"
EPHEMERAL_LEN = 32
TAG_LEN = 16
_MAX_COUNT = 2**64 - 1


class SessionError(Exception):
    """A frame that does not open under the session's key, or a bad key exchange."""


class EphemeralKey:
    """One handshake's X25519 key pair; the private half never leaves this object."""

    __slots__ = ("_private", "public")

    def __init__(self) -> None:
        self._private = X25519PrivateKey.generate()
        self.public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def shared(self, their_public: bytes) -> bytes:
        try:
            return self._private.exchange(X25519PublicKey.from_public_bytes(their_public))
        except ValueError as exc:  # a low-order point gives an all-zero secret: refused
            raise SessionError(f"unusable ephemeral key: {exc}") from exc


class _Direction:
    __slots__ = ("_aead", "_count")

    def __init__(self, key: bytes) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._count = 0

    def _nonce(self) -> bytes:
        if self._count >= _MAX_COUNT:
            raise SessionError("session nonce exhausted: reconnect")
        return self._count.to_bytes(12, "little")

    def seal(self, frame: bytes) -> bytes:
        sealed = self._aead.encrypt(self._nonce(), frame, None)
        self._count += 1
        return sealed

    def open(self, data: bytes) -> bytes:
        """The frame, or `SessionError` (and the count stays: nothing was received)."""
        try:
            frame = self._aead.decrypt(self._nonce(), data, None)
        except InvalidTag:
            raise SessionError("a frame failed authentication") from None
        self._count += 1
        return frame


class Session:
    """The two sealed directions of one connection."""

    __slots__ = ("_in", "_out")

    def __init__(self, send_key: bytes, receive_key: bytes) -> None:
        self._out = _Direction(send_key)
        self._in = _Direction(receive_key)

    def seal(self, frame: bytes) -> bytes:
        """The next outgoing frame, sealed (16 bytes longer)."""
        return self._out.seal(frame)

    def open(self, data: bytes) -> bytes:
        """The next incoming frame, opened; `SessionError` if it was not sealed by the peer."""
        return self._in.open(data)


def derive_session(shared: bytes, transcript_base: bytes, *, dialer: bool) -> Session:
    """The session of one side, from the X25519 secret and the role-free transcript."""
    okm = HKDF(
        algorithm=hashes.SHA256(),
        length=64,
        salt=hashlib.sha256(transcript_base).digest(),
        info=SESSION_INFO,
    ).derive(shared)
    to_listener, to_dialer = okm[:32], okm[32:]
    return Session(to_listener, to_dialer) if dialer else Session(to_dialer, to_listener)
