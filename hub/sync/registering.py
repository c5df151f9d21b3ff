"""Registering a return by hand: the merchant names an order, lines and a reason; the marketplace's order
(``Marketplace.fetch_order``) is read to check them, and the return enters the pipeline as received.

Bad input creates nothing: an unknown order, a line the order does not have, a quantity above what was
ordered minus what earlier returns of that line hold, or a line an open return already holds (a duplicate)
raise :class:`RegistrationError` before anything is written.

A return the marketplace reports later for the same order and lines is not stored a second time:
:func:`keep_registered` finds the hand-registered return it duplicates (same connection, same order id,
a line in common by line id, SKU or EAN) and the import keeps the registered one, noting the marketplace's id.
Two registrations of the same line sent at the very same moment are not serialised (each checks before the
other commits); the merchant then sees both and cancels one.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub import clock
from hub.connections import build_adapter
from hub.db import Connection, ReturnRow
from hub.errors import AuthError, HubError, TransientError
from hub.model import Order, OrderLine, Return, State, load_return
from hub.model.enums import FINAL_STATES
from hub.model.reasons import Reason
from hub.sync import queueing
from hub.sync.records import new_row
from hub.sync.state import record_creation, record_note

FLAG = "registered_by_hand"  # in a registered return's flags; its raw[FLAG] says by whom and the tracking number
REPORTED_AS = "reported_as"  # raw[FLAG][REPORTED_AS]: the marketplace's ids of the same return, fetched later
CLAIMED = "claimed_lines"  # raw[FLAG][CLAIMED]: the registered lines those reports are about


@dataclass
class LineRequest:
    """One line to return: the order line's id, SKU or EAN, and how many items."""

    line: str
    quantity: int


@dataclass
class Registration:
    """What the merchant enters: the marketplace order id, lines, a canonical reason, an optional tracking number."""

    order_id: str
    lines: list[LineRequest]
    reason: str
    tracking_number: str | None = None
    comment: str | None = None


class RegistrationError(Exception):
    """Why a registration created nothing. ``kind``: ``not_offered``, ``invalid``, ``unknown_order``,
    ``over_quantity``, ``duplicate`` or ``marketplace`` (the marketplace could not be asked); ``errors`` maps a
    field (``order_id``, ``lines.0.quantity``) to its messages."""

    def __init__(self, kind: str, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.kind, self.message, self.errors = kind, message, dict(errors or {})


def offered(marketplace_cls) -> bool:
    """Whether returns of this marketplace can be registered by hand (it declares ``fetch_order``)."""
    return marketplace_cls is not None and marketplace_cls.looks_up_orders


def not_offered_message(title: str) -> str:
    return (f"{title} gives no order by id through its API, so Returnhub cannot check an order's lines: "
            "registering a return by hand is not offered for this connection.")


def _validate(reg: Registration) -> None:
    errors: dict[str, list[str]] = {}
    if not (reg.order_id or "").strip():
        errors["order_id"] = ["an order id is required"]
    if not reg.lines:
        errors["lines"] = ["name at least one line"]
    for i, item in enumerate(reg.lines):
        if not (item.line or "").strip():
            errors[f"lines.{i}.line"] = ["an order line id, SKU or EAN is required"]
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool) or item.quantity < 1:
            errors[f"lines.{i}.quantity"] = ["the quantity must be a whole number of at least 1"]
    if reg.reason not in {r.value for r in Reason}:
        errors["reason"] = [f"unknown reason; one of: {', '.join(r.value for r in Reason)}"]
    if errors:
        raise RegistrationError("invalid", "Some fields are invalid: " + ", ".join(sorted(errors)) + ".", errors)


def _fetch(hub, conn: Connection, order_id: str) -> Order | None:
    adapter = build_adapter(hub, conn, "marketplace")
    try:
        return adapter.fetch_order(order_id)
    except AuthError as exc:
        raise RegistrationError("marketplace", f"The marketplace refused this connection's credentials: {exc}") \
            from exc
    except TransientError as exc:
        raise RegistrationError("marketplace", f"The marketplace did not answer in time ({exc}); try again.") \
            from exc
    except HubError as exc:
        raise RegistrationError("marketplace", f"The marketplace could not give order {order_id}: {exc}") from exc
    finally:
        adapter.close()


