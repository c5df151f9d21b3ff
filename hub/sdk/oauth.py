"""OAuth2 access tokens (client credentials, refresh token): one per connection and client, renewed ahead.

A token is kept per process in a cache keyed by (connection id, token URL, client id, a digest of
the credentials), so every adapter and client of a connection in a worker shares it, and new
credentials start afresh. It is renewed ``margin`` seconds before its absolute expiry (a missing
``expires_in`` counts as ``default_ttl``, never as "never expires"), under a lock with a second
check, so concurrent requests renew once. A 401 renews once and resends; a second 401, or a token
endpoint refusing the credentials (``invalid_grant``, ``invalid_client``, revoked), raises
:class:`hub.errors.AuthError` naming the status and the platform's error code, never a secret.
Token calls go through ``ctx.http``, so they share the connection's rate limit and address guard.

    auth = OAuth2ClientCredentials(ctx, token_url="https://login.bol.com/token",
                                   client_id=s["client_id"], client_secret=s["client_secret"],
                                   client_auth="basic")
    api = ctx.http("https://api.bol.com", auth=auth)
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import httpx

from hub import clock
from hub.errors import AuthError, PermanentError
from hub.http import Redactor, describe_error, platform_error, raise_for_status
from hub.sdk.authbase import PREPARE, PlatformAuth

log = logging.getLogger("hub.sdk")

# Token endpoint answers that mean "these credentials will not work": the merchant must act.
REFUSED = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "invalid_token",
                     "access_denied", "invalid_scope", "revoked", "token_revoked"})
REFUSAL_HOLD = 60.0  # seconds a refused grant is answered from memory instead of asking again


@dataclass
class TokenState:
    """One cached token: the value, when to renew it, the current refresh token, a refusal held."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    access_token: str | None = None
    renew_at: float = 0.0  # clock.time() after which the token is no longer used
    expires_at: float = 0.0
    refresh_token: str | None = None
    refused: tuple[float, str] | None = None  # (until, message) after the endpoint refused the grant
    rotations_seen: set[str] = field(default_factory=set)  # refresh tokens this cache has held (rotating)


_TOKENS: dict[tuple, TokenState] = {}
_TOKENS_LOCK = threading.Lock()


def token_state(key: tuple) -> TokenState:
    """The process-wide state for ``key`` (created on first use)."""
    with _TOKENS_LOCK:
        return _TOKENS.setdefault(key, TokenState())


