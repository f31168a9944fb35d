"""Document ↔ OpenRaster bytes (layers, offsets, opacity, visibility preserved) and autosave. Qt-free.

The ORA container itself is ``exporters.ora``; this module maps it to and from a ``Document``.
The inpaint mask travels as an extra hidden layer named ``MASK_LAYER`` so an autosave restores
it, and other programs see it as an ordinary hidden layer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio import paths
from studio.canvas.document import Document, Layer
from studio.fileio import atomic_write_bytes
from studio.jobs import UserError

MASK_LAYER = "studio:inpaint-mask"
AUTOSAVE_NAME = "image-autosave.ora"


def to_ora(doc: Document, include_mask: bool = True) -> bytes:
    from exporters.ora import OraLayer, write_ora

    layers = [OraLayer(l.name, l.rgba, l.x, l.y, l.opacity, l.visible)
              for l in doc.layers if l.rgba.size]
    if include_mask and doc.mask.any():
        m = np.zeros((doc.height, doc.width, 4), np.uint8)
        m[..., 0] = 255
        m[..., 3] = doc.mask
        layers.append(OraLayer(MASK_LAYER, m, 0, 0, 1.0, False))
    return write_ora(layers, doc.width, doc.height)


def from_ora(data: bytes) -> Document:
    from exporters.ora import read_ora

    width, height, ora_layers = read_ora(data)
    layers, mask = [], None
    for ol in ora_layers:
        if ol.name == MASK_LAYER and ol.rgba.shape[:2] == (height, width):
            mask = ol.rgba[..., 3].copy()
            continue
        layers.append(Layer(ol.name, np.ascontiguousarray(ol.rgba), ol.x, ol.y,
                            float(ol.opacity), bool(ol.visible)))
    if not layers:
        layers = [Layer.blank(width, height, "Background")]
    doc = Document(width, height, layers)
    if mask is not None:
        doc.mask = mask
    return doc


def save_ora(doc: Document, path: str | Path) -> None:
    atomic_write_bytes(Path(path), to_ora(doc))


def open_ora(path: str | Path) -> Document:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"{Path(path).name} could not be read: {exc.strerror or exc}") from None
    return from_ora(data)


def autosave_path() -> Path:
    return paths.autosave_dir() / AUTOSAVE_NAME


def write_autosave(doc: Document) -> Path:
    path = autosave_path()
    atomic_write_bytes(path, to_ora(doc))
    return path


def read_autosave() -> Document | None:
    path = autosave_path()
    if not path.exists():
        return None
    return open_ora(path)


def clear_autosave() -> None:
    try:
        autosave_path().unlink()
    except FileNotFoundError:
        pass
