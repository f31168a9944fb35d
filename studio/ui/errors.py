"""Error dialogs: one clear sentence for the user, technical details behind a button."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, message: str, details: str = "", title: str = "") -> QMessageBox:
    """A non-blocking error box (the event loop keeps running)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title or QCoreApplication.translate("errors", "Studio"), message,
                      QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.setModal(False)
    box.show()
    return box


def install_excepthook(parent_getter) -> None:
    """Unexpected exceptions in UI code are logged and shown as a message; the app keeps running."""

    def hook(exc_type, exc, tb) -> None:
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled exception in the UI:\n%s", details)
        sys.stderr.write(details)
        message = QCoreApplication.translate(
            "errors", "Something unexpected went wrong: {0}. Your work is safe; you can keep "
                      "working.").format(str(exc) or exc_type.__name__)
        QTimer.singleShot(0, lambda: show_error(parent_getter(), message, details))

    sys.excepthook = hook
