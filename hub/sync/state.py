"""The state machine: which transitions exist, and the one function that makes them.

A transition is a conditional UPDATE (``WHERE state = <from>``) plus a ReturnEvent row in the same
transaction, so running a step twice changes nothing the second time.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from hub import clock
from hub.db import ReturnEvent, ReturnRow
from hub.model import State
from hub.stats import deltas as stats
from hub.sync import pipeline
from hub.webhooks_out import outbox

ALLOWED: dict[State | None, set[State]] = pipeline.allowed()  # read from the step table, never written here


_TABLE = ReturnRow.__table__
_EVENT_INSERT = insert(ReturnEvent.__table__)


@lru_cache(maxsize=64)
def _update_statement(columns: tuple[str, ...], with_claim: bool):
    """The conditional UPDATE of a transition, built once per set of columns (Core, no ORM overhead)."""
    conditions = [_TABLE.c.id == bindparam("_id"), _TABLE.c.state == bindparam("_from")]
    if with_claim:
        conditions.append(_TABLE.c.claim_token == bindparam("_claim"))
    names = ("state", "updated_at", *columns)
    return update(_TABLE).where(*conditions).values({name: bindparam(name, type_=_TABLE.c[name].type) for name in names})


class IllegalTransition(Exception):
    """A step asked for a transition the state machine does not have (a bug, not bad data)."""


def transition(session: Session, row: ReturnRow, to: State, actor: str, detail: str | None = None,
               claim: str | None = None, **values) -> bool:
    """Move ``row`` to ``to`` if it is still in the state it was read in; False when someone else did.

    ``claim``, when given, must still be the row's claim token (the caller's lease). ``values`` are
    further columns set in the same UPDATE. The event and the post-commit plugin notification are
    recorded only when the row really changed.
    """
    current = State(row.state)
    if to not in ALLOWED.get(current, ()):
        raise IllegalTransition(f"return {row.id}: {current} -> {to} is not a transition")
    now = clock.now()
    connection = session.connection()
    result = connection.execute(_update_statement(tuple(sorted(values)), claim is not None), {
        "_id": row.id, "_from": current.value, "_claim": claim, "state": to.value, "updated_at": now, **values})
    if result.rowcount != 1:
        return False
    connection.execute(_EVENT_INSERT, {"return_id": row.id, "at": now, "from_state": current.value,
                                       "to_state": to.value, "actor": actor, "detail": detail})
    if "decided_at" in values:
        stats.count_decision(session, row, row.decided_at, values["decided_at"])  # written at commit, batched
    row.state = to.value
    for key, value in values.items():
        setattr(row, key, value)
    outbox.record(session, row, current.value, to.value, actor, detail, now)  # webhook event, same transaction
    session.info.setdefault("transitions", []).append(
        (row.id, {"from_state": current.value, "to_state": to.value, "actor": actor,
                  "detail": detail, "at": now}))
    return True


def record_note(session: Session, row: ReturnRow, actor: str, detail: str) -> None:
    """A timeline event that changes no state (the shop acknowledged the return, say)."""
    session.add(ReturnEvent(return_id=row.id, at=clock.now(), from_state=row.state, to_state=row.state,
                            actor=actor, detail=detail))


def record_creation(session: Session, row: ReturnRow, actor: str, detail: str | None = None) -> None:
    """The first event of a return: it was received from the marketplace."""
    now = clock.now()
    session.add(ReturnEvent(return_id=row.id, at=now, from_state=None, to_state=State.RECEIVED.value,
                            actor=actor, detail=detail))
    outbox.record(session, row, None, State.RECEIVED.value, actor, detail, now)
    stats.count_return(session, row)  # the dashboard's figures, written at commit with the batch's others
