"""Records what an adapter sends and what it gets back, through the core's own HTTP client factory."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import httpx

from hub.http import ClientFactory
from hub.testing.emulation.faults import INJECTED_HEADER


@dataclass
class Exchange:
    """One request the adapter sent and the final answer it got (after the client's retries)."""

    method: str
    url: httpx.URL
    request_headers: httpx.Headers
    request_body: bytes | None
    status: int
    response_headers: httpx.Headers
    response_body: bytes = field(repr=False, default=b"")

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def injected(self) -> bool:
        """Answered by the kit's fault injector, not by the emulator: nothing to hold it to."""
        return INJECTED_HEADER in self.response_headers


class TrafficRecorder:
    """A thread-safe list of :class:`Exchange`; ``hooks()`` are httpx event hooks that fill it."""

    def __init__(self):
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def _on_response(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        body = request.content if request.content else None
        exchange = Exchange(request.method, request.url, request.headers.copy(), body, response.status_code,
                            response.headers.copy(), response.content)
        with self._lock:
            self.exchanges.append(exchange)

    def hooks(self) -> dict:
        return {"response": [self._on_response]}

    def take(self) -> list[Exchange]:
        """The exchanges recorded so far, forgetting them."""
        with self._lock:
            taken, self.exchanges = self.exchanges, []
        return taken


class RecordingClientFactory(ClientFactory):
    """The core's :class:`ClientFactory` whose clients also report every exchange to ``recorder``."""

    def __init__(self, *, recorder: TrafficRecorder, **kwargs):
        super().__init__(**kwargs)
        self.recorder = recorder

    def __call__(self, base_url: str, **kwargs) -> httpx.Client:
        client = super().__call__(base_url, **kwargs)
        for name, hooks in self.recorder.hooks().items():
            client.event_hooks[name] = [*client.event_hooks.get(name, []), *hooks]
        return client
