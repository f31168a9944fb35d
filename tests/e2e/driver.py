"""Runs the real app exactly as `python -m studio` does (studio.__main__.main) and drives it like
a user, from timers inside its own event loop: keys typed into the real widgets, real buttons
clicked, the real menu actions triggered. Screenshots are of the whole X screen.

    python tests/e2e/driver.py create OUT_DIR    type, generate, continue, export, quit
    python tests/e2e/driver.py check OUT_DIR     restart and look at the history

Writes OUT_DIR/NN-step.png screenshots and OUT_DIR/result.json.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

IMAGE_PROMPT = "a smiling cat"
TEXT_PROMPT = "Once upon a time, in a small village by the sea,"
TIMEOUT = 240.0


class Driver:
    def __init__(self, mode: str, out: Path) -> None:
        self.mode, self.out = mode, out
        self.result: dict = {"mode": mode, "steps": []}
        self.shots = 0 if mode == "create" else 4  # the restart's screenshots follow the first run's

    # ── helpers ──
    def window(self):
        from studio.ui.main_window import MainWindow

        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)

    def shot(self, name: str) -> None:
        QApplication.processEvents()
        self.shots += 1
        path = self.out / f"{self.shots:02d}-{name}.png"
        QApplication.primaryScreen().grabWindow(0).save(str(path))
        self.result["steps"].append(name)

    def wait(self, cond, then, what: str, deadline: float | None = None) -> None:
        deadline = deadline or time.monotonic() + TIMEOUT
        try:
            ok = cond()
        except Exception:  # noqa: BLE001
            ok = False
        if ok:
            QTimer.singleShot(300, lambda: self.guard(then))
        elif time.monotonic() > deadline:
            self.fail(f"timed out waiting for {what}")
        else:
            QTimer.singleShot(100, lambda: self.wait(cond, then, what, deadline))

    def guard(self, fn) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001
            self.fail(traceback.format_exc())

    def fail(self, why: str) -> None:
        self.result["error"] = why
        self.shot("failure")
        self.finish()

    def finish(self) -> None:
        (self.out / f"result-{self.mode}.json").write_text(json.dumps(self.result, ensure_ascii=False))
        w = self.window()
        if w is not None:
            w.close()  # File → Quit does the same
        QTimer.singleShot(0, QApplication.quit)

    # ── create: type a prompt, generate, continue a draft, export, quit ──
    def start(self) -> None:
        self.wait(lambda: self.window() is not None and self.window().worker.isRunning(), self.step_prompt,
                  "the main window")

    def step_prompt(self) -> None:
        w = self.window()
        if self.mode == "check":
            return self.step_check()
        self.recorded = []
        w.worker.recorded.connect(lambda rec: self.recorded.append(rec.kind))
        w.worker.failed.connect(lambda f: self.fail(f"job failed: {f.message}"))
        w.tabs.setCurrentWidget(w.image_ws)
        panel = w.image_ws.prompt_panel
        panel.prompt.setFocus()
        QTest.keyClicks(panel.prompt, IMAGE_PROMPT)
        self.shot("prompt-typed")
        QTest.mouseClick(panel.generate_btn, Qt.MouseButton.LeftButton)
        self.wait(lambda: "image" in self.recorded, self.step_generated, "the image generation")

    def step_generated(self) -> None:
        self.shot("image-generated")
        w = self.window()
        w.image_ws.export_flattened(str(self.out / "exported.png"))  # what File → Export… writes
        w.activateWindow()
        next(a for a in w.view_menu.actions() if a.text() == "&Writing Workspace").trigger()
        ws = w.writing_ws
        ed = ws.current_tab().editor
        ed.setFocus()
        QTest.keyClicks(ed, TEXT_PROMPT)
        self.shot("draft-typed")
        ws.act_continue.trigger()  # Writing → Continue (Ctrl+Return)
        self.wait(lambda: "text" in self.recorded and ws.current_tab().draft.streaming is None,
                  self.step_continued, "the text continuation")

    def step_continued(self) -> None:
        w = self.window()
        ws = w.writing_ws
        ws.accept_span()
        self.shot("draft-continued")
        ws.export(".md", "encode_markdown", self.out / "exported.md")
        self.result["draft"] = ws.current_tab().editor.toPlainText()
        self.result["image_tab"] = w.tabs.indexOf(w.image_ws)
        self.finish()

    # ── check: after the restart, both generations are in the history ──
    def step_check(self) -> None:
        w = self.window()
        pane = w.history

        def loaded() -> bool:
            return pane.image_model.rowCount() >= 1

        def look() -> None:
            pane.show()
            pane.tabs.setCurrentIndex(0)
            self.shot("history-images")
            pane.tabs.setCurrentIndex(1)
            self.wait(lambda: pane.text_model.rowCount() >= 1, look_text, "the text history")

        def look_text() -> None:
            self.shot("history-text")
            store = w.history_store
            rows = store.db.execute("SELECT id, kind FROM records ORDER BY id").fetchall()
            self.result["records"] = [[kind, store.get(rid).prompt] for rid, kind in rows]
            self.result["pane_rows"] = [pane.image_model.rowCount(), pane.text_model.rowCount()]
            self.result["integrity"] = store.integrity_ok()
            self.finish()

        self.wait(loaded, look, "the image history")


def main() -> int:
    mode, out = sys.argv[1], Path(sys.argv[2])
    app = QApplication.instance() or QApplication([sys.argv[0]])  # run_gui takes this one over
    driver = Driver(mode, out)
    QTimer.singleShot(0, driver.start)
    from studio.__main__ import main as studio_main

    rc = studio_main([])
    del app
    return rc


if __name__ == "__main__":
    sys.exit(main())