def forget_tokens() -> None:
    """Drop every cached token of this process (tests; a worker reloading its plugins)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


class OAuth2(PlatformAuth):
    """Bearer tokens from an OAuth2 token endpoint; subclasses say which grant (see module doc).

    ``client_auth``: ``"body"`` sends client_id/client_secret as form fields, ``"basic"`` as an
    HTTP Basic header. ``header``/``scheme`` say how the token is sent (``scheme=None``: bare, as
    ``x-amz-access-token`` or ``X-Shopify-Access-Token``). ``extra`` adds form fields to the token
    request. ``renew_on`` are the statuses that renew the token once and resend (Amazon uses 403).
    """

    grant_type: str = ""

    def __init__(self, ctx, *, token_url: str, client_id: str, client_secret: str | None = None,
                 scope: str | None = None, client_auth: str = "body", extra: Mapping[str, str] | None = None,
                 header: str = "Authorization", scheme: str | None = "Bearer", margin: float = 60.0,
                 default_ttl: float = 600.0, renew_on: Iterable[int] = (401,),
                 secret_params: Iterable[str] = ()):
        if client_auth not in ("body", "basic"):
            raise ValueError("client_auth is 'body' or 'basic'")
        super().__init__(secret_headers=[header], secret_params=secret_params, secrets=[client_secret])
        self.ctx = ctx
        self.token_url, self.client_id, self.client_secret = token_url, client_id, client_secret
        self.scope, self.client_auth, self.extra = scope, client_auth, dict(extra or {})
        self.header, self.scheme = header, scheme
        self.margin, self.default_ttl = margin, default_ttl
        self.renew_on = frozenset(renew_on)
        digest = hashlib.sha256("\0".join(self._credentials()).encode()).hexdigest()[:16]
        self.state = token_state((getattr(ctx, "connection_id", None), token_url, client_id, digest))

    # -- what subclasses give ----------------------------------------------------------------
    def _credentials(self) -> list[str]:
        """The secret material whose change must start a fresh cache entry."""
        return [self.client_secret or ""]

    def _grant_fields(self) -> dict[str, str]:
        return {}

    def _retry_sent(self) -> bool:
        """May a token request whose answer was lost be sent again? (Not when it rotates a refresh token.)"""
        return True

    # -- tokens ------------------------------------------------------------------------------
    def token(self) -> str:
        """A valid access token: the cached one until ``margin`` before expiry, else a new one."""
        state = self.state
        if state.access_token and clock.time() < state.renew_at:
            return state.access_token
        with state.lock:
            if state.access_token and clock.time() < state.renew_at:  # renewed while we waited
                return state.access_token
            return self._fetch()

    def renew(self, stale: str | None) -> str:
        """A new token unless another request already replaced ``stale`` (then that one)."""
        with self.state.lock:
            if self.state.access_token and self.state.access_token != stale:
                return self.state.access_token
            return self._fetch()

    def _fetch(self) -> str:
        """Ask for a new token (state lock held); store and give it. A refusal is held for a while."""
        state = self.state
        if state.refused and clock.time() < state.refused[0]:
            raise AuthError(state.refused[1])
        fields = {"grant_type": self.grant_type, **self._grant_fields(), **self.extra}
        if self.scope:
            fields["scope"] = self.scope
        asked = clock.time()
        try:
            body = self._exchange(fields)
        except AuthError as exc:
            state.refused = (clock.time() + REFUSAL_HOLD, str(exc))
            raise
        self._store(body, asked)
        return state.access_token

    def _exchange(self, fields: dict[str, str]) -> dict:
        """POST ``fields`` to the token endpoint; the answer (``access_token``, ``expires_in``, ...).

        A platform whose token call is not a standard OAuth2 POST (a signed GET, an envelope around
        the token) gives :class:`OAuth2RefreshToken` an ``exchange`` instead.
        """
        basic = None
        if self.client_auth == "basic":
            basic = (self.client_id, self.client_secret or "")
        else:
            fields["client_id"] = self.client_id
            if self.client_secret is not None:
                fields["client_secret"] = self.client_secret
        origin = httpx.URL(self.token_url).copy_with(path="/", query=None, fragment=None)
        with self.ctx.http(str(origin), headers={"Accept": "application/json"}) as client:
            response = client.post(self.token_url, data=fields, auth=basic,
                                   extensions={"returnhub_retry": self._retry_sent()})
        if response.status_code in (400, 401, 403) or (
                response.status_code < 500 and platform_error(response.text)[0] in REFUSED):
            raise AuthError(f"the token endpoint refused the credentials ({describe_error(response)}): "
                            "the connection needs new credentials")
        raise_for_status(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("access_token"):
            raise PermanentError(f"{describe_error(response)}: the token answer has no access_token")
        return body

    def _store(self, body: dict, asked: float) -> None:
        """Keep the token with an absolute expiry; keep (or rotate and persist) the refresh token."""
        state = self.state
        try:
            ttl = max(0.0, float(body.get("expires_in")))
        except (TypeError, ValueError):
            ttl = self.default_ttl  # absent or unreadable: assume a short life, never "forever"
        if state.access_token:
            Redactor.discard(state.access_token)
        Redactor.add(body["access_token"])
        state.access_token = body["access_token"]
        state.expires_at = asked + ttl
        state.renew_at = state.expires_at - min(self.margin, ttl / 4)
        state.refused = None
        fresh = body.get("refresh_token")
        if fresh and fresh != state.refresh_token:
            Redactor.add(fresh)
            state.refresh_token = fresh
            self._rotated(fresh)

    def _rotated(self, refresh_token: str) -> None:
        """A new refresh token came back (only the refresh-token grant cares)."""

    # -- httpx -------------------------------------------------------------------------------
    def apply(self, request: httpx.Request) -> None:
        token = self.token()
        request.headers[self.header] = f"{self.scheme} {token}" if self.scheme else token

    def _sent_token(self, request: httpx.Request) -> str | None:
        value = request.headers.get(self.header)
        if value and self.scheme and value.startswith(f"{self.scheme} "):
            value = value[len(self.scheme) + 1:]
        return value

    def auth_flow(self, request: httpx.Request):
        request.extensions[PREPARE] = self.apply
        self.apply(request)
        response = yield request
        if response.status_code not in self.renew_on:
            return
        self.renew(stale=self._sent_token(request))
        self.apply(request)
        response = yield request
        if response.status_code in self.renew_on:
            response.read()
            raise AuthError(f"{describe_error(response)} (refused with a freshly issued token too): "
                            "check the connection's credentials and permissions")


class OAuth2ClientCredentials(OAuth2):
    """The client-credentials grant (bol, Otto, Zalando, Walmart, Shopify apps): client id + secret.

        OAuth2ClientCredentials(ctx, token_url=f"{shop}/admin/oauth/access_token", client_id=cid,
                                client_secret=secret, header="X-Shopify-Access-Token", scheme=None)
    """

    grant_type = "client_credentials"


class OAuth2RefreshToken(OAuth2):
    """The refresh-token grant (Amazon LWA, Allegro, TikTok Shop, Miravia): a long-lived refresh token buys
    access tokens.

    A rotated refresh token (one the endpoint sends back in place of the old one) is used from then
    on and handed to ``on_refresh_token(new)`` so the plugin can save it in the connection's
    settings; when none comes back the old one is kept. A token request whose answer was lost is not
    repeated (it may have rotated the refresh token already).

        OAuth2RefreshToken(ctx, token_url="https://api.amazon.com/auth/o2/token", client_id=cid,
                           client_secret=secret, refresh_token=rt, header="x-amz-access-token",
                           scheme=None, renew_on=(401, 403))

    ``rotating=True`` (a platform that rotates on every renewal): the process-wide cache is keyed on the
    client, not on the refresh token in the settings, and remembers the refresh tokens it produced; settings
    carrying one of those are not newer than the cache, while one it never saw (the merchant connected again)
    replaces the cached grant. Without it each job would start a new cache entry and renew at once.

    ``exchange(fields) -> dict`` replaces the standard token POST for platforms whose token call differs (a
    signed gateway call, a GET with the app secret, an envelope): it gets the grant's fields
    (``grant_type``, ``refresh_token``), makes the call through ``ctx.http`` and gives ``access_token``,
    ``expires_in`` (seconds from now) and ``refresh_token``; it raises :class:`AuthError` when the platform
    refuses the grant (held for a minute like any refusal).
    """

    grant_type = "refresh_token"

    def __init__(self, ctx, *, refresh_token: str, on_refresh_token: Callable[[str], None] | None = None,
                 rotating: bool = False, exchange: Callable[[dict[str, str]], dict] | None = None, **kwargs):
        self._initial_refresh = refresh_token
        self.rotating = rotating
        self.exchange = exchange
        Redactor.add(refresh_token)
        super().__init__(ctx, **kwargs)
        self.on_refresh_token = on_refresh_token
        state = self.state
        if rotating:
            with state.lock:
                if refresh_token not in state.rotations_seen:  # new to this cache: the merchant's latest grant
                    state.rotations_seen.add(refresh_token)
                    state.refresh_token, state.access_token, state.renew_at, state.refused = (
                        refresh_token, None, 0.0, None)
        elif state.refresh_token is None:
            state.refresh_token = refresh_token

    def _credentials(self) -> list[str]:
        if self.rotating:
            return [self.client_secret or ""]
        return [self.client_secret or "", self._initial_refresh]

    def _grant_fields(self) -> dict[str, str]:
        return {"refresh_token": self.state.refresh_token or self._initial_refresh}

    def _exchange(self, fields: dict[str, str]) -> dict:
        if self.exchange is None:
            return super()._exchange(fields)
        body = self.exchange(dict(fields))
        if not isinstance(body, dict) or not body.get("access_token"):
            raise PermanentError(f"the token answer from {self.token_url} has no access_token")
        return body

    def _retry_sent(self) -> bool:
        return False

    def _rotated(self, refresh_token: str) -> None:
        if self.rotating:
            self.state.rotations_seen.add(refresh_token)
        if self.on_refresh_token is None:
            return
        try:
            self.on_refresh_token(refresh_token)
        except Exception:  # the token works now; saving it is the plugin's job, so say so loudly
            log.exception("could not save the rotated refresh token for client %s", self.client_id)
