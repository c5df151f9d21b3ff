"""/api/v1/connections: list, create, update settings (secrets write-only), test, sync now, the returns
switch, test returns for a custom-shop connection, and registering a return by hand."""
from __future__ import annotations

import secrets
import uuid

from flask import g
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError
from sqlalchemy import select

from hub import clock
from hub.connections import build_adapter, settings_for_storage
from hub.db import Connection
from hub.http import Redactor
from hub.model import State, load_return
from hub.secrets import secret_fields
from hub.sync import commands
from hub.sync.commands import add_test_return, queue_next, sync_now
from hub.web.api.present import connection_dict
from hub.web.api.problems import problem
from hub.web.api.returns import API_SHOP, return_detail
from hub.web.api.schemas import (
    ConnectionIn,
    ConnectionList,
    ConnectionOut,
    ConnectionPatch,
    ConnectionTestOut,
    QueuedOut,
    RegisterReturnIn,
    ReturnDetailOut,
    SwitchIn,
    TestReturnIn,
)
from hub.web.api.security import actor, requires
from hub.web.context import hub, own_connection

blp = Blueprint("api_connections", __name__, url_prefix="/api/v1", description="Connections")


def _adapter_cls(kind: str, slug: str):
    registry = hub().registry
    found = (registry.marketplaces if kind == "marketplace" else registry.shops).get(slug)
    if found is None:
        abort(422, errors={kind: [f"no loaded {kind} plugin '{slug}'"]})
    return found


def _sealed(kind: str, cls, settings: dict, previous: dict | None = None) -> dict:
    try:
        return settings_for_storage(hub(), cls, settings, previous)
    except ValidationError as exc:
        abort(422, errors={f"{kind}_settings": exc.messages})


def _merge(cls, given: dict, stored: dict) -> dict:
    """Stored plain values overlaid with the given ones; secrets are left to settings_for_storage."""
    secret = secret_fields(cls.settings_schema)
    return {**{k: v for k, v in (stored or {}).items() if k not in secret}, **given}


@blp.route("/connections", methods=["GET"])
@blp.response(200, ConnectionList)
@requires("returns:read")
def list_connections():
    """The merchant's connections with their sync health; secrets only say `(set)`. Scope: `returns:read`."""
    h = hub()
    with h.session() as s:
        rows = s.scalars(select(Connection).where(Connection.merchant_id == g.merchant_id).order_by(Connection.id))
        return {"items": [connection_dict(h, c) for c in rows]}


@blp.route("/connections", methods=["POST"])
@blp.arguments(ConnectionIn)
@blp.response(201, ConnectionOut)
@requires("connections:write")
def create_connection(body: dict):
    """Link a marketplace account to a shop account. Scope: `connections:write`.

    Settings are validated by the plugins' schemas (422 with the field errors); secret settings
    are encrypted at rest and never shown back. Use shop `api` for a custom shop without a plugin.
    Created with returns switched on, it is synced at once.
    """
    h = hub()
    market_cls, shop_cls = _adapter_cls("marketplace", body["marketplace"]), _adapter_cls("shop", body["shop"])
    conn = Connection(merchant_id=g.merchant_id, name=body["name"].strip(), marketplace=market_cls.slug,
                      shop=shop_cls.slug,
                      marketplace_settings=_sealed("marketplace", market_cls, body["marketplace_settings"]),
                      shop_settings=_sealed("shop", shop_cls, body["shop_settings"]),
                      returns_enabled=body["returns_enabled"], webhook_token=secrets.token_urlsafe(24))
    with h.session() as s:
        s.add(conn)
        s.flush()
        result = connection_dict(h, conn)
    if conn.active:
        sync_now(h, conn.id)
    return result


@blp.route("/connections/<int(max=2147483647):connection_id>", methods=["GET"])
@blp.response(200, ConnectionOut)
@requires("returns:read")
def get_connection(connection_id: int):
    """One connection. Scope: `returns:read`."""
    with hub().session() as s:
        return connection_dict(hub(), own_connection(s, connection_id))


@blp.route("/connections/<int(max=2147483647):connection_id>", methods=["PATCH"])
@blp.arguments(ConnectionPatch)
@blp.response(200, ConnectionOut)
@requires("connections:write")
def update_connection(body: dict, connection_id: int):
    """Rename or change settings; only the fields given change, a blank secret keeps the stored one.
    Scope: `connections:write`."""
    h = hub()
    with h.session() as s:
        conn = own_connection(s, connection_id)
        if "name" in body:
            conn.name = body["name"].strip()
        for kind, slug in (("marketplace", conn.marketplace), ("shop", conn.shop)):
            if f"{kind}_settings" in body:
                cls = _adapter_cls(kind, slug)
                stored = getattr(conn, f"{kind}_settings")
                setattr(conn, f"{kind}_settings",
                        _sealed(kind, cls, _merge(cls, body[f"{kind}_settings"], stored), stored))
        if ("marketplace_settings" in body or "shop_settings" in body) and conn.status == "needs_reauth":
            conn.status, conn.status_reason = "active", None
        s.flush()
        return connection_dict(h, conn)


@blp.route("/connections/<int(max=2147483647):connection_id>/returns-enabled", methods=["PUT"])
@blp.arguments(SwitchIn)
@blp.response(200, ConnectionOut)
@requires("connections:write")
def switch(body: dict, connection_id: int):
    """Switch returns on or off for a connection; on queues a sync. Scope: `connections:write`."""
    h = hub()
    with h.session() as s:
        conn = own_connection(s, connection_id)
        conn.returns_enabled = body["enabled"]
        s.flush()
        result, active = connection_dict(h, conn), conn.active
    if active:
        sync_now(h, connection_id)
    return result


