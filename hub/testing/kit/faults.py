"""A WSGI layer in front of any emulator: injects 429/5xx/401/403 answers and records every request.

The kit certifies retry and auth handling without knowing a platform's own test hooks: it answers
the next requests itself, then lets the emulator answer again.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus

from hub import clock


@dataclass
class Fault:
    status: int
    count: int
    retry_after: str | None = None
    path: str = ""


@dataclass
class Seen:
    """One request the emulator received: when, what, and the status it got."""

    at: float
    method: str
    path: str
    status: int | None = None
    injected: bool = False


class FaultInjector:
    """Wraps an emulator's WSGI app; paths under ``/_emulator`` (test hooks) pass untouched."""

    def __init__(self, app, hooks_prefix: str = "/_emulator"):
        self.app = app
        self.hooks_prefix = hooks_prefix
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def inject(self, status: int, count: int = 1, retry_after: str | float | None = None, path: str = "") -> None:
        """Answer the next ``count`` requests (whose path contains ``path``) with ``status``."""
        with self._lock:
            self.faults.append(Fault(status, count, None if retry_after is None else str(retry_after), path))

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.seen.clear()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.hooks_prefix):
            return self.app(environ, start_response)
        seen = Seen(clock.monotonic(), environ.get("REQUEST_METHOD", "GET"), path)
        with self._lock:
            self.seen.append(seen)
            fault = next((f for f in self.faults if f.count > 0 and f.path in path), None)
            if fault:
                fault.count -= 1
        if fault:
            seen.status, seen.injected = fault.status, True
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = json.dumps({"error": f"injected {fault.status} by the Returnhub conformance kit"}).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            if fault.retry_after is not None:
                headers.append(("Retry-After", fault.retry_after))
            start_response(f"{fault.status} {HTTPStatus(fault.status).phrase}", headers)
            return [body]

        def recording_start(status, headers, exc_info=None):
            seen.status = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start)


@dataclass
class RunningEmulator:
    """An emulator on loopback behind a :class:`FaultInjector`: ``url``, the Flask ``app``, ``settings``."""

    url: str
    app: object
    faults: FaultInjector
    settings: dict = field(default_factory=dict)

    @property
    def seen(self) -> list[Seen]:
        return self.faults.seen
