"""Inbound shop webhooks: verified by the shop plugin, de-duplicated, then the decisions they carry recorded
(or, for a shop that is polled, the named returns read) at once."""
from __future__ import annotations

from flask import Blueprint, abort, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.connections import build_adapter
from hub.db import Connection, WebhookDelivery
from hub.errors import AuthError
from hub.sync import commands
from hub.web.context import hub

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.route("/<token>", methods=["POST"])
def receive(token: str):
    h = hub()
    with h.session() as s:
        conn = s.scalar(select(Connection).where(Connection.webhook_token == token))
        if conn is None:
            abort(404)
        s.expunge(conn)
    shop = build_adapter(h, conn, "shop")
    try:
        result = shop.parse_webhook({k: v for k, v in request.headers.items()}, request.get_data(cache=False))
    except AuthError:
        return {"error": "signature verification failed"}, 401
    except NotImplementedError:
        abort(404)
    finally:
        shop.close()
    try:
        with h.session() as s:
            s.add(WebhookDelivery(connection_id=conn.id, delivery_id=result.delivery_id))
    except IntegrityError:
        return {"status": "duplicate"}, 200
    if conn.active:
        commands.receive_webhook(h, conn, result)
    return {"status": "accepted"}, 202
