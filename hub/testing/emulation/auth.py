"""What emulators check credentials with: HMAC signatures, a bearer-token store whose tokens expire by
:mod:`hub.clock`, and an OAuth2 token endpoint (client credentials and refresh token grants) that
refuses bad secrets, unknown or expired refresh tokens and revoked clients as real platforms do."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from flask import request

from hub import clock
from hub.testing.emulation.errors import oauth_error

DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def hmac_signature(secret: str | bytes, message: str | bytes, *, digest: str = "sha256",
                   encoding: str = "hex") -> str:
    """HMAC of ``message`` with ``secret``, as ``hex`` or ``base64`` text."""
    key = secret.encode() if isinstance(secret, str) else secret
    data = message.encode() if isinstance(message, str) else message
    mac = hmac.new(key, data, DIGESTS[digest]).digest()
    return mac.hex() if encoding == "hex" else base64.b64encode(mac).decode()


def verify_hmac(secret: str | bytes, message: str | bytes, given: str | None, **kwargs) -> bool:
    """Whether ``given`` is the HMAC of ``message`` (compared in constant time); False when missing."""
    if not given:
        return False
    return hmac.compare_digest(hmac_signature(secret, message, **kwargs), given.strip())


def fresh_timestamp(value: str | None, window: float = 300.0) -> bool:
    """Whether a signed request's epoch-seconds timestamp is within ``window`` of ``hub.clock`` time."""
    try:
        return abs(clock.time() - float(value)) <= window
    except (TypeError, ValueError):
        return False


@dataclass
class Grant:
    """What a token stands for: the client it was issued to and when (hub.clock epoch) it expires."""

    client_id: str
    expires_at: float
    scope: str = ""


class BearerTokens:
    """Access tokens issued by an emulator; ``check`` of an ``Authorization`` header gives the grant or None."""

    def __init__(self):
        self.tokens: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, ttl: float, scope: str = "") -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = Grant(client_id, clock.time() + ttl, scope)
        return token

    def grant(self, token: str | None) -> Grant | None:
        """The live grant of ``token``; None when unknown or expired (by hub.clock time)."""
        with self._lock:
            grant = self.tokens.get(token or "")
        return grant if grant is not None and grant.expires_at > clock.time() else None

    def check(self, header: str | None = None) -> Grant | None:
        """The grant of a ``Bearer <token>`` header (default: the current Flask request's Authorization)."""
        if header is None:
            header = request.headers.get("Authorization", "")
        scheme, _, token = (header or "").partition(" ")
        return self.grant(token.strip()) if scheme.lower() == "bearer" else None

    def expire_all(self) -> None:
        """Expire every token now (a platform invalidating sessions)."""
        with self._lock:
            for grant in self.tokens.values():
                grant.expires_at = 0.0

    def revoke_client(self, client_id: str) -> None:
        with self._lock:
            self.tokens = {t: g for t, g in self.tokens.items() if g.client_id != client_id}


class OAuth2TokenEndpoint:
    """An RFC 6749 token endpoint: ``client_credentials`` and ``refresh_token`` grants, client auth by HTTP
    Basic or form fields. ``clients`` maps client id → secret; ``refresh_tokens`` maps token → client id."""

    def __init__(self, tokens: BearerTokens, clients: dict[str, str] | None = None, *, ttl: float = 3600,
                 rotate_refresh_tokens: bool = False, scope: str = ""):
        self.tokens = tokens
        self.clients = dict(clients or {})
        self.refresh_tokens: dict[str, str] = {}
        self.revoked: set[str] = set()
        self.ttl = ttl
        self.rotate = rotate_refresh_tokens
        self.scope = scope
        self.calls = 0
        self._lock = threading.Lock()

    def add_refresh_token(self, client_id: str, token: str | None = None) -> str:
        token = token or secrets.token_urlsafe(32)
        with self._lock:
            self.refresh_tokens[token] = client_id
        return token

    def revoke(self, client_id: str) -> None:
        """The merchant revoked the app: its tokens stop working and new ones are refused."""
        with self._lock:
            self.revoked.add(client_id)
            self.refresh_tokens = {t: c for t, c in self.refresh_tokens.items() if c != client_id}
        self.tokens.revoke_client(client_id)

    def install(self, app, path: str = "/token") -> None:
        """Serve the endpoint at ``path`` of the Flask ``app``."""
        app.add_url_rule(path, "oauth2_token", self.view, methods=["POST"])

    @staticmethod
    def _client_auth() -> tuple[str, str]:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
                return client_id, secret
            except (ValueError, UnicodeDecodeError):
                return "", ""
        return request.form.get("client_id", ""), request.form.get("client_secret", "")

    def view(self):
        """POST /token: an access token, or the OAuth2 error a real authorization server gives."""
        with self._lock:
            self.calls += 1
        client_id, secret = self._client_auth()
        known = self.clients.get(client_id)
        if not client_id or known is None or not secrets.compare_digest(known, secret):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if client_id in self.revoked:
            return oauth_error(400, "invalid_grant", "The client's authorization was revoked")
        grant = request.form.get("grant_type")
        body = {}
        if grant == "refresh_token":
            given = request.form.get("refresh_token", "")
            with self._lock:
                owner = self.refresh_tokens.get(given)
                if owner != client_id:
                    return oauth_error(400, "invalid_grant", "The refresh token is invalid, expired or revoked")
                if self.rotate:
                    del self.refresh_tokens[given]
                    new = secrets.token_urlsafe(32)
                    self.refresh_tokens[new] = client_id
                    body["refresh_token"] = new
        elif grant != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
        access = self.tokens.issue(client_id, self.ttl, self.scope)
        return {"access_token": access, "token_type": "Bearer", "expires_in": int(self.ttl),
                **({"scope": self.scope} if self.scope else {}), **body}, 200, {"Cache-Control": "no-store"}