def _same_item(line, order_line: OrderLine, order: Order) -> bool:
    """Whether a stored return line is about ``order_line``: the same line id, else the same SKU or EAN
    when the order has only that one line with it."""
    if line.external_line_id == order_line.external_line_id:
        return True
    for key in ("ean", "sku"):
        value = getattr(order_line, key)
        if value and getattr(line, key) == value and sum(getattr(o, key) == value for o in order.lines) == 1:
            return True
    return False


def _candidates(order: Order, ref: str) -> list[OrderLine]:
    ref = ref.strip()
    for key in ("external_line_id", "sku", "ean"):
        found = [line for line in order.lines if getattr(line, key) and str(getattr(line, key)) == ref]
        if found:
            return found
    return []


def _allocate(order: Order, reg: Registration, earlier: list[ReturnRow]) -> dict[str, int]:
    """Quantity per order line id; RegistrationError (duplicate, unknown line, over quantity) otherwise."""
    used: dict[str, int] = {}
    held: dict[str, ReturnRow] = {}
    for row in earlier:
        for line in row.lines:
            for ol in order.lines:
                if _same_item(line, ol, order):
                    used[ol.external_line_id] = used.get(ol.external_line_id, 0) + line.quantity
                    if State(row.state) not in FINAL_STATES:
                        held.setdefault(ol.external_line_id, row)
    wanted: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    duplicates: dict[str, list[str]] = {}
    for i, item in enumerate(reg.lines):
        candidates = _candidates(order, item.line)
        if not candidates:
            errors[f"lines.{i}.line"] = [f"order {order.order_id} has no line, SKU or EAN '{item.line.strip()}'"]
            continue
        free = [ol for ol in candidates if ol.external_line_id not in held]
        if not free:
            row = held[candidates[0].external_line_id]
            how = "registered by hand" if FLAG in (row.flags or []) else "reported by the marketplace"
            duplicates[f"lines.{i}.line"] = [
                f"'{item.line.strip()}' of order {order.order_id} is already in open return #{row.id} ({how}, "
                f"{row.state}); decide that one instead of registering it again"]
            continue
        need = item.quantity
        for ol in free:
            room = ol.quantity - used.get(ol.external_line_id, 0) - wanted.get(ol.external_line_id, 0)
            take = min(max(room, 0), need)
            if take:
                wanted[ol.external_line_id] = wanted.get(ol.external_line_id, 0) + take
                need -= take
        if need:
            ordered = sum(ol.quantity for ol in candidates)
            earlier_qty = sum(used.get(ol.external_line_id, 0) for ol in candidates)
            errors[f"lines.{i}.quantity"] = [
                f"{item.quantity} is more than can be returned: {ordered} ordered, {earlier_qty} already in "
                f"returns, so at most {max(ordered - earlier_qty, 0)}"]
    if duplicates:
        raise RegistrationError("duplicate", " ".join(m for v in duplicates.values() for m in v), duplicates)
    if errors:
        kind = "over_quantity" if all(k.endswith(".quantity") for k in errors) else "invalid"
        raise RegistrationError(kind, " ".join(m for v in errors.values() for m in v), errors)
    return wanted


def _return(order: Order, reg: Registration, wanted: dict[str, int], actor: str) -> Return:
    by_id = {ol.external_line_id: ol for ol in order.lines}
    comment = (reg.comment or "").strip() or None
    tracking = (reg.tracking_number or "").strip() or None
    lines = []
    for line_id, quantity in wanted.items():
        ol = by_id[line_id]
        lines.append({"external_line_id": line_id, "quantity": quantity, "sku": ol.sku, "ean": ol.ean,
                      "title": ol.title, "unit_price": str(ol.unit_price) if ol.unit_price is not None else None,
                      "currency": ol.currency if ol.unit_price is not None else None, "reason_code": reg.reason,
                      "customer_comment": comment, "raw": dict(ol.raw)})
    return load_return({
        "external_id": f"manual-{uuid.uuid4().hex[:12]}", "marketplace_order_id": order.order_id,
        "requested_at": clock.now().isoformat(), "fulfilment": order.fulfilment.value,
        "fulfilment_method": order.fulfilment_method,
        "customer": asdict(order.customer) if order.customer else None, "lines": lines, "flags": [FLAG],
        "raw": {**order.raw, FLAG: {"by": actor, "tracking_number": tracking}}})


