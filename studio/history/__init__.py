"""Generation history: a SQLite store (WAL, FTS5, migrations) with PNGs in the data folder.

Qt-free. ``record_result`` runs on the worker thread; the history pane reads through ``page``.
"""

from studio.history.records import (HistoryRecord, HistoryRow, Query, image_request_from_parameters,
                                    request_from_record)
from studio.history.store import HistoryStore, NewRecord

__all__ = ["HistoryRecord", "HistoryRow", "HistoryStore", "NewRecord", "Query",
           "image_request_from_parameters", "request_from_record", "record_result"]


def record_result(store, result):  # noqa: D103 - thin re-export that keeps exporters lazily imported
    from studio.history.recorder import record_result as _record

    return _record(store, result)
