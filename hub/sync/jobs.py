"""The RQ jobs. Each takes only ids, works a batch, and is safe to run twice or on two workers at once."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from hub import clock
from hub.connections import build_adapter
from hub.db import Connection, ReturnLine, ReturnRow, SyncCursor
from hub.db.upsert import insert_for
from hub.errors import AuthError
from hub.http import Redactor
from hub.model import State
from hub.runtime import current
from hub.sync import pipeline, queueing, spread
from hub.sync.claims import claim_many, heartbeat, release
from hub.sync.creating import create_one
from hub.sync.deciding import apply_decision_batch
from hub.sync.importing import import_page
from hub.sync.pipeline import Job
from hub.sync.pushing import push_one
from hub.sync.records import to_canonical

log = logging.getLogger(__name__)
MAX_PAGES_PER_JOB = 100


def _now() -> datetime:
    return clock.now()


def _active_connection(hub, connection_id: int) -> Connection | None:
    with hub.session() as s:
        conn = s.get(Connection, connection_id)
        if conn is None or not conn.active:
            return None
        s.expunge(conn)
        return conn


@contextmanager
def _adapter(hub, conn, kind):
    adapter = build_adapter(hub, conn, kind)
    try:
        yield adapter
    finally:
        adapter.close()


def _classes(hub, conn):
    """The connection's marketplace and shop adapter classes (None for a plugin that is not loaded)."""
    return hub.registry.marketplaces.get(conn.marketplace), hub.registry.shops.get(conn.shop)


def _connection_error(hub, connection_id: int, exc: Exception) -> None:
    with hub.session() as s:
        conn = s.get(Connection, connection_id)
        conn.last_error, conn.last_error_at = Redactor.redact(f"{type(exc).__name__}: {exc}"), _now()
        if isinstance(exc, AuthError):
            conn.status, conn.status_reason = "needs_reauth", Redactor.redact(str(exc))
    log.warning("connection %s: %s", connection_id, exc)


def _cursor(hub, connection_id: int, name: str) -> str | None:
    with hub.session() as s:
        row = s.get(SyncCursor, (connection_id, name))
        return row.value if row else None


def _save_cursor(session, connection_id: int, name: str, value: str | None) -> None:
    """Write a cursor in one upsert: two polls of a connection never polled before (a scheduled one
    and the reconciler's first, say) must both save, not fail on the second insert."""
    insert = insert_for(session.get_bind().dialect.name, SyncCursor)
    values = {"connection_id": connection_id, "name": name, "value": value, "updated_at": clock.now()}
    session.execute(insert.values(values).on_conflict_do_update(
        index_elements=["connection_id", "name"], set_={"value": value, "updated_at": values["updated_at"]}))


def _work(hub, ids: list[int], states, step) -> dict[str, int]:
    """Claim ``ids`` and run ``step(row, token)`` for each, ``concurrency`` at a time; stops on an auth error."""
    counts: dict[str, int] = {}
    stop = threading.Event()
    lock = threading.Lock()
    token, rows = claim_many(hub, ids, states)

    def run(row):
        if stop.is_set():
            release_one(hub, row, token)
            return
        outcome = step(row, token)
        with lock:
            counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "auth":
            stop.set()

    with heartbeat(hub, token, [row.id for row in rows]), \
            ThreadPoolExecutor(max_workers=max(1, min(hub.config.concurrency, len(rows) or 1))) as pool:
        list(pool.map(run, rows))
    return counts


def release_one(hub, row, token: str) -> None:
    with hub.session() as s:
        release(s, row, token)


def poll_marketplace(connection_id: int) -> dict:
    """Fetch new returns page by page from the cursor; store them; queue their creation in the shop."""
    hub = current()
    queueing.started(hub, Job.POLL_MARKETPLACE, connection_id)
    return _poll_marketplace(hub, connection_id)