def register(hub, connection_id: int, reg: Registration, actor: str) -> int:
    """Check ``reg`` against the marketplace's order and store the return as received; its id.

    Nothing is written when it raises :class:`RegistrationError`. The creation in the shop is queued
    when the connection is active (the reconciler picks it up once it is switched on otherwise).
    """
    _validate(reg)
    with hub.session() as s:
        conn = s.get(Connection, connection_id)
        marketplace_cls = hub.registry.marketplaces.get(conn.marketplace)
        shop_cls = hub.registry.shops.get(conn.shop)
        if not offered(marketplace_cls):
            title = marketplace_cls.title if marketplace_cls is not None else conn.marketplace
            raise RegistrationError("not_offered", not_offered_message(title))
        s.expunge(conn)
    order = _fetch(hub, conn, reg.order_id.strip())
    if order is None:
        raise RegistrationError("unknown_order", f"{marketplace_cls.title} has no order {reg.order_id.strip()} "
                                                 "for this account.",
                                {"order_id": [f"{marketplace_cls.title} has no order '{reg.order_id.strip()}'"]})
    with hub.session() as s:
        earlier = list(s.scalars(select(ReturnRow).options(selectinload(ReturnRow.lines)).where(
            ReturnRow.connection_id == connection_id, ReturnRow.marketplace_order_id == order.order_id)))
        wanted = _allocate(order, reg, earlier)
        ret = _return(order, reg, wanted, actor)
        row = new_row(connection_id, ret)
        s.add(row)
        s.flush()
        tracking = ret.raw[FLAG]["tracking_number"]
        record_creation(s, row, actor, "registered by hand" + (f", tracking number {tracking}" if tracking else ""))
        return_id = row.id
    if conn.active:
        queueing.enqueue_next(hub, connection_id, [State.RECEIVED], marketplace_cls, shop_cls)
    return return_id


def _overlap(row: ReturnRow, ret: Return) -> set[str]:
    """The registered return's line ids that a fetched return's lines are about (same line id, SKU or EAN)."""
    found = set()
    for mine in row.lines:
        for theirs in ret.lines:
            if mine.external_line_id == theirs.external_line_id or any(
                    getattr(mine, key) and getattr(mine, key) == getattr(theirs, key) for key in ("sku", "ean")):
                found.add(mine.external_line_id)
    return found


def keep_registered(session, connection_id: int, returns: list[Return], actor: str) -> set[str]:
    """For fetched returns not stored yet: those that duplicate a hand-registered return, which is kept instead.

    A match has the same order id and a line in common (the same line id, SKU or EAN) that no other report has
    claimed yet; the oldest such registered return wins. The registered return notes the marketplace's id (and
    takes over its merchant action); a later fetch of the same id matches it again, silently. A second,
    different report of an already claimed line is a new return (the customer sent another unit back). Gives the
    external ids kept as registered returns. One query for the page.
    """
    orders = {ret.marketplace_order_id for ret in returns}
    if not orders:
        return set()
    rows = [row for row in session.scalars(select(ReturnRow).options(selectinload(ReturnRow.lines)).where(
        ReturnRow.connection_id == connection_id, ReturnRow.marketplace_order_id.in_(orders))
        .order_by(ReturnRow.id)) if FLAG in (row.flags or [])]
    kept = set()
    for ret in returns:
        for row in rows:
            if row.marketplace_order_id != ret.marketplace_order_id:
                continue
            info = (row.raw or {}).get(FLAG) or {}
            if ret.external_id in (info.get(REPORTED_AS) or []):
                kept.add(ret.external_id)
                break
            lines = _overlap(row, ret) - set(info.get(CLAIMED) or [])
            if lines:
                _adopt(session, row, ret, lines, actor)
                kept.add(ret.external_id)
                break
    return kept


def _adopt(session, row: ReturnRow, ret: Return, lines: set[str], actor: str) -> None:
    """Keep the hand-registered ``row`` for the fetched ``ret``: note the marketplace's id and the lines it
    claims, and take its merchant action (the marketplace knows what the merchant must do, say for a parcel
    sent to its warehouse)."""
    raw = dict(row.raw or {})
    info = dict(raw.get(FLAG) or {})
    info[REPORTED_AS] = [*(info.get(REPORTED_AS) or []), ret.external_id]
    info[CLAIMED] = sorted({*(info.get(CLAIMED) or []), *lines})
    raw[FLAG] = info
    row.raw = raw
    if ret.merchant_action and State(row.state) not in FINAL_STATES:
        row.merchant_action = ret.merchant_action
    record_note(session, row, actor, f"the marketplace reported this return as {ret.external_id}; kept as this "
                                     "registered return, not stored twice")
