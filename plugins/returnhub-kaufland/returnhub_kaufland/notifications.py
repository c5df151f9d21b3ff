"""Kaufland's push notifications: the signature check and the endpoint that turns one into an immediate poll.

Kaufland POSTs ``{event_name, id_message, resource, storefront}`` to the subscribed callback URL,
signed like an API request (``Shop-Timestamp``, ``Shop-Signature`` = HMAC-SHA256 of ``POST``, the
callback URL, the body and the timestamp under the seller's secret key). The notification only
says that something changed; the endpoint verifies it, drops repeats by ``id_message`` and queues
a poll of the connection at once, which reads the new return (it is newer than the cursor's mark).
"""
from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from flask import Blueprint, abort, request

from hub import clock
from hub.errors import AuthError, InvalidPayload
from hub.sdk.signing import kaufland_signature

MAX_AGE = 13 * 3600  # Kaufland retries a notification for about 12 hours
MAX_AHEAD = 300  # a timestamp from the future: at most the API's own ±5 min clock tolerance
RETURN_EVENTS = frozenset({"return_new", "return_status_changed", "return_unit_status_changed"})


@dataclass
class Notification:
    """A verified notification: its delivery id (for de-duplication), event, resource and storefront."""

    delivery_id: str
    event: str
    resource: str | None
    storefront: str | None


def _header(headers: dict[str, str], name: str) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    return (lowered.get(name.lower()) or "").strip()


def verify(secret_key: str, url: str, headers: dict[str, str], body: bytes) -> Notification:
    """The notification in ``body``; AuthError for a bad or stale signature, InvalidPayload for a bad body."""
    stamp, given = _header(headers, "Shop-Timestamp"), _header(headers, "Shop-Signature")
    if not stamp.isdigit() or not given:
        raise AuthError("Kaufland notification without Shop-Timestamp or Shop-Signature")
    expected = kaufland_signature(secret_key, "POST", url, body, stamp)
    if not hmac.compare_digest(expected, given.lower()):
        raise AuthError("Kaufland notification signature does not match")
    age = clock.time() - int(stamp)
    if age > MAX_AGE or age < -MAX_AHEAD:
        raise AuthError(f"Kaufland notification timestamp is {age:.0f} s off")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise InvalidPayload(f"Kaufland notification body is not JSON: {exc}") from None
    if not isinstance(data, dict) or not data.get("id_message") or not data.get("event_name"):
        raise InvalidPayload("Kaufland notification without id_message or event_name")
    return Notification(delivery_id=f"kaufland:{data['id_message']}", event=str(data["event_name"]),
                        resource=data.get("resource"), storefront=data.get("storefront"))


bp = Blueprint("kaufland_notifications", __name__)


def _connection(connection_id: int):
    from hub.db import Connection
    from hub.web.context import hub
    h = hub()
    with h.session() as s:
        conn = s.get(Connection, connection_id)
        if conn is None or conn.marketplace != "kaufland":
            abort(404)
        s.expunge(conn)
    return h, conn


@bp.get("/notifications/<int:connection_id>")
def callback_check(connection_id: int):
    """The callback URL check when subscribing: echo ``challenge`` (shape UNVERIFIED, see README)."""
    _connection(connection_id)
    challenge = request.args.get("challenge", "")
    return (challenge, 200, {"Content-Type": "text/plain"}) if challenge.isalnum() else ("", 204)


@bp.post("/notifications/<int:connection_id>")
def receive(connection_id: int):
    """Verify, de-duplicate and act on one notification; Kaufland wants an answer within 5 s."""
    from sqlalchemy.exc import IntegrityError

    from hub.connections import build_adapter
    from hub.db import WebhookDelivery
    from hub.sync import commands
    h, conn = _connection(connection_id)
    adapter = build_adapter(h, conn, "marketplace")
    try:
        note = adapter.parse_notification(dict(request.headers), request.get_data(cache=False))
    except AuthError as exc:
        return {"error": str(exc)}, 401
    except InvalidPayload as exc:
        return {"error": str(exc)}, 400
    finally:
        adapter.close()
    try:
        with h.session() as s:
            s.add(WebhookDelivery(connection_id=conn.id, delivery_id=note.delivery_id))
    except IntegrityError:
        return {"status": "duplicate"}, 200
    if conn.active and note.event in RETURN_EVENTS:
        commands.sync_now(h, conn.id)
    return {"status": "accepted"}, 202


def blueprints() -> list[Blueprint]:
    """The blueprint, exempt from the web app's CSRF check: notifications carry an HMAC, not a session."""
    from hub.app import csrf
    csrf.exempt(bp)
    return [bp]
