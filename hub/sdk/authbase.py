"""The base of the SDK's auth objects: credentials set on every attempt, secret names registered."""
from __future__ import annotations

from collections.abc import Iterable

import httpx

from hub.http import Redactor

PREPARE = "returnhub_prepare"  # request extension: called by hub.http's transport before each attempt


class PlatformAuth(httpx.Auth):
    """Base of the SDK's auth objects: :meth:`apply` sets the credentials, on every attempt.

    ``secret_headers``/``secret_params`` name the headers and query parameters whose values are
    secret (beyond the usual Authorization, ``*token*``, ``*secret*`` ...); ``secrets`` are values.
    """

    def __init__(self, *, secret_headers: Iterable[str] = (), secret_params: Iterable[str] = (),
                 secrets: Iterable[str | None] = ()):
        Redactor.add_names(*secret_headers, *secret_params)
        for value in secrets:
            if value:
                Redactor.add(str(value))

    def apply(self, request: httpx.Request) -> None:
        """Set this attempt's credentials on ``request`` (in place)."""
        raise NotImplementedError

    def auth_flow(self, request: httpx.Request):
        request.extensions[PREPARE] = self.apply
        self.apply(request)
        yield request
