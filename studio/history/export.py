"""Export history records through the exporters (Qt-free; the pane asks for the file name).

Images keep their recipe (PNG chunks / EXIF); a PDF holds one image per page or a contact
sheet; text generations go to Markdown, plain text, HTML or ODT. Every file is written
atomically, and a full disk raises UserError with one clear sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from exporters import write_atomic
from studio.history.records import HistoryRecord
from studio.history.store import HistoryStore
from studio.jobs import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
TEXT_SUFFIXES = (".md", ".txt", ".html", ".odt")


def file_params(record: HistoryRecord) -> dict:
    """The parameters a file carries: the record's, with the real image size."""
    params = dict(record.params)
    if record.width and record.height:
        params["width"], params["height"] = record.width, record.height
    return params


def _pixels(record: HistoryRecord) -> np.ndarray:
    if record.image_path is None or not record.image_path.exists():
        raise UserError(f"The image file of history item {record.id} is missing.")
    with Image.open(record.image_path) as im:
        return np.asarray(im.convert("RGB"))


def encode_record(record: HistoryRecord, suffix: str, quality: int = 92) -> bytes:
    """The bytes of one record in the format named by ``suffix``."""
    suffix = suffix.lower()
    if record.kind == "image" and suffix in IMAGE_SUFFIXES:
        pixels = _pixels(record)
        if suffix == ".png":
            from exporters.png import encode_png

            return encode_png(pixels, file_params(record))
        from exporters.jpeg import encode_jpeg, encode_webp

        encode = encode_webp if suffix == ".webp" else encode_jpeg
        return encode(pixels, file_params(record), quality=quality)
    if record.kind == "text" and suffix in TEXT_SUFFIXES:
        from exporters import text

        body = record.text or ""
        if suffix == ".md":
            return text.encode_markdown(body)
        if suffix == ".txt":
            return text.encode_plain_text(body)
        if suffix == ".html":
            return text.encode_html(body)
        return text.encode_odt(body)
    raise UserError(f"A {record.kind} cannot be exported as {suffix or 'a file without a type'}.")


def _records(store: HistoryStore, ids: Sequence[int]) -> list[HistoryRecord]:
    records = [r for r in (store.get(i) for i in ids) if r is not None]
    if not records:
        raise UserError("Nothing to export: the selected items are gone.")
    return records


def export_records(store: HistoryStore, ids: Sequence[int], path: str | Path, *, contact_sheet: bool = False,
                   quality: int = 92) -> list[Path]:
    """Write the records to ``path`` (its suffix picks the format); returns the files written.

    A ``.pdf`` holds every image (one per page, or a contact sheet). Several records with an
    image or text suffix become ``name-1.png``, ``name-2.png``… next to ``path``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    records = _records(store, ids)
    if suffix == ".pdf":
        from exporters.pdf import encode_contact_sheet, encode_pdf_pages

        images = [r for r in records if r.kind == "image"]
        if not images:
            raise UserError("A PDF of the history needs at least one image.")
        pixels = [_pixels(r) for r in images]
        params = [file_params(r) for r in images]
        if contact_sheet:
            captions = [f"#{r.id} · seed {r.seed} · {r.prompt}" for r in images]
            data = encode_contact_sheet(pixels, captions, params=params, title=path.stem)
        else:
            data = encode_pdf_pages(pixels, params, title=path.stem)
        write_atomic(path, data)
        return [path]
    if len(records) == 1:
        write_atomic(path, encode_record(records[0], suffix, quality))
        return [path]
    written = []
    for n, record in enumerate(records, 1):
        target = path.with_name(f"{path.stem}-{n}{path.suffix}")
        write_atomic(target, encode_record(record, suffix, quality))
        written.append(target)
    return written
