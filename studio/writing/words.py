"""Word counting that also works for Chinese/Japanese (each ideograph counts as a word)."""

from __future__ import annotations

import re

# CJK ideographs, kana and Hangul syllables count one each; other words are runs of letters/digits.
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def count_words(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))
