"""One open draft: the editor, its find bar and where it is saved. Main thread only."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.ui.writing.editor import DraftEditor
from studio.ui.writing.find_bar import FindBar
from studio.writing import storage
from studio.writing.spans import Span


class DraftTab(QWidget):
    def __init__(self, state: storage.DraftState | None = None, parent=None) -> None:
        super().__init__(parent)
        self.editor = DraftEditor(self)
        self.find_bar = FindBar(self.editor, self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.editor, 1)
        lay.addWidget(self.find_bar)
        self.state_id = ""
        self.path: Path | None = None
        self._autosaved_revision = -1
        self.load_state(state or storage.DraftState())

    @property
    def draft(self):
        return self.editor.draft

    def title(self) -> str:
        if self.path is not None:
            return self.path.name
        return self.draft.settings.title or storage.title_for(self.editor.document().firstBlock().text(),
                                                              self.tr("Untitled"))

    def load_state(self, state: storage.DraftState) -> None:
        self.state_id = state.id
        self.path = Path(state.path) if state.path else None
        ed = self.editor
        ed.document().setPlainText(state.text)  # also clears the undo stack
        ed.draft.settings = state.settings
        ed.draft.span = None
        if state.span and state.span.candidates:
            sp = state.span
            cur = sp.candidates[sp.index]
            end = sp.start + ed.buffer.length(cur.text)
            if ed.buffer.slice(sp.start, end) == cur.text:
                from studio.jobs import TextRequest

                # The original request is not kept in the autosave; retry after a restore
                # continues from the text before the span with the draft's current settings.
                request = ed.draft.continue_request(sp.start)
                ed.draft.span = Span(sp.start, request if isinstance(request, TextRequest) else None,
                                     sp.candidates, sp.index, sp.replaced)
        ed.move_cursor_to(state.cursor)
        ed.refresh_span()
        ed.document().setModified(state.modified)

    def to_state(self) -> storage.DraftState:
        ed = self.editor
        span = None
        if ed.draft.span is not None and ed.draft.streaming is None:
            sp = ed.draft.span
            span = storage.SavedSpan(sp.start, sp.index, sp.candidates, sp.replaced)
        # The buffer's own text (toPlainText would turn no-break spaces into spaces).
        return storage.DraftState(id=self.state_id, text=ed.buffer.slice(0, ed.buffer.size()),
                                  path=str(self.path) if self.path else "", settings=ed.draft.settings,
                                  cursor=ed.textCursor().position(), span=span, saved_at=time.time(),
                                  modified=ed.document().isModified())

    def autosave(self) -> bool:
        """Write the autosave if the text changed since the last one. True if written."""
        revision = self.editor.document().revision()
        if revision == self._autosaved_revision:
            return False
        if self.path is None and self.editor.document().isEmpty() and not self.draft.settings.memory:
            storage.remove_autosave(self.state_id)  # nothing worth restoring
            self._autosaved_revision = revision
            return False
        storage.write_autosave(self.to_state())
        self._autosaved_revision = revision
        return True

    def settings_changed(self) -> None:
        """Memory, note or sampler edits also need an autosave."""
        self._autosaved_revision = -1
