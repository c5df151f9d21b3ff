"""The returns overview's filters, search, sorting and keyset cursor, shared by the page and the CSV export.

Everything is scoped to one merchant through their connection ids; a page is read with a keyset
condition on (sort value, id), never OFFSET, so page 2,000 costs what page 1 does.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import selectinload

from hub.db import Connection, ReturnLine, ReturnRow
from hub.model import Decision, State
from hub.model.enums import ACTION_PENDING_STATES
from hub.model.reasons import Reason

# name -> (label, column or None for id only, descending)
SORTS = {
    "newest": (lazy_gettext("Newest first"), None, True),
    "oldest": (lazy_gettext("Oldest first"), None, False),
    "requested_desc": (lazy_gettext("Requested (latest)"), ReturnRow.requested_at, True),
    "requested_asc": (lazy_gettext("Requested (earliest)"), ReturnRow.requested_at, False),
    "order": (lazy_gettext("Order id"), ReturnRow.marketplace_order_id, False),
    "updated": (lazy_gettext("Last change"), ReturnRow.updated_at, True),
}


DATETIME_SORT_KEYS = {"requested_at", "updated_at"}
SEARCH_PINNED = 1000  # a search within ids and names that matches at most this many returns lists their ids


class FilterError(ValueError):
    """A filter value that cannot be understood; shown to the merchant, the page falls back."""


@dataclass
class Filters:
    state: str | None = None
    decision: str | None = None
    reason: str | None = None
    marketplace: str | None = None
    connection: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    action: bool = False  # only returns waiting for the merchant's action outside Returnhub
    sort: str = "newest"
    after: str | None = None
    errors: list[str] = field(default_factory=list)
    search_clause: Any = None  # set by resolve_search(): the exact or the broad search
    reason_clause: Any = None  # set by the view: the canonical reason of a line (hub.web.reasons_query)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read the query string; a bad value is dropped with a message instead of failing the page."""
        f = cls(q=(args.get("q") or "").strip()[:200], after=args.get("after") or None)
        state = args.get("state") or None
        if state and state not in State._value2member_map_:
            f.errors.append(gettext("Unknown state “%(value)s”.", value=state))
        else:
            f.state = state
        decision = args.get("decision") or None
        if decision and decision != "none" and decision not in Decision._value2member_map_:
            f.errors.append(gettext("Unknown decision “%(value)s”.", value=decision))
        else:
            f.decision = decision
        reason = args.get("reason") or None
        if reason and reason not in Reason._value2member_map_:
            f.errors.append(gettext("Unknown reason “%(value)s”.", value=reason))
        else:
            f.reason = reason
        f.marketplace = args.get("marketplace") or None
        f.action = (args.get("action") or "") in ("1", "true", "on")
        connection = args.get("connection") or None
        if connection:
            try:
                f.connection = int(connection)
            except ValueError:
                f.errors.append(gettext("Connection must be a number."))
        for name in ("date_from", "date_to"):
            raw = args.get(name) or None
            if raw:
                try:
                    setattr(f, name, date.fromisoformat(raw))
                except ValueError:
                    f.errors.append(gettext("“%(value)s” is not a date (use YYYY-MM-DD).", value=raw))
        sort = args.get("sort") or "newest"
        if sort not in SORTS:
            f.errors.append(gettext("Unknown sort “%(value)s”.", value=sort))
        else:
            f.sort = sort
        return f

    def args(self, **changes) -> dict:
        """The filters as query arguments (for links), without the cursor unless given."""
        values = {"state": self.state, "decision": self.decision, "reason": self.reason,
                  "marketplace": self.marketplace,
                  "connection": self.connection, "date_from": self.date_from and self.date_from.isoformat(),
                  "date_to": self.date_to and self.date_to.isoformat(), "q": self.q or None,
                  "action": "1" if self.action else None,
                  "sort": None if self.sort == "newest" else self.sort}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        """Any filter besides the state tab."""
        return bool(self.decision or self.reason or self.marketplace or self.connection or self.date_from
                    or self.date_to or self.q or self.action)


