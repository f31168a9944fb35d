"""Exporters: pure functions from an image/document + generation parameters to file bytes.

Nothing here touches Qt (except ``text_pdf``) or the disk (except ``write_atomic``), so every
format can be tested as bytes → read back → compare. Parameters travel as a plain dict with
``ImageRequest`` field names (prompt, negative_prompt, steps, guidance, seed, scheduler, width,
height, model_id, strength, …); see ``exporters.a1111`` for the AUTOMATIC1111 text form.
"""

from __future__ import annotations

from pathlib import Path

from studio.fileio import atomic_write_bytes


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write bytes via temp file + rename; a full disk raises UserError and leaves the old file."""
    atomic_write_bytes(Path(path), data)


__all__ = ["write_atomic"]
