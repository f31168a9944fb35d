"""The History dock (pytest-qt, offscreen): paging, filters, recall/reproduce signals, trash, drag."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication

from studio.history import HistoryStore, NewRecord, Query, request_from_record
from studio.history.recorder import record_result
from studio.history.thumbnails import make_thumbnail
from studio.jobs import (ImageRequest, ImageResult, RunStats, SamplerParams, TextRequest, TextResult,
                         UserError)
from studio.ui.history_model import PAGE
from studio.ui.history_pane import HistoryPane

rng = np.random.default_rng(5)


@pytest.fixture
def store():
    s = HistoryStore()
    yield s
    s.close()


@pytest.fixture
def pane(qtbot, store):
    p = HistoryPane(store)
    qtbot.addWidget(p)
    p.resize(400, 700)
    p.show()
    return p


def add_image(store, prompt, seed=1, model="studio-emoji", **kw):
    img = rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)
    req = ImageRequest(prompt, seed=None, **kw)
    return record_result(store, ImageResult(req.job_id, req, (img,), (seed,), RunStats(1.0, "CPU", model)))[0]


def add_text(store, prompt, out, seed=3):
    req = TextRequest(prompt, sampler=SamplerParams(temperature=0.5, top_k=7))
    return record_result(store, TextResult(req.job_id, req, out, (), "stop", seed, RunStats(1.0, "CPU", "smollm2")))[0]


def select(pane, view, row):
    idx = view.model().index(row, 0)
    view.selectionModel().select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.setCurrentIndex(idx)


def test_lazy_paging(qtbot, store):
    thumb = make_thumbnail(np.zeros((8, 8, 3), np.uint8))
    total = 2 * PAGE + 50
    store.add([NewRecord(kind="image", created=1e9 + i, model_id="m", prompt=f"bulk {i}", params={},
                         seed=i, thumb=thumb) for i in range(total)])
    pane = HistoryPane(store)
    qtbot.addWidget(pane)
    model = pane.image_model
    assert model.rowCount() == PAGE and model.canFetchMore()
    assert model.rows[0].prompt == f"bulk {total - 1}"  # newest first
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == total and not model.canFetchMore()
    assert [r.seed for r in model.rows] == list(range(total - 1, -1, -1))
    pix = model.data(model.index(total - 1), Qt.ItemDataRole.DecorationRole)
    assert isinstance(pix, QPixmap) and pix.width() == 8
    # the view itself pulls more pages as it scrolls
    pane.search.setText("bulk")
    pane.apply_search()
    pane.show()
    for _ in range(20):
        pane.grid.scrollToBottom()
        qtbot.wait(5)
    assert model.rowCount() > PAGE


def test_search_and_filters(qtbot, store, pane):
    a = add_image(store, "a red fox in snow", model="model-a")
    b = add_image(store, "一只猫 🐱", model="model-b")
    t = add_text(store, "Tell me about foxes", "Foxes are clever.")
    pane.refresh()
    assert [r.id for r in pane.image_model.rows] == [b, a]
    assert pane.text_model.rows == []  # the hidden tab loads when shown
    pane.tabs.setCurrentIndex(1)
    assert [r.id for r in pane.text_model.rows] == [t]
    pane.tabs.setCurrentIndex(0)
    pane.search.setText("fox")
    qtbot.waitUntil(lambda: [r.id for r in pane.image_model.rows] == [a], timeout=2000)  # debounced
    pane.tabs.setCurrentIndex(1)
    assert [r.id for r in pane.text_model.rows] == [t]
    pane.search.setText("猫")
    pane.apply_search()
    assert pane.text_model.rows == []
    pane.tabs.setCurrentIndex(0)
    assert [r.id for r in pane.image_model.rows] == [b]
    pane.search.clear()
    pane.model_filter.setCurrentIndex(pane.model_filter.findData("model-a"))
    assert [r.id for r in pane.image_model.rows] == [a]
    pane.model_filter.setCurrentIndex(0)
    store.set_favourite([b])
    pane.favourites_only.setChecked(True)
    assert [r.id for r in pane.image_model.rows] == [b]
    pane.favourites_only.setChecked(False)
    select(pane, pane.grid, 1)
    pane.tag_selected("keeper")
    pane.tag_filter.setCurrentIndex(pane.tag_filter.findData("keeper"))
    assert [r.id for r in pane.image_model.rows] == [a]
    pane.tag_filter.setCurrentIndex(0)
    pane.date_filter.setCurrentIndex(pane.date_filter.findData(0))  # today
    assert len(pane.image_model.rows) == 2


def test_recall_and_reproduce_signals(qtbot, store, pane):
    rid = add_image(store, "castle on a hill", seed=4242, negative_prompt="fog", steps=7, guidance=3.5,
                    scheduler="ddim", width=24, height=24)
    tid = add_text(store, "Once upon a time", " a dragon slept.", seed=99)
    pane.refresh()
    select(pane, pane.grid, 0)
    assert pane.act_recall.isEnabled()
    with qtbot.waitSignal(pane.recall_image, timeout=1000) as sig:
        pane.act_recall.trigger()
    req = sig.args[0]
    assert isinstance(req, ImageRequest)
    want = request_from_record(store.get(rid))
    assert (req.prompt, req.negative_prompt, req.seed, req.steps, req.guidance, req.scheduler, req.model_id) == (
        "castle on a hill", "fog", 4242, 7, 3.5, "ddim", "studio-emoji")
    assert (req.width, req.height, req.batch) == (want.width, want.height, 1)
    with qtbot.waitSignal(pane.reproduce, timeout=1000) as sig:
        pane.act_reproduce.trigger()
    assert sig.args[0].seed == 4242
    with qtbot.waitSignal(pane.send_to_canvas, timeout=1000) as sig:
        pane.act_canvas.trigger()
    assert sig.args[0] == str(store.get(rid).image_path)
    pane.tabs.setCurrentIndex(1)
    select(pane, pane.list, 0)
    with qtbot.waitSignal(pane.recall_text, timeout=1000) as sig:
        pane.recall()
    treq = sig.args[0]
    assert isinstance(treq, TextRequest) and treq.prompt == "Once upon a time"
    assert (treq.sampler.seed, treq.sampler.top_k, treq.sampler.temperature) == (99, 7, 0.5)
    assert store.get(tid).text == " a dragon slept."


def test_favourite_delete_restore_empty(qtbot, store, pane):
    ids = [add_image(store, f"picture {i}") for i in range(3)]
    pane.refresh()
    select(pane, pane.grid, 0)  # the newest: ids[2]
    pane.toggle_favourite()
    assert store.get(ids[2]).favourite and pane.image_model.rows[0].favourite
    assert pane.image_model.data(pane.image_model.index(0)) == "★ picture 2"
    pane.toggle_favourite()
    assert not store.get(ids[2]).favourite
    pane.delete_selected()
    assert [r.id for r in pane.image_model.rows] == [ids[1], ids[0]]
    assert store.count(Query(trash=True)) == 1
    pane.trash_button.setChecked(True)
    assert [r.id for r in pane.image_model.rows] == [ids[2]]
    assert pane.act_restore.isVisible() and not pane.act_delete.isVisible()
    assert pane._buttons[pane.act_restore].isVisible() and pane._buttons[pane.act_delete].isHidden()
    select(pane, pane.grid, 0)
    pane.restore_selected()
    assert pane.image_model.rows == [] and store.count() == 3
    pane.trash_button.setChecked(False)
    select(pane, pane.grid, 2)
    pane.delete_selected()
    path = store.get(ids[0]).image_path
    assert pane.empty_trash() == 1
    assert not path.exists() and store.get(ids[0]) is None
    assert [r.id for r in pane.image_model.rows] == [ids[2], ids[1]]


def test_add_records_and_drag_out(qtbot, store, pane):
    first = add_image(store, "older")
    pane.refresh()
    new = add_image(store, "brand new", model="fresh-model")
    pane.add_records([new])
    assert [r.id for r in pane.image_model.rows] == [new, first]
    assert pane.model_filter.findData("fresh-model") >= 0
    pane.search.setText("older")
    pane.apply_search()
    newer = add_image(store, "does not match")
    pane.add_records([newer])
    assert [r.id for r in pane.image_model.rows] == [first]
    mime = pane.image_model.mimeData([pane.image_model.index(0)])
    assert [u.toLocalFile() for u in mime.urls()] == [str(store.get(first).image_path)]
    assert mime.hasImage()
    assert pane.grid.dragEnabled()


def test_open_large_and_problem_banner(qtbot, store, tmp_path):
    rid = add_image(store, "big view")
    add_text(store, "ctx", "generated words")
    pane = HistoryPane(store)
    qtbot.addWidget(pane)
    assert not pane.banner.isVisibleTo(pane)
    pane.open_large(pane.image_model.index(0))
    viewer = pane._viewers[-1]
    assert viewer.isVisible() and not viewer.pixmap.isNull() and str(rid) in viewer.windowTitle()
    viewer.close()
    pane.tabs.setCurrentIndex(1)
    pane.open_large(pane.text_model.index(0))
    assert pane._viewers[-1].isVisible()
    pane._viewers[-1].close()
    bad = tmp_path / "bad" / "history.db"
    bad.parent.mkdir()
    bad.write_bytes(b"garbage" * 50)
    broken = HistoryStore(bad)
    other = HistoryPane(broken)
    qtbot.addWidget(other)
    assert other.banner.isVisibleTo(other) and "damaged" in other.banner.text()
    broken.close()


def test_export_selection(qtbot, store, pane, tmp_path):
    from PIL import Image

    from exporters.read import read_parameters
    from exporters.text import read_odt

    ids = [add_image(store, f"export me {i} 猫", seed=10 + i) for i in range(3)]
    add_text(store, "ctx", "Generated prose ✨")
    pane.refresh()
    select(pane, pane.grid, 0)
    (png,) = pane.export_selected(str(tmp_path / "one.png"))
    assert read_parameters(png)["seed"] == 12
    assert np.array_equal(np.asarray(Image.open(png)), np.asarray(Image.open(store.get(ids[2]).image_path)))
    (jpg,) = pane.export_selected(str(tmp_path / "one.jpg"))
    assert read_parameters(jpg)["prompt"] == "export me 2 猫"
    pane.grid.selectAll()
    files = pane.export_selected(str(tmp_path / "many.webp"))
    assert [f.name for f in files] == ["many-1.webp", "many-2.webp", "many-3.webp"]
    assert [read_parameters(f)["seed"] for f in files] == [12, 11, 10]
    (pdf,) = pane.export_selected(str(tmp_path / "sheet.pdf"), contact_sheet=True)
    assert pdf.read_bytes().startswith(b"%PDF") and b"/Count 1" in pdf.read_bytes()
    (pages,) = pane.export_selected(str(tmp_path / "pages.pdf"))
    assert b"/Count 3" in pages.read_bytes()
    pane.tabs.setCurrentIndex(1)
    select(pane, pane.list, 0)
    (odt,) = pane.export_selected(str(tmp_path / "text.odt"))
    assert read_odt(odt.read_bytes())[1] == "Generated prose ✨"
    with pytest.raises(UserError, match="cannot be exported"):
        pane.export_selected(str(tmp_path / "text.png"))


def test_keys_act_on_the_list_not_the_search_box(qtbot, store, pane):
    ids = [add_image(store, f"key {i}") for i in range(2)]
    pane.refresh()
    pane.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is pane, timeout=2000)  # shortcuts need it
    select(pane, pane.grid, 0)
    pane.search.setFocus()
    qtbot.keyClick(pane.search, Qt.Key.Key_Delete)
    assert store.count() == 2  # typing in the search box never deletes
    with qtbot.assertNotEmitted(pane.recall_image):
        qtbot.keyClick(pane.search, Qt.Key.Key_Return)
    pane.grid.setFocus()
    select(pane, pane.grid, 0)  # Return in the search box ran the search: a fresh list
    with qtbot.waitSignal(pane.recall_image, timeout=1000) as sig:
        qtbot.keyClick(pane.grid, Qt.Key.Key_Return)
    assert sig.args[0].prompt == "key 1"
    qtbot.keyClick(pane.grid, Qt.Key.Key_Delete)
    assert [r.id for r in store.page()] == [ids[0]]


def test_views_drag_through_the_proxy(qtbot, store, pane):
    rid = add_image(store, "drag me")
    pane.refresh()
    proxy = pane.grid.model()
    mime = proxy.mimeData([proxy.index(0, 0)])
    assert [u.toLocalFile() for u in mime.urls()] == [str(store.get(rid).image_path)]
    assert proxy.flags(proxy.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert "text/uri-list" in proxy.mimeTypes()
    # the view pages through the proxy: fetching more reaches the store
    assert proxy.canFetchMore(proxy.index(-1, -1)) is False


def test_copy_parameters_and_untag(qtbot, store, pane):
    from PySide6.QtGui import QGuiApplication

    rid = add_image(store, "a lighthouse, 灯塔", seed=77, steps=9, scheduler="euler_a", guidance=6.0)
    add_text(store, "ctx", "The sea was calm.")
    pane.refresh()
    select(pane, pane.grid, 0)
    text = pane.copy_parameters()
    assert QGuiApplication.clipboard().text() == text
    assert text.startswith("a lighthouse, 灯塔\nSteps: 9, Sampler: Euler a, CFG scale: 6, Seed: 77, Size: 24x24")
    pane.tag_selected("sea")
    pane.tag_filter.setCurrentIndex(pane.tag_filter.findData("sea"))
    assert [r.id for r in pane.image_model.rows] == [rid]
    other = add_image(store, "another")
    pane.add_records([other])
    assert [r.id for r in pane.image_model.rows] == [rid]  # filtered by the tag
    select(pane, pane.grid, 0)
    pane.untag_selected("sea")
    # the last "sea" is gone, so the filter falls back to all tags and the list follows it
    assert store.get(rid).tags == () and pane.tag_filter.findData("sea") == -1
    assert pane.tag_filter.currentData() is None
    assert [r.id for r in pane.image_model.rows] == [other, rid]
    pane.tabs.setCurrentIndex(1)
    select(pane, pane.list, 0)
    assert pane.copy_parameters() == "The sea was calm."
