"""The GUI entry point: QApplication, translations, settings, history store, main window."""

from __future__ import annotations

import logging
import sys
import time

T0 = time.perf_counter()  # for the start-up benchmark: process start ≈ first import of studio.app

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio import paths  # noqa: E402
from studio.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)


def _install_translations(app: QApplication, language: str) -> None:
    locale = QLocale(language) if language else QLocale.system()
    for name, folder in (("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
                         ("studio", str(paths.ASSETS / "i18n"))):
        tr = QTranslator(app)
        if tr.load(locale, name, "_", folder):
            app.installTranslator(tr)


def open_history(window_parent=None):
    """The history store, or None (with the reason logged) if it cannot be opened at all."""
    try:
        from studio.history.store import HistoryStore
    except ModuleNotFoundError:
        return None, ""
    try:
        store = HistoryStore()
    except Exception as exc:  # noqa: BLE001 - the app still works without history
        log.error("history store unavailable: %s", exc)
        return None, (f"The history could not be opened ({exc}). Studio works without it, but this "
                      "session's generations will not be kept.")
    return store, getattr(store, "recovery_message", "") or ""


def run_gui(argv: list[str], screenshot: str = "", quit_after_ms: int = 0) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Studio")
    app.setApplicationDisplayName("Studio")
    app.setOrganizationName("Studio")
    settings = Settings.load()
    settings.apply_data_dir()
    _install_translations(app, settings.language)

    from studio.ui.errors import install_excepthook, show_error
    from studio.ui.main_window import MainWindow

    store, problem = open_history()
    window = MainWindow(settings, history_store=store)
    install_excepthook(lambda: window)
    window.show()
    log.info("main window shown %.3f s after start", time.perf_counter() - T0)
    if problem:
        QTimer.singleShot(0, lambda: show_error(window, problem))
    QTimer.singleShot(0, window.offer_restore)
    if screenshot:
        def grab() -> None:
            screen = app.primaryScreen()
            screen.grabWindow(0).save(screenshot)  # the whole (X) screen, as a user sees it
        QTimer.singleShot(max(500, quit_after_ms - 300) if quit_after_ms else 1500, grab)
    if quit_after_ms:
        QTimer.singleShot(quit_after_ms, window.close)
    return app.exec()
