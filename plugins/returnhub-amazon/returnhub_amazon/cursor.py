"""The fetch cursor: per report stream, where the next window starts and the report in progress.

Stored by the core as a JSON string after every page, so a report created before a crash is
resumed (polled) rather than created again, and ``since`` moves only once a DONE report's rows
were all handed over.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from hub.errors import PermanentError

VERSION = 1


@dataclass
class Stream:
    """One report type's progress: window start, the report being processed, FATALs in a row."""

    since: str | None = None
    pending: dict | None = None  # reportId, reportType, start, end, catch_up
    fatal: int = 0

    def as_dict(self) -> dict:
        data = {"since": self.since, "pending": self.pending, "fatal": self.fatal}
        return {k: v for k, v in data.items() if v}


def load(cursor: str | None, names: list[str]) -> dict[str, Stream]:
    """The streams of ``cursor`` (None: a first poll), one per name in ``names``."""
    if not cursor:
        return {name: Stream() for name in names}
    try:
        data = json.loads(cursor)
        if data.get("v") != VERSION:
            raise ValueError(f"version {data.get('v')!r}")
        return {name: Stream(**data["streams"].get(name, {})) for name in names}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PermanentError(f"unreadable Amazon cursor ({exc}): reset the connection's cursor")


def dump(streams: dict[str, Stream]) -> str:
    """Deterministic JSON: an unchanged state gives the very same string."""
    return json.dumps({"v": VERSION, "streams": {n: s.as_dict() for n, s in streams.items()}},
                      sort_keys=True, separators=(",", ":"))


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
