"""Bearer-token authentication, scopes and a per-token rate limit (429 with Retry-After) for /api/v1.

Each view declares its scope with :func:`requires`; the blueprint's ``before_request`` checks the
token, the scope and the token's bucket before any argument is parsed, and sets ``g.api`` and
``g.merchant_id`` so the core's merchant-scoped lookups (``hub.web.context``) work unchanged.
"""
from __future__ import annotations

import math

from flask import current_app, g, request

from hub.api_tokens import authenticate
from hub.http import RateLimiter
from hub.web.api.problems import problem
from hub.web.context import hub

DEFAULT_RATE_LIMIT = {"requests": 200, "per_seconds": 50.0}  # burst 200, then 4 requests a second
CONFIG_KEY = "RETURNHUB_API_RATE_LIMIT"


def requires(scope: str | None):
    """Mark a view as needing ``scope`` (None: any valid token)."""
    def mark(view):
        view.required_scope = scope
        return view
    return mark


class TokenBucket(RateLimiter):
    """The core's Redis token bucket, asked without waiting: seconds until the next request may pass."""

    def try_acquire(self) -> float:
        return self._run(0)[0]


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authorize():
    """before_request of every API blueprint: 401 / 403 / 429 as problem+json, else None."""
    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return None
    token = _bearer()
    grant = authenticate(hub(), token) if token else None
    if grant is None:
        return problem(401, "Send a valid, unrevoked API token as 'Authorization: Bearer <token>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="returnhub"'})
    scope = getattr(view, "required_scope", None)
    if scope is not None and scope not in grant.scopes:
        return problem(403, f"This token lacks the scope '{scope}'.")
    limit = current_app.config.get(CONFIG_KEY) or DEFAULT_RATE_LIMIT
    wait = TokenBucket(hub().redis, f"api-token:{grant.token_id}", **limit).try_acquire()
    if wait > 0:
        return problem(429, f"Too many requests for this token; retry in {math.ceil(wait)} s.",
                       headers={"Retry-After": str(max(1, math.ceil(wait)))})
    g.api, g.merchant_id = grant, grant.merchant_id
    return None


def actor() -> str:
    """Who did it, for the return's timeline."""
    return f"api:{g.api.name}"
