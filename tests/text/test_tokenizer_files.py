"""tokenizer.json is parsed once per file and shared between the engine and the token counter."""

from __future__ import annotations

import os
import threading

from studio import tokenizer_files
from studio.engines.text.tokenizer import TextTokenizer
from studio.writing.budget import TokenCounter


def _write_tokenizer(folder):
    from tokenizers import Tokenizer, models, pre_tokenizers

    folder.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.WordLevel({"[UNK]": 0, "hello": 1, "世界": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(folder / "tokenizer.json"))
    return folder / "tokenizer.json"


def test_engine_and_counter_share_one_parse(tmp_path):
    path = _write_tokenizer(tmp_path / "m")
    engine = TextTokenizer(tmp_path / "m")
    counter = TokenCounter(tmp_path / "m")
    assert engine.tok is counter.tokenizer
    assert counter.count("hello 世界 hello") == 3


def test_a_changed_file_is_parsed_again(tmp_path):
    path = _write_tokenizer(tmp_path / "m")
    first = tokenizer_files.load(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert tokenizer_files.load(path) is not first


def test_two_threads_get_the_same_object_and_can_encode_at_once(tmp_path):
    path = _write_tokenizer(tmp_path / "m")
    got, errors = [], []

    def work():
        try:
            tok = tokenizer_files.load(path)
            got.append(tok)
            for _ in range(200):
                assert tok.encode("hello 世界").ids == [1, 2]
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({id(t) for t in got}) == 1
