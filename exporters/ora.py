"""OpenRaster (.ora): the layered format GIMP, Krita and MyPaint share.

A zip whose first member is an uncompressed ``mimetype`` (``image/openraster``), then
``stack.xml``, one PNG per layer under ``data/``, ``mergedimage.png`` (the flattened picture)
and ``Thumbnails/thumbnail.png`` (at most 256 px). ``layers`` are listed bottom first; the
stack.xml lists them top first, as the format requires.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import numpy as np
from PIL import Image, UnidentifiedImageError

from studio.jobs import UserError

MIMETYPE = "image/openraster"
MAX_PIXELS = 16384 * 16384  # refuse decompression bombs


@dataclass(frozen=True, eq=False)
class OraLayer:
    name: str
    rgba: np.ndarray  # H×W×4 uint8, straight (not premultiplied) alpha
    x: int = 0
    y: int = 0
    opacity: float = 1.0
    visible: bool = True


def composite(layers: list[OraLayer], width: int, height: int) -> np.ndarray:
    """The visible layers flattened bottom to top with source-over, as H×W×4 uint8."""
    out = np.zeros((height, width, 4), np.float32)
    for layer in layers:
        if not layer.visible or layer.opacity <= 0:
            continue
        src = layer.rgba.astype(np.float32) / 255.0
        h, w = src.shape[:2]
        # Clip the layer to the canvas.
        x0, y0 = max(layer.x, 0), max(layer.y, 0)
        x1, y1 = min(layer.x + w, width), min(layer.y + h, height)
        if x0 >= x1 or y0 >= y1:
            continue
        s = src[y0 - layer.y:y1 - layer.y, x0 - layer.x:x1 - layer.x]
        d = out[y0:y1, x0:x1]
        sa = s[..., 3:4] * float(layer.opacity)
        da = d[..., 3:4]
        oa = sa + da * (1.0 - sa)
        rgb = np.where(oa > 0, (s[..., :3] * sa + d[..., :3] * da * (1.0 - sa)) / np.maximum(oa, 1e-8), 0.0)
        out[y0:y1, x0:x1] = np.concatenate([rgb, oa], axis=-1)
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr), "RGBA").save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def write_ora(layers: list[OraLayer], width: int, height: int) -> bytes:
    """The .ora bytes of a layered document (layers bottom first)."""
    if width <= 0 or height <= 0:
        raise ValueError("an OpenRaster image needs a positive size")
    root = ET.Element("image", {"version": "0.0.3", "w": str(width), "h": str(height)})
    stack = ET.SubElement(root, "stack")
    files: list[tuple[str, bytes]] = []
    for i, layer in enumerate(layers):
        if layer.rgba.ndim != 3 or layer.rgba.shape[2] != 4 or layer.rgba.dtype != np.uint8:
            raise ValueError(f"layer {layer.name!r} must be H×W×4 uint8")
        src = f"data/layer{i:03d}.png"
        files.append((src, _png(layer.rgba)))
    # stack.xml lists the top layer first.
    for i, layer in reversed(list(enumerate(layers))):
        ET.SubElement(stack, "layer", {
            "name": layer.name, "src": f"data/layer{i:03d}.png", "x": str(int(layer.x)),
            "y": str(int(layer.y)), "opacity": f"{float(layer.opacity):.6g}",
            "visibility": "visible" if layer.visible else "hidden", "composite-op": "svg:src-over"})
    merged = composite(layers, width, height)
    thumb = Image.fromarray(merged, "RGBA")
    thumb.thumbnail((256, 256))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        z.writestr("stack.xml", ET.tostring(root, encoding="utf-8", xml_declaration=True))
        for name, data in files:
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED)  # PNG is compressed already
        z.writestr("mergedimage.png", _png(merged), compress_type=zipfile.ZIP_STORED)
        z.writestr("Thumbnails/thumbnail.png", _png(np.asarray(thumb)), compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def _safe(name: str) -> str:
    """A member name that stays inside the archive (no ``..``, no absolute paths)."""
    norm = posixpath.normpath(name.replace("\\", "/"))
    if norm.startswith(("/", "../")) or norm == ".." or ":" in norm.split("/")[0]:
        raise UserError(f"This OpenRaster file points outside itself ({name}); it was not opened.")
    return norm


def read_ora(data: bytes) -> tuple[int, int, list[OraLayer]]:
    """(width, height, layers bottom first) of .ora bytes; nested stacks are flattened."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserError("This is not an OpenRaster file (it is not a zip archive).") from None
    with z:
        for info in z.infolist():
            _safe(info.filename)
        try:
            if z.read("mimetype").decode("ascii", errors="replace").strip() != MIMETYPE:
                raise UserError("This zip file is not an OpenRaster image.")
            root = ET.fromstring(z.read("stack.xml"))
        except KeyError as exc:
            raise UserError(f"This OpenRaster file is incomplete ({exc.args[0]} is missing).") from None
        except ET.ParseError as exc:
            raise UserError(f"The layer list of this OpenRaster file is damaged ({exc}).") from None
        try:
            return _read_stack(z, root)
        except (ValueError, OSError, Image.DecompressionBombError) as exc:  # bad numbers, broken PNGs
            why = "a layer is not a readable image" if isinstance(exc, UnidentifiedImageError) else exc
            raise UserError(f"This OpenRaster file is damaged ({why}).") from None


def _read_stack(z: zipfile.ZipFile, root: ET.Element) -> tuple[int, int, list[OraLayer]]:
    width, height = int(root.get("w", "0")), int(root.get("h", "0"))
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise UserError("This OpenRaster file has an impossible image size.")
    names = set(z.namelist())
    top_first: list[OraLayer] = []

    def walk(stack: ET.Element, dx: int, dy: int, opacity: float, visible: bool) -> None:
        for el in stack:
            x = dx + int(float(el.get("x", "0")))
            y = dy + int(float(el.get("y", "0")))
            op = opacity * float(el.get("opacity", "1"))
            vis = visible and el.get("visibility", "visible") != "hidden"
            if el.tag == "stack":
                walk(el, x, y, op, vis)
            elif el.tag == "layer":
                src = _safe(el.get("src", ""))
                if src not in names:
                    raise UserError(f"This OpenRaster file is incomplete ({src} is missing).")
                im = Image.open(io.BytesIO(z.read(src)))
                if im.width * im.height > MAX_PIXELS:
                    raise UserError("A layer of this OpenRaster file is impossibly large.")
                rgba = np.asarray(im.convert("RGBA")).copy()
                top_first.append(OraLayer(el.get("name", ""), rgba, x, y, op, vis))

    stack = root.find("stack")
    if stack is not None:
        walk(stack, 0, 0, 1.0, True)
    return width, height, top_first[::-1]
