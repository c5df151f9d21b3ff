"""The adapter classes a plugin subclasses for its one-to-one work with a platform.

Hooks add plugins (one-to-many); an adapter does the work for one connection (one-to-one). The
core builds an adapter per job with an :class:`AdapterContext` and calls the methods below.
Every method may raise the errors of :mod:`hub.errors`; anything else counts as a plugin bug and
puts the return in ``needs_attention`` with the message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError

from hub.errors import PermanentError
from hub.manifest import MarketplaceCapabilities, ShopCapabilities
from hub.model import Line, LineDecision, Order, Page, Return, ReturnDecisions

if TYPE_CHECKING:
    import httpx

    from hub.manifest import Manifest


class classproperty:
    """A read-only property of the class itself (adapters are used as classes by the registry)."""

    def __init__(self, fget):
        self.fget = fget
        self.__doc__ = fget.__doc__

    def __get__(self, instance, owner):
        return self.fget(owner)


@dataclass
class AdapterContext:
    """What the core gives an adapter: its decrypted settings and the shared HTTP client factory."""

    settings: dict[str, Any]
    connection_id: int | None = None
    http_factory: Any = None  # callable(base_url, **kw) -> httpx.Client; see hub.http.ClientFactory
    memo: dict[str, Any] = field(default_factory=dict)  # process-local cache (tokens), never persisted
    concurrency: int = 4  # platform calls an adapter may run at once (hub.sdk.details); the hub's setting
    # callable(changes: dict): merge changes into the connection's stored settings (secrets sealed), e.g. a
    # rotated OAuth2 refresh token; None where nothing is stored (tests, the kit)
    save_settings: Any = None

    def http(self, base_url: str, **kwargs) -> httpx.Client:
        """An httpx client for ``base_url`` with the core's retries, rate limit and address guard."""
        if self.http_factory is None:
            raise RuntimeError("no HTTP factory in this context")
        return self.http_factory(base_url, **kwargs)


class Adapter:
    """Common header of marketplace and shop adapters."""

    slug: ClassVar[str]
    title: ClassVar[str]
    settings_schema: ClassVar[type[Schema]]
    manifest: ClassVar[Manifest | None] = None  # attached by the core when the plugin loads

    def __init__(self, ctx: AdapterContext):
        self.ctx = ctx
        self.settings = ctx.settings

    @classmethod
    def connection_actions(cls, connection_id: int) -> list[tuple[str, str]]:
        """(label, URL) buttons the connection page shows for this plugin, e.g. a plugin page that connects
        the merchant's account by OAuth; none by default."""
        return []

    def check(self) -> None:
        """Verify the credentials and settings with one cheap call; raise AuthError/PermanentError."""
        raise NotImplementedError

    def close(self) -> None:
        """Release clients; called by the core when a job is done with the adapter."""


def load_settings(adapter: Adapter, label: str, *, names_only: bool = False) -> dict:
    """The adapter's ``ctx.settings`` loaded by its ``settings_schema`` (unknown keys dropped); a PermanentError
    saying "<label> settings are invalid" with marshmallow's messages (or only the bad fields' names)."""
    try:
        return adapter.settings_schema().load(adapter.ctx.settings, unknown=EXCLUDE)
    except ValidationError as exc:
        detail = sorted(exc.messages) if names_only else exc.messages
        raise PermanentError(f"{label} settings are invalid: {detail}") from exc


