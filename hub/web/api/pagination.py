"""Opaque cursors for keyset pagination (newest first, by id): stable while rows are added."""
from __future__ import annotations

import base64

from flask_smorest import abort


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    """The id the next page starts below; a 422 field error on a cursor we did not make."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind == "id" and value.isdigit() and len(value) < 19:
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    abort(422, errors={"cursor": ["not a cursor from a previous page"]})


def page(rows: list, limit: int) -> tuple[list, str | None]:
    """The first ``limit`` rows and the cursor of the next page (None when none follows)."""
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode(rows[-1].id) if more and rows else None
