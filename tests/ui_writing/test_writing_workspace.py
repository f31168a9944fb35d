"""The writing workspace's UI logic with a scripted token stream (fast; offscreen).

The same behaviours against the real engine are in test_writing_real_model.py.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from ui_writing_helpers import ScriptedWorker

from studio.jobs import SamplerParams, TextRequest
from studio.settings import Settings
from studio.ui.writing import Workspace
from studio.writing import storage

BEFORE = "The lighthouse keeper climbed the stairs"
AFTER = ", counting each one.\n\nBelow, the sea was calm."


@pytest.fixture
def make_ws(qtbot):
    made = []

    def make(scripts, interval_ms=1):
        worker = ScriptedWorker(scripts, interval_ms)
        ws = Workspace(worker, Settings())
        qtbot.addWidget(ws)
        ws.resize(1200, 800)
        made.append(ws)
        return ws, worker

    yield make
    for ws in made:
        ws.shutdown()


def put(ws, text, cursor):
    tab = ws.current_tab()
    tab.editor.setPlainText(text)
    tab.editor.move_cursor_to(cursor)
    return tab


def marked(tab) -> str:
    """The text under the editor's span highlight ("" if none)."""
    sels = tab.editor.extraSelections()
    if not sels:
        return ""
    cur = QTextCursor(sels[0].cursor)
    return cur.selectedText()


def finish(qtbot, tab):
    qtbot.waitUntil(lambda: tab.draft.streaming is None, timeout=5000)


