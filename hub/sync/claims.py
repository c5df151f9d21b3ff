"""Claims and failure handling: one worker at a time per return, bounded retries, never a loop.

A claim is a lease on return rows taken by one conditional UPDATE per batch, so two workers
running the same job at once cannot both call a platform for the same return. While its worker
lives, :func:`heartbeat` renews the lease, so it can be short: a killed worker's returns are free
again within ``claim_seconds``. Every claim counts an attempt; a return whose attempts run out
(including by a worker dying mid-call) lands in needs_attention.
"""
from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from hub import clock
from hub.db import Connection, ReturnRow
from hub.errors import AuthError, HubError, TransientError
from hub.http import Redactor
from hub.model import State
from hub.sync.state import transition

log = logging.getLogger(__name__)


def now() -> datetime:
    """Aware UTC now, read through the injectable clock."""
    return clock.now()


def claim_many(hub, ids: list[int], states: list[State]) -> tuple[str, list[ReturnRow]]:
    """Lease every return of ``ids`` still in one of ``states``; the token and the rows (with lines).

    Rows past their attempts go to needs_attention instead of being handed out.
    """
    token = uuid.uuid4().hex
    moment = now()
    with hub.session() as s:
        claimed = s.execute(
            update(ReturnRow)
            .where(ReturnRow.id.in_(ids), ReturnRow.state.in_([st.value for st in states]),
                   or_(ReturnRow.claimed_until.is_(None), ReturnRow.claimed_until < moment))
            .values(claim_token=token, claimed_until=moment + timedelta(seconds=hub.config.claim_seconds),
                    attempts=ReturnRow.attempts + 1)
            .returning(ReturnRow.id, ReturnRow.attempts)
            .execution_options(synchronize_session=False)).all()
        if not claimed:
            return token, []
        rows = list(s.scalars(select(ReturnRow).where(ReturnRow.id.in_([c.id for c in claimed]))
                              .options(selectinload(ReturnRow.lines)).order_by(ReturnRow.id)))
        ready = []
        for row in rows:
            if row.attempts > hub.config.max_attempts:
                reason = row.last_error or "the worker stopped while handling it"
                transition(s, row, State.NEEDS_ATTENTION, "system",
                           f"gave up after {hub.config.max_attempts} attempts; last error: {reason}",
                           attention_reason=reason, resume_state=row.state, claim_token=None, claimed_until=None)
            else:
                ready.append(row)
    return token, ready


def claim(hub, return_id: int, states: list[State]) -> str | None:
    """Lease one return (see claim_many); the token, or None if it is not ours to work."""
    token, rows = claim_many(hub, [return_id], states)
    return token if rows else None


def renew(hub, token: str, ids: list[int]) -> int:
    """Push the lease of the rows of ``ids`` still held under ``token`` to ``claim_seconds`` from now;
    how many were still held (finished and released rows, or rows taken over, are left alone)."""
    if not ids:
        return 0
    moment = now()
    with hub.session() as s:
        result = s.execute(
            update(ReturnRow).where(ReturnRow.id.in_(ids), ReturnRow.claim_token == token)
            .values(claimed_until=moment + timedelta(seconds=hub.config.claim_seconds))
            .execution_options(synchronize_session=False))
        return result.rowcount


@contextmanager
def heartbeat(hub, token: str, ids: list[int], every: float | None = None) -> Iterator[None]:
    """While the block runs, renew the lease of ``ids`` under ``token`` every ``every`` seconds
    (a third of ``claim_seconds`` by default) from a background thread; stops with the block.

    A worker that dies stops renewing, so its returns are free again within ``claim_seconds``.
    """
    interval = every if every is not None else max(hub.config.claim_seconds / 3, 0.1)
    stop = threading.Event()

    def beat():
        while not clock.wait(stop, interval):
            try:
                if renew(hub, token, ids) == 0:
                    return  # every row released (or taken over): nothing left to hold
            except Exception:  # a database hiccup: the next beat tries again, the lease still runs
                log.warning("claim %s: renewing the lease failed", token[:8], exc_info=True)

    thread = threading.Thread(target=beat, name=f"claim-heartbeat-{token[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def release(session, row: ReturnRow, token: str) -> bool:
    """Give the lease back (in the caller's transaction); False if it was no longer ours."""
    result = session.execute(
        update(ReturnRow).where(ReturnRow.id == row.id, ReturnRow.claim_token == token)
        .values(claim_token=None, claimed_until=None).execution_options(synchronize_session=False))
    return result.rowcount == 1


def retry_delay(hub, attempts: int, hint: float | None = None) -> float:
    """Exponential backoff with jitter, never shorter than the platform's Retry-After."""
    base = hub.config.retry_base_seconds * (2 ** max(attempts - 1, 0))
    return max(hint or 0.0, base * (0.5 + random.random() / 2))


def fail(hub, return_id: int, token: str, exc: BaseException, step: str) -> str:
    """Record a failed step on a claimed return; gives 'auth', 'retry' or 'attention'."""
    message = Redactor.redact(f"{step}: {exc}" if str(exc) else f"{step}: {type(exc).__name__}")
    with hub.session() as s:
        row = s.get(ReturnRow, return_id)
        if row.claim_token != token:
            return "skipped"
        if isinstance(exc, AuthError):
            conn = s.get(Connection, row.connection_id)
            conn.status, conn.status_reason = "needs_reauth", message
            conn.last_error, conn.last_error_at = message, now()
            row.attempts = max(row.attempts - 1, 0)
            row.last_error = message
            release(s, row, token)
            return "auth"
        if isinstance(exc, TransientError) and row.attempts < hub.config.max_attempts:
            row.last_error = message
            row.next_attempt_at = now() + timedelta(seconds=retry_delay(hub, row.attempts, exc.retry_after))
            release(s, row, token)
            return "retry"
        log.warning("return %s needs attention: %s", return_id, message,
                    exc_info=exc if not isinstance(exc, HubError) else None)
        transition(s, row, State.NEEDS_ATTENTION, "system", message, attention_reason=message,
                   resume_state=row.state, last_error=message, claim_token=None, claimed_until=None)
        return "attention"
