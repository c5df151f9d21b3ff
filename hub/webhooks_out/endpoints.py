"""A merchant's webhook endpoints: the URL checked by the address guard, secrets sealed, rotation with overlap."""
from __future__ import annotations

import secrets as _secrets
from datetime import datetime, timedelta

from hub import clock
from hub.db.models import WebhookEndpoint
from hub.errors import AddressNotAllowed
from hub.http import AddressGuard

ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret still signs for this long


class EndpointError(ValueError):
    """A field of an endpoint is not acceptable; ``field`` names it for a 422 answer."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_url(hub, url: str) -> None:
    """Refuse a URL the core's address guard refuses (scheme, private or loopback address)."""
    try:
        AddressGuard(hub.config.allow_local_hosts).resolve(url)
    except AddressNotAllowed as exc:
        raise EndpointError("url", f"not allowed: {exc}") from exc
    except (OSError, UnicodeError) as exc:
        raise EndpointError("url", f"the host does not resolve: {exc}") from exc


def new_secret() -> str:
    return "whsec_" + _secrets.token_urlsafe(32)


def create(hub, session, merchant_id: int, url: str, events: list[str], description: str | None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown once)."""
    check_url(hub, url)
    secret = new_secret()
    endpoint = WebhookEndpoint(merchant_id=merchant_id, url=url, events=list(dict.fromkeys(events)),
                               description=description, secret=hub.box.encrypt(secret), active=True)
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def rotate(hub, endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one keeps signing (a second v1) for ROTATION_OVERLAP."""
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = clock.now() + ROTATION_OVERLAP
    endpoint.secret = hub.box.encrypt(secret)
    return secret


def signing_secrets(hub, endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous during rotation."""
    now = now or clock.now()
    result = [hub.box.decrypt(endpoint.secret)]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        result.append(hub.box.decrypt(endpoint.previous_secret))
    return result
