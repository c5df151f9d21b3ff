"""Flow helpers for plugin tests: run the hub's pipeline until it settles, find a return, decide in the
core's fake shop, see every return's state. Plugin tests use these instead of importing ``hub.db`` or
``hub.sync``, so they depend only on ``hub.testing`` and the public contract."""
from __future__ import annotations

import time as _time
from collections import Counter

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hub import clock
from hub.db import ReturnEvent, ReturnRow
from hub.model import Return
from hub.sync import jobs
from hub.sync.records import to_canonical
from hub.testing.fixtures import run_jobs


def states(hub, connection_id: int | None = None) -> dict[str, str]:
    """``{external_id: state}`` of every return (of one connection when given)."""
    query = select(ReturnRow.external_id, ReturnRow.state)
    if connection_id is not None:
        query = query.where(ReturnRow.connection_id == connection_id)
    with hub.session() as s:
        return dict(s.execute(query).all())


def overview(hub, connection_id: int | None = None) -> dict[str, int]:
    """How many returns are in each state: ``{"in_shop": 3, "closed": 1}``."""
    return dict(Counter(states(hub, connection_id).values()))


def find_return(hub, external_id: str, connection_id: int | None = None) -> Return | None:
    """The stored return as adapters see it (hub.model.Return, with ids, state and line decisions)."""
    query = select(ReturnRow).options(selectinload(ReturnRow.lines)).where(ReturnRow.external_id == external_id)
    if connection_id is not None:
        query = query.where(ReturnRow.connection_id == connection_id)
    with hub.session() as s:
        row = s.scalars(query).first()
        return to_canonical(row) if row is not None else None


def timeline(hub, external_id: str) -> list[str]:
    """The states a return went through (its events' ``to_state``), oldest first."""
    with hub.session() as s:
        return list(s.scalars(select(ReturnEvent.to_state).join(ReturnRow, ReturnEvent.return_id == ReturnRow.id)
                              .where(ReturnRow.external_id == external_id).order_by(ReturnEvent.id)))


def _fingerprint(hub, connection_id: int) -> tuple:
    with hub.session() as s:
        events = s.scalar(select(func.count()).select_from(ReturnEvent).join(
            ReturnRow, ReturnEvent.return_id == ReturnRow.id).where(ReturnRow.connection_id == connection_id))
    return tuple(sorted(states(hub, connection_id).items())), events


def settle(hub, connection_id: int, *, poll: bool = True, done=None, timeout: float = 30.0,
           quiet_rounds: int = 2) -> dict[str, str]:
    """Run what the scheduler runs (poll, reconcile, decision poll) and drain the queue, round after round,
    until ``done()`` holds (when given) and ``quiet_rounds`` rounds changed nothing. Retries come due as
    ``hub.clock`` moves (a fake clock is advanced between rounds). Gives :func:`states`."""
    deadline = _time.monotonic() + timeout  # a generous bound on real time, not a wait
    quiet, before = 0, _fingerprint(hub, connection_id)
    while True:
        if poll:
            jobs.poll_marketplace(connection_id)
        jobs.reconcile()
        run_jobs(hub)
        jobs.poll_decisions(connection_id)
        run_jobs(hub)
        after = _fingerprint(hub, connection_id)
        quiet = quiet + 1 if after == before else 0
        before = after
        if quiet >= quiet_rounds and (done is None or done()):
            return states(hub, connection_id)
        if _time.monotonic() > deadline:
            raise AssertionError(f"the pipeline did not settle within {timeout:g}s: {overview(hub, connection_id)}")
        clock.sleep(hub.config.retry_base_seconds)


def decide_in_fake_shop(hub, shop_url: str, external_id: str, lines: dict[str, tuple[str, int]]) -> None:
    """Play the merchant in the core's fake shop: ``{external_line_id: (decision, units)}`` for a stored return."""
    ret = find_return(hub, external_id)
    if ret is None or not ret.shop_return_id:
        raise AssertionError(f"return {external_id} is not in the shop yet: {states(hub)}")
    response = httpx.post(f"{shop_url}/_emulator/returns/{ret.shop_return_id}/decide",
                          json={"lines": {line: list(d) for line, d in lines.items()}}, timeout=10)
    response.raise_for_status()


def attention_reason(hub, external_id: str) -> str | None:
    """Why a return is in ``needs_attention`` (the reason the failed step recorded), else None."""
    return problems(hub, external_id)["attention_reason"]


def problems(hub, external_id: str) -> dict:
    """What the hub noted on a stored return beyond the canonical fields: ``state``, ``last_error``,
    ``attention_reason`` (None values when the return is not stored)."""
    with hub.session() as s:
        row = s.scalars(select(ReturnRow).where(ReturnRow.external_id == external_id)).first()
        return {"state": row.state if row else None, "last_error": row.last_error if row else None,
                "attention_reason": row.attention_reason if row else None}


def quarantined(hub, connection_id: int) -> dict:
    """``{external_id: reason}`` of the items a connection's polls quarantined (see ``polls.quarantine``)."""
    from hub.testing.polls import quarantine
    return {item["external_id"]: item["reason"] for item in quarantine(hub, connection_id)}


def connection_status(hub, connection_id: int) -> str | None:
    """A connection's status (``active``, ``needs_reauth``...), None when there is no such connection."""
    from hub.db import Connection
    with hub.session() as s:
        row = s.get(Connection, connection_id)
        return row.status if row else None


def connection_ids(hub, marketplace: str | None = None) -> list[int]:
    """The ids of the stored connections (of one marketplace plugin when given), oldest first."""
    from hub.db import Connection
    query = select(Connection.id).order_by(Connection.id)
    if marketplace is not None:
        query = query.where(Connection.marketplace == marketplace)
    with hub.session() as s:
        return list(s.scalars(query))