def merchant_connections(session, merchant_id: int) -> list[Connection]:
    return list(session.scalars(select(Connection).where(Connection.merchant_id == merchant_id)
                                .order_by(Connection.name)))


def scoped(connection_ids: list[int], f: Filters, with_state: bool = True):
    """SELECT of the merchant's returns matching ``f`` (no order, no cursor)."""
    query = select(ReturnRow).where(ReturnRow.connection_id.in_(connection_ids or [-1]))
    if f.connection is not None:
        query = query.where(ReturnRow.connection_id == f.connection)
    if with_state and f.state:
        query = query.where(ReturnRow.state == f.state)
    if f.decision == "none":
        query = query.where(~ReturnRow.lines.any(ReturnLine.decision.is_not(None)))
    elif f.decision:
        query = query.where(ReturnRow.lines.any(ReturnLine.decision == f.decision))
    if f.action:
        query = query.where(requires_action())
    if f.reason and f.reason_clause is not None:
        query = query.where(ReturnRow.lines.any(f.reason_clause == f.reason))
    if f.date_from:
        query = query.where(ReturnRow.requested_at >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to:
        query = query.where(ReturnRow.requested_at < datetime.combine(f.date_to + timedelta(days=1), time(),
                                                                       UTC))
    if f.q:
        query = query.where(f.search_clause if f.search_clause is not None else broad_search(f.q))
    return query


def requires_action():
    """Returns waiting for the merchant's action outside Returnhub: a merchant action the plugin set, on a
    return the merchant has not decided yet (``ACTION_PENDING_STATES``)."""
    return and_(ReturnRow.merchant_action.is_not(None),
                ReturnRow.state.in_([s.value for s in ACTION_PENDING_STATES]))


def awaits_action(row: ReturnRow) -> bool:
    """One return as :func:`requires_action` reads it (the overview's badge, the API's ``requires_action``)."""
    return bool(row.merchant_action) and row.state in {s.value for s in ACTION_PENDING_STATES}


def action_count(session, connection_ids: list[int], f: Filters) -> int:
    """Returns of the chosen connections waiting for the merchant's action (the "Requires action" tab)."""
    ids = _chosen(connection_ids, f)
    return session.scalar(select(func.count()).select_from(ReturnRow).where(
        ReturnRow.connection_id.in_(ids or [-1]), requires_action())) or 0


def exact_search(q: str, connection_ids: list[int]):
    """Ids typed or pasted whole, each looked up in its own index (order id, return id, shop return id,
    EAN) and united, so neither database falls back to reading every return of the merchant."""
    ids = union_all(
        select(ReturnRow.id).where(ReturnRow.marketplace_order_id == q),
        select(ReturnRow.id).where(ReturnRow.connection_id.in_(connection_ids or [-1]), ReturnRow.external_id == q),
        select(ReturnRow.id).where(ReturnRow.shop_return_id == q),
        select(ReturnLine.return_id).where(ReturnLine.ean == q),
    )
    return ReturnRow.id.in_(ids)


def broad_search(q: str):
    """Part of an order id, return id or shop order id, or of the customer's name (case-insensitive).

    Every column it reads is in the index ix_return_search, so it can be answered from that index
    alone; the name is matched in ``search_name``, lower-cased when the return was written
    (``search_name_of``), the ids through the database's lower() as they are stored.
    """
    needle = q.lower()
    return or_(
        func.lower(ReturnRow.marketplace_order_id).contains(needle, autoescape=True),
        func.lower(ReturnRow.external_id).contains(needle, autoescape=True),
        func.lower(ReturnRow.shop_order_id).contains(needle, autoescape=True),
        ReturnRow.search_name.contains(needle, autoescape=True),
    )


def resolve_search(session, connection_ids: list[int], f: Filters) -> None:
    """Search whole ids first (fast, from indexes); only when none matches, search within ids and names.

    The search within first reads the matching ids, unordered: from the connections' part of
    ix_return_search, never their returns, and at most SEARCH_PINNED + 1. If that is all of them, the
    page reads them by id; if the search matches more (a common name), the page's keyset query finds
    a page of them soon, walking newest first. Left to itself, either database guesses from a short
    term that it matches often and walks every return newest first even when it matches few or none
    (PostgreSQL: 1.1 s for 'zzz' over 1M returns; SQLite for a merchant with one connection).
    """
    if not f.q:
        return
    exact = exact_search(f.q, connection_ids)
    hit = session.scalar(select(ReturnRow.id).where(ReturnRow.connection_id.in_(connection_ids or [-1]), exact)
                         .limit(1))
    if hit is not None:
        f.search_clause = exact
        return
    broad = broad_search(f.q)
    found = list(session.scalars(select(ReturnRow.id).where(
        ReturnRow.connection_id.in_(_chosen(connection_ids, f) or [-1]), broad).limit(SEARCH_PINNED + 1)))
    f.search_clause = ReturnRow.id.in_(found) if len(found) <= SEARCH_PINNED else broad


def _chosen(connection_ids: list[int], f: Filters) -> list[int]:
    """The connections the filter reads: the chosen one, else all given."""
    return [f.connection] if f.connection is not None and f.connection in connection_ids else connection_ids


def marketplace_connection_ids(connections: list[Connection], f: Filters) -> list[int]:
    """The merchant's connection ids, narrowed to the chosen marketplace."""
    return [c.id for c in connections if not f.marketplace or c.marketplace == f.marketplace]


def _encode(value, row_id: int) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    return base64.urlsafe_b64encode(json.dumps([value, row_id]).encode()).decode().rstrip("=")


def _decode(cursor: str, column):
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        row_id = int(row_id)
        if column is not None and column.key in DATETIME_SORT_KEYS:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("naive time")
        elif column is not None and not isinstance(value, str):
            raise ValueError("not a text value")
        return value, row_id
    except (ValueError, TypeError, json.JSONDecodeError, NotImplementedError):
        raise FilterError(gettext("That page link is no longer valid; showing the first page.")) from None


def ordered(query, f: Filters, cursor: str | None):
    """``query`` ordered by ``f.sort``, continued after ``cursor``."""
    _label, column, desc = SORTS[f.sort]
    keys = [ReturnRow.id] if column is None else [column, ReturnRow.id]
    query = query.order_by(*[k.desc() if desc else k.asc() for k in keys])
    if cursor:
        value, row_id = _decode(cursor, column)
        after_id = ReturnRow.id < row_id if desc else ReturnRow.id > row_id
        if column is None:
            query = query.where(after_id)
        else:
            beyond = column < value if desc else column > value
            query = query.where(or_(beyond, and_(column == value, after_id)))
    return query


def page(session, connection_ids: list[int], f: Filters, size: int):
    """One page of rows (lines and connection loaded) and the cursor of the next page or None.

    The page's keys (id, and the sort value) are read first, from an index where the filter allows
    it, then only those rows: a filter or search answered from the indexes (a decision, a state, a
    name) no longer reads and sorts every row of the merchant to keep 51 of them. The cursor is made
    from the keys the keyset read, so a row changed in between cannot shift the next page.
    """
    column = SORTS[f.sort][1]
    keyset = ordered(scoped(connection_ids, f), f, f.after).limit(size + 1)
    keys = session.execute(keyset.with_only_columns(ReturnRow.id, *([column] if column is not None else []))).all()
    more, keys = len(keys) > size, keys[:size]
    if not keys:
        return [], None
    found = {row.id: row for row in session.scalars(
        select(ReturnRow).where(ReturnRow.id.in_([key[0] for key in keys]))
        .options(selectinload(ReturnRow.lines), selectinload(ReturnRow.connection)))}
    rows = [found[key[0]] for key in keys if key[0] in found]
    last = keys[-1]
    return rows, (_encode(last[1] if column is not None else None, last[0]) if more else None)


def state_counts(session, connection_ids: list[int], f: Filters) -> dict[str, int]:
    """Returns per state of the chosen connections (the tab counts; answered from the state index)."""
    ids = _chosen(connection_ids, f)
    return dict(session.execute(select(ReturnRow.state, func.count()).where(ReturnRow.connection_id.in_(ids or [-1]))
                                .group_by(ReturnRow.state)).all())
