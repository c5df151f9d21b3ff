"""Two polls of one connection may overlap (a scheduled poll and the reconciler's first, or a group
that cleared its markers): both save their cursor and neither fails, whatever the interleaving."""
from __future__ import annotations

import threading

from sqlalchemy import event

from hub.db import SyncCursor
from hub.sync import jobs


def test_two_polls_saving_a_first_cursor_at_once_both_succeed(hub, make_connection):
    cid = make_connection()
    meet = threading.Barrier(2, timeout=5)

    def after_execute(conn, cursor, statement, *args):
        # the worst interleaving: each poll has read "no cursor yet" before either writes one
        if statement.lstrip().upper().startswith("SELECT") and "sync_cursor" in statement:
            try:
                meet.wait()
            except threading.BrokenBarrierError:
                pass

    errors = []

    def save(value):
        try:
            with hub.session() as s:
                jobs._save_cursor(s, cid, "marketplace", value)
        except Exception as exc:  # the test reports whatever a save raised
            errors.append(exc)

    event.listen(hub.db.engine, "after_cursor_execute", after_execute)
    try:
        threads = [threading.Thread(target=save, args=(value,)) for value in ("page-1", "page-2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(hub.db.engine, "after_cursor_execute", after_execute)
    assert errors == []
    with hub.session() as s:
        assert s.get(SyncCursor, (cid, "marketplace")).value in ("page-1", "page-2")
