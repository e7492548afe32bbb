"""The addresses a config names: where a server listens (`ListenAddress`) and the peers to dial
(`Peer`), each parsed from text with a `ConfigError` that says what is wrong with it."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ledger.keys import PUBLIC_KEY_LEN

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$")


class ConfigError(ValueError):
    """A config file or value that cannot be used; the message names the key."""


def _host(text: str, where: str) -> str:
    if text.startswith("[") and text.endswith("]"):
        try:
            return str(ipaddress.IPv6Address(text[1:-1]))
        except ValueError:
            raise ConfigError(f"{where}: {text!r} is not an IPv6 address") from None
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not _HOSTNAME.match(text):
            raise ConfigError(f"{where}: {text!r} is not an IP address or host name") from None
    return text


def _hostport(text: str, where: str, *, allow_zero: bool) -> tuple[str, int]:
    host, colon, port = text.strip().rpartition(":")
    if not colon or not host or not port.isdigit():
        raise ConfigError(f"{where}: {text!r} is not host:port (IPv6 hosts go in brackets)")
    number = int(port)
    if not (0 if allow_zero else 1) <= number <= 65535:
        raise ConfigError(f"{where}: port {number} is out of range")
    if ":" in host and not host.startswith("["):
        raise ConfigError(f"{where}: put an IPv6 host in brackets, e.g. [::1]:{number}")
    return _host(host, where), number


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True, slots=True)
class ListenAddress:
    """Where a server binds; port 0 asks the OS for a free port (tests)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str, where: str = "address") -> ListenAddress:
        return cls(*_hostport(text, where, allow_zero=True))

    def __str__(self) -> str:
        return _join(self.host, self.port)


@dataclass(frozen=True, slots=True)
class Peer:
    """A peer to connect to, written `<node public key hex>@host:port` (node.p2p's format)."""

    node_key: bytes
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, where: str = "peer") -> Peer:
        key_hex, at, hostport = text.strip().partition("@")
        if not at:
            raise ConfigError(f"{where}: {text!r} is not <node key hex>@host:port")
        try:
            key = bytes.fromhex(key_hex)
        except ValueError:
            raise ConfigError(f"{where}: the node key of {text!r} is not hex") from None
        if len(key) != PUBLIC_KEY_LEN:
            raise ConfigError(f"{where}: a node key is {PUBLIC_KEY_LEN} bytes ({text!r})")
        return cls(key, *_hostport(hostport, where, allow_zero=False))

    def __str__(self) -> str:
        return f"{self.node_key.hex()}@{_join(self.host, self.port)}"
