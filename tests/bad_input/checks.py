"""What every bad-input case asserts: one clear sentence, the program alive, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

TECHNICAL = ("Traceback", 'File "', "<_io.", " object at 0x", "site-packages")


def assert_clear(message: str) -> None:
    """A message a user can read: non-empty, one line, no traceback or Python internals."""
    assert message and message.strip(), "no message at all"
    assert "\n" not in message.strip(), f"more than one line: {message!r}"
    assert len(message) < 600, f"too long for a message: {message[:200]!r}…"
    for marker in TECHNICAL:
        assert marker not in message, f"technical detail {marker!r} in {message!r}"


def assert_db_intact(path: Path) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
