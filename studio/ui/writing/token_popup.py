"""The token probability popup: the clicked token's top alternatives; picking one regenerates."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu

from studio.jobs import TokenInfo
from studio.writing.spans import alternatives, visible


class TokenMenu(QMenu):
    """Signals: picked(int token_index, tuple alternative (id, text, logprob))."""

    picked = Signal(int, object)

    def __init__(self, index: int, token: TokenInfo, parent=None) -> None:
        super().__init__(parent)
        self.index = index
        self.setToolTipsVisible(True)
        title = self.addAction(self.tr("Token “{0}”: pick another to regenerate from here")
                               .format(visible(token.text)))
        title.setEnabled(False)
        self.addSeparator()
        for alt in alternatives(token):
            action = self.addAction(f"{alt.probability * 100:5.1f}%   {visible(alt.text)}")
            action.setCheckable(True)
            action.setChecked(alt.chosen)
            if alt.chosen:
                action.setEnabled(False)  # picking the same token would change nothing
            lp = next((lp for tid, _t, lp in token.top if tid == alt.token_id), token.logprob)
            action.setData((alt.token_id, alt.text, lp))
            action.triggered.connect(lambda _=False, a=action: self.picked.emit(self.index, a.data()))