def _poll_marketplace(hub, connection_id: int) -> dict:
    conn = _active_connection(hub, connection_id)
    if conn is None:
        return {"skipped": "connection inactive or returns switched off"}
    totals = {"new": 0, "known": 0, "quarantined": 0, "pages": 0}
    try:
        with _adapter(hub, conn, "marketplace") as marketplace:
            cursor = _cursor(hub, connection_id, "marketplace")
            for _ in range(MAX_PAGES_PER_JOB):
                page = marketplace.fetch_returns(cursor)
                result = import_page(hub, connection_id, page, f"marketplace:{conn.marketplace}")
                with hub.session() as s:
                    _save_cursor(s, connection_id, "marketplace", page.cursor)
                    row = s.get(Connection, connection_id)
                    row.last_poll_at, row.last_error, row.last_error_at = _now(), None, None
                cursor = page.cursor
                totals["pages"] += 1
                for key in ("new", "known", "quarantined"):
                    totals[key] += getattr(result, key)
                if result.new:
                    queueing.enqueue_next(hub, connection_id, [State.RECEIVED], *_classes(hub, conn))
                if not page.more:
                    break
            else:
                queueing.enqueue(hub, Job.POLL_MARKETPLACE, connection_id)
    except Exception as exc:
        _connection_error(hub, connection_id, exc)
        totals["error"] = Redactor.redact(str(exc))
    return totals


def _ready(moment: datetime) -> tuple:
    """The conditions of a return that may be worked now: not waiting for a retry, not leased."""
    return (or_(ReturnRow.next_attempt_at.is_(None), ReturnRow.next_attempt_at <= moment),
            or_(ReturnRow.claimed_until.is_(None), ReturnRow.claimed_until < moment))


def _due(model_filter, connection_id: int, limit: int, extra=()):
    return (select(ReturnRow.id)
            .where(ReturnRow.connection_id == connection_id, model_filter, *_ready(_now()), *extra)
            .order_by(ReturnRow.id).limit(limit))


def _selection(job: Job, states: list[State]):
    """The returns ``job`` works in ``states``; per-line pushing takes a return in the shop only for its
    decided, unpushed lines."""
    plain = [state.value for state in states if not (job == Job.PUSH_DECISIONS and state == State.IN_SHOP)]
    condition = ReturnRow.state.in_(plain)
    if len(plain) < len(states):
        unpushed = exists().where(ReturnLine.return_id == ReturnRow.id, ReturnLine.decision.is_not(None),
                                  ReturnLine.pushed_at.is_(None))
        condition = or_(condition, and_(ReturnRow.state == State.IN_SHOP.value, unpushed))
    return condition


def _run_batch(hub, kind: Job, conn, selection, states, adapter_kind: str, step) -> dict:
    """Claim a batch of due returns matching ``selection``, run ``step(adapter, row, token)`` on each
    concurrently, and queue the next batch while more are due."""
    with hub.session() as s:
        ids = list(s.scalars(_due(selection, conn.id, hub.config.batch_size)))
    if not ids:
        return {}
    with _adapter(hub, conn, adapter_kind) as adapter:
        counts = _work(hub, ids, states, lambda row, token: step(adapter, row, token))
    if len(ids) == hub.config.batch_size and "auth" not in counts:
        queueing.enqueue(hub, kind, conn.id)
    return counts


def create_in_shop(connection_id: int) -> dict:
    """Create a batch of received (or waiting) returns in the shop; requeue while more are due."""
    hub = current()
    queueing.started(hub, Job.CREATE_IN_SHOP, connection_id)
    conn = _active_connection(hub, connection_id)
    if conn is None:
        return {"skipped": "connection inactive or returns switched off"}
    marketplace_cls = hub.registry.marketplace(conn.marketplace)
    states = pipeline.claim_states(Job.CREATE_IN_SHOP, *pipeline.capabilities_of(*_classes(hub, conn)))
    return _run_batch(hub, Job.CREATE_IN_SHOP, conn, _selection(Job.CREATE_IN_SHOP, states), states, "shop",
                      lambda shop, row, token: create_one(hub, row, token, shop, marketplace_cls))


def poll_decisions(connection_id: int, shop_return_ids: list[str] | None = None) -> dict:
    """Read the merchant's decisions for open returns (or those a webhook named) and record them."""
    hub = current()
    if shop_return_ids is None:
        queueing.started(hub, Job.POLL_DECISIONS, connection_id)
    return _poll_decisions(hub, connection_id, shop_return_ids)


