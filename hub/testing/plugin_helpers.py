"""What every plugin's tests rebuilt on their own: a running emulator with its test hooks, an adapter wired
through the core's HTTP client, and the core's fetch loop as a page walker."""
from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from hub import clock
from hub.adapters import AdapterContext
from hub.errors import TransientError
from hub.http import ClientFactory
from hub.model import Page
from hub.testing.emulator import EmulatorServer


class EmulatorHandle:
    """A running emulator: ``url``, ``app``, the builder's ``ledger``/``faults`` when it is an EmulatorApp,
    and ``hook(path, body)`` for its ``/_emulator`` test hooks (GET without a body, POST with one)."""

    def __init__(self, server: EmulatorServer, hooks_prefix: str = "/_emulator"):
        self.server, self.app, self.url = server, server.app, server.url
        self.emulation = getattr(self.app, "extensions", {}).get("emulation")
        self.hooks_prefix = hooks_prefix
        self.http = httpx.Client(base_url=server.url, timeout=10, trust_env=False)

    @property
    def ledger(self):
        return self.emulation.ledger if self.emulation else None

    @property
    def faults(self):
        return self.emulation.faults if self.emulation else None

    def hook(self, path: str, body: dict | list | None = None):
        url = f"{self.hooks_prefix}/{path.lstrip('/')}"
        response = self.http.post(url, json=body) if body is not None else self.http.get(url)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.http.close()
        self.server.stop()


def build_adapter(adapter_cls, settings: dict, *, connection_id: int = 1, rate_limit: dict | None = None,
                  redis=None, retries: int = 3, backoff_base: float = 0.01, memo: dict | None = None):
    """The adapter as the core builds it: settings loaded by its schema, the core's ClientFactory (loopback
    allowed, retry waits through hub.clock), optionally the manifest's ``rate_limit`` on ``redis``."""
    factory = ClientFactory(redis=redis, limiter_key=f"test:{adapter_cls.slug}:{connection_id}" if redis else None,
                            rate_limit=rate_limit, allow_local=["127.0.0.1"], retries=retries,
                            backoff_base=backoff_base)
    factory.sleep = clock.sleep
    context = dict(settings=adapter_cls.settings_schema().load(settings), connection_id=connection_id,
                   http_factory=factory)
    if memo is not None:
        context["memo"] = memo
    return adapter_cls(AdapterContext(**context))


@dataclass
class Walk:
    """What a page walk gave: every item, the last cursor, the pages and the TransientErrors waited out."""

    items: list = field(default_factory=list)
    cursor: str | None = None
    pages: list[Page] = field(default_factory=list)
    transient_errors: int = 0


def walk_pages(adapter, cursor: str | None = None, *, max_calls: int = 100) -> Walk:
    """Drive ``fetch_returns`` like the core: follow the cursor while ``more``; on a TransientError keep the
    cursor and call again after its Retry-After (waited through hub.clock)."""
    walk = Walk(cursor=cursor)
    for _ in range(max_calls):
        try:
            page = adapter.fetch_returns(walk.cursor)
        except TransientError as exc:
            walk.transient_errors += 1
            clock.sleep(exc.retry_after or 0.2)
            continue
        walk.pages.append(page)
        walk.items.extend(page.items)
        walk.cursor = page.cursor
        if not page.more:
            return walk
    raise AssertionError(f"the poll did not finish within {max_calls} calls")
