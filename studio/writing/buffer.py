"""The text a draft edits, seen through a tiny interface so the draft model stays Qt-free.

Positions are in the buffer's own units: Python code points for ``StringBuffer``, UTF-16 code
units for the Qt editor's document. The draft model never assumes which: it measures text
with ``buffer.length()``.
"""

from __future__ import annotations

from typing import Protocol


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Qt's positions); emoji count 2."""
    return len(text.encode("utf-16-le")) // 2


def normalize_newlines(text: str) -> str:
    """What a Qt text document makes of line breaks: CR, CRLF, U+2028 and U+2029 become "\n"."""
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return text


class Buffer(Protocol):
    def size(self) -> int: ...

    def normalize(self, text: str) -> str:
        """``text`` as this buffer will store it (the model keeps spans in that form)."""

    def length(self, text: str) -> int:
        """How many position units ``text`` occupies in this buffer."""

    def slice(self, start: int, end: int) -> str: ...

    def replace(self, start: int, end: int, text: str, *, merge: bool = False) -> None:
        """Replace [start, end) by ``text``. ``merge`` joins the previous undo step (streaming)."""


class StringBuffer:
    """A plain-string buffer with a linear undo stack; the reference the Qt editor mirrors.

    Each ``replace`` is one undo step unless ``merge`` is set, in which case it joins the
    previous step, exactly like ``QTextCursor.joinPreviousEditBlock``.
    """

    def __init__(self, text: str = "") -> None:
        self.text = text
        self._undo: list[str] = []  # text before each step
        self._redo: list[str] = []
        self._merged_into_current = False

    def size(self) -> int:
        return len(self.text)

    def normalize(self, text: str) -> str:
        return text

    def length(self, text: str) -> int:
        return len(text)

    def slice(self, start: int, end: int) -> str:
        return self.text[start:end]

    def replace(self, start: int, end: int, text: str, *, merge: bool = False) -> None:
        if not (0 <= start <= end <= len(self.text)):
            raise IndexError(f"range {start}..{end} outside 0..{len(self.text)}")
        if not merge or not self._undo:
            self._undo.append(self.text)
        self._redo.clear()
        self.text = self.text[:start] + text + self.text[end:]

    # undo stack, as QTextDocument exposes it
    def undo_steps(self) -> int:
        return len(self._undo)

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self.text)
        self.text = self._undo.pop()
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self.text)
        self.text = self._redo.pop()
        return True
