"""Allegro's OAuth device flow (RFC 8628 as Allegro serves it): ask for a user code, then poll the token
endpoint until the seller has confirmed it on allegro.pl; the result is the seller's refresh token."""
from __future__ import annotations

from dataclasses import dataclass

from hub.errors import AuthError, PermanentError
from hub.http import describe_error, platform_error, raise_for_status
from returnhub_allegro.client import auth_base

GRANT = "urn:ietf:params:oauth:grant-type:device_code"
WAIT = frozenset({"authorization_pending", "slow_down"})


@dataclass
class DeviceStart:
    """What the seller needs (user code, where to enter it) and what the poll needs (device code, interval)."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    interval: int
    expires_in: int


def _client(ctx, settings: dict):
    return ctx.http(auth_base(settings), headers={"Accept": "application/json"})


def start(ctx, settings: dict) -> DeviceStart:
    """POST /auth/oauth/device with the app's credentials: a new device code and user code."""
    with _client(ctx, settings) as http:
        resp = http.post("/auth/oauth/device", data={"client_id": settings["client_id"]},
                         auth=(settings["client_id"], settings["client_secret"]))
    if resp.status_code in (400, 401, 403):
        raise AuthError(f"Allegro refused the application's credentials ({describe_error(resp)}): check the "
                        "Client ID and secret, and that the application allows the device flow")
    raise_for_status(resp)
    body = resp.json()
    try:
        return DeviceStart(device_code=body["device_code"], user_code=body["user_code"],
                           verification_uri=body["verification_uri"],
                           verification_uri_complete=body.get("verification_uri_complete"),
                           interval=int(body.get("interval") or 5), expires_in=int(body.get("expires_in") or 3600))
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentError(f"Allegro's device answer lacks {exc}") from None


def poll(ctx, settings: dict, device_code: str) -> str | None:
    """One token request for ``device_code``: the refresh token once confirmed, None while pending;
    AuthError when the seller denied it or the code expired."""
    with _client(ctx, settings) as http:
        resp = http.post("/auth/oauth/token", data={"grant_type": GRANT, "device_code": device_code},
                         auth=(settings["client_id"], settings["client_secret"]),
                         extensions={"returnhub_retry": False})
    if resp.status_code == 400 and platform_error(resp.text)[0] in WAIT:
        return None
    if resp.status_code in (400, 401, 403):
        raise AuthError(f"Allegro did not grant access ({describe_error(resp)}): start again")
    raise_for_status(resp)
    token = (resp.json() or {}).get("refresh_token")
    if not token:
        raise PermanentError("Allegro's token answer has no refresh_token")
    return token
