"""Child process for the security tests: runs what a user does in the real app (start-up, an image
and a text generation through the worker, history, exports, OpenRaster save/open, importing a GGUF,
the headless CLI) under an audit hook that refuses every network connection and records every
socket, subprocess and unpickling event. Prints one JSON report on stdout.

    python tests/security/app_workflow.py MODELS_DIR OUT_DIR
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EVENTS: list[list[str]] = []
WATCH = ("socket.", "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "pickle.find_class",
         "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect")


class NetworkBlocked(OSError):
    pass


def _hook(event: str, args: tuple) -> None:
    if event.startswith(WATCH):
        EVENTS.append([event, repr(args)[:200]])
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
                     "http.client.connect", "urllib.Request"):
            raise NetworkBlocked(f"network access attempted: {event} {args!r:.200}")


sys.addaudithook(_hook)


def main(models_dir: Path, out: Path) -> dict:
    import numpy as np
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from studio import cli, paths
    from studio.app import open_history
    from studio.engines.runtime import SessionFactory
    from studio.jobs import ImageRequest, SamplerParams, TextRequest
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow
    from studio.worker.thread import Worker

    for name in ("tiny-text", "tiny-image"):
        (paths.models_dir() / name).symlink_to(models_dir / name, target_is_directory=True)
    store, _ = open_history()
    window = MainWindow(Settings(image_model="tiny-image", text_model="tiny-text"), history_store=store,
                        worker=Worker(SessionFactory(device="auto", threads=1)))
    window.show()
    done: list = []
    window.worker.recorded.connect(done.append)
    failed: list = []
    window.worker.failed.connect(failed.append)

    def wait(n: int) -> None:
        while len(done) < n and not failed:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    window.image_ws.submit_request(ImageRequest("a red cat", model_id="tiny-image", seed=1))
    wait(1)
    tab = window.writing_ws.current_tab()
    tab.editor.insertPlainText("Once upon a time")
    window.writing_ws.continue_at_cursor()
    wait(2)
    window.image_ws.export_flattened(str(out / "canvas.png"))
    window.writing_ws.export(".md", "encode_markdown", out / "draft.md")
    window.image_ws.save_document(str(out / "canvas.ora"), wait=True)
    window.image_ws.open_document(str(out / "canvas.ora"))
    store.page()
    window.autosave()
    window.close()
    store.close()
    rc_text = cli.main(["--device", "cpu", "text", "hello", "--model", "tiny-text", "--max-tokens", "4"])
    rc_import = cli.main(["models", "import", str(models_dir / "tiny-text.gguf")])
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "diffusers",
                                                                "studio") and (
        not m.startswith("studio") or m.startswith("studio.training")))
    return {"events": EVENTS, "failed": [f.message for f in failed], "recorded": len(done),
            "rc_text": rc_text, "rc_import": rc_import, "heavy_modules": heavy,
            "exports": sorted(p.name for p in out.iterdir())}


if __name__ == "__main__":
    report = main(Path(sys.argv[1]), Path(sys.argv[2]))
    sys.stdout.write("\nREPORT " + json.dumps(report) + "\n")
    sys.stdout.flush()
    os._exit(0)