def test_continue_in_the_middle_streams_at_cursor_and_enter_accepts(qtbot, make_ws):
    ws, worker = make_ws([[" slowly", ",", " step"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    assert worker.requests[0].prompt == BEFORE
    finish(qtbot, tab)
    assert tab.editor.toPlainText() == BEFORE + " slowly, step" + AFTER
    assert len(tab.editor.extraSelections()) == 1
    assert marked(tab) == " slowly, step"  # the span is marked
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return)
    assert tab.draft.span is None and tab.editor.extraSelections() == []
    assert tab.editor.toPlainText() == BEFORE + " slowly, step" + AFTER  # Enter added no newline


def test_escape_rejects_and_typing_accepts(qtbot, make_ws):
    ws, worker = make_ws([[" up"], [" down"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    finish(qtbot, tab)
    ws.act_escape.trigger()
    assert tab.editor.toPlainText() == BEFORE + AFTER and tab.draft.span is None
    ws.act_continue.trigger()
    finish(qtbot, tab)
    qtbot.keyClicks(tab.editor, "!")
    assert tab.draft.span is None
    assert tab.editor.toPlainText() == BEFORE + " down!" + AFTER


def test_retry_and_alternatives_cycle(qtbot, make_ws):
    ws, worker = make_ws([[" one"], [" two"], [" three"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    finish(qtbot, tab)
    for _ in range(2):
        ws.act_retry.trigger()
        finish(qtbot, tab)
    assert worker.requests[1].prompt == worker.requests[0].prompt == worker.requests[2].prompt
    text = lambda: tab.editor.toPlainText()  # noqa: E731
    assert text() == BEFORE + " three" + AFTER and ws.alt_label.text() == "Alternative 3 / 3"
    ws.act_prev.trigger()
    assert text() == BEFORE + " two" + AFTER and ws.alt_label.text() == "Alternative 2 / 3"
    ws.act_prev.trigger()
    assert text() == BEFORE + " one" + AFTER and not ws.act_prev.isEnabled()
    ws.act_next.trigger()
    ws.act_next.trigger()
    assert text() == BEFORE + " three" + AFTER
    # the span stays marked on the shown alternative
    assert marked(tab) == " three"


def test_undo_redo_of_a_generation_is_one_step(qtbot, make_ws):
    ws, worker = make_ws([[" a", " b", " c", " d", " e"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    finish(qtbot, tab)
    qtbot.keyClick(tab.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.toPlainText() == BEFORE + AFTER and tab.draft.span is None
    qtbot.keyClick(tab.editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.toPlainText() == BEFORE + " a b c d e" + AFTER
    assert tab.draft.span is not None  # back as a pending span: Esc still rejects it
    ws.act_escape.trigger()
    assert tab.editor.toPlainText() == BEFORE + AFTER


def test_token_pick_regenerates_from_there(qtbot, make_ws):
    ws, worker = make_ws([[" red", " sails", " rose"], [" again"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    finish(qtbot, tab)
    # a click on the second generated word opens its alternatives
    cur = QTextCursor(tab.editor.document())
    cur.setPosition(len(BEFORE) + len(" red") + 2)
    rect = tab.editor.cursorRect(cur)
    with qtbot.waitSignal(tab.editor.token_clicked, timeout=2000) as sig:
        qtbot.mouseClick(tab.editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args[0] == 1
    menu = ws.show_token_menu(1)
    labels = [a.text() for a in menu.actions() if a.isEnabled() and a.data()]
    assert any("maybe" in t for t in labels)
    pick = next(a for a in menu.actions() if a.data() and a.data()[1] == " maybe")
    pick.trigger()
    assert worker.requests[1].prompt == BEFORE + " red maybe"
    finish(qtbot, tab)
    assert tab.editor.toPlainText() == BEFORE + " red maybe again" + AFTER
    assert len(tab.draft.span.candidates) == 2


def test_stop_mid_stream_leaves_a_consistent_document(qtbot, make_ws):
    ws, worker = make_ws([[f" w{i}" for i in range(200)]], interval_ms=10)
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    qtbot.waitUntil(lambda: tab.draft.span is not None and len(tab.draft.span.current.tokens) >= 3)
    qtbot.keyClicks(tab.editor, "xyz")  # typing is ignored while the model writes
    ws.act_escape.trigger()  # Stop
    finish(qtbot, tab)
    text = tab.editor.toPlainText()
    gen = tab.draft.span.current.text
    assert 3 <= len(tab.draft.span.current.tokens) < 200
    assert text == BEFORE + gen + AFTER and "xyz" not in text
    assert tab.draft.span.current.finish_reason == "cancelled"
    ws.act_escape.trigger()  # Reject
    assert tab.editor.toPlainText() == BEFORE + AFTER


def test_failure_shows_a_message_and_keeps_the_document(qtbot, make_ws):
    ws, worker = make_ws([[" x"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    worker.fail_next = "The model file is damaged; reinstall it."
    ws.act_continue.trigger()
    finish(qtbot, tab)
    assert not ws.banner.isHidden()
    assert ws.banner_text.text() == "The model file is damaged; reinstall it."
    assert "Traceback" not in ws.banner_text.text()
    assert tab.editor.toPlainText() == BEFORE + AFTER and tab.draft.span is None


def test_other_workspaces_jobs_are_ignored(qtbot, make_ws):
    ws, worker = make_ws([[" mine"]])
    tab = put(ws, BEFORE, len(BEFORE))
    worker.emit_foreign()
    assert tab.editor.toPlainText() == BEFORE


def test_memory_note_and_sampler_reach_the_request(qtbot, make_ws):
    ws, worker = make_ws([[" x"]])
    tab = put(ws, "a\nb\nc\nd\n" + BEFORE, len("a\nb\nc\nd\n" + BEFORE))
    ws.panel.memory.setPlainText("Mara keeps the lighthouse. 灯塔")
    ws.panel.note.setPlainText("foreboding")
    ws.panel.sampler.temperature.setValue(0.3)
    ws.panel.sampler.stops.setText("\\n\\n, END")
    ws.panel.sampler.stops.editingFinished.emit()
    ws.act_continue.trigger()
    req = worker.requests[0]
    assert req.memory == "Mara keeps the lighthouse. 灯塔"
    assert "[Author's note: foreboding]" in req.prompt and req.prompt.endswith(BEFORE)
    assert req.sampler.temperature == pytest.approx(0.3) and req.sampler.stop == ("\n\n", "END")
    assert req.model_id == Settings().text_model
    finish(qtbot, tab)
    ws._update_budget()
    assert "/ 2048" in ws.context_label.text() or "/" in ws.context_label.text()


def test_apply_request_recalls_parameters(make_ws):
    ws, _ = make_ws([])
    req = TextRequest(prompt="p", memory="remembered", sampler=SamplerParams(temperature=1.3, top_k=3, seed=11))
    ws.apply_request(req)
    assert ws.panel.memory.toPlainText() == "remembered"
    assert ws.panel.sampler.params().temperature == pytest.approx(1.3)
    assert ws.current_tab().draft.settings.sampler.seed == 11


def test_instruct_mode_rewrites_the_selection(qtbot, make_ws):
    ws, worker = make_ws([["The keeper", " trudged up."]])
    text = "Intro. The man went up. Outro."
    tab = put(ws, text, 0)
    cur = tab.editor.textCursor()
    cur.setPosition(text.index("The"))
    cur.setPosition(text.index(" Outro"), QTextCursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cur)
    ws.panel.instruction.setText("rewrite more vividly")
    ws.act_instruct.trigger()
    req = worker.requests[0]
    assert req.chat and req.prompt.startswith("rewrite more vividly") and "The man went up." in req.prompt
    finish(qtbot, tab)
    assert tab.editor.toPlainText() == "Intro. The keeper trudged up. Outro."
    ws.act_escape.trigger()
    assert tab.editor.toPlainText() == text


def test_autosave_and_restore_keep_text_memory_and_span(qtbot, make_ws, studio_home):
    ws, worker = make_ws([[" 🌊", " waves"], [" tide"]])
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.panel.memory.setPlainText("memory ✓")
    ws.act_continue.trigger()
    finish(qtbot, tab)
    ws.act_retry.trigger()
    finish(qtbot, tab)
    ws.autosave()
    assert ws.has_unsaved()
    ws2, _ = make_ws([])
    assert ws2.has_autosave() and ws2.restore_autosave()
    assert ws2.has_unsaved()  # never saved to a file: still unsaved after the restore
    t2 = ws2.current_tab()
    assert t2.editor.toPlainText() == BEFORE + " tide" + AFTER
    assert t2.draft.settings.memory == "memory ✓"
    assert [c.text for c in t2.draft.span.candidates] == [" 🌊 waves", " tide"]
    ws2.act_prev.trigger()
    assert t2.editor.toPlainText() == BEFORE + " 🌊 waves" + AFTER
    assert ws2.tabs.count() == 1


def test_tabs_save_open_and_export(qtbot, make_ws, tmp_path):
    ws, _ = make_ws([])
    put(ws, "# Night\n\n夜 and 🌙", 0)
    path = ws.save_to(tmp_path / "night")
    assert path.suffix == ".md" and storage.read_text_file(path) == "# Night\n\n夜 and 🌙"
    assert not ws.has_unsaved()
    tab2 = ws.open_path(path)
    assert ws.tabs.count() == 2 and tab2.editor.toPlainText() == "# Night\n\n夜 and 🌙"
    assert ws.tabs.tabText(ws.tabs.indexOf(tab2)) == "night.md"
    for suffix, func in ((".html", "encode_html"), (".odt", "encode_odt"), (".txt", "encode_plain_text"),
                         (".pdf", "encode_text_pdf")):
        out = ws.export(suffix, func, tmp_path / f"out{suffix}")
        assert out.exists() and out.stat().st_size > 0
    assert "夜" in (tmp_path / "out.html").read_text(encoding="utf-8")
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_find_replace_zoom_and_word_count(qtbot, make_ws):
    ws, _ = make_ws([])
    tab = put(ws, "cat dog cat 猫", 0)
    bar = tab.find_bar
    ws.act_find.trigger()
    assert not bar.isHidden()
    bar.find.setText("cat")
    bar.replace.setText("owl")
    assert bar.replace_all() == 2
    assert tab.editor.toPlainText() == "owl dog owl 猫"
    ws.act_undo.trigger()  # one undo step for the whole replacement
    assert tab.editor.toPlainText() == "cat dog cat 猫"
    size = tab.editor.font().pointSizeF()
    ws.act_zoom_in.trigger()
    assert tab.editor.font().pointSizeF() == size + 1
    ws.act_zoom_reset.trigger()
    ws._update_words()
    assert ws.words_label.text().startswith("4")
    ws.act_escape.trigger()  # with no span, Esc closes the find bar
    assert bar.isHidden()


def test_menus_hold_the_shortcut_actions(make_ws):
    ws, _ = make_ws([])
    actions = {a.text().replace("&", ""): a for m in ws.menus() for a in m.actions()}
    assert actions["Continue"].shortcut().toString() == "Ctrl+Return"
    assert actions["Retry"].shortcut().toString() == "Ctrl+R"
    assert actions["Next alternative"].shortcut().toString() == "Alt+Right"


def test_history_accepted_flag_follows_the_users_choice(qtbot, make_ws):
    from studio.history.recorder import record_result
    from studio.history.store import HistoryStore

    store = HistoryStore()
    ws, worker = make_ws([[" kept"], [" dropped"], [" other"]])
    worker.result_hook = lambda r: record_result(store, r)
    ws.history_store = store
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    ws.act_continue.trigger()
    finish(qtbot, tab)
    first = worker.requests[0].job_id
    ws.act_retry.trigger()
    finish(qtbot, tab)
    ws.act_prev.trigger()
    ws.accept_span()  # keeps " kept", so the retry was not accepted
    rows = {r.job_id: r for r in (store.get(i) for i in range(1, 3))}
    assert rows[first].accepted is True
    assert rows[worker.requests[1].job_id].accepted is False
    assert rows[first].text == " kept"
    ws.act_continue.trigger()
    finish(qtbot, tab)
    ws.act_escape.trigger()  # rejected
    assert store.get(3).accepted is False
    store.close()


def test_reproduce_runs_the_same_request_in_a_new_draft(qtbot, make_ws):
    ws, worker = make_ws([[" again"]])
    req = TextRequest(prompt="Once there was", memory="m", sampler=SamplerParams(seed=5))
    ws.reproduce(req)
    tab = ws.current_tab()
    finish(qtbot, tab)
    sent = worker.requests[0]
    assert sent.prompt == "Once there was" and sent.sampler.seed == 5 and sent.memory == "m"
    assert tab.editor.toPlainText() == "Once there was again" and ws.tabs.count() == 2


def test_keyboard_shortcuts_reach_the_actions(qtbot, make_ws):
    ws, worker = make_ws([[" one"], [" two"]])
    ws.show()
    qtbot.waitExposed(ws)
    ws.activateWindow()
    tab = put(ws, BEFORE + AFTER, len(BEFORE))
    tab.editor.setFocus()
    qtbot.waitUntil(lambda: tab.editor.hasFocus())
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    finish(qtbot, tab)
    assert len(worker.requests) == 1 and tab.editor.toPlainText() == BEFORE + " one" + AFTER
    qtbot.keyClick(tab.editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    finish(qtbot, tab)
    assert tab.editor.toPlainText() == BEFORE + " two" + AFTER
    qtbot.keyClick(tab.editor, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert tab.editor.toPlainText() == BEFORE + " one" + AFTER
    qtbot.keyClick(tab.editor, Qt.Key.Key_Escape)
    assert tab.editor.toPlainText() == BEFORE + AFTER and tab.draft.span is None


def test_word_count_stays_exact_through_edits(qtbot, make_ws):
    from studio.writing.words import count_words

    ws, worker = make_ws([[" streamed words\n\nnew para"]])
    tab = put(ws, "one two\n\nthree 四五\nsix", 0)
    ed = tab.editor
    check = lambda: ed.word_count() == count_words(ed.toPlainText())  # noqa: E731
    assert check() and ed.word_count() == 6
    ed.move_cursor_to(4)
    qtbot.keyClicks(ed, "x y")
    assert check()
    cur = ed.textCursor()
    cur.setPosition(2)
    cur.setPosition(ed.buffer.size() - 2, QTextCursor.MoveMode.KeepAnchor)
    cur.insertText("a\nb c\n\nd")  # a multi-paragraph replacement across blocks
    assert check()
    ws.act_continue.trigger()
    finish(qtbot, tab)
    assert check()
    ws.act_undo.trigger()
    ws.act_undo.trigger()
    assert check()
    ed.setPlainText("")
    assert ed.word_count() == 0


def test_a_pause_in_typing_autosaves(qtbot, make_ws):
    ws, _ = make_ws([])
    ws._idle_autosave.setInterval(50)
    tab = put(ws, "", 0)
    qtbot.keyClicks(tab.editor, "draft ")  # (QTest aborts on non-Latin-1 key clicks)
    tab.editor.insertPlainText("草稿")
    qtbot.waitUntil(lambda: any(s.text == "draft 草稿" for s in storage.read_autosaves()), timeout=3000)


def test_empty_untitled_drafts_leave_no_autosave(make_ws):
    ws, _ = make_ws([])
    ws.autosave()
    assert storage.read_autosaves() == []
    assert not ws.has_autosave()


def test_word_count_after_many_scattered_edits(qtbot, make_ws):
    import random

    from studio.writing.words import count_words

    ws, _ = make_ws([])
    tab = put(ws, "alpha beta\ngamma\n\ndelta epsilon zeta\n" * 20, 0)
    ed = tab.editor
    rng = random.Random(4)
    for step in range(120):
        size = ed.buffer.size()
        a = rng.randint(0, size)
        b = min(size, a + rng.choice([0, 0, 1, 3, 12, 40]))
        cur = ed.textCursor()
        cur.setPosition(a)
        cur.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        cur.insertText(rng.choice(["", "x", " new words ", "\n", "p q\n\nr", "词"]))
        if step % 7 == 0:  # counts read at random moments, as the debounced label does
            assert ed.word_count() == count_words(ed.toPlainText())
    assert ed.word_count() == count_words(ed.toPlainText())