def _check(h, conn, kind: str) -> dict:
    try:
        adapter = build_adapter(h, conn, kind)
    except Exception as exc:
        return {"ok": False, "error": Redactor.redact(f"{type(exc).__name__}: {exc}")}
    try:
        adapter.check()
        return {"ok": True, "error": None}
    except Exception as exc:
        return {"ok": False, "error": Redactor.redact(f"{type(exc).__name__}: {exc}")[:500]}
    finally:
        adapter.close()


@blp.route("/connections/<int(max=2147483647):connection_id>/test", methods=["POST"])
@blp.response(200, ConnectionTestOut)
@requires("connections:write")
def test_connection(connection_id: int):
    """Try the stored credentials against the marketplace and the shop. Scope: `connections:write`."""
    h = hub()
    with h.session() as s:
        conn = own_connection(s, connection_id)
        s.expunge(conn)
    return {"marketplace": _check(h, conn, "marketplace"), "shop": _check(h, conn, "shop")}


@blp.route("/connections/<int(max=2147483647):connection_id>/sync", methods=["POST"])
@blp.response(202, QueuedOut)
@requires("connections:write")
def sync(connection_id: int):
    """Poll the marketplace and the shop's decisions now. Scope: `connections:write`."""
    with hub().session() as s:
        active = own_connection(s, connection_id).active
    if not active:
        abort(409, message="Switch returns on for this connection (and fix its credentials) first.")
    sync_now(hub(), connection_id)
    return {"queued": True, "detail": "a marketplace poll and a decision poll are queued"}


@blp.route("/connections/<int(max=2147483647):connection_id>/test-returns", methods=["POST"])
@blp.arguments(TestReturnIn)
@blp.response(201, ReturnDetailOut)
@requires("returns:write")
def create_test_return(body: dict, connection_id: int):
    """Create a test return on a custom-shop connection: it reaches the shop like a real one, flagged
    `is_test`, and its decision is recorded but never sent to the marketplace. Scope: `returns:write`."""
    h = hub()
    with h.session() as s:
        conn = own_connection(s, connection_id)
        if conn.shop != API_SHOP:
            abort(409, message="Test returns are for connections whose shop is the api shop (a custom shop).")
        tag = uuid.uuid4().hex[:10].upper()
        lines = body.get("lines") or [{"sku": "TEST-SKU", "ean": None, "title": "Test item", "quantity": 1}]
        ret = load_return({
            "external_id": f"TEST-{tag}", "marketplace_order_id": body.get("order_id") or f"TEST-ORDER-{tag}",
            "requested_at": clock.now().isoformat(),
            "customer": {"name": "Test Customer", "email": "test.customer@example.com"},
            "lines": [{"external_line_id": f"TEST-{tag}-{i}", "sku": line.get("sku"), "ean": line.get("ean"),
                       "title": line.get("title"), "quantity": line.get("quantity", 1), "reason_code": "TEST"}
                      for i, line in enumerate(lines, start=1)],
            "flags": ["test"]})
        ret.is_test = True
        row = add_test_return(h, s, connection_id, ret, actor())
        return_id, active, marketplace, shop = row.id, conn.active, conn.marketplace, conn.shop
    if active:
        queue_next(h, connection_id, State.RECEIVED, marketplace, shop)
    return return_detail(return_id)


REGISTRATION_STATUS = {"not_offered": 409, "duplicate": 409, "marketplace": 502}  # else 422: the input is wrong


@blp.route("/connections/<int(max=2147483647):connection_id>/returns", methods=["POST"])
@blp.arguments(RegisterReturnIn)
@blp.response(201, ReturnDetailOut)
@blp.alt_response(409, description="registering by hand is not offered for this marketplace (it gives no order "
                                   "by id), or a line is already in an open return (a duplicate)")
@blp.alt_response(422, description="invalid input, an order the marketplace does not know, a line the order does "
                                   "not have, or a quantity above what was ordered minus earlier returns")
@blp.alt_response(502, description="the marketplace could not be asked for the order")
@requires("returns:write")
def register_return(body: dict, connection_id: int):
    """Register a return by hand for an order of this connection. Scope: `returns:write`.

    The order is read from the marketplace to check the lines (by line id, SKU or EAN) and quantities; the
    return then runs the normal pipeline: created in the shop, decided there, pushed back where the
    marketplace takes decisions. Nothing is created on an error. Offered where the marketplace gives an
    order by id (its plugin declares `fetch_order`; Zalando, OTTO, bol). When the marketplace reports the
    same return later (same order, a line in common), it is kept as this return, not stored twice.
    """
    h = hub()
    with h.session() as s:
        own_connection(s, connection_id)
    registration = commands.Registration(
        order_id=body["order_id"], reason=body["reason"], tracking_number=body.get("tracking_number"),
        comment=body.get("comment"),
        lines=[commands.LineRequest(item["line"], item["quantity"]) for item in body["lines"]])
    try:
        return_id = commands.register_return(h, connection_id, registration, actor())
    except commands.RegistrationError as exc:
        return problem(REGISTRATION_STATUS.get(exc.kind, 422), exc.message, exc.errors or None)
    return return_detail(return_id)
