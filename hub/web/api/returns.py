"""/api/v1/returns: list with filters and cursor, detail, the shop's or merchant's decision, retry,
and the api shop's inbox (new returns, acknowledge)."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hub.clock import now
from hub.db import Connection, ReturnLine, ReturnRow
from hub.db.models import ApiShopReturn
from hub.model import LineDecision, State
from hub.sync import commands
from hub.web.api import pagination
from hub.web.api.present import return_dict
from hub.web.api.schemas import (
    AcknowledgeIn,
    DecisionIn,
    NewReturnList,
    NewReturnsQuery,
    ReturnDetailOut,
    ReturnPage,
    ReturnQuery,
)
from hub.web.api.security import actor, requires
from hub.web.context import hub, own_return
from hub.web.returns_query import requires_action

blp = Blueprint("api_returns", __name__, url_prefix="/api/v1", description="Returns, decisions, retries")
API_SHOP = "api"
_LOAD = (selectinload(ReturnRow.lines), selectinload(ReturnRow.connection))


def _scoped():
    return (select(ReturnRow).join(Connection, Connection.id == ReturnRow.connection_id)
            .where(Connection.merchant_id == g.merchant_id).options(*_LOAD))


def return_detail(return_id: int) -> dict:
    with hub().session() as s:
        row = own_return(s, return_id)
        return return_dict(row, events=True)


@blp.route("/returns", methods=["GET"])
@blp.arguments(ReturnQuery, location="query", as_kwargs=True)
@blp.response(200, ReturnPage)
@requires("returns:read")
def list_returns(limit: int, cursor: str | None = None, **filters):
    """List returns, newest first.

    Filters combine; `cursor` comes from the previous page's `next_cursor`. Scope: `returns:read`.
    """
    query = _scoped()
    if filters.get("state"):
        query = query.where(ReturnRow.state == filters["state"])
    if filters.get("decision"):
        query = query.where(ReturnRow.lines.any(ReturnLine.decision == filters["decision"]))
    if filters.get("connection_id"):
        query = query.where(ReturnRow.connection_id == filters["connection_id"])
    if filters.get("marketplace"):
        query = query.where(Connection.marketplace == filters["marketplace"])
    if filters.get("modified_after"):
        query = query.where(ReturnRow.updated_at > filters["modified_after"])
    if filters.get("modified_before"):
        query = query.where(ReturnRow.updated_at < filters["modified_before"])
    if filters.get("requires_action") is not None:
        pending = requires_action()
        query = query.where(pending if filters["requires_action"] else ~pending)
    if filters.get("is_test") is not None:
        query = query.where(ReturnRow.is_test.is_(filters["is_test"]))
    if filters.get("search"):
        text = filters["search"].strip()
        like = f"%{text}%"
        query = query.where(or_(ReturnRow.marketplace_order_id.ilike(like), ReturnRow.external_id.ilike(like),
                                ReturnRow.shop_return_id == text,
                                ReturnRow.lines.any(or_(ReturnLine.ean == text, ReturnLine.sku == text))))
    before = pagination.decode(cursor)
    if before is not None:
        query = query.where(ReturnRow.id < before)
    with hub().session() as s:
        rows = list(s.scalars(query.order_by(ReturnRow.id.desc()).limit(limit + 1)))
        rows, next_cursor = pagination.page(rows, limit)
        return {"items": [return_dict(r) for r in rows], "next_cursor": next_cursor}


@blp.route("/returns/new", methods=["GET"])
@blp.arguments(NewReturnsQuery, location="query", as_kwargs=True)
@blp.response(200, NewReturnList)
@requires("returns:read")
def new_returns(limit: int, connection_id: int | None = None):
    """Returns the api shop has been given and not acknowledged yet (for a custom shop).

    Acknowledge each with `POST /api/v1/returns/{id}/acknowledge` and the shop's own return id.
    Scope: `returns:read`.
    """
    query = (_scoped().join(ApiShopReturn, ApiShopReturn.return_id == ReturnRow.id)
             .add_columns(ApiShopReturn.accepted)
             .where(ApiShopReturn.acknowledged_at.is_(None),
                    ReturnRow.state.not_in([State.RECEIVED.value, State.WAITING_FOR_ORDER.value])))
    if connection_id:
        query = query.where(ReturnRow.connection_id == connection_id)
    with hub().session() as s:
        rows = s.execute(query.order_by(ReturnRow.id).limit(limit)).all()
        items = []
        for row, accepted in rows:
            item = return_dict(row)
            # not the shop's id yet: the shop names its own when it acknowledges the return
            item.update(reference=f"returnhub-{row.connection_id}-{row.external_id}", accepted=accepted,
                        shop_return_id=None)
            items.append(item)
        return {"items": items}


@blp.route("/returns/<int(max=2147483647):return_id>", methods=["GET"])
@blp.response(200, ReturnDetailOut)
@requires("returns:read")
def get_return(return_id: int):
    """One return with its lines, per-line decisions and timeline. Scope: `returns:read`."""
    return return_detail(return_id)


@blp.route("/returns/<int(max=2147483647):return_id>/acknowledge", methods=["POST"])
@blp.arguments(AcknowledgeIn)
@blp.response(200, ReturnDetailOut)
@requires("returns:write")
def acknowledge(body: dict, return_id: int):
    """The custom shop took the return in, under its own id (api shop only). Scope: `returns:write`.

    Acknowledging again with the same id changes nothing; with another id it is a conflict.
    """
    shop_id = body["shop_return_id"].strip()
    with hub().session() as s:
        row = own_return(s, return_id)
        inbox = s.get(ApiShopReturn, return_id)
        if inbox is None:
            abort(409, message="This return was not given to a custom shop (its connection does not use the api shop).")
        if inbox.acknowledged_at is not None and inbox.shop_return_id != shop_id:
            abort(409, message=f"Already acknowledged as shop return {inbox.shop_return_id}.")
        if inbox.acknowledged_at is None:
            inbox.acknowledged_at, inbox.shop_return_id = now(), shop_id
            row.shop_return_id = shop_id
            commands.record_note(s, row, actor(), f"acknowledged by the shop as shop return {shop_id}")
    return return_detail(return_id)


def _line_decisions(row: ReturnRow, body: dict) -> list[LineDecision]:
    known = {line.external_line_id: line for line in row.lines}
    allowed = commands.allowed_for(hub(), row.connection.marketplace)
    if body.get("lines"):
        unknown = [i for i, item in enumerate(body["lines"]) if item["line_id"] not in known]
        if unknown:
            abort(422, errors={f"lines.{i}.line_id": ["no such line in this return"] for i in unknown})
        over = [i for i, item in enumerate(body["lines"])
                if item.get("quantity") is not None and item["quantity"] > known[item["line_id"]].quantity]
        if over:
            abort(422, errors={f"lines.{i}.quantity": ["more than the line's quantity"] for i in over})
        _refuse_unless_allowed(row, allowed, {f"lines.{i}.decision": item["decision"]
                                              for i, item in enumerate(body["lines"])})
        return [LineDecision(item["line_id"], item["decision"], item.get("quantity"), item.get("note"))
                for item in body["lines"]]
    decision = body.get("decision") or body.get("status")
    _refuse_unless_allowed(row, allowed, {"decision" if body.get("decision") else "status": decision})
    return [LineDecision(line_id, decision, None, None) for line_id in known]


def _refuse_unless_allowed(row: ReturnRow, allowed: tuple, given: dict) -> None:
    """422 before anything is stored when a decision is not one the return's marketplace takes."""
    refused = {field: value for field, value in given.items() if value not in allowed}
    if not refused:
        return
    cls = hub().registry.marketplaces.get(row.connection.marketplace)
    title = cls.title if cls is not None else row.connection.marketplace
    names = ", ".join(d.value for d in allowed)
    abort(422, message=f"{title} does not take {', '.join(sorted({repr(v.value) for v in refused.values()}))}; "
                       f"decisions allowed for this return: {names}.",
          errors={field: [f"not allowed for this return; allowed: {names}"] for field in refused})


