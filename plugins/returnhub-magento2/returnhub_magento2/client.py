"""Magento REST calls for one store: JSON in and out, HTML answers named as such, searchCriteria paging."""
from __future__ import annotations

import math
from collections.abc import Iterator

import httpx

from hub.errors import AuthError, PermanentError, TransientError
from hub.http import describe_error, raise_for_status
from hub.sdk.paging import PageNumberPaginator, walk
from returnhub_magento2.auth import magento_auth


class NoRoute(PermanentError):
    """Magento answered 404 'Request does not match any route': the endpoint is not installed (no RMA)."""


def criteria(*groups: list[tuple[str, object, str]], page_size: int | None = None, page: int | None = None,
             sort: tuple[str, str] | None = None) -> dict[str, str]:
    """searchCriteria query parameters: filter groups are AND-ed, the filters inside one group OR-ed."""
    params: dict[str, str] = {}
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filterGroups][{g}][filters][{f}]"
            params[f"{prefix}[field]"] = field
            params[f"{prefix}[value]"] = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
            params[f"{prefix}[conditionType]"] = condition
    if sort:
        params["searchCriteria[sortOrders][0][field]"], params["searchCriteria[sortOrders][0][direction]"] = sort
    if page_size is not None:
        params["searchCriteria[pageSize]"] = str(page_size)
    if page is not None:
        params["searchCriteria[currentPage]"] = str(page)
    return params


class MagentoClient:
    """GET/POST against ``<store_url>/rest/<store_code>/V1`` through the core's HTTP client."""

    def __init__(self, ctx, settings: dict):
        self.settings = settings
        self.base = f"/rest/{settings['store_code']}/V1"
        self.http: httpx.Client = ctx.http(settings["store_url"].rstrip("/"), auth=magento_auth(settings),
                                           headers={"Accept": "application/json"})

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict | None = None):
        return self._json(self.http.get(self.base + path, params=params))

    def post(self, path: str, body: dict):
        # A create is never re-sent by the transport after a lost answer: the adapter looks it up first.
        return self._json(self.http.post(self.base + path, json=body, extensions={"returnhub_retry": False}))

    def search(self, path: str, *groups, sort: tuple[str, str] | None = None,
               max_pages: int | None = None) -> Iterator[dict]:
        """Every item of a searchCriteria list, page by page until ``total_count`` (a page past the last
        gives the last page again on Magento, so the count decides, never an empty page)."""
        size = self.settings["page_size"]
        pager = PageNumberPaginator(page_size=size, total_pages=lambda r: math.ceil(r.json()["total_count"] / size))

        def send(p: PageNumberPaginator) -> httpx.Response:
            response = self.http.get(self.base + path, params=criteria(
                *groups, page_size=size, page=p.current_value, sort=sort))
            self._json(response)
            return response

        return walk(send, pager, "items", max_pages=max_pages or self.settings["max_pages"])

    def _json(self, response: httpx.Response):
        """The answer's JSON; a clear error for HTML (wrong URL, maintenance) and for Magento's errors."""
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        where = f"{response.request.method} {response.request.url.path}"
        if kind != "application/json":
            if response.status_code in (502, 503, 504):
                raise TransientError(f"{where} -> {response.status_code}: the store answered an HTML page instead "
                                     "of its REST API (maintenance mode?); retrying later",
                                     status=response.status_code)
            if response.status_code in (401, 403):
                raise AuthError(describe_error(response))
            raise PermanentError(f"{where} -> {response.status_code}: the store answered {kind or 'no JSON'} instead "
                                 "of JSON: is the store URL the Magento base URL (REST under /rest/<store code>/V1)?")
        if response.status_code == 404 and "does not match any route" in response.text:
            raise NoRoute(describe_error(response))
        if response.status_code == 401:
            raise AuthError(describe_error(response) + " (the integration's access token expired or was revoked, "
                                                       "or the store does not allow its bearer use: see the "
                                                       "Authentication setting)")
        raise_for_status(response)
        return response.json()
