"""A batch job's threads each hold a database session at once; the pool keeps that many connections,
so a second batch reuses them instead of opening (and closing) overflow connections per return."""
from __future__ import annotations

import threading

from sqlalchemy import event, text

from hub.db.session import Database


def _hold_all_at_once(db: Database, threads: int) -> None:
    barrier = threading.Barrier(threads)

    def work():
        with db.session() as s:
            s.execute(text("SELECT 1"))
            barrier.wait(timeout=60)  # every thread holds its connection at the same moment

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_a_batchs_threads_reuse_pooled_connections(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/pool.db", threads=16)
    opened = []
    event.listen(db.engine, "connect", lambda *_: opened.append(1))
    _hold_all_at_once(db, 16)
    first = len(opened)
    assert first == 16
    _hold_all_at_once(db, 16)
    assert len(opened) == first, "the second batch opened new connections: the pool let them go"
    db.dispose()
