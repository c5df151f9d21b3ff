"""The sync layer's one public door: what the web UI, the REST API and the CLI may do to the pipeline.

Retry a return, sync a connection now, record a shop's or the merchant's decisions, add a test
return, register a return by hand, take in a verified shop webhook, say what a return waits for, and run the worker or the
scheduler. Nothing outside ``hub.sync`` imports the other sync modules.
"""
from __future__ import annotations

from sqlalchemy import select

from hub.db import Connection, ReturnRow
from hub.model import LineDecision, Return, ReturnDecisions, State
from hub.sync import pipeline, queueing
from hub.sync.deciding import (
    MANUAL_STATES,
    DecisionError,
    RefusedDecision,
    allowed_decisions,
    apply_decision_batch,
    apply_decisions,
    check_decisions,
    decide_manually,
)
from hub.sync.pipeline import Job
from hub.sync.records import new_row
from hub.sync.registering import LineRequest, Registration, RegistrationError
from hub.sync.registering import register as _register
from hub.sync.state import record_creation, record_note, transition

__all__ = ["MANUAL_STATES", "DecisionError", "Job", "LineRequest", "RefusedDecision", "Registration",
           "RegistrationError", "add_test_return", "allowed_for", "build_scheduler", "decide_manually", "queue_next",
           "receive_webhook", "record_note", "reconcile_soon", "record_shop_decisions", "register_return",
           "registration_offered", "retry", "retry_many", "run_worker", "sync_now", "waiting_hint"]


def _classes(hub, marketplace: str, shop: str):
    return hub.registry.marketplaces.get(marketplace), hub.registry.shops.get(shop)


def retry(hub, return_id: int, actor: str) -> bool:
    """Send a return in needs_attention back to the step that failed, with a fresh set of attempts."""
    with hub.session() as s:
        row = s.get(ReturnRow, return_id)
        if row is None or row.state != State.NEEDS_ATTENTION.value:
            return False
        target = State(row.resume_state or State.RECEIVED.value)
        if target not in pipeline.BY_NAME["retry"].to_states:
            target = State.RECEIVED
        values = dict(attempts=0, next_attempt_at=None, attention_reason=None, claim_token=None,
                      claimed_until=None, resume_state=None)
        if target == State.WAITING_FOR_ORDER:
            values["waiting_since"] = None
        if not transition(s, row, target, actor, "retry requested", **values):
            return False
        connection_id, classes = row.connection_id, _classes(hub, row.connection.marketplace, row.connection.shop)
    queueing.enqueue_next(hub, connection_id, [target], *classes)
    return True


def retry_many(hub, return_ids: list[int], actor: str) -> int:
    """Bulk retry: send each listed return in needs_attention back to its failed step; how many were."""
    return sum(1 for return_id in dict.fromkeys(return_ids) if retry(hub, return_id, actor))


def sync_now(hub, connection_id: int) -> None:
    """Queue a marketplace poll and (for a shop that is polled) a decision poll for a connection right away."""
    with hub.session() as s:
        conn = s.get(Connection, connection_id)
        shop_cls = hub.registry.shops.get(conn.shop) if conn is not None else None
    queueing.enqueue(hub, Job.POLL_MARKETPLACE, connection_id)
    if shop_cls is not None and shop_cls.polls_decisions:
        queueing.enqueue(hub, Job.POLL_DECISIONS, connection_id)


def reconcile_soon(hub) -> None:
    """Queue the reconciler now (at start-up: rebuild pending work without waiting for the schedule)."""
    queueing.enqueue(hub, Job.RECONCILE)


def allowed_for(hub, marketplace: str) -> tuple:
    """The decisions a return of this marketplace may take (``hub.model.Decision`` members), checked at
    every entry: the API, the UI and a shop's report."""
    return allowed_decisions(hub.registry.marketplaces.get(marketplace))


