"""Every API request an emulator answered, as data a test can assert on (method, path, query, body, status)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Entry:
    """One answered request; ``body``/``response`` are parsed JSON when they were JSON, else None."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: object = None
    status: int | None = None
    response: object = None
    at: float = 0.0

    def as_dict(self) -> dict:
        return {"method": self.method, "path": self.path, "query": self.query, "body": self.body,
                "status": self.status, "response": self.response, "at": self.at}


SECRET_HEADERS = {"authorization", "cookie", "x-api-key", "x-shopify-access-token", "x-amz-access-token"}


@dataclass
class Ledger:
    """Thread-safe list of :class:`Entry`; header values named in ``SECRET_HEADERS`` are kept as ``***``."""

    entries: list[Entry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, entry: Entry) -> Entry:
        entry.headers = {k: ("***" if k.lower() in SECRET_HEADERS else v) for k, v in entry.headers.items()}
        with self._lock:
            self.entries.append(entry)
        return entry

    def find(self, method: str | None = None, path: str | None = None) -> list[Entry]:
        """Entries with this method (any if None) whose path equals ``path`` or starts with it + '/'."""
        with self._lock:
            return [e for e in self.entries if (method is None or e.method == method.upper())
                    and (path is None or e.path == path or e.path.startswith(path.rstrip("/") + "/"))]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)
