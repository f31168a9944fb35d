"""One parsed ``tokenizer.json`` per file, shared by the worker's text engine and the writing
workspace's token counter.

``tokenizers`` parses the file in Rust while holding the GIL (SmolLM2's 1.5 MB file: ~75 ms), so
every load is a UI hitch whichever thread does it. The writing workspace counts tokens at start,
so parsing each file once means the first text job loads its tokenizer for free. Shared objects
only get read-only calls (encode, decode, lookups), which take ``&self`` in the binding and are
safe from two threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

_KEEP = 4  # distinct tokenizer files kept parsed (a few MB each)
_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int, int], Any] = OrderedDict()


def load(path: str | Path) -> Any:
    """``tokenizers.Tokenizer`` for ``path``, parsed once per (file, mtime, size)."""
    from tokenizers import Tokenizer

    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    with _lock:  # a second thread asking for the same file waits instead of parsing it again
        tok = _cache.get(key)
        if tok is None:
            tok = Tokenizer.from_file(str(p))
            _cache[key] = tok
            while len(_cache) > _KEEP:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
        return tok
