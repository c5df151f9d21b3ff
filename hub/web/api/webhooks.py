"""/api/v1/webhooks: the merchant's outgoing webhook endpoints, secret rotation, the delivery log and replay."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.db.models import OutboundDelivery, WebhookEndpoint
from hub.web.api import pagination
from hub.web.api.schemas import (
    AttemptOut,
    DeliveryPage,
    DeliveryQuery,
    EndpointCreatedOut,
    EndpointIn,
    EndpointList,
    EndpointOut,
    EndpointPatch,
    SecretOut,
)
from hub.web.api.security import requires
from hub.web.context import hub
from hub.webhooks_out import delivery as deliveries
from hub.webhooks_out import endpoints
from hub.webhooks_out.subscriptions import changed_in

blp = Blueprint("api_webhooks", __name__, url_prefix="/api/v1", description="Outgoing webhooks")


def _own(s, endpoint_id: int) -> WebhookEndpoint:
    endpoint = s.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.merchant_id != g.merchant_id:
        abort(404, message="No such webhook endpoint.")
    return endpoint


def _checked_url(url: str) -> str:
    try:
        endpoints.check_url(hub(), url)
    except endpoints.EndpointError as exc:
        abort(422, errors={exc.field: [str(exc)]})
    return url


@blp.route("/webhooks", methods=["GET"])
@blp.response(200, EndpointList)
@requires("returns:read")
def list_endpoints():
    """The merchant's webhook endpoints (never their secrets). Scope: `returns:read`."""
    with hub().session() as s:
        rows = list(s.scalars(select(WebhookEndpoint).where(WebhookEndpoint.merchant_id == g.merchant_id)
                              .order_by(WebhookEndpoint.id)))
        return {"items": rows}


@blp.route("/webhooks", methods=["POST"])
@blp.arguments(EndpointIn)
@blp.response(201, EndpointCreatedOut)
@requires("connections:write")
def create_endpoint(body: dict):
    """Register an endpoint for some of `return.received`, `return.in_shop`, `return.decided`,
    `return.pushed`, `return.needs_attention`. The URL must pass the address guard (public http(s)).
    The answer carries the signing secret, shown only this once. Scope: `connections:write`."""
    h = hub()
    url = _checked_url(body["url"].strip())
    with h.session() as s:
        endpoint, secret = endpoints.create(h, s, g.merchant_id, url, body["events"], body.get("description"))
        changed_in(s)
        return {**{key: getattr(endpoint, key) for key in (
            "id", "url", "description", "events", "active", "previous_secret_until", "created_at")}, "secret": secret}


@blp.route("/webhooks/<int(max=2147483647):endpoint_id>", methods=["GET"])
@blp.response(200, EndpointOut)
@requires("returns:read")
def get_endpoint(endpoint_id: int):
    """One endpoint. Scope: `returns:read`."""
    with hub().session() as s:
        return _own(s, endpoint_id)


@blp.route("/webhooks/<int(max=2147483647):endpoint_id>", methods=["PATCH"])
@blp.arguments(EndpointPatch)
@blp.response(200, EndpointOut)
@requires("connections:write")
def update_endpoint(body: dict, endpoint_id: int):
    """Change the URL, events, description, or pause it (`active: false`). Scope: `connections:write`."""
    if "url" in body:
        body["url"] = _checked_url(body["url"].strip())
    with hub().session() as s:
        endpoint = _own(s, endpoint_id)
        for key, value in body.items():
            setattr(endpoint, key, list(dict.fromkeys(value)) if key == "events" else value)
        s.flush()
        return endpoint


@blp.route("/webhooks/<int(max=2147483647):endpoint_id>", methods=["DELETE"])
@blp.response(200, EndpointOut)
@requires("connections:write")
def disable_endpoint(endpoint_id: int):
    """Stop sending to an endpoint; it stays listed (inactive) with its delivery log. Scope: `connections:write`."""
    with hub().session() as s:
        endpoint = _own(s, endpoint_id)
        endpoint.active = False
        s.flush()
        return endpoint


@blp.route("/webhooks/<int(max=2147483647):endpoint_id>/rotate-secret", methods=["POST"])
@blp.response(200, SecretOut)
@requires("connections:write")
def rotate_secret(endpoint_id: int):
    """A new signing secret (shown once); for 24 hours deliveries carry a second `v1` signed with the
    previous one, so receivers can switch without losing events. Scope: `connections:write`."""
    with hub().session() as s:
        endpoint = _own(s, endpoint_id)
        secret = endpoints.rotate(hub(), endpoint)
        return {"secret": secret, "previous_valid_until": endpoint.previous_secret_until}


def _delivery_dict(d: OutboundDelivery) -> dict:
    return {"id": d.id, "event_id": d.event.event_id, "event_type": d.event.type, "return_id": d.event.return_id,
            "status": d.status, "attempts": d.attempt_log, "next_attempt_at": d.next_attempt_at,
            "created_at": d.created_at, "delivered_at": d.delivered_at}


@blp.route("/webhooks/<int(max=2147483647):endpoint_id>/deliveries", methods=["GET"])
@blp.arguments(DeliveryQuery, location="query", as_kwargs=True)
@blp.response(200, DeliveryPage)
@requires("returns:read")
def list_deliveries(endpoint_id: int, limit: int, status: str | None = None, cursor: str | None = None):
    """The delivery log of an endpoint, newest first, every attempt listed. Scope: `returns:read`."""
    with hub().session() as s:
        _own(s, endpoint_id)
        query = (select(OutboundDelivery).where(OutboundDelivery.endpoint_id == endpoint_id)
                 .options(selectinload(OutboundDelivery.event), selectinload(OutboundDelivery.attempt_log)))
        if status:
            query = query.where(OutboundDelivery.status == status)
        before = pagination.decode(cursor)
        if before is not None:
            query = query.where(OutboundDelivery.id < before)
        rows, next_cursor = pagination.page(list(s.scalars(query.order_by(OutboundDelivery.id.desc()).limit(limit + 1))), limit)
        return {"items": [_delivery_dict(d) for d in rows], "next_cursor": next_cursor}


@blp.route("/webhooks/<int(max=2147483647):endpoint_id>/deliveries/<int(max=2147483647):delivery_id>/replay", methods=["POST"])
@blp.response(200, AttemptOut)
@requires("connections:write")
def replay(endpoint_id: int, delivery_id: int):
    """Send a logged delivery again now, with the same event id; the attempt is logged as a replay.
    Scope: `connections:write`."""
    with hub().session() as s:
        endpoint = _own(s, endpoint_id)
        found = s.get(OutboundDelivery, delivery_id)
        if found is None or found.endpoint_id != endpoint.id:
            abort(404, message="No such delivery for this endpoint.")
        if not endpoint.active:
            abort(409, message="The endpoint is disabled; enable it to replay.")
    return deliveries.replay(hub(), delivery_id)