@blp.route("/returns/<int(max=2147483647):return_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, ReturnDetailOut)
@requires("returns:write")
def decide(body: dict, return_id: int):
    """Record the merchant's decision, for the whole return or per line. Scope: `returns:write`.

    For a return of a custom shop (the api shop) this is the shop reporting its decision: lines not
    named stay open until decided. Otherwise the merchant decides in Returnhub and a `note` is
    required. Once every line is decided the return is pushed to the marketplace where it takes
    decisions. `keeps`, `keep`, `accept`, … are accepted for the six decisions. A decision the
    return's marketplace does not take (bol has no `kept`) is refused with 422 before anything is
    stored; the problem's `detail` names the decisions allowed for that return.
    """
    h = hub()
    note = (body.get("note") or "").strip() or None
    with h.session() as s:
        row = own_return(s, return_id)
        decisions = _line_decisions(row, body)
        conn = row.connection
        from_shop = conn.shop == API_SHOP and row.state == State.IN_SHOP.value
        state, is_test, marketplace, shop = row.state, row.is_test, conn.marketplace, conn.shop
    if from_shop:
        if is_test:
            note = "; ".join(filter(None, [note, "test return: never sent to the marketplace"]))
        try:
            commands.record_shop_decisions(h, return_id, decisions, actor(), note, marketplace, shop,
                                           send=not is_test)
        except commands.RefusedDecision as exc:
            abort(422, message=str(exc) + ".")
        return return_detail(return_id)
    if is_test:
        abort(409, message=f"A test return is decided by its custom shop while it is in the shop; it is {state}.")
    if note is None:
        abort(422, errors={"note": ["a note is required when the decision is taken in Returnhub"]})
    try:
        commands.decide_manually(h, return_id, decisions, note, actor())
    except commands.RefusedDecision as exc:
        abort(422, message=str(exc) + ".")
    except commands.DecisionError as exc:
        abort(409, message=str(exc))
    return return_detail(return_id)


@blp.route("/returns/<int(max=2147483647):return_id>/retry", methods=["POST"])
@blp.response(200, ReturnDetailOut)
@requires("returns:write")
def retry(return_id: int):
    """Send a return that needs attention back to the step that failed. Scope: `returns:write`."""
    with hub().session() as s:
        own_return(s, return_id)
    if not commands.retry(hub(), return_id, actor()):
        abort(409, message="Only a return that needs attention can be retried.")
    return return_detail(return_id)
