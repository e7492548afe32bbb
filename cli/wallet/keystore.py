"""The wallet's keystore: one JSON file per key in `<home>/keys/<name>.json`, mode 0600.

The public key and address bytes are stored in clear, so listing keys and building unsigned
transactions never needs a password; the Ed25519 seed is sealed with scrypt + AES-256-GCM
(`cli.wallet.sealing`), the associated data binding the seed to the key's name and public key.
A plaintext key (`"cipher": "none"`) exists only for development: it is written only when asked
explicitly, and `unlock` refuses it unless the caller allows plaintext keys.

File format (version 1), documented for users in docs/cli.md:

    {"version": 1, "name": "alice", "type": "ed25519",
     "public_key": "<32 bytes hex>", "address": "<20 bytes hex>",
     "crypto": {"cipher": "aes-256-gcm", "kdf": "scrypt",
                "kdf_params": {"n": 32768, "r": 8, "p": 1, "salt": "<16 bytes hex>"},
                "nonce": "<12 bytes hex>", "check": "<32 bytes hex>",
                "ciphertext": "<48 bytes hex: seed + GCM tag>"}}

Exception tree:
    KeystoreError(Exception)
      InvalidKeyNameError     a name that cannot be a file name here
      KeyNotFoundError        no file for the name
      KeyExistsError          a key of that name is already stored
      WrongPasswordError      the password does not open the seed
      CorruptKeyFileError     unreadable JSON, missing fields, altered ciphertext, mismatched keys
      PlaintextRefusedError   a plaintext key used without allowing plaintext keys
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.wallet import sealing
from cli.wallet.sealing import ScryptParams, Sealed, SealError
from ledger import codec
from ledger.keys import ADDRESS_LEN, PUBLIC_KEY_LEN, SEED_LEN, Address, PrivateKey

log = logging.getLogger(__name__)

VERSION = 1
KEY_TYPE = "ed25519"
PLAINTEXT_CIPHER = "none"
MAX_KEY_FILE_BYTES = 64 * 1024
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_AAD_TAG = b"coterie/keystore/v1\x00"


class KeystoreError(Exception):
    """Base of every keystore error; the message is meant for the user."""


class InvalidKeyNameError(KeystoreError):
    pass


class KeyNotFoundError(KeystoreError):
    pass


class KeyExistsError(KeystoreError):
    pass


class WrongPasswordError(KeystoreError):
    pass


class CorruptKeyFileError(KeystoreError):
    pass


class PlaintextRefusedError(KeystoreError):
    pass


def check_name(name: str) -> str:
    if not _NAME_RE.fullmatch(name):
        raise InvalidKeyNameError(
            f"invalid key name {name!r}: use 1 to 40 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """The public part of a stored key: readable without a password."""

    name: str
    public_key: bytes
    encrypted: bool
    path: Path

    @property
    def address(self) -> Address:
        return Address.from_public_key(self.public_key)


@dataclass(frozen=True, slots=True)
class BrokenKey:
    """A file in the keys folder that cannot be read, listed rather than hiding the others."""

    name: str
    reason: str
    path: Path


def associated_data(name: str, public_key: bytes) -> bytes:
    """What the AEAD binds the sealed seed to: version, name, public key and address."""
    address = Address.from_public_key(public_key).raw
    return _AAD_TAG + codec.encode([VERSION, name, public_key, address])


class Keystore:
    """The key files of one wallet home. `scrypt` sets the cost of keys written from now on."""

    def __init__(self, home: Path, scrypt: ScryptParams | None = None) -> None:
        self.home = home
        self.keys_dir = home / "keys"
        self.scrypt = scrypt or ScryptParams()

    def path(self, name: str) -> Path:
        return self.keys_dir / f"{check_name(name)}.json"

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def info(self, name: str) -> KeyInfo:
        return self._read(name)[0]

    def entries(self) -> list[KeyInfo | BrokenKey]:
        """Every key file, sorted by name; unreadable ones as `BrokenKey`."""
        if not self.keys_dir.is_dir():
            return []
        out: list[KeyInfo | BrokenKey] = []
        for path in sorted(self.keys_dir.glob("*.json")):
            name = path.stem
            try:
                out.append(self.info(name))
            except KeystoreError as exc:
                out.append(BrokenKey(name, str(exc), path))
        return out

    def find_by_public_key(self, public_key: bytes) -> KeyInfo | None:
        for entry in self.entries():
            if isinstance(entry, KeyInfo) and entry.public_key == public_key:
                return entry
        return None

    def add(self, name: str, key: PrivateKey, password: str) -> KeyInfo:
        """Store `key` sealed under `password`; `KeyExistsError` if the name is taken."""
        aad = associated_data(name, key.public_key)
        sealed = sealing.seal(key.seed(), password, aad, self.scrypt)
        crypto = {
            "cipher": sealing.CIPHER_NAME,
            "kdf": sealing.KDF_NAME,
            "kdf_params": {
                "n": sealed.params.n,
                "r": sealed.params.r,
                "p": sealed.params.p,
                "salt": sealed.salt.hex(),
            },
            "nonce": sealed.nonce.hex(),
            "check": sealed.check.hex(),
            "ciphertext": sealed.ciphertext.hex(),
        }
        return self._write(name, key.public_key, crypto)

    def add_plaintext(self, name: str, key: PrivateKey) -> KeyInfo:
        """Store `key` unencrypted: for development keyrings only."""
        return self._write(
            name, key.public_key, {"cipher": PLAINTEXT_CIPHER, "seed": key.seed().hex()}
        )

    def unlock(
        self, name: str, password: Callable[[], str], allow_plaintext: bool = False
    ) -> PrivateKey:
        """The private key. `password` is called only when the key is encrypted."""
        info, crypto = self._read(name)
        if not info.encrypted:
            if not allow_plaintext:
                raise PlaintextRefusedError(
                    f"key {name!r} is stored unencrypted (a development key); "
                    "pass --insecure-dev to use it"
                )
            seed = _hex(crypto, "seed", SEED_LEN, info)
        else:
            sealed = _sealed(crypto, info)
            try:
                seed = sealing.open_sealed(
                    sealed, password(), associated_data(name, info.public_key)
                )
            except SealError as exc:
                if exc.wrong_password:
                    raise WrongPasswordError(f"wrong password for key {name!r}") from exc
                raise _corrupt(info.path, "the encrypted seed or its metadata was altered") from exc
        key = PrivateKey(seed)
        if key.public_key != info.public_key:
            raise _corrupt(info.path, "the seed does not match the stored public key")
        return key

    def delete(self, name: str) -> None:
        path = self.path(name)
        try:
            path.unlink()
        except FileNotFoundError as exc:
            raise self._not_found(name) from exc
        log.info("deleted key %s", name)

    def _not_found(self, name: str) -> KeyNotFoundError:
        return KeyNotFoundError(
            f"no key named {name!r} in {self.keys_dir} (see `coterie keys list`)"
        )

    def _write(self, name: str, public_key: bytes, crypto: dict[str, Any]) -> KeyInfo:
        path = self.path(name)
        document = {
            "version": VERSION,
            "name": name,
            "type": KEY_TYPE,
            "public_key": public_key.hex(),
            "address": Address.from_public_key(public_key).raw.hex(),
            "crypto": crypto,
        }
        data = (json.dumps(document, indent=2) + "\n").encode()
        self.keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write a private temporary file, then link it into place: the link fails if the name is
        # taken, and nobody ever sees a half-written key file.
        tmp = self.keys_dir / f".{name}.json.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError as exc:
                raise KeyExistsError(f"a key named {name!r} already exists ({path})") from exc
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.keys_dir)
        log.info("stored key %s (%s)", name, "encrypted" if crypto["cipher"] != "none" else "plain")
        return KeyInfo(name, public_key, crypto["cipher"] != PLAINTEXT_CIPHER, path)

    def _read(self, name: str) -> tuple[KeyInfo, dict[str, Any]]:
        path = self.path(name)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_KEY_FILE_BYTES + 1)
        except FileNotFoundError as exc:
            raise self._not_found(name) from exc
        if len(raw) > MAX_KEY_FILE_BYTES:
            raise _corrupt(path, "file too large")
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _corrupt(path, f"not valid JSON ({exc})") from exc
        if not isinstance(doc, dict):
            raise _corrupt(path, "not a JSON object")
        version = doc.get("version")
        if version != VERSION:
            raise _corrupt(path, f"unsupported version {version!r} (this wallet reads {VERSION})")
        if doc.get("name") != name:
            raise _corrupt(path, f"it names key {doc.get('name')!r}; was the file renamed?")
        if doc.get("type") != KEY_TYPE:
            raise _corrupt(path, f"unsupported key type {doc.get('type')!r}")
        crypto = doc.get("crypto")
        if not isinstance(crypto, dict):
            raise _corrupt(path, "missing 'crypto' section")
        cipher = crypto.get("cipher")
        if cipher not in (sealing.CIPHER_NAME, PLAINTEXT_CIPHER):
            raise _corrupt(path, f"unsupported cipher {cipher!r}")
        partial = KeyInfo(name, b"", cipher != PLAINTEXT_CIPHER, path)
        public_key = _hex(doc, "public_key", PUBLIC_KEY_LEN, partial)
        address = _hex(doc, "address", ADDRESS_LEN, partial)
        if Address.from_public_key(public_key).raw != address:
            raise _corrupt(path, "the address does not match the public key")
        info = KeyInfo(name, public_key, partial.encrypted, path)
        return info, crypto


def _corrupt(path: Path, detail: str) -> CorruptKeyFileError:
    return CorruptKeyFileError(f"key file {path} is corrupted: {detail}")


def _hex(section: dict[str, Any], field: str, length: int, info: KeyInfo) -> bytes:
    value = section.get(field)
    try:
        if not isinstance(value, str):
            raise ValueError
        data = bytes.fromhex(value)
    except ValueError as exc:
        raise _corrupt(info.path, f"field {field!r} is not hex") from exc
    if len(data) != length:
        raise _corrupt(info.path, f"field {field!r} holds {len(data)} bytes, expected {length}")
    return data


def _sealed(crypto: dict[str, Any], info: KeyInfo) -> Sealed:
    if crypto.get("kdf") != sealing.KDF_NAME:
        raise _corrupt(info.path, f"unsupported kdf {crypto.get('kdf')!r}")
    params = crypto.get("kdf_params")
    if not isinstance(params, dict):
        raise _corrupt(info.path, "missing 'kdf_params'")
    try:
        n, r, p = params["n"], params["r"], params["p"]
        if not all(type(v) is int for v in (n, r, p)):
            raise ValueError("n, r and p must be integers")
        scrypt = ScryptParams(n, r, p)
    except (KeyError, ValueError) as exc:
        raise _corrupt(info.path, f"bad kdf_params ({exc})") from exc
    return Sealed(
        params=scrypt,
        salt=_hex(params, "salt", sealing.SALT_LEN, info),
        nonce=_hex(crypto, "nonce", sealing.NONCE_LEN, info),
        check=_hex(crypto, "check", sealing.CHECK_LEN, info),
        ciphertext=_hex(crypto, "ciphertext", SEED_LEN + sealing.TAG_LEN, info),
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