def record_shop_decisions(hub, return_id: int, decisions: list[LineDecision], actor: str, note: str | None,
                          marketplace: str, shop: str, send: bool = True) -> bool:
    """Record decisions a shop reported for one return in the shop (the api shop through the REST API);
    with ``send`` false (a test return) they are recorded only. True when the return became decided.

    Raises ``RefusedDecision`` (nothing stored) for a decision the marketplace does not take.
    """
    marketplace_cls, shop_cls = _classes(hub, marketplace, shop)
    check_decisions(marketplace_cls, decisions)
    pushes = send and marketplace_cls is not None and marketplace_cls.takes_decisions
    decided = apply_decisions(hub, ReturnDecisions(return_id, decisions), actor, pushes, note, marketplace_cls)
    with hub.session() as s:
        connection_id = s.get(ReturnRow, return_id).connection_id
    if pushes:
        queueing.enqueue_next(hub, connection_id, [State.DECIDED] if decided else [State.IN_SHOP],
                              marketplace_cls, shop_cls, skip=Job.POLL_DECISIONS)
    return decided


def add_test_return(hub, session, connection_id: int, ret: Return, actor: str) -> ReturnRow:
    """Add a test return in ``session`` as if fetched from the marketplace; queue its creation with
    ``queue_next`` after the commit."""
    row = new_row(connection_id, ret)
    session.add(row)
    session.flush()
    record_creation(session, row, actor, "test return created through the API")
    return row


def registration_offered(hub, marketplace: str) -> bool:
    """Whether a merchant may register a return by hand on a connection to this marketplace (it declares
    ``fetch_order``: the hub can read the order's lines to check what is registered)."""
    cls = hub.registry.marketplaces.get(marketplace)
    return cls is not None and cls.looks_up_orders


def register_return(hub, connection_id: int, registration: Registration, actor: str) -> int:
    """Register a return by hand on a connection of the caller's merchant (checked by the caller): the order is
    read from the marketplace, the lines and quantities checked, and the return enters the pipeline as
    received (then created in the shop, decided, pushed). Its id; ``RegistrationError`` creates nothing."""
    return _register(hub, connection_id, registration, actor)


def queue_next(hub, connection_id: int, state: State, marketplace: str, shop: str) -> None:
    """Queue the job a return now in ``state`` waits for (after add_test_return's commit, say)."""
    queueing.enqueue_next(hub, connection_id, [state], *_classes(hub, marketplace, shop))


def receive_webhook(hub, conn, result) -> dict:
    """Act on a verified, first-seen shop webhook (``hub.adapters.WebhookResult``) of an active connection.

    Decisions it carries are recorded at once (a webhook-only shop); otherwise the named returns are
    read with a decision poll, for a shop that is polled. Gives what was done.
    """
    marketplace_cls, shop_cls = _classes(hub, conn.marketplace, conn.shop)
    if result.decisions:
        with hub.session() as s:
            ids = dict(s.execute(select(ReturnRow.shop_return_id, ReturnRow.id).where(
                ReturnRow.connection_id == conn.id, ReturnRow.state == State.IN_SHOP.value,
                ReturnRow.shop_return_id.in_(list(result.decisions)))).all())
        reports = [ReturnDecisions(ids[shop_id], lines) for shop_id, lines in result.decisions.items()
                   if shop_id in ids]
        pushes = marketplace_cls is not None and marketplace_cls.takes_decisions
        decided = apply_decision_batch(hub, reports, f"shop:{conn.shop}", pushes, marketplace_cls=marketplace_cls)
        if reports:
            queueing.enqueue_next(hub, conn.id, [State.DECIDED, State.IN_SHOP] if decided else [State.IN_SHOP],
                                  marketplace_cls, shop_cls, skip=Job.POLL_DECISIONS)
        return {"decided": decided, "unknown": sorted(set(result.decisions) - set(ids))}
    if result.shop_return_ids and shop_cls is not None and shop_cls.polls_decisions:
        queueing.enqueue(hub, Job.POLL_DECISIONS, conn.id, shop_return_ids=list(result.shop_return_ids))
        return {"queued": True}
    return {}


def waiting_hint(hub, row: ReturnRow) -> str | None:
    """What the return waits for, from the step table ("Waiting to be sent to the marketplace.")."""
    classes = _classes(hub, row.connection.marketplace, row.connection.shop)
    return pipeline.hint(State(row.state), *pipeline.capabilities_of(*classes))


def run_worker(hub, burst: bool = False, fork: bool = False) -> bool:
    """Work the job queue (see ``hub.sync.worker``)."""
    from hub.sync.worker import run_worker as run
    return run(hub, burst=burst, fork=fork)


def build_scheduler(hub):
    """The cron scheduler with every schedule (see ``hub.sync.schedule``)."""
    from hub.sync.schedule import build_scheduler as build
    return build(hub)
