"""Keeps the pixels held by undo edits within a RAM budget.

Every array an edit keeps for undo/redo lives in a ``Payload``. The ``UndoMemory`` pool counts
their bytes; when the total passes the budget, the oldest payloads are written to anonymous
temporary files (deleted by the OS when closed) and read back only if that edit is undone.
So the undo history of a huge document costs at most ``budget`` bytes of RAM, and the number
of edits is capped by the undo stack's limit.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import weakref
from collections import OrderedDict

import numpy as np

DEFAULT_BUDGET = 384 << 20  # 384 MiB of undo pixels in RAM


class UndoMemory:
    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._order = itertools.count()
        self._live: OrderedDict[int, weakref.ref] = OrderedDict()  # in RAM, oldest first
        self._lock = threading.Lock()
        self.ram_bytes = 0
        self.disk_bytes = 0

    def payload(self, array: np.ndarray) -> "Payload":
        return Payload(self, array)

    # called by Payload
    def _add(self, p: "Payload") -> None:
        with self._lock:
            p._key = next(self._order)
            self._live[p._key] = weakref.ref(p)
            self.ram_bytes += p._array.nbytes  # type: ignore[union-attr]
        self._enforce(keep=p)

    def _remove(self, key: int, nbytes: int) -> None:
        with self._lock:
            if self._live.pop(key, None) is not None:
                self.ram_bytes -= nbytes

    def _enforce(self, keep: "Payload") -> None:
        while self.ram_bytes > self.budget:
            with self._lock:
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
    """One array kept for undo: in RAM, or spilled to a temporary file."""

    def __init__(self, pool: UndoMemory, array: np.ndarray) -> None:
        self._pool = pool
        self._array: np.ndarray | None = None
        self._file = None
        self._shape: tuple[int, ...] = ()
        self._dtype = np.uint8
        self._key = -1
        self._finalizer = None
        self.put(array)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self._shape)) * np.dtype(self._dtype).itemsize

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def put(self, array: np.ndarray) -> None:
        self._drop()
        self._array = np.ascontiguousarray(array)
        self._shape, self._dtype = self._array.shape, self._array.dtype
        self._pool._add(self)
        self._finalizer = weakref.finalize(self, self._pool._remove, self._key, self._array.nbytes)

    def take(self) -> np.ndarray:
        """The array (read back from disk if spilled); the payload is empty until put() again."""
        if self._array is not None:
            array = self._array
        else:
            assert self._file is not None, "payload is empty"
            self._file.seek(0)
            array = np.fromfile(self._file, self._dtype).reshape(self._shape)
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
        f = tempfile.TemporaryFile(prefix="studio-undo-")
        array.tofile(f)
        f.flush()
        self._drop()
        self._file = f
        self._pool.disk_bytes += array.nbytes

    def _drop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # releases its RAM count now
            self._finalizer = None
        self._array = None
        if self._file is not None:
            self._pool.disk_bytes -= self.nbytes
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        if self._file is not None:
            try:
                self._pool.disk_bytes -= self.nbytes
                self._file.close()
            except Exception:  # noqa: BLE001 - interpreter shutdown
                pass
