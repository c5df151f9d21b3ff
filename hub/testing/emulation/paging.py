"""Paging envelopes as platforms shape them: page numbers, offset/limit, opaque next tokens, next links.
Each helper takes the full list and the request's paging values and gives the slice plus what to send."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlencode


class BadPagingValue(ValueError):
    """A page, offset, limit or token the platform would refuse (answer it with a 400)."""


@dataclass
class Window:
    """One page of ``items`` with what the envelope needs: ``total`` items, and where the next page starts."""

    items: list
    total: int
    next_offset: int | None


def _int(value, name: str, default: int, minimum: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadPagingValue(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise BadPagingValue(f"{name} must be at least {minimum}, got {number}")
    return number


def by_offset(items: list, offset=0, limit=50, *, max_limit: int = 1000) -> Window:
    """``items[offset:offset + limit]``; ``next_offset`` None on the last page."""
    start = _int(offset, "offset", 0, 0)
    size = min(_int(limit, "limit", 50, 1), max_limit)
    chunk = items[start:start + size]
    end = start + len(chunk)
    return Window(chunk, len(items), end if end < len(items) else None)


def page_number_envelope(items: list, page=1, size=50, *, key: str = "items", first: int = 1) -> dict:
    """``{key: [...], "page": n, "pages": total_pages, "total": count}``; pages count from ``first``."""
    number = _int(page, "page", first, first)
    per = _int(size, "page size", 50, 1)
    window = by_offset(items, (number - first) * per, per)
    pages = max(1, -(-len(items) // per))
    return {key: window.items, "page": number, "pages": pages, "total": len(items)}


def offset_envelope(items: list, offset=0, limit=50, *, key: str = "items") -> dict:
    """``{key: [...], "offset": o, "limit": l, "total": count}``."""
    window = by_offset(items, offset, limit)
    return {key: window.items, "offset": _int(offset, "offset", 0, 0), "limit": len(window.items) or _int(
        limit, "limit", 50, 1), "total": window.total}


def encode_token(offset: int, **state) -> str:
    """An opaque next token (what a real platform gives is opaque too: clients must not build them)."""
    return base64.urlsafe_b64encode(json.dumps({"o": offset, **state}).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict:
    """The state inside a next token; BadPagingValue for anything not made by :func:`encode_token`."""
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(state, dict) or not isinstance(state.get("o"), int):
            raise ValueError
        return state
    except ValueError:
        raise BadPagingValue(f"invalid next token {token!r}") from None


def next_token_envelope(items: list, token: str | None = None, size=50, *, key: str = "items",
                        token_key: str = "nextToken") -> dict:
    """``{key: [...], token_key: "<opaque>"}``; the token is absent on the last page."""
    start = decode_token(token)["o"] if token else 0
    window = by_offset(items, start, size)
    body = {key: window.items}
    if window.next_offset is not None:
        body[token_key] = encode_token(window.next_offset)
    return body


def next_link_envelope(items: list, base_url: str, offset=0, size=50, *, key: str = "items",
                       params: dict | None = None) -> tuple[dict, str | None]:
    """(``{key: [...], "next": url-or-absent}``, a ``Link: <url>; rel="next"`` header value or None)."""
    window = by_offset(items, offset, size)
    body: dict = {key: window.items}
    if window.next_offset is None:
        return body, None
    url = f"{base_url}?{urlencode({**(params or {}), 'offset': window.next_offset, 'limit': size})}"
    body["next"] = url
    return body, f'<{url}>; rel="next"'
