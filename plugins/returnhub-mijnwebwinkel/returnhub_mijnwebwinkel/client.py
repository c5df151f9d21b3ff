"""A thin client of the MyOnlineStore Connect API on hub.sdk: both tokens in the query string (redacted),
JSON answers checked, offset paging of order listings."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from hub.errors import PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.authbase import PlatformAuth
from hub.sdk.paging import OffsetPaginator, walk

TOKEN_PARAMS = ("partner_token", "token")


class ConnectTokens(PlatformAuth):
    """``?partner_token=…&token=…`` on every request; both names and values are registered with the
    Redactor, so URLs in logs, errors, ``last_error`` and job data show ``***`` instead."""

    def __init__(self, partner_token: str, token: str):
        super().__init__(secret_params=TOKEN_PARAMS, secrets=[partner_token, token])
        self.values = {"partner_token": partner_token, "token": token}

    def apply(self, request: httpx.Request) -> None:
        for name, value in self.values.items():
            request.url = request.url.copy_set_param(name, value)


def json_body(response: httpx.Response) -> Any:
    """The JSON of an answer after its status is checked; an HTML or other non-JSON answer is an error
    that says what came back (a maintenance page is retried, anything else is not)."""
    raise_for_status(response)
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    where = f"{response.request.method} {response.request.url.path}"
    try:
        return response.json()
    except ValueError:
        error = TransientError if "html" in kind else PermanentError
        raise error(f"Mijnwebwinkel answered {where} with {kind or 'an unknown type'} instead of JSON "
                    "(maintenance page, or a wrong API address?)") from None


class ConnectClient:
    """GET/PATCH on ``<api_url>/v<version>/…`` of one store, through the core's HTTP client."""

    def __init__(self, ctx, settings: dict):
        self.http = ctx.http(settings["api_url"].rstrip("/"),
                             auth=ConnectTokens(settings["partner_token"], settings["token"]))
        self.prefix = f"/v{settings['api_version']}"
        self.base = {"format": "json", **({"language": settings["language"]} if settings.get("language") else {})}

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params) -> Any:
        return json_body(self.http.get(self.prefix + path, params={**self.base, **params}))

    def get_or_none(self, path: str, **params) -> Any:
        """The JSON of ``path``, or None when the API answers 404 (no such order)."""
        response = self.http.get(self.prefix + path, params={**self.base, **params})
        return None if response.status_code == 404 else json_body(response)

    def patch(self, path: str, body: dict) -> Any:
        # Not re-sent by the core's transport after a lost answer: the job's retry reads the order first.
        return json_body(self.http.patch(self.prefix + path, params=self.base, json=body))

    def pages(self, path: str, *, limit: int, max_pages: int | None = None, **params) -> Iterator[dict]:
        """Every item of a listing that answers a bare JSON array, page by page (``offset``/``limit``)."""
        def send(pager: OffsetPaginator) -> httpx.Response:
            response = self.http.get(self.prefix + path, params={**self.base, **params, **pager.params()})
            body = json_body(response)
            if not isinstance(body, list):
                raise PermanentError(f"Mijnwebwinkel answered GET {self.prefix}{path} with "
                                     f"{type(body).__name__} where a list was expected")
            return response
        yield from walk(send, OffsetPaginator(limit=limit), lambda r: r.json(), max_pages=max_pages)
