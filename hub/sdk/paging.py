"""Paginators: page number, offset/limit, next link (body or Link header) and next token/cursor.

One contract for all (after the Singer SDK's): ``current_value`` is what to ask for next (resumable:
build a paginator with ``start=`` a value saved in the cursor), :meth:`Paginator.advance` reads an
answer and its records, ``finished`` says the walk is over. :meth:`Paginator.params` gives the query
parameters to send (for a next link, :meth:`Paginator.url`). A token that comes back a second time
raises :class:`PagingLoop` instead of walking in circles. Token and link strategies follow what the
platform says, so an empty page with a next token goes on; number and offset strategies end at a
short or empty page, or at a total when given one.

    pager = TokenPaginator(token="pagination.next_page_token", param="page_token", start=saved)
    while not pager.finished:
        resp = client.get("/returns", params={"page_size": 100, **pager.params()})
        raise_for_status(resp)
        records = resp.json()["returns"]
        yield from records
        pager.advance(resp, records)

:func:`walk` runs that loop; in ``fetch_returns``, do one step per call and keep ``current_value``
in the cursor (see :class:`hub.sdk.cursor.IncrementalCursor`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from hub.errors import PermanentError
from hub.sdk.cursor import IncrementalCursor

Extract = str | Sequence[str] | Callable[[httpx.Response], Any]

__all__ = ["IncrementalCursor", "LinkPaginator", "OffsetPaginator", "PageNumberPaginator", "Paginator", "PagingLoop",
           "TokenPaginator", "extract", "walk"]


class PagingLoop(PermanentError):
    """The platform gave a page token or link already followed in this walk."""


def extract(response: httpx.Response, where: Extract) -> Any:
    """A value from the answer: a dotted path (``"meta.next"``) or key list into the JSON body, or a callable."""
    if callable(where):
        return where(response)
    keys = where.split(".") if isinstance(where, str) else list(where)
    value: Any = response.json()
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


class Paginator:
    """What every strategy shares: the current value, loop detection, ``finished`` and ``count``.

    Subclasses give :meth:`has_more` and :meth:`next_value`; callers use :meth:`advance`.
    """

    def __init__(self, start: Any = None):
        self.current_value = start if start is not None else self.first_value()
        self.finished = False
        self.count = 0  # pages read by this paginator
        self._seen: set = set()

    def first_value(self) -> Any:
        """The value of the first page when no ``start`` is given."""
        return None

    def has_more(self, response: httpx.Response, records: Sequence) -> bool:
        """Does the platform say there is a page after this one?"""
        raise NotImplementedError

    def next_value(self, response: httpx.Response, records: Sequence) -> Any:
        """The value that asks for the next page."""
        raise NotImplementedError

    def advance(self, response: httpx.Response, records: Sequence = ()) -> None:
        """Move on after reading ``response`` (whose items are ``records``); sets ``finished`` at the end."""
        self.count += 1
        if self.finished:
            raise RuntimeError("advance() after the last page")
        if not self.has_more(response, records):
            self.finished = True
            return
        value = self.next_value(response, records)
        if value is None or value == "":
            self.finished = True
            return
        if value == self.current_value or self._key(value) in self._seen:
            raise PagingLoop(f"{type(self).__name__}: the platform gave {self._show(value)} again "
                             f"after {self.count} page(s); stopping instead of looping")
        self._seen.add(self._key(self.current_value))
        self.current_value = value

    def params(self) -> dict[str, Any]:
        """Query parameters that ask for the current page ({} when it needs none)."""
        return {}

    @staticmethod
    def _key(value: Any) -> Any:
        return value if isinstance(value, (str, int, float, tuple)) or value is None else repr(value)

    @staticmethod
    def _show(value: Any) -> str:
        text = str(value)
        return repr(text if len(text) <= 60 else text[:57] + "...")


class PageNumberPaginator(Paginator):
    """``?page=1,2,3…``: ends at a page shorter than ``page_size`` (or empty), or past ``total_pages``.

    ``total_pages`` (path or callable) reads the page count from the answer when the platform gives
    it; then a short page in the middle does not end the walk. ``size_param`` sends ``page_size``.
    """

    def __init__(self, start: int | None = None, *, param: str = "page", first: int = 1,
                 page_size: int | None = None, size_param: str | None = None,
                 total_pages: Extract | None = None):
        self.first, self.param, self.page_size, self.size_param = first, param, page_size, size_param
        self.total_pages = total_pages
        super().__init__(start)

    def first_value(self) -> int:
        return self.first

    def has_more(self, response, records) -> bool:
        if self.total_pages is not None:
            total = extract(response, self.total_pages)
            if total is not None:
                return int(self.current_value) - self.first + 1 < int(total)
        if not records:
            return False
        return self.page_size is None or len(records) >= self.page_size

    def next_value(self, response, records) -> int:
        return int(self.current_value) + 1

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.param: self.current_value}
        if self.size_param and self.page_size:
            out[self.size_param] = self.page_size
        return out


class OffsetPaginator(Paginator):
    """``?offset=0&limit=100``: the next offset is this one plus the records read.

    Ends at ``total`` (path or callable, e.g. ``"pagination.total"``) when given, else at a page
    shorter than ``limit``; an empty page always ends it (the offset could not move on).
    """

    def __init__(self, start: int | None = None, *, limit: int, offset_param: str = "offset",
                 limit_param: str = "limit", total: Extract | None = None):
        self.limit, self.offset_param, self.limit_param, self.total = limit, offset_param, limit_param, total
        super().__init__(start)

    def first_value(self) -> int:
        return 0

    def has_more(self, response, records) -> bool:
        if not records:
            return False
        if self.total is not None:
            total = extract(response, self.total)
            if total is not None:
                return int(self.current_value) + len(records) < int(total)
        return len(records) >= self.limit

    def next_value(self, response, records) -> int:
        return int(self.current_value) + len(records)

    def params(self) -> dict[str, Any]:
        return {self.offset_param: self.current_value, self.limit_param: self.limit}


class TokenPaginator(Paginator):
    """A next token or cursor from the body (``token`` path) or a header (``header``), sent as ``param``.

    Ends when the token is absent or empty, or when ``more`` (a path such as
    ``"pageInfo.hasNextPage"``) is false. An empty page with a token goes on. For GraphQL, put
    ``current_value`` into the variables yourself instead of using :meth:`params`.
    """

    def __init__(self, start: str | None = None, *, token: Extract | None = None, header: str | None = None,
                 param: str = "next_token", more: Extract | None = None):
        if (token is None) == (header is None):
            raise ValueError("give either token (a body path or callable) or header")
        self.token, self.header, self.param, self.more = token, header, param, more
        super().__init__(start)

    def has_more(self, response, records) -> bool:
        return self.more is None or bool(extract(response, self.more))

    def next_value(self, response, records) -> str | None:
        if self.header:
            return response.headers.get(self.header)
        value = extract(response, self.token)
        return None if value is None else str(value)

    def params(self) -> dict[str, Any]:
        return {} if self.current_value is None else {self.param: self.current_value}


class LinkPaginator(Paginator):
    """The next page's URL from the body (``link`` path, e.g. ``"_links.next.href"``) or the Link header.

    :meth:`url` is the URL to GET (``first_url`` for the first page). A relative link is resolved
    against the request's URL; a link to another origin is refused, since the client would send the
    connection's credentials there.
    """

    def __init__(self, start: str | None = None, *, first_url: str | None = None, link: Extract | None = None):
        self.first_url, self.link = first_url, link
        super().__init__(start)

    def first_value(self) -> str | None:
        return self.first_url

    def has_more(self, response, records) -> bool:
        return True  # a link, or none, decides

    def next_value(self, response, records) -> str | None:
        if self.link is None:
            found = (response.links.get("next") or {}).get("url")
        else:
            found = extract(response, self.link)
        if not found:
            return None
        here = response.request.url
        nxt = here.join(str(found))
        if (nxt.scheme, nxt.host, nxt.port) != (here.scheme, here.host, here.port):
            raise PermanentError(f"next link to another origin refused: {nxt.scheme}://{nxt.host}")
        return str(nxt)

    def url(self) -> str | None:
        """The URL of the current page."""
        return self.current_value


def walk(send: Callable[[Paginator], httpx.Response], paginator: Paginator,
         records: Extract, *, max_pages: int | None = None) -> Iterator[Any]:
    """Every record of every page: ``send(paginator)`` gets one page, ``records`` finds its items.

    ``send`` should raise for error answers (:func:`hub.http.raise_for_status`). ``max_pages`` caps the walk.

        walk(lambda p: checked(client.get("/returns", params=p.params())), OffsetPaginator(limit=100), "data")
    """
    while not paginator.finished and (max_pages is None or paginator.count < max_pages):
        response = send(paginator)
        items = extract(response, records) or []
        yield from items
        paginator.advance(response, items)
