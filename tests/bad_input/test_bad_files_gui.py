"""Files dropped on or opened in the real main window: a bad one shows one clear message in the
workspace, leaves the open document exactly as it was, and the window keeps responding. Good but
unusual files (CMYK, 16-bit, animated, legacy encodings) open correctly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer

from studio.engines.runtime import SessionFactory
from studio.settings import Settings
from studio.ui.main_window import MainWindow
from studio.worker.thread import Worker
from tests.bad_input.checks import assert_clear


@pytest.fixture
def window(qtbot):
    w = MainWindow(Settings(), worker=Worker(SessionFactory(device="cpu", threads=1)))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def assert_responsive(qtbot) -> None:
    fired = []
    QTimer.singleShot(0, lambda: fired.append(1))
    qtbot.waitUntil(lambda: bool(fired), timeout=1000)


def canvas_state(ws) -> list:
    return [(l.name, l.x, l.y, l.rgba.shape, int(l.rgba.sum())) for l in ws.model.doc.layers] + \
        [ws.model.doc.width, ws.model.doc.height]


def _png(arr: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr, mode).save(buf, "PNG")
    return buf.getvalue()


def _huge(path: Path) -> None:
    Image.new("L", (20000, 20000)).save(path, compress_level=1)


BAD_IMAGES = {
    "text file named .png": lambda p: p.write_text("not an image at all", encoding="utf-8"),
    "zero-byte .png": lambda p: p.write_bytes(b""),
    "truncated .png": lambda p: p.write_bytes(
        _png(np.random.default_rng(2).integers(0, 256, (64, 64, 3), np.uint8))[:3000]),
    "random bytes .jpg": lambda p: p.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, np.uint8).tobytes()),
    "20000x20000 .png": _huge,
}
SUFFIX = {"text file named .png": ".png", "zero-byte .png": ".png", "truncated .png": ".png",
          "random bytes .jpg": ".jpg", "20000x20000 .png": ".png"}


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_bad_image_dropped_on_the_canvas(qtbot, window, tmp_path, case):
    ws = window.image_ws
    ws.add_image_layer(np.full((32, 48, 3), 200, np.uint8), "mine")
    before = canvas_state(ws)
    path = tmp_path / f"dropped 文件{SUFFIX[case]}"
    BAD_IMAGES[case](path)
    ws.view.files_dropped.emit([str(path)])
    assert ws.message_bar.isVisible()
    assert_clear(ws.message_bar.text.text())
    if case.startswith("20000"):
        assert "too large" in ws.message_bar.text.text()
    assert canvas_state(ws) == before, "the user's canvas changed"
    assert_responsive(qtbot)


def _cmyk(p: Path) -> None:
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(p, "JPEG", quality=95)  # pure red in CMYK


def _sixteen(p: Path) -> None:
    Image.fromarray(np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (16, 1))).save(p)


def _animated(p: Path) -> None:
    frames = [Image.new("RGB", (24, 24), c) for c in ((0, 0, 255), (0, 255, 0), (255, 0, 0))]
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=50, loop=0)


def test_cmyk_image_opens_in_rgb(qtbot, window, tmp_path):
    ws = window.image_ws
    _cmyk(tmp_path / "cmyk.jpg")
    ws.view.files_dropped.emit([str(tmp_path / "cmyk.jpg")])
    assert not ws.message_bar.isVisible()
    top = ws.model.doc.layers[-1].rgba
    assert top.shape == (30, 40, 4)
    r, g, b, a = top[15, 20].astype(int)
    assert r > 200 and g < 60 and b < 60 and a == 255


def test_16_bit_image_keeps_its_tones(qtbot, window, tmp_path):
    ws = window.image_ws
    _sixteen(tmp_path / "deep.png")
    ws.view.files_dropped.emit([str(tmp_path / "deep.png")])
    assert not ws.message_bar.isVisible()
    row = ws.model.doc.layers[-1].rgba[0, :, 0].astype(int)
    assert row[0] < 5 and row[-1] > 250 and 100 < row[32] < 160, "tones were clipped, not scaled"
    assert (np.diff(row) >= 0).all()


def test_animated_gif_gives_its_first_frame(qtbot, window, tmp_path):
    ws = window.image_ws
    _animated(tmp_path / "anim.gif")
    ws.view.files_dropped.emit([str(tmp_path / "anim.gif")])
    assert not ws.message_bar.isVisible()
    r, g, b, a = ws.model.doc.layers[-1].rgba[12, 12].astype(int)
    assert b > 200 and r < 50 and g < 50


def test_folder_dropped_on_the_canvas(qtbot, window, tmp_path):
    ws = window.image_ws
    before = canvas_state(ws)
    (tmp_path / "a folder").mkdir()
    ws.view.files_dropped.emit([str(tmp_path / "a folder")])
    assert_clear(ws.message_bar.text.text())
    assert canvas_state(ws) == before
    assert_responsive(qtbot)


# ── OpenRaster files ──

LAYER = _png(np.zeros((4, 4, 4), np.uint8), "RGBA")
STACK = '<image w="4" h="4"><stack><layer name="a" src="data/a.png"/></stack></image>'


def _ora(entries, stack: str = STACK, mimetype: str = "image/openraster") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if mimetype is not None:
            z.writestr("mimetype", mimetype)
        if stack is not None:
            z.writestr("stack.xml", stack)
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


BAD_ORA = {
    "member ../escape.png": (_ora([("../escape.png", LAYER), ("data/a.png", LAYER)]), "outside"),
    "absolute member": (_ora([("/tmp/escape.png", LAYER), ("data/a.png", LAYER)]), "outside"),
    "backslash member": (_ora([("..\\escape.png", LAYER), ("data/a.png", LAYER)]), "outside"),
    "layer src ../../": (_ora([("data/a.png", LAYER)], STACK.replace("data/a.png", "../../etc/passwd")), "outside"),
    "layer src data/../../": (_ora([("data/a.png", LAYER)], STACK.replace("data/a.png", "data/../../x.png")),
                              "outside"),
    "non-numeric size": (_ora([("data/a.png", LAYER)], STACK.replace('w="4"', 'w="wide"')), "damaged"),
    "NaN offset": (_ora([("data/a.png", LAYER)], STACK.replace('name="a"', 'name="a" x="nan"')), "damaged"),
    "broken layer PNG": (_ora([("data/a.png", b"\x89PNG broken")]), "damaged"),
    "no stack.xml": (_ora([("data/a.png", LAYER)], stack=None), "incomplete"),
    "missing layer file": (_ora([], STACK), "incomplete"),
    "wrong mimetype": (_ora([("data/a.png", LAYER)], mimetype="application/zip"), "not an OpenRaster"),
    "impossible size": (_ora([("data/a.png", LAYER)], STACK.replace('w="4" h="4"', 'w="100000" h="100000"')),
                        "impossible"),
    "not a zip": (b"GIMP? no.", "not an OpenRaster"),
    "truncated zip": (_ora([("data/a.png", LAYER)])[:120], "not an OpenRaster"),
}


@pytest.mark.parametrize("case", BAD_ORA)
def test_bad_openraster_file(qtbot, window, tmp_path, case):
    data, words = BAD_ORA[case]
    ws = window.image_ws
    ws.add_image_layer(np.full((16, 16, 3), 30, np.uint8), "keep me")
    before = canvas_state(ws)
    path = tmp_path / "inner" / "picture.ora"
    path.parent.mkdir()
    path.write_bytes(data)
    outside = {p for p in tmp_path.rglob("*")}
    ws.view.files_dropped.emit([str(path)])
    message = ws.message_bar.text.text()
    assert ws.message_bar.isVisible()
    assert_clear(message)
    assert words.lower() in message.lower(), message
    assert canvas_state(ws) == before
    assert {p for p in tmp_path.rglob("*")} == outside, "reading an archive wrote files"
    assert_responsive(qtbot)


# ── drafts opened in the writing workspace ──

def test_binary_file_opened_as_a_draft(qtbot, window, tmp_path):
    ws = window.writing_ws
    ws.current_tab().editor.insertPlainText("my words 我的字")
    path = tmp_path / "photo.md"
    path.write_bytes(_png(np.zeros((8, 8, 3), np.uint8)) + b"\x00" * 100)
    tabs = ws.tabs.count()
    ws._guard(lambda: ws.open_path(path))
    assert_clear(ws.banner_text.text())
    assert ws.tabs.count() == tabs and ws.current_tab().editor.toPlainText() == "my words 我的字"
    assert_responsive(qtbot)


def test_missing_draft_file(qtbot, window, tmp_path):
    ws = window.writing_ws
    ws._guard(lambda: ws.open_path(tmp_path / "gone.md"))
    assert "does not exist" in ws.banner_text.text()
    assert_clear(ws.banner_text.text())


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_legacy_encodings_open(qtbot, window, tmp_path, encoding):
    ws = window.writing_ws
    text = "Café crème – naïve résumé" if encoding == "cp1252" else "Café 咖啡 ☕ résumé"
    path = tmp_path / f"old-{encoding}.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    tab = ws.open_path(path)
    assert tab.editor.toPlainText() == text
