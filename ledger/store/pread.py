"""LevelDB reads its tables with `pread`, not through mmap.

LevelDB 1.22's POSIX Env maps up to 1,000 table files into the process and serves every read
from the mapping. The pages it touches then count in the node's resident set (at a million
accounts, nearly the whole database: goal 7 of issue 17), although they are the kernel's page
cache, shared and dropped under pressure. With `pread` the same pages stay in the page cache,
outside the node's RSS, and only what LevelDB copies out lives in the process: the block cache
(`[storage] block_cache_mb`) and the tables' index and filter blocks. A random read costs about
4 us instead of 3 at a million accounts (benchmarks in docs/performance.md).

plyvel exposes no Env, but LevelDB ships the switch for its own tests:
`EnvPosixTestHelper::SetReadOnlyMMapLimit(int)`, which sets how many tables the default Env may
map and must run before that Env exists, i.e. before the process opens its first database. The
function is not exported, so it is found in the library's ELF symbol table: its offset, plus the
load address, which the exported C API function `leveldb_open` gives (its address in the process
less its offset in the file). Anything unexpected (no symbol table, another LevelDB, a 32-bit or
big-endian build, a database already open) leaves mmap reads on: only memory and speed depend on
it, never what is read.
"""

from __future__ import annotations

import ctypes
import logging
import struct
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

HOOK = "_ZN7leveldb18EnvPosixTestHelper20SetReadOnlyMMapLimitEi"
"""`leveldb::EnvPosixTestHelper::SetReadOnlyMMapLimit(int)`, mangled."""
ANCHOR = "leveldb_open"
"""An exported function of the same library: its address gives the library's load address."""

_SHT_SYMTAB = 2
_SHT_DYNSYM = 11
_SYMBOL = struct.Struct("<IBBHQQ")  # Elf64_Sym
_SECTION = struct.Struct("<IIQQQQIIQQ")  # Elf64_Shdr

PROBE = 16
"""Bytes of each function compared between the file and the process before the call."""

_state: dict[str, bool] = {}


def elf_symbols(path: Path, names: Iterable[str]) -> dict[str, tuple[int, bytes]]:
    """The named symbols that `path`, a 64-bit little-endian ELF file, defines in its symbol
    tables: their values (offsets from the load address) and the first `PROBE` bytes there in the
    file (to check that what is loaded is this file); {} if it is not such a file."""
    wanted = {name.encode() for name in names}
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:  # ELFCLASS64, ELFDATA2LSB
        return {}
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    if entry_size != _SECTION.size:
        return {}
    sections = [_SECTION.unpack_from(data, section_offset + i * entry_size) for i in range(count)]
    found: dict[str, tuple[int, bytes]] = {}
    for _, kind, _, _, offset, size, link, _, _, _ in sections:
        if kind not in (_SHT_SYMTAB, _SHT_DYNSYM) or link >= count:
            continue
        strings = sections[link][4]
        for at in range(offset, offset + size, _SYMBOL.size):
            name_at, _, _, section, value, _ = _SYMBOL.unpack_from(data, at)
            if not value or not 0 < section < count:
                continue  # undefined here, or absolute
            end = data.index(b"\0", strings + name_at)
            name = data[strings + name_at : end]
            if name in wanted:
                address, file_offset = sections[section][3], sections[section][4]
                start = value - address + file_offset
                found[name.decode()] = (value, data[start : start + PROBE])
    return found


def leveldb_library() -> Path | None:
    """The file of the LevelDB library loaded into this process (plyvel's), if any."""
    import plyvel  # noqa: F401  # loads the library

    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and "libleveldb" in Path(fields[5].strip()).name:
                return Path(fields[5].strip())
    return None


def turn_off_mmap_reads(library: Path | None = None) -> bool:
    """Make LevelDB read tables with `pread` in this process; True if the switch was found and
    set (once per process: later calls answer the first's result). Call it before the first
    database is opened; after that it has no effect on the Env already made."""
    if "done" in _state:
        return _state["done"]
    done = False
    try:
        done = call_hook(library or leveldb_library())
    except (OSError, ValueError, AttributeError, struct.error) as exc:
        log.info("LevelDB keeps mmap reads: %s", exc)
    _state["done"] = done
    return done


def call_hook(library: Path | None) -> bool:
    """Set the switch in `library` if it is the LevelDB loaded here and has it; else False."""
    if library is None:
        log.info("LevelDB keeps mmap reads: its library is not a separate file here")
        return False
    symbols = elf_symbols(library, (HOOK, ANCHOR))
    if HOOK not in symbols or ANCHOR not in symbols:
        log.info("LevelDB keeps mmap reads: %s has no %s symbol", library, HOOK)
        return False
    handle = ctypes.CDLL(str(library))  # the loaded library again: same file, same handle
    anchor = ctypes.cast(getattr(handle, ANCHOR), ctypes.c_void_p).value
    if anchor is None:
        return False
    base = anchor - symbols[ANCHOR][0]
    for value, code in symbols.values():
        if len(code) != PROBE or ctypes.string_at(base + value, PROBE) != code:
            log.info("LevelDB keeps mmap reads: %s is not the library loaded", library)
            return False
    ctypes.CFUNCTYPE(None, ctypes.c_int)(base + symbols[HOOK][0])(0)
    return True


def mapped_tables() -> int:
    """How many LevelDB table files this process has mapped (for tests and the bench)."""
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        return sum(1 for line in maps if line.rstrip().endswith(".ldb"))
