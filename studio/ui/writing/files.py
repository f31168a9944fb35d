"""Drafts to files: exports through ``exporters`` and the editor's font preferences. Main thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from studio import paths
from studio.fileio import atomic_write_text
from studio.jobs import UserError

EXPORT_FORMATS = (  # (label, suffix, exporter function)
    ("Markdown", ".md", "encode_markdown"), ("Plain text", ".txt", "encode_plain_text"),
    ("HTML", ".html", "encode_html"), ("OpenDocument Text", ".odt", "encode_odt"),
    ("PDF", ".pdf", "encode_text_pdf"),
)


def export_text(text: str, title: str, path: Path, func: str) -> Path:
    """Write ``text`` with the named exporter; the suffix is fixed to the format's."""
    suffix = next(s for _l, s, f in EXPORT_FORMATS if f == func)
    if path.suffix.lower() != suffix:
        path = path.with_suffix(suffix)
    try:
        if func == "encode_text_pdf":
            from exporters.text_pdf import encode_text_pdf as encode
        else:
            import exporters.text as text_exporters

            encode = getattr(text_exporters, func)
        from exporters import write_atomic
    except ImportError:
        raise UserError("The exporters are not installed with this copy of Studio.") from None
    write_atomic(path, encode(text) if func == "encode_plain_text" else encode(text, title=title))
    return path


@dataclass
class ViewPrefs:
    """The editor font, shared by every draft, kept in the data folder."""

    family: str = ""  # "" = the platform's default serif
    size: float = 12.0

    @staticmethod
    def path() -> Path:
        return paths.data_dir() / "writing-view.json"

    @classmethod
    def load(cls) -> "ViewPrefs":
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
            return cls(str(raw.get("family", "")), float(raw.get("size", 12.0)))
        except (OSError, ValueError, AttributeError, TypeError):
            return cls()

    def save(self) -> None:
        try:
            atomic_write_text(self.path(), json.dumps({"family": self.family, "size": self.size}))
        except (OSError, UserError):
            pass  # a preference that is not kept is no reason to bother the writer
