"""A thin client of the Lightspeed eCom REST API on hub.sdk: HTTP Basic (key:secret), ``/{language}/…json``
paths, page/limit listings, and the X-RateLimit-* headers honoured before the next request."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from hub import clock
from hub.errors import PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import BasicAuth
from hub.sdk.paging import PageNumberPaginator, walk
from returnhub_lightspeed.settings import CLUSTERS


def exhausted_wait(headers: httpx.Headers) -> float | None:
    """Seconds until the first exhausted window resets, from ``X-RateLimit-Remaining``/``-Reset`` (comma lists,
    one value per window: 5 min, hour, day); None while requests remain or the headers are absent."""
    remaining = [v.strip() for v in headers.get("x-ratelimit-remaining", "").split(",") if v.strip()]
    resets = [v.strip() for v in headers.get("x-ratelimit-reset", "").split(",") if v.strip()]
    waits = [float(resets[i]) for i, left in enumerate(remaining)
             if left.lstrip("-").isdigit() and int(left) <= 0 and i < len(resets)
             and resets[i].replace(".", "", 1).isdigit()]
    return max(waits) if waits else None


class LightspeedClient:
    """GET/PUT on ``<cluster>/<language>/<resource>.json`` of one shop, through the core's HTTP client."""

    def __init__(self, ctx, settings: dict):
        base = (settings.get("api_url") or CLUSTERS[settings["cluster"]]).rstrip("/")
        self.http = ctx.http(base, auth=BasicAuth(settings["api_key"], settings["api_secret"]))
        self.prefix = f"/{settings['language']}"
        self.wait_max = settings["rate_limit_wait_max"]
        self._wait_until: float | None = None

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, path: str, **kw) -> httpx.Response:
        if self._wait_until is not None:
            left = self._wait_until - clock.monotonic()
            self._wait_until = None
            if left > self.wait_max:
                raise TransientError(f"Lightspeed rate limit exhausted for {left:.0f} s more", retry_after=left)
            if left > 0:
                clock.sleep(left)
        response = self.http.request(method, f"{self.prefix}{path}.json", **kw)
        wait = exhausted_wait(response.headers)
        if wait is not None:
            self._wait_until = clock.monotonic() + wait
        return response

    def json(self, response: httpx.Response) -> Any:
        raise_for_status(response)
        try:
            return response.json()
        except ValueError:
            where = f"{response.request.method} {response.request.url.path}"
            raise PermanentError(f"Lightspeed answered {where} with something other than JSON") from None

    def get(self, path: str, **params) -> Any:
        return self.json(self._send("GET", path, params=params))

    def get_or_none(self, path: str, **params) -> Any:
        response = self._send("GET", path, params=params)
        return None if response.status_code == 404 else self.json(response)

    def put(self, path: str, body: dict) -> Any:
        # Not re-sent by the core's transport after a lost answer: the job's retry reads the order first.
        return self.json(self._send("PUT", path, json=body))

    def post(self, path: str, body: dict) -> Any:
        return self.json(self._send("POST", path, json=body))

    def pages(self, path: str, key: str, *, limit: int, max_pages: int | None = None, **params) -> Iterator[dict]:
        """Every item of a listing ``{key: [...]}``, page by page (``page``/``limit``)."""
        def send(pager: PageNumberPaginator) -> httpx.Response:
            response = self._send("GET", path, params={**params, **pager.params()})
            body = self.json(response)
            if not isinstance(body, dict) or not isinstance(body.get(key), list):
                raise PermanentError(f"Lightspeed answered GET {path} without a '{key}' list")
            return response
        pager = PageNumberPaginator(page_size=limit, size_param="limit")
        yield from walk(send, pager, lambda r: r.json()[key], max_pages=max_pages)
