"""A WSGI layer in front of any emulator: answers chosen requests with a fault, and notes every request.

Fault kinds: a status (429 with Retry-After, 5xx, 401/403), added latency (waited through
:mod:`hub.clock`, so a fake clock takes no real time), and a dropped connection after the emulator has
committed the request's effect (the client never learns it succeeded: the retry must be harmless).
Paths under ``/_emulator`` (test hooks) pass untouched. The kit certifies retry and auth handling
with it without knowing a platform's own hooks.
"""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http import HTTPStatus

from hub import clock

INJECTED_HEADER = "X-Returnhub-Kit-Injected"  # marks answers the injector made, not the emulator

KINDS = ("status", "latency", "drop")


@dataclass
class Fault:
    """``count`` requests whose method is ``method`` (any if blank) and path contains ``path`` get it."""

    status: int
    count: int
    retry_after: str | None = None
    path: str = ""
    kind: str = "status"
    seconds: float = 0.0
    method: str = ""

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and self.path in path and (not self.method or self.method == method)


@dataclass
class Seen:
    """One request the emulator received: when (``hub.clock.monotonic``), what, and the status it got."""

    at: float
    method: str
    path: str
    status: int | None = None
    injected: bool = False
    fault: str | None = None


class FaultInjector:
    """Wraps an emulator's WSGI app; ``inject`` (a status), ``delay`` and ``drop`` arm the next requests."""

    def __init__(self, app, hooks_prefix: str = "/_emulator"):
        self.app = app
        self.hooks_prefix = hooks_prefix
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def inject(self, status: int, count: int = 1, retry_after: str | float | None = None, path: str = "",
               method: str = "") -> None:
        """Answer the next ``count`` requests (whose path contains ``path``) with ``status``."""
        self._arm(Fault(status, count, None if retry_after is None else str(retry_after), path, method=method))

    def delay(self, seconds: float, count: int = 1, path: str = "", method: str = "") -> None:
        """Wait ``seconds`` (through hub.clock) before the emulator answers the next ``count`` requests."""
        self._arm(Fault(0, count, path=path, kind="latency", seconds=float(seconds), method=method))

    def drop(self, count: int = 1, path: str = "", method: str = "") -> None:
        """Let the emulator commit the next ``count`` requests, then close the connection unanswered."""
        self._arm(Fault(0, count, path=path, kind="drop", method=method))

    def _arm(self, fault: Fault) -> None:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}: one of {', '.join(KINDS)}")
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.seen.clear()

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            fault = next((f for f in self.faults if f.matches(method, path)), None)
            if fault:
                fault.count -= 1
            return fault

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.hooks_prefix):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        seen = Seen(clock.monotonic(), method, path)
        with self._lock:
            self.seen.append(seen)
        fault = self._take(method, path)
        if fault and fault.kind == "status":
            seen.status, seen.injected, seen.fault = fault.status, True, "status"
            return self._answer(environ, start_response, fault)
        if fault and fault.kind == "latency":
            seen.fault = "latency"
            clock.sleep(fault.seconds)
        if fault and fault.kind == "drop":
            seen.fault, seen.injected = "drop", True
            return self._commit_then_drop(environ, seen)

        def recording_start(status, headers, exc_info=None):
            seen.status = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start)

    @staticmethod
    def _answer(environ, start_response, fault: Fault):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body = json.dumps({"error": f"injected {fault.status} by the Returnhub test kit"}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), (INJECTED_HEADER, "1")]
        if fault.retry_after is not None:
            headers.append(("Retry-After", fault.retry_after))
        start_response(f"{fault.status} {HTTPStatus(fault.status).phrase}", headers)
        return [body]

    def _commit_then_drop(self, environ, seen: Seen):
        """Run the request to completion (its effect is stored), then shut the socket without answering."""
        def swallow(status, headers, exc_info=None):
            seen.status = int(status.split(" ", 1)[0])
            return lambda data: None

        result = self.app(environ, swallow)
        try:
            for _ in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
        sock = environ.get("werkzeug.socket")
        if sock is None:
            raise ConnectionAbortedError("dropped by the Returnhub test kit (no socket to close)")
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise ConnectionAbortedError("connection dropped by the Returnhub test kit after committing")
