"""Fetching per-return details (order lines, addresses) concurrently, within the connection's rate limit.

The calls run on a small thread pool (at most ``ctx.concurrency`` at once, the hub's worker
concurrency); each goes through the connection's client from ``ctx.http``, so the shared rate
limiter paces them all. Results come back in input order. A failing item becomes a
:class:`hub.model.Quarantined` (for the error types in ``quarantine``) or raises, as you choose::

    rows = fetch_details(self.ctx, summaries, lambda s: self.api_get(f"/returns/{s['id']}"),
                         external_id=lambda s: str(s["id"]))
    items = [r if isinstance(r, Quarantined) else self.map(r) for r in rows]
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.http import Redactor
from hub.model import Quarantined

DEFAULT_CONCURRENCY = 4

__all__ = ["fetch_details"]


def fetch_details(ctx, items: Sequence, fetch: Callable[[Any], Any], *,
                  external_id: Callable[[Any], str | None] | None = None,
                  quarantine: tuple[type[BaseException], ...] = (InvalidPayload, PermanentError),
                  concurrency: int | None = None) -> list:
    """``[fetch(item) for item in items]``, concurrently, in input order.

    An item whose fetch raises one of ``quarantine`` gives ``Quarantined(reason, raw=item,
    external_id=...)``; any other error (AuthError, TransientError, a bug) cancels what has not
    started and is raised, so the page is retried as a whole. ``quarantine=()`` raises every error.
    """
    limit = concurrency or getattr(ctx, "concurrency", None) or DEFAULT_CONCURRENCY
    if not items:
        return []
    results: list = [None] * len(items)

    def one(index: int) -> None:
        item = items[index]
        try:
            results[index] = fetch(item)
        except quarantine as exc:
            reason = Redactor.redact(str(exc) or type(exc).__name__)
            results[index] = Quarantined(reason=reason, raw=item,
                                         external_id=external_id(item) if external_id else None)

    with ThreadPoolExecutor(max_workers=max(1, min(limit, len(items))), thread_name_prefix="details") as pool:
        futures = [pool.submit(one, i) for i in range(len(items))]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f.done() and f.exception() is not None), None)
        if failed is not None:
            for future in pending:
                future.cancel()
            raise failed.exception()
    return results
