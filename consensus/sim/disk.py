"""What a simulated node keeps across crashes, and crashes at chosen persistence steps.

`Disk` is a node's durable state: sign state, WAL, block store, evidence pool. In memory by
default (a `MemoryWAL` loses its unsynced tail on a crash, as a power cut would); a test may give a
node a `FileSignStateStore` and a `FileWAL`, which are closed and reopened (repairing any torn
tail) on every crash.

`CrashPoints` numbers every persistence step a node takes (a sign-state save, a WAL append or
sync, a block-store append) and, when armed with `CrashPoint(i, after)`, raises
`SimulatedCrashError` just before or just after step number i, out of whatever the node was doing
(CometBFT's crashingWAL). The node catches it and powers off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from consensus.signer import MemorySignStateStore, SignState, SignStateStore
from consensus.sim.app import ChainStore, EvidencePool
from consensus.wal import MemoryWAL, WalRecord
from consensus.wal_file import FileWAL


@dataclass(frozen=True, slots=True)
class CrashPoint:
    index: int  # the node's persistence step number, counted from its first boot
    after: bool  # crash just after the step (else just before)
    downtime_ms: int = 500


class SimulatedCrashError(Exception):
    """Raised at a crash point; the node drops everything it had not persisted."""

    def __init__(self, point: CrashPoint, kind: str) -> None:
        super().__init__(f"crash {'after' if point.after else 'before'} {kind} #{point.index}")
        self.point = point


@dataclass
class Disk:
    sign_store: SignStateStore = field(default_factory=MemorySignStateStore)
    wal: MemoryWAL | FileWAL = field(default_factory=MemoryWAL)
    chain: ChainStore = field(default_factory=ChainStore)
    pool: EvidencePool = field(default_factory=EvidencePool)
    initialized: bool = False  # the first sign state was written (what `testnet init` does)

    def power_cut(self) -> None:
        """What a crash does to the disk: unsynced WAL records may be gone."""
        wal = self.wal
        if isinstance(wal, MemoryWAL):
            wal.crash()
        else:
            wal.close()
            self.wal = FileWAL(wal.path, max_bytes=wal.max_bytes)


class CrashPoints:
    """A node's persistence steps, numbered; the sign-state store and WAL the node writes to."""

    def __init__(self, disk: Disk, height: Callable[[], int]) -> None:
        self.disk = disk
        self._height = height
        self.ops = 0  # steps taken so far
        self.plan: CrashPoint | None = None
        self.points: list[tuple[str, int]] | None = None  # (kind, height) per step, if kept
        self.store = _HookedSignStore(self)
        self.wal = _HookedWAL(self)

    def step(self, kind: str, write: Callable[[], None]) -> None:
        number = self.ops
        self.ops = number + 1
        if self.points is not None:
            self.points.append((kind, self._height()))
        plan = self.plan
        if plan is None or plan.index != number:
            write()
            return
        self.plan = None
        if plan.after:
            write()
        raise SimulatedCrashError(plan, kind)


class _HookedSignStore:
    """The sign-state store with each save a persistence step."""

    def __init__(self, points: CrashPoints) -> None:
        self._points = points

    def load(self) -> SignState | None:
        return self._points.disk.sign_store.load()

    def save(self, state: SignState) -> None:
        store = self._points.disk.sign_store
        self._points.step("sign-state", lambda: store.save(state))


class _HookedWAL:
    """The node's WAL with each append and sync a persistence step."""

    def __init__(self, points: CrashPoints) -> None:
        self._points = points

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        points = self._points
        wal = points.disk.wal
        if points.plan is None and points.points is None:  # the common case, kept lean
            points.ops += 1
            wal.append(record, sync=sync)
        else:
            points.step("wal-sync" if sync else "wal", lambda: wal.append(record, sync=sync))

    def sync(self) -> None:
        self._points.step("wal-sync", self._points.disk.wal.sync)

    def records(self) -> list[WalRecord]:
        return self._points.disk.wal.records()