def _poll_decisions(hub, connection_id: int, shop_return_ids: list[str] | None = None) -> dict:
    conn = _active_connection(hub, connection_id)
    if conn is None:
        return {"skipped": "connection inactive or returns switched off"}
    marketplace_cls, shop_cls = hub.registry.marketplace(conn.marketplace), hub.registry.shop(conn.shop)
    if not pipeline.SHOP_POLLS(*pipeline.capabilities_of(marketplace_cls, shop_cls)):
        return {"skipped": "the shop reports its decisions itself (webhook or API); nothing to poll"}
    pushes, per_line = marketplace_cls.takes_decisions, marketplace_cls.pushes_per_line
    since = _cursor(hub, connection_id, "decisions")
    started_at = _now()
    decided = 0
    try:
        with _adapter(hub, conn, "shop") as shop:
            last_id = 0
            while True:
                with hub.session() as s:
                    query = (select(ReturnRow).where(ReturnRow.connection_id == connection_id,
                                                     ReturnRow.state == State.IN_SHOP.value,
                                                     ReturnRow.id > last_id)
                             .options(selectinload(ReturnRow.lines))
                             .order_by(ReturnRow.id).limit(hub.config.batch_size))
                    if shop_return_ids is not None:
                        query = query.where(ReturnRow.shop_return_id.in_(shop_return_ids))
                    rows = list(s.scalars(query))
                    batch = [to_canonical(row) for row in rows]
                if not batch:
                    break
                last_id = batch[-1].id
                since_dt = datetime.fromisoformat(since) if since else None
                decided += apply_decision_batch(hub, shop.fetch_decisions(batch, since_dt), f"shop:{conn.shop}", pushes,
                                                marketplace_cls=marketplace_cls)
                if len(batch) < hub.config.batch_size:
                    break
        if shop_return_ids is None:  # a webhook's read of named returns is not the schedule's full poll
            with hub.session() as s:
                _save_cursor(s, connection_id, "decisions", started_at.isoformat())
                s.get(Connection, connection_id).last_decision_poll_at = _now()
    except Exception as exc:
        _connection_error(hub, connection_id, exc)
        return {"decided": decided, "error": str(exc)}
    if decided or per_line:
        queueing.enqueue_next(hub, connection_id, [State.DECIDED, State.IN_SHOP] if decided else [State.IN_SHOP],
                              marketplace_cls, shop_cls, skip=Job.POLL_DECISIONS)
    return {"decided": decided}


def push_decisions(connection_id: int) -> dict:
    """Send a batch of decided returns (or decided lines) to the marketplace; requeue while more are due."""
    hub = current()
    queueing.started(hub, Job.PUSH_DECISIONS, connection_id)
    conn = _active_connection(hub, connection_id)
    if conn is None:
        return {"skipped": "connection inactive or returns switched off"}
    if not hub.registry.marketplace(conn.marketplace).takes_decisions:
        return {"skipped": "marketplace takes no decisions"}
    states = pipeline.claim_states(Job.PUSH_DECISIONS, *pipeline.capabilities_of(*_classes(hub, conn)))
    return _run_batch(hub, Job.PUSH_DECISIONS, conn, _selection(Job.PUSH_DECISIONS, states), states,
                      "marketplace", lambda marketplace, row, token: push_one(hub, row, token, marketplace))


def poll_group(kind: str, connection_ids: list[int]) -> dict:
    """Scheduled polls of several connections in one job (``RETURNHUB_POLL_GROUP``), one after another,
    each as its own job would run it; one failing does not stop the others. RQ's own cost of a job,
    about a third of a poll that finds nothing new, is paid once for the group."""
    hub = current()
    job = Job(kind)
    if job not in queueing.GROUPABLE:
        raise ValueError(f"{kind} jobs are not grouped")
    # All markers now, in one round trip, and not again per poll: a group killed midway leaves no marker
    # holding a connection back, and a run queued by a trigger while the group works keeps its marker.
    queueing.started(hub, job, *connection_ids)
    poll = _poll_decisions if job == Job.POLL_DECISIONS else _poll_marketplace
    errors = 0
    for connection_id in connection_ids:
        try:
            result = poll(hub, connection_id)
        except Exception as exc:  # what a poll does not record itself (a database error, say)
            log.exception("%s of connection %s failed in a group", kind, connection_id)
            _connection_error(hub, connection_id, exc)
            result = {"error": str(exc)}
        errors += "error" in result
    return {"polled": len(connection_ids), "errors": errors}


_ACTIVE = (Connection.returns_enabled.is_(True), Connection.status == "active")


def _active_ids(hub) -> list[int]:
    with hub.session() as s:
        return list(s.scalars(select(Connection.id).where(*_ACTIVE)))


def poll_all_marketplaces() -> dict:
    """Scheduled: queue a marketplace poll for every active connection."""
    hub = current()
    return {"queued": queueing.enqueue_all(hub, Job.POLL_MARKETPLACE, _active_ids(hub), group=hub.config.poll_group)}