class Marketplace(Adapter):
    """A marketplace: where returns come from and where decisions go back to."""

    @classproperty
    def capabilities(cls) -> MarketplaceCapabilities:
        """The manifest's capabilities (all off when the class has no manifest)."""
        return cls.manifest.capabilities if cls.manifest is not None else MarketplaceCapabilities()

    @classproperty
    def takes_decisions(cls) -> bool:
        """Whether the merchant's decisions are sent here (``push_decision``); else recorded only."""
        return cls.capabilities.push_decision

    @classproperty
    def pushes_per_line(cls) -> bool:
        """Whether a decided line is sent before the whole return is decided (``per_line_push``)."""
        return cls.capabilities.push_decision and cls.capabilities.per_line_push

    def fetch_returns(self, cursor: str | None) -> Page:
        """One page of returns since ``cursor`` (None: the first poll), as canonical dicts.

        Must be stable: the same return always carries the same ``external_id``. Items the plugin
        cannot map are given as :class:`hub.model.Quarantined` so the rest of the page goes on.
        """
        raise NotImplementedError

    @classproperty
    def looks_up_orders(cls) -> bool:
        """Whether the marketplace gives an order by id (``fetch_order``), so a return can be registered by hand."""
        return cls.capabilities.fetch_order

    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Send the merchant's decisions for ``lines`` (each has ``decision`` and ``decision_quantity``).

        Must be safe to call again after a crash: look up what was already sent before sending.
        Only called when the manifest declares ``push_decision: true``.
        """
        raise NotImplementedError

    def fetch_order(self, order_id: str) -> Order | None:
        """The order ``order_id`` with its lines, or None when the marketplace does not know it (its 404).

        Lines carry the ids the marketplace's returns use (``external_line_id``) and, in ``raw``, what
        ``push_decision`` needs; the core copies both to a return the merchant registers by hand.
        Only called when the manifest declares ``fetch_order: true``.
        """
        raise NotImplementedError


@dataclass
class WebhookResult:
    """A verified webhook: its delivery id (for de-duplication), the shop return ids it concerns and,
    from a shop whose decisions come by webhook only, the decisions it carries.

    ``decisions`` maps a shop return id to its line decisions; the core records them at once. A shop
    that also polls may leave it empty: the core then reads the named returns with ``fetch_decisions``.
    """

    delivery_id: str
    shop_return_ids: list[str]
    topic: str | None = None
    decisions: dict[str, list[LineDecision]] = field(default_factory=dict)


class Shop(Adapter):
    """A shop back end: where returns are created and where the merchant decides."""

    @classproperty
    def capabilities(cls) -> ShopCapabilities:
        """The manifest's capabilities (none when the class has no manifest)."""
        return cls.manifest.capabilities if cls.manifest is not None else ShopCapabilities()

    @classproperty
    def polls_decisions(cls) -> bool:
        """Whether the core reads decisions with ``fetch_decisions`` (``decision_source`` has ``poll``)."""
        return cls.capabilities.polls_decisions

    @classproperty
    def webhook_decisions(cls) -> bool:
        """Whether the shop's webhooks announce decisions (``decision_source`` has ``webhook``)."""
        return cls.capabilities.webhook_decisions

    def find_order(self, ret: Return) -> str | None:
        """The shop's order id for ``ret.marketplace_order_id``, or None when it is not there (yet)."""
        raise NotImplementedError

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        """Create the return in the shop and give its id; ``accepted`` creates it as already accepted.

        Must not create twice: look ``ret.reference`` up first and return the existing id.
        """
        raise NotImplementedError

    def fetch_decisions(self, open_returns: list[Return], since: datetime | None) -> list[ReturnDecisions]:
        """The decisions the merchant has taken on these open returns (those without are left out)."""
        raise NotImplementedError

    def parse_webhook(self, headers: dict[str, str], body: bytes) -> WebhookResult:
        """Verify a webhook's signature over the raw body and say which returns it concerns.

        Raise AuthError on a bad signature. Only for shops whose manifest lists ``webhook``; a shop
        that does not also list ``poll`` gives the decisions themselves in ``WebhookResult.decisions``.
        """
        raise NotImplementedError


class ClientShop(Shop):
    """A shop adapter with one API client: ``self.client`` is ``client_class(ctx, settings)``, built on first
    use, and ``close()`` closes it."""

    client_class: ClassVar[type]
    _client: Any = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.client_class(self.ctx, self.settings)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@dataclass
class Emulator:
    """A plugin's emulator of its platform, for tests and ``returnhub demo``.

    ``create_app(demo=True)`` gives a WSGI app (seeded with realistic returns when ``demo``);
    ``settings(url)`` gives connection settings that point the plugin's adapter at it. For the
    demo, a marketplace emulator may give ``demo_orders(app)`` (the orders behind its seeded
    returns) and a shop emulator ``seed_orders(app, orders)`` so those orders exist in the shop.
    """

    slug: str
    create_app: Any
    settings: Any
    demo_orders: Any = None
    seed_orders: Any = None
