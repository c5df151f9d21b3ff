"""The incremental cursor: the default way for ``fetch_returns`` to ask only for what changed.

What the cursor means between polls: the core stores the string ``Page.cursor`` after every page
and hands it back to the next ``fetch_returns`` call, in this poll or the next. An
:class:`IncrementalCursor` keeps in it

- ``mark``: the high-water mark, the newest created/updated time of the platform's returns fully
  read, never later than the signpost of the walk that read them;
- ``run``: the walk in progress: its window (``since``, ``until`` = the signpost, the time the walk
  began), the paging value of the next page, the newest time seen so far;
- ``seen``: the external ids (with their time) already handed over inside the overlap window.

A walk asks for ``since = mark - overlap`` up to ``until``; the overlap re-reads returns whose
timestamps arrived late or out of order, and ``seen`` drops those already handed over unless
they changed since. The mark moves only when a walk ends (pages may be unsorted), and never past
the signpost, so a return updated during a walk is read again by the next one, not skipped. A
crash mid-walk resumes at the stored page of the same window.

    def fetch_returns(self, cursor):
        cur = IncrementalCursor.load(cursor, overlap=timedelta(minutes=10), initial=timedelta(days=30))
        pager = OffsetPaginator(cur.page, limit=100)
        resp = self.api.get("/returns", params={"updated_from": iso(cur.since), **pager.params()})
        raise_for_status(resp)
        rows = resp.json()["data"]
        fresh = cur.fresh(rows, external_id=lambda r: str(r["id"]), updated=lambda r: r["ts_updated"])
        pager.advance(resp, rows)
        cur.advance(pager)
        return Page(items=[self.map(r) for r in fresh], cursor=cur.dump(), more=cur.more)
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from hub import clock
from hub.errors import PermanentError

VERSION = 1

__all__ = ["IncrementalCursor", "iso", "parse_time"]


def parse_time(value: Any) -> datetime:
    """An aware UTC datetime from a datetime, epoch seconds/milliseconds, or ISO 8601 text ('Z' allowed)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    elif isinstance(value, str) and value.strip():
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    else:
        raise ValueError(f"not a time: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """``2026-11-30T13:08:55Z`` (UTC, microseconds kept when present); None stays None."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


class IncrementalCursor:
    """A high-water mark on the platform's created/updated time with an overlap window and de-duplication.

    ``overlap`` is how far back each walk re-reads; ``initial`` is how far back the first walk reaches
    (None: from the beginning, ``since`` is None). See the module doc for the stored meaning.
    """

    def __init__(self, *, overlap: timedelta = timedelta(minutes=5), initial: timedelta | None = None):
        self.overlap, self.initial = overlap, initial
        self.mark: datetime | None = None
        self.run: dict | None = None
        self.seen: dict[str, str] = {}
        self.more = False

    # -- the string the core stores ------------------------------------------------------------
    @classmethod
    def load(cls, value: str | None, **options) -> IncrementalCursor:
        """The cursor stored by the core (None: the first poll); PermanentError if it is unreadable."""
        cur = cls(**options)
        if not value:
            return cur
        try:
            data = json.loads(value)
            if not isinstance(data, dict) or data.get("v") != VERSION:
                raise ValueError(f"version {data.get('v') if isinstance(data, dict) else None!r}")
            cur.mark = parse_time(data["mark"]) if data.get("mark") else None
            cur.run = data.get("run") or None
            cur.seen = {str(k): str(v) for k, v in (data.get("seen") or {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PermanentError(f"unreadable incremental cursor ({exc}): reset the connection's cursor") from exc
        return cur

    def dump(self) -> str:
        """Deterministic JSON for ``Page.cursor``."""
        return json.dumps({"v": VERSION, "mark": iso(self.mark), "run": self.run, "seen": self.seen},
                          sort_keys=True, separators=(",", ":"))

    # -- the window of this walk ---------------------------------------------------------------
    def _start_run(self) -> dict:
        if self.run is None:
            until = clock.now()
            if self.mark is not None:
                since = self.mark - self.overlap
            else:
                since = until - self.initial if self.initial is not None else None
            self.run = {"since": iso(since), "until": iso(until), "page": None, "max": None}
        return self.run

    @property
    def since(self) -> datetime | None:
        """Ask for returns created/updated at or after this (None: from the beginning)."""
        value = self._start_run()["since"]
        return parse_time(value) if value else None

    @property
    def until(self) -> datetime:
        """The signpost: the time this walk began; ask up to it if the API takes an upper bound."""
        return parse_time(self._start_run()["until"])

    @property
    def page(self) -> Any:
        """The paging value of the next page of this walk (None: its first page)."""
        return self._start_run()["page"]

    # -- reading a page ------------------------------------------------------------------------
    def fresh(self, items: Iterable, *, external_id: Callable[[Any], str], updated: Callable[[Any], Any]) -> list:
        """The items not yet handed over (new ids, or seen ids with a later time); records the newest time.

        An item whose time cannot be read is kept (never lost) but moves nothing.
        """
        run = self._start_run()
        out = []
        for item in items:
            key = str(external_id(item))
            try:
                moment = parse_time(updated(item))
            except (ValueError, TypeError):
                out.append(item)
                continue
            stamp = iso(moment)
            previous = self.seen.get(key)
            if previous is not None and parse_time(previous) >= moment:
                continue
            self.seen[key] = stamp
            if run["max"] is None or moment > parse_time(run["max"]):
                run["max"] = stamp
            out.append(item)
        return out

    def advance(self, paginator=None, *, next_page: Any = None, done: bool | None = None) -> None:
        """After a page: go on at the paginator's next value, or end the walk when it is finished.

        Without a paginator give ``next_page`` (None ends the walk) or ``done``.
        """
        if paginator is not None:
            done, next_page = paginator.finished, paginator.current_value
        elif done is None:
            done = next_page is None
        run = self._start_run()
        if done:
            self.finish()
        else:
            run["page"] = next_page
            self.more = True

    def finish(self) -> None:
        """End the walk: move the mark to the newest time read, capped at the signpost; prune ``seen``."""
        run = self._start_run()
        until = parse_time(run["until"])
        if run["max"] is not None:
            newest = min(parse_time(run["max"]), until)
            if self.mark is None or newest > self.mark:
                self.mark = newest
        self.run = None
        self.more = False
        if self.mark is not None:
            floor = self.mark - self.overlap
            self.seen = {k: v for k, v in self.seen.items() if parse_time(v) >= floor}
