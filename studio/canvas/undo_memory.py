"""Keeps the pixels held by undo edits within a RAM budget.

Every array an edit keeps for undo/redo lives in a ``Payload``. The ``UndoMemory`` pool counts
their bytes; when the total passes the budget, the oldest payloads move to one anonymous
temporary file (deleted by the OS when closed; freed extents are reused) and are read back only
if that edit is undone. So the undo history of a huge document costs at most ``budget`` bytes
of RAM, and the number of edits is capped by the undo stack's limit.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import weakref
from collections import OrderedDict

import numpy as np

DEFAULT_BUDGET = 384 << 20  # 384 MiB of undo pixels in RAM


class SpillFile:
    """One temporary file with first-fit reuse of freed extents."""

    def __init__(self) -> None:
        self._file = None
        self._end = 0
        self._free: list[tuple[int, int]] = []  # (offset, size), sorted by offset
        self.used = 0

    def write(self, data: np.ndarray) -> tuple[int, int]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="studio-undo-")
            self._closer = weakref.finalize(self, self._file.close)  # closed with the pool
        size = data.nbytes
        offset = self._alloc(size)
        self._file.seek(offset)
        self._file.write(memoryview(np.ascontiguousarray(data)).cast("B"))
        self.used += size
        return offset, size

    def read(self, offset: int, size: int, dtype, shape) -> np.ndarray:
        assert self._file is not None
        self._file.seek(offset)
        buf = self._file.read(size)
        return np.frombuffer(buf, dtype).reshape(shape).copy()

    def free(self, offset: int, size: int) -> None:
        self.used -= size
        self._free.append((offset, size))
        self._free.sort()
        merged: list[tuple[int, int]] = []
        for off, sz in self._free:  # coalesce neighbours
            if merged and merged[-1][0] + merged[-1][1] == off:
                merged[-1] = (merged[-1][0], merged[-1][1] + sz)
            else:
                merged.append((off, sz))
        if merged and merged[-1][0] + merged[-1][1] == self._end:  # give the tail back
            self._end = merged.pop()[0]
            if self._file is not None:
                self._file.truncate(self._end)
        self._free = merged

    def _alloc(self, size: int) -> int:
        for i, (off, sz) in enumerate(self._free):
            if sz >= size:
                if sz == size:
                    self._free.pop(i)
                else:
                    self._free[i] = (off + size, sz - size)
                return off
        off = self._end
        self._end += size
        return off

    def close(self) -> None:
        if self._file is not None:
            self._closer()
            self._file = None


class UndoMemory:
    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._order = itertools.count()
        self._live: OrderedDict[int, weakref.ref] = OrderedDict()  # in RAM, oldest first
        self._lock = threading.RLock()
        self.spill = SpillFile()
        self.ram_bytes = 0

    @property
    def disk_bytes(self) -> int:
        return self.spill.used

    def payload(self, array: np.ndarray) -> "Payload":
        return Payload(self, array)

    # called by Payload
    def _add(self, p: "Payload", nbytes: int) -> int:
        with self._lock:
            key = next(self._order)
            self._live[key] = weakref.ref(p)
            self.ram_bytes += nbytes
        return key

    def _remove(self, key: int, nbytes: int) -> None:
        with self._lock:
            if self._live.pop(key, None) is not None:
                self.ram_bytes -= nbytes

    def _free_disk(self, offset: int, size: int) -> None:
        with self._lock:
            self.spill.free(offset, size)

    def enforce(self, keep: "Payload | None" = None) -> None:
        """Spill the oldest payloads (never `keep`) until the RAM total is within budget."""
        with self._lock:
            while self.ram_bytes > self.budget:
                victim = None
                for key, ref in self._live.items():
                    p = ref()
                    if p is not None and p is not keep:
                        victim = p
                        break
                if victim is None:
                    return
                victim._spill()


class Payload:
    """One array kept for undo: in RAM, or spilled to the pool's temporary file."""

    def __init__(self, pool: UndoMemory, array: np.ndarray) -> None:
        self._pool = pool
        self._array: np.ndarray | None = None
        self._extent: tuple[int, int] | None = None
        self._shape: tuple[int, ...] = ()
        self._dtype = np.dtype(np.uint8)
        self._ram_final = None
        self._disk_final = None
        self.put(array)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self._shape)) * self._dtype.itemsize

    @property
    def spilled(self) -> bool:
        return self._extent is not None

    def put(self, array: np.ndarray) -> None:
        self._drop()
        self._array = np.ascontiguousarray(array)
        self._shape, self._dtype = self._array.shape, self._array.dtype
        key = self._pool._add(self, self._array.nbytes)
        self._ram_final = weakref.finalize(self, self._pool._remove, key, self._array.nbytes)
        self._pool.enforce(keep=self)

    def take(self) -> np.ndarray:
        """The array (read back from disk if spilled); the payload is empty until put() again."""
        if self._array is not None:
            array = self._array
        else:
            assert self._extent is not None, "payload is empty"
            array = self._pool.spill.read(*self._extent, self._dtype, self._shape)
        self._drop()
        return array

    def peek(self) -> np.ndarray:
        array = self.take()
        self.put(array)
        return array

    def _spill(self) -> None:
        array = self._array
        if array is None:
            return
        extent = self._pool.spill.write(array)
        self._drop()
        self._extent = extent
        self._disk_final = weakref.finalize(self, self._pool._free_disk, *extent)

    def _drop(self) -> None:
        if self._ram_final is not None:
            self._ram_final()  # releases its RAM count now
            self._ram_final = None
        self._array = None
        if self._disk_final is not None:
            self._disk_final()
            self._disk_final = None
        self._extent = None
