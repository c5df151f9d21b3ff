"""httpx.Auth objects for platform credentials: API key, bearer, basic, request signing and OAuth2.

Pass one as ``auth=`` to ``ctx.http(...)``. Each sets its credentials on the request and also hands
the client factory's transport a ``returnhub_prepare`` hook, which the transport calls before every
attempt (after waiting for the rate limit): a retried request gets a fresh signature and timestamp,
and a token that expired during a back-off is renewed. Header and parameter names that carry
secrets, and the secret values, are registered with :class:`hub.http.Redactor`, so they never show
in logs, error messages, a connection's ``last_error`` or job data.

    from hub.sdk.auth import ApiKeyAuth
    client = ctx.http("https://api.example.com", auth=ApiKeyAuth("X-Api-Key", settings["api_key"]))
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import httpx

from hub import clock
from hub.errors import AuthError
from hub.http import Redactor, describe_error
from hub.sdk.authbase import PREPARE, PlatformAuth
from hub.sdk.oauth import OAuth2, OAuth2ClientCredentials, OAuth2RefreshToken

__all__ = ["ApiKeyAuth", "BasicAuth", "BearerAuth", "OAuth2", "OAuth2ClientCredentials", "OAuth2RefreshToken",
           "PlatformAuth", "Signature", "SigningAuth", "ToSign", "TokenSigningAuth"]


class ApiKeyAuth(PlatformAuth):
    """An API key in a header (``location="header"``) or in the query string (``location="query"``).

        ApiKeyAuth("Authorization", key)                  # Mirakl: the bare key as Authorization
        ApiKeyAuth("X-Api-Key", key, prefix="Key ")       # "X-Api-Key: Key <key>"
        ApiKeyAuth("api_key", key, location="query")      # ...?api_key=<key>
    """

    def __init__(self, name: str, value: str, *, location: str = "header", prefix: str = ""):
        if location not in ("header", "query"):
            raise ValueError("location is 'header' or 'query'")
        super().__init__(secret_headers=[name] if location == "header" else [],
                         secret_params=[name] if location == "query" else [], secrets=[value])
        self.name, self.value, self.location, self.prefix = name, value, location, prefix

    def apply(self, request: httpx.Request) -> None:
        if self.location == "header":
            request.headers[self.name] = f"{self.prefix}{self.value}"
        else:
            request.url = request.url.copy_set_param(self.name, f"{self.prefix}{self.value}")


class BearerAuth(PlatformAuth):
    """A fixed token: ``Authorization: Bearer <token>``, or another header and scheme (None: the bare token).

        BearerAuth(settings["access_token"], header="X-Shopify-Access-Token", scheme=None)
    """

    def __init__(self, token: str, *, header: str = "Authorization", scheme: str | None = "Bearer"):
        super().__init__(secret_headers=[header], secrets=[token])
        self.token, self.header, self.scheme = token, header, scheme

    def apply(self, request: httpx.Request) -> None:
        request.headers[self.header] = f"{self.scheme} {self.token}" if self.scheme else self.token


class BasicAuth(PlatformAuth):
    """HTTP Basic with a user name and password (the password is registered as a secret)."""

    def __init__(self, username: str, password: str):
        super().__init__(secrets=[password])
        self._header = httpx.BasicAuth(username, password)._auth_header

    def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = self._header


# --- request signing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ToSign:
    """What a signer sees of one attempt: the request without earlier signatures, and the time.

    ``time`` is epoch seconds from :mod:`hub.clock` (a test's FakeClock moves it).
    """

    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes
    time: float

    @property
    def path(self) -> str:
        """The URL path, as sent (percent-encoded)."""
        return self.url.raw_path.decode("ascii").split("?", 1)[0]

    @property
    def query(self) -> list[tuple[str, str]]:
        """The query parameters in their order (before the signer adds its own)."""
        return list(self.url.params.multi_items())


@dataclass
class Signature:
    """What a signer adds: headers and query parameters."""

    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)


Signer = Callable[[ToSign], "Signature | Mapping[str, str]"]


class SigningAuth(PlatformAuth):
    """Signs every attempt with ``signer(ToSign) -> Signature`` (a plain mapping means headers).

    The signer runs again before each retry, on the unsigned request, with the current time, so a
    timestamped HMAC is always fresh. Name the headers and parameters it adds that are secret.
    Ready-made signers for Kaufland and TikTok Shop are in :mod:`hub.sdk.signing`::

        def sign(req: ToSign) -> Signature:
            stamp = str(int(req.time))
            mac = hmac_sha256_hex(secret, f"{req.method}\\n{req.url}\\n{req.body.decode()}\\n{stamp}")
            return Signature(headers={"X-Key": key, "X-Time": stamp, "X-Signature": mac})

        auth = SigningAuth(sign, secret_headers=["X-Key", "X-Signature"], secrets=[key, secret])
        client = ctx.http(base_url, auth=auth)
    """

    def __init__(self, signer: Signer, *, secret_headers: Iterable[str] = (), secret_params: Iterable[str] = (),
                 secrets: Iterable[str | None] = ()):
        secret_headers, secret_params = list(secret_headers), list(secret_params)
        super().__init__(secret_headers=secret_headers, secret_params=secret_params, secrets=secrets)
        self.signer = signer
        self.secret_names = {name.lower() for name in [*secret_headers, *secret_params]}

    def apply(self, request: httpx.Request) -> None:
        self._apply_with(request, self.signer)

    def _apply_with(self, request: httpx.Request, signer: Signer) -> None:
        """Sign this attempt with ``signer``: earlier signatures removed, the unsigned request signed afresh."""
        unsigned_url, added = request.extensions.get("returnhub_unsigned", (request.url, ()))
        for name in added:  # the previous attempt's signature headers
            request.headers.pop(name, None)
        try:
            body = request.content
        except httpx.RequestNotRead:  # a streamed body: read it once, it is sent from memory then
            body = request.read()
        result = signer(ToSign(method=request.method, url=unsigned_url, headers=httpx.Headers(request.headers),
                                    body=body, time=clock.time()))
        if not isinstance(result, Signature):
            result = Signature(headers=dict(result))
        for name, value in [*result.headers.items(), *result.params.items()]:
            if name.lower() in self.secret_names:
                Redactor.add_recent(str(value))  # a one-off signature: hidden even where echoed bare
        request.headers.update(result.headers)
        url = unsigned_url
        for name, value in result.params.items():
            url = url.copy_set_param(name, value)
        request.url = url
        request.extensions["returnhub_unsigned"] = (unsigned_url, tuple(result.headers))



class TokenSigningAuth(SigningAuth):
    """Signed requests that also carry an access token kept fresh by an OAuth2 token source.

    For gateways where the token is part of what is signed (Miravia/Lazada: ``access_token`` is a signed
    parameter) or sent beside the signature (TikTok Shop: ``x-tts-access-token``). ``make_signer(token)`` gives
    the signer for the current token; ``tokens`` (usually an :class:`OAuth2RefreshToken`) renews the token ahead
    of its expiry. ``expired(response)`` says the platform refused the token as expired or invalid (many gateways
    answer so with an error code in the body, even with HTTP 200): the token is renewed once and the request
    re-signed and resent; a second refusal raises :class:`AuthError`.

        auth = TokenSigningAuth(lambda token: lazada_signer(key, secret, token), tokens,
                                expired=lambda r: error_code(r) == "IllegalAccessToken", secret_params=["sign"])
    """

    requires_response_body = True

    def __init__(self, make_signer: Callable[[str], Signer], tokens, *, expired: Callable[[httpx.Response], bool],
                 secret_headers: Iterable[str] = (), secret_params: Iterable[str] = (),
                 secrets: Iterable[str | None] = ()):
        super().__init__(self._no_signer, secret_headers=secret_headers, secret_params=secret_params,
                         secrets=secrets)
        self.make_signer, self.tokens, self.expired = make_signer, tokens, expired

    @staticmethod
    def _no_signer(req: ToSign) -> Signature:
        raise RuntimeError("TokenSigningAuth signs through apply()")

    def apply(self, request: httpx.Request) -> None:
        token = self.tokens.token()
        request.extensions["returnhub_token"] = token
        self._apply_with(request, self.make_signer(token))

    def auth_flow(self, request: httpx.Request):
        request.extensions[PREPARE] = self.apply
        self.apply(request)
        response = yield request
        if not self.expired(response):
            return
        self.tokens.renew(stale=request.extensions.get("returnhub_token"))
        self.apply(request)
        response = yield request
        if self.expired(response):
            raise AuthError(f"{describe_error(response)} (refused with a freshly issued token too): "
                            "check the connection's credentials and permissions")
