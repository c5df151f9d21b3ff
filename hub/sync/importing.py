"""Storing a fetched page: valid returns are inserted once, invalid items quarantined with their reason."""
from __future__ import annotations

import json
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.db import QuarantinedItem, ReturnRow
from hub.model import Page, Quarantined, load_return
from hub.sync.records import new_row
from hub.sync.registering import keep_registered
from hub.sync.state import record_creation


@dataclass
class ImportResult:
    new: int = 0
    known: int = 0
    quarantined: int = 0


def _reason(exc: ValidationError) -> str:
    return "invalid return: " + json.dumps(exc.messages, sort_keys=True, default=str)


def _jsonable(raw):
    try:
        return json.loads(json.dumps(raw, default=str))
    except (TypeError, ValueError):
        return repr(raw)


def import_page(hub, connection_id: int, page: Page, actor: str) -> ImportResult:
    """Insert the page's new returns; an already known external id is left as it is (idempotent), and so is
    one the merchant registered by hand before (``hub.sync.registering.keep_registered``)."""
    result = ImportResult()
    valid, bad = [], []
    for item in page.items:
        if isinstance(item, Quarantined):
            bad.append((item.external_id, item.reason, item.raw))
            continue
        try:
            valid.append(load_return(item))
        except ValidationError as exc:
            external_id = item.get("external_id") if isinstance(item, dict) else None
            bad.append((str(external_id) if external_id is not None else None, _reason(exc), item))
    seen = set()
    unique = []
    for ret in valid:
        if ret.external_id not in seen:
            seen.add(ret.external_id)
            unique.append(ret)
    with hub.session() as s:
        for external_id, reason, raw in _not_yet_quarantined(s, connection_id, bad):
            s.add(QuarantinedItem(connection_id=connection_id, external_id=external_id, reason=reason, raw=raw))
        result.quarantined = len(bad)
        known = set(s.scalars(select(ReturnRow.external_id).where(
            ReturnRow.connection_id == connection_id,
            ReturnRow.external_id.in_([r.external_id for r in unique]))))
    fresh = [r for r in unique if r.external_id not in known]
    if fresh:  # a return the merchant registered by hand before the marketplace reported it: kept once
        with hub.session() as s:
            known |= keep_registered(s, connection_id, fresh, actor)
        fresh = [r for r in fresh if r.external_id not in known]
    result.known = len(unique) - len(fresh)
    try:
        with hub.session() as s:
            _insert(s, connection_id, fresh, actor)
        result.new = len(fresh)
    except IntegrityError:  # another poller inserted some of them meanwhile: go one by one
        for ret in fresh:
            try:
                with hub.session() as s:
                    _insert(s, connection_id, [ret], actor)
                result.new += 1
            except IntegrityError:
                result.known += 1
    return result


def _not_yet_quarantined(session, connection_id: int, bad) -> list[tuple]:
    """The bad items no unresolved quarantine row holds yet (same external id and reason; same raw
    when there is no id): a marketplace listing the same broken item on every poll (bol's list of
    unhandled returns) has it quarantined once, not once per poll."""
    ids = {external_id for external_id, _, _ in bad if external_id is not None}
    reasons = {reason for external_id, reason, _ in bad if external_id is None}
    held = set()
    if ids:
        held |= set(session.execute(select(QuarantinedItem.external_id, QuarantinedItem.reason).where(
            QuarantinedItem.connection_id == connection_id, QuarantinedItem.resolved_at.is_(None),
            QuarantinedItem.external_id.in_(ids))).all())
    if reasons:
        held |= {(None, reason, json.dumps(raw, sort_keys=True)) for reason, raw in session.execute(
            select(QuarantinedItem.reason, QuarantinedItem.raw).where(
                QuarantinedItem.connection_id == connection_id, QuarantinedItem.resolved_at.is_(None),
                QuarantinedItem.external_id.is_(None), QuarantinedItem.reason.in_(reasons)))}
    fresh = []
    for external_id, reason, raw in bad:
        raw = _jsonable(raw)
        key = (external_id, reason) if external_id is not None else (None, reason, json.dumps(raw, sort_keys=True))
        if key not in held:
            held.add(key)
            fresh.append((external_id, reason, raw))
    return fresh


def _insert(session, connection_id: int, returns, actor: str) -> None:
    rows = [new_row(connection_id, ret) for ret in returns]
    session.add_all(rows)
    session.flush()
    for row in rows:
        record_creation(session, row, actor, "fetched from the marketplace")
