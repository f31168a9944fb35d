"""Crash-safe file writes: a file is either the old one or the new one, never half of each."""

from __future__ import annotations

import errno
import glob
import os
import tempfile
from pathlib import Path

from studio.jobs import UserError


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder + fsync + rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    # The writer's pid in the name lets a later write tell a killed writer's leftover from a live one.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UserError(f"The disk is full: {path.name} was not saved (the previous version is intact).") from exc
        raise


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files that a killed writer of `path` left behind (its pid no longer runs)."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*-*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            try:
                tmp.unlink()
            except OSError:
                pass


def pid_alive(pid: int) -> bool:
    """Whether a process may still be running (True when unsure: never delete a live writer's file)."""
    if pid == os.getpid() or os.name == "nt":  # Windows: os.kill(pid, 0) would send CTRL_C_EVENT
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
