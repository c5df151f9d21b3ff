"""The emulator's allegro.pl authorization server: the device flow (``/auth/oauth/device``, the
``/skojarz-aplikacje`` confirmation page) and the token endpoint (device-code and refresh-token grants,
HTTP Basic client auth), issuing 12-hour user tokens and rotating the refresh token on each renewal."""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from flask import request

from hub import clock
from hub.testing.emulation import BearerTokens, OAuth2TokenEndpoint, oauth_error

CLIENT_ID = "b5f1d3a6e0c94c0d9f3a7e2b1c8d4f60"
CLIENT_SECRET = "Xq3v8ZkP2mL9wR4tY7uN1bC6dF0gH5jK8sA2eW9qT4yU7iO3pL6zX1cV5bN8mQ2"
ACCESS_TTL = 12 * 3600  # Allegro user access tokens live 12 hours
DEVICE_TTL = 3600
DEVICE_INTERVAL = 5
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class DeviceCode:
    """One device authorization: pending until the seller confirms (or denies) the user code."""

    client_id: str
    user_code: str
    expires_at: float
    approved: bool = False
    denied: bool = False
    last_poll: float = 0.0


class AllegroAuth:
    """Device codes and the token endpoint of the emulated allegro.pl."""

    def __init__(self, tokens: BearerTokens):
        self.tokens = tokens
        self.endpoint = OAuth2TokenEndpoint(tokens, {CLIENT_ID: CLIENT_SECRET}, ttl=ACCESS_TTL,
                                            rotate_refresh_tokens=True)
        self.devices: dict[str, DeviceCode] = {}
        self.lock = threading.Lock()

    def approve(self, user_code: str, allow: bool = True) -> bool:
        """The seller confirmed (or denied) ``user_code`` on the verification page."""
        with self.lock:
            for device in self.devices.values():
                if device.user_code == user_code.strip().lower() and device.expires_at > clock.time():
                    device.approved, device.denied = allow, not allow
                    return True
        return False

    def install(self, app) -> None:
        app.add_url_rule("/auth/oauth/device", "allegro_device", self.device, methods=["POST"])
        app.add_url_rule("/auth/oauth/token", "allegro_token", self.token, methods=["POST"])
        app.add_url_rule("/skojarz-aplikacje", "allegro_confirm", self.confirm, methods=["GET", "POST"])

    def _client(self) -> str | None:
        client_id, secret = OAuth2TokenEndpoint._client_auth()
        known = self.endpoint.clients.get(client_id)
        return client_id if known is not None and secrets.compare_digest(known, secret) else None

    def device(self):
        """POST /auth/oauth/device (Basic auth, ``client_id``): a device code and the user code to confirm."""
        client_id = self._client()
        if client_id is None or request.values.get("client_id", client_id) != client_id:
            return oauth_error(401, "invalid_client", "Bad client credentials")
        device_code, user_code = secrets.token_urlsafe(24), secrets.token_hex(4)
        with self.lock:
            self.devices[device_code] = DeviceCode(client_id, user_code, clock.time() + DEVICE_TTL)
        base = request.host_url.rstrip("/")
        return {"device_code": device_code, "expires_in": DEVICE_TTL, "user_code": user_code,
                "interval": DEVICE_INTERVAL, "verification_uri": f"{base}/skojarz-aplikacje",
                "verification_uri_complete": f"{base}/skojarz-aplikacje?code={user_code}"}

    def token(self):
        """POST /auth/oauth/token: the device-code grant here, every other grant by the toolkit's endpoint."""
        grant = request.values.get("grant_type")
        if grant != DEVICE_GRANT:
            return self.endpoint.view()
        client_id = self._client()
        if client_id is None:
            return oauth_error(401, "invalid_client", "Bad client credentials")
        with self.lock:
            device = self.devices.get(request.values.get("device_code", ""))
            if device is None or device.client_id != client_id or device.expires_at <= clock.time():
                return oauth_error(400, "invalid_grant", "Invalid device code")
            if device.denied:
                del self.devices[request.values["device_code"]]
                return oauth_error(400, "access_denied", "The user denied access")
            if not device.approved:
                too_soon = clock.time() - device.last_poll < DEVICE_INTERVAL
                device.last_poll = clock.time()
                return oauth_error(400, "slow_down" if too_soon else "authorization_pending")
            del self.devices[request.values["device_code"]]
        refresh = self.endpoint.add_refresh_token(client_id)
        access = self.tokens.issue(client_id, ACCESS_TTL, "allegro:api:orders:read allegro:api:orders:write "
                                   "allegro:api:payments:read allegro:api:payments:write")
        return {"access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": ACCESS_TTL,
                "scope": "allegro:api:orders:read allegro:api:orders:write allegro:api:payments:read "
                         "allegro:api:payments:write", "allegro_api": True, "jti": secrets.token_hex(8)}

    def confirm(self):
        """The seller's confirmation page (allegro.pl/skojarz-aplikacje): enter or confirm the user code."""
        code = (request.values.get("code") or "").strip()
        if request.method == "POST":
            ok = self.approve(code, allow=request.form.get("answer", "allow") == "allow")
            return (f"<p>{'Application connected. You can close this page.' if ok else 'Unknown or expired code.'}"
                    "</p>"), 200 if ok else 400
        return ("<h1>Allegro (emulator): connect the application</h1>"
                "<form method='post'><label>Code <input name='code' value='" + code.replace("'", "") + "'></label>"
                "<button name='answer' value='allow'>Allow</button> <button name='answer' value='deny'>Deny</button>"
                "</form>")
