"""Node and validator key files: small JSON documents, written atomically with mode 0600.

    {"kind": "node_key" | "validator_key", "public_key": "<hex>", "seed": "<hex>"}

They are plaintext, as CometBFT's `node_key.json` and `priv_validator_key.json`: a node must start
unattended. Protection is the file mode (loading refuses a key file that others may read) and
the operator's care: a validator key is never copied to a second running node (see
docs/operating.md). The public key is stored to catch a corrupted or hand-edited file.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ledger.keys import SEED_LEN, PrivateKey

NODE_KEY = "node_key"
VALIDATOR_KEY = "validator_key"
KEY_FILE_MODE = 0o600


class KeyFileError(ValueError):
    """A key file that is missing, unreadable, corrupted or too widely readable."""


def write_private_file(path: Path, data: bytes, *, exclusive: bool = True) -> None:
    """Write `data` to `path` with mode 0600 atomically (temp file, fsync, rename).

    With `exclusive`, refuse to replace an existing file (FileExistsError).
    """
    if exclusive and path.exists():
        raise FileExistsError(f"{path} exists")
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_FILE_MODE)
    try:
        os.fchmod(fd, KEY_FILE_MODE)  # O_CREAT's mode does not apply to a leftover temp file
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_key_file(path: Path, key: PrivateKey, kind: str) -> None:
    document = {"kind": kind, "public_key": key.public_key.hex(), "seed": key.seed().hex()}
    write_private_file(path, (json.dumps(document, indent=2) + "\n").encode())


def load_key_file(path: Path, kind: str) -> PrivateKey:
    """Read a key file of `kind`; raises `KeyFileError` with the reason and the fix."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyFileError(f"no {kind} file at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read {path}: {exc}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {path}`"
        )
    try:
        document = json.loads(text)
        if document["kind"] != kind:
            raise KeyFileError(f"{path} holds a {document['kind']!r}, not a {kind!r}")
        seed = bytes.fromhex(document["seed"])
        public_key = bytes.fromhex(document["public_key"])
    except KeyFileError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a valid key file: {exc!r}") from None
    if len(seed) != SEED_LEN:
        raise KeyFileError(f"{path}: the seed must be {SEED_LEN} bytes")
    key = PrivateKey(seed)
    if key.public_key != public_key:
        raise KeyFileError(f"{path}: the public key does not match the seed (corrupted file?)")
    return key
