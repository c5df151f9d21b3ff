"""Customers' personal data kept no longer than needed: closed returns are anonymised after the
retention (RETURNHUB_PERSONAL_DATA_DAYS, 180 days after closing by default), and a merchant can erase one
customer's data by e-mail address. The return, its lines, decisions and the dashboard figures stay;
the timeline records that data was removed, never the data."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, null, select, update
from sqlalchemy.orm import Session

from hub import clock
from hub.db import Connection, ReturnEvent, ReturnLine, ReturnRow
from hub.model.enums import FINAL_STATES

BATCH = 500


def _anonymise(session: Session, return_ids: list[int], actor: str, detail: str) -> int:
    """Remove the personal data of ``return_ids`` and add one timeline event to each."""
    if not return_ids:
        return 0
    now = clock.now()
    states = dict(session.execute(select(ReturnRow.id, ReturnRow.state).where(ReturnRow.id.in_(return_ids))).all())
    session.execute(update(ReturnRow).where(ReturnRow.id.in_(return_ids)).values(
        customer=null(), search_name=None, invoice_address=null(), raw={}, anonymised_at=now, updated_at=now),
        execution_options={"synchronize_session": False})
    session.execute(update(ReturnLine).where(ReturnLine.return_id.in_(return_ids)).values(
        customer_comment=None, raw={}), execution_options={"synchronize_session": False})
    session.execute(insert(ReturnEvent), [
        {"return_id": rid, "at": now, "from_state": state, "to_state": state, "actor": actor, "detail": detail}
        for rid, state in states.items()])
    return len(states)


def anonymise_closed(hub, days: int | None = None) -> int:
    """Anonymise returns closed (pushed or closed without push) more than ``days`` ago; their count."""
    days = hub.config.personal_data_days if days is None else days
    cutoff = clock.now() - timedelta(days=days)
    total = 0
    while True:
        with hub.session() as s:
            ids = list(s.scalars(select(ReturnRow.id).where(
                ReturnRow.anonymised_at.is_(None), ReturnRow.state.in_([st.value for st in FINAL_STATES]),
                ReturnRow.updated_at < cutoff).order_by(ReturnRow.id).limit(BATCH)))
            done = _anonymise(s, ids, "retention", f"personal data removed: closed more than {days} days ago")
        total += done
        if len(ids) < BATCH:
            return total


def erase_customer(hub, merchant_id: int, email: str, actor: str) -> int:
    """Erase the personal data of every return of ``merchant_id`` whose customer has ``email`` (any case);
    the number of returns changed. The e-mail address itself is not stored or logged."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 320:
        raise ValueError("Enter the customer's e-mail address.")
    total = 0
    with hub.session() as s:
        ids = list(s.scalars(
            select(ReturnRow.id).join(Connection, Connection.id == ReturnRow.connection_id)
            .where(Connection.merchant_id == merchant_id, ReturnRow.customer.is_not(None),
                   func.lower(ReturnRow.customer["email"].as_string()) == email)))
        for start in range(0, len(ids), BATCH):
            total += _anonymise(s, ids[start:start + BATCH], actor, "personal data erased at the customer's request")
    return total