def poll_all_decisions() -> dict:
    """Scheduled (every 5 minutes by default): queue a decision poll for every active connection whose
    shop is polled (a shop that reports its decisions by webhook or through the API is not)."""
    hub = current()
    with hub.session() as s:
        shops = s.execute(select(Connection.id, Connection.shop).where(*_ACTIVE)).all()
    ids = [cid for cid, shop in shops if getattr(hub.registry.shops.get(shop), "polls_decisions", False)]
    return {"queued": queueing.enqueue_all(hub, Job.POLL_DECISIONS, sorted(ids), group=hub.config.poll_group)}


def _due_connections(hub, column, interval: int, shop_polls: bool = False) -> list[int]:
    """The active connections whose spread period (``hub.sync.spread``) began since their last poll in
    ``column`` or their last error, whichever is later (a failing platform is not asked more often)."""
    moment = _now()
    with hub.session() as s:
        rows = s.execute(select(Connection.id, Connection.shop, column, Connection.last_error_at)
                         .where(*_ACTIVE).order_by(Connection.id)).all()
    due = []
    for cid, shop, last, error_at in rows:
        if shop_polls and not getattr(hub.registry.shops.get(shop), "polls_decisions", False):
            continue
        if spread.is_due(cid, max(last, error_at) if last and error_at else last, moment, interval):
            due.append(cid)
    return due


def poll_due_marketplaces() -> dict:
    """Scheduled every tenth of the poll interval: queue the marketplace polls that fell due (each
    connection once per ``poll_interval``, spread over it: see ``hub.sync.spread``)."""
    hub = current()
    due = _due_connections(hub, Connection.last_poll_at, hub.config.poll_interval)
    return {"due": len(due),
            "queued": queueing.enqueue_all(hub, Job.POLL_MARKETPLACE, due, group=hub.config.poll_group)}


def poll_due_decisions() -> dict:
    """Scheduled every tenth of the decision interval: queue the decision polls that fell due, for
    connections whose shop is polled (each once per ``decision_interval``, spread over it)."""
    hub = current()
    due = _due_connections(hub, Connection.last_decision_poll_at, hub.config.decision_interval, shop_polls=True)
    return {"due": len(due),
            "queued": queueing.enqueue_all(hub, Job.POLL_DECISIONS, due, group=hub.config.poll_group)}


def refresh_statistics() -> dict:
    """Scheduled every few hours: the database planner's statistics (see ``hub.db.statistics``)."""
    from hub.db import statistics
    return {"analyzed": statistics.refresh(current().db.engine)}


def reconcile() -> dict:
    """Scheduled every 30 s: rebuild pending work from the database (after a Redis loss, a crash).

    Every job the step table says returns wait for (and that no schedule queues) is queued when a
    return waits for it; a connection never polled gets its first marketplace poll. One query per
    job and set of states finds the connections with due returns (``ix_return_state_connection``),
    so a run costs a few statements and reads the returns in those states, not every connection's
    or every return.
    """
    hub = current()
    moment = _now()
    with hub.session() as s:
        connections = s.execute(select(Connection.id, Connection.marketplace, Connection.shop,
                                       Connection.last_poll_at).where(*_ACTIVE).order_by(Connection.id)).all()
        waiting_by_pair: dict[tuple[str, str], dict[Job, list[State]]] = {}
        waiting: dict[tuple[Job, tuple[State, ...]], set[int]] = {}
        for conn in connections:
            pair = (conn.marketplace, conn.shop)
            if pair not in waiting_by_pair:
                classes = hub.registry.marketplaces.get(conn.marketplace), hub.registry.shops.get(conn.shop)
                waiting_by_pair[pair] = pipeline.reconciled_jobs(*pipeline.capabilities_of(*classes))
            for job, states in waiting_by_pair[pair].items():
                waiting.setdefault((job, tuple(states)), set()).add(conn.id)
        due: dict[int, list[Job]] = {}
        for (job, states), ids in waiting.items():
            found = s.scalars(select(ReturnRow.connection_id).distinct()
                              .where(_selection(job, list(states)), *_ready(moment)))
            for cid in found:
                if cid in ids:
                    due.setdefault(cid, []).append(job)
    order = list(Job).index
    queued = 0
    for conn in connections:
        jobs = sorted(due.get(conn.id, []), key=order)
        if conn.last_poll_at is None:
            jobs.append(Job.POLL_MARKETPLACE)
        queued += sum(1 for job in jobs if queueing.enqueue(hub, job, conn.id))
    return {"queued": queued}
