"""``returnhub demo``: real plugins against their emulators, a demo merchant and connections."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from hub import instances
from hub.accounts import create_user
from hub.config import Config
from hub.connections import settings_for_storage
from hub.db import Connection, Merchant
from hub.db.migrate import upgrade
from hub.runtime import Hub
from hub.testing.emulator import EmulatorServer

# Marketplace polls of the demo: often enough to see returns arrive, rarely enough for every plugin's
# default quotas. Amazon's createReport and getReportDocument sustain one call a minute (burst 15) and a
# poll asks two reports (merchant- and Amazon-fulfilled): at 30 s the buckets ran dry within minutes
# ("rate limit: no request slot within 30 s"); at 120 s a poll spends what a minute refills.
DEMO_POLL_SECONDS = 120
DEMO_DECISION_SECONDS = 30
DEMO_EMAIL = "demo@returnhub.local"
DEMO_MERCHANT = "Demo merchant"


@dataclass
class PreparedDemo:
    config: Config
    password: str
    connections: list[str] = field(default_factory=list)
    servers: list[EmulatorServer] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"Demo login: {DEMO_EMAIL} / {self.password}"]
        lines += [f"  connection: {name}" for name in self.connections] or [
            "  no marketplace and shop plugins with emulators are installed: no demo connections"]
        return "\n".join(lines)


def _test_fixture(hub, slug: str) -> bool:
    """A plugin of the core's own test fixtures (installed by ``make test``), never shown in the demo."""
    info = hub.registry.plugins.get(slug)
    return bool(info and info.distribution == "returnhub-testplugins")


def _preferred(hub, slugs: list[str]) -> list[str]:
    """The real plugins among ``slugs``; the core's test fixtures only when no real one is installed."""
    real = [slug for slug in slugs if not _test_fixture(hub, slug)]
    return real or slugs


def prepare_demo(config: Config) -> PreparedDemo:
    """Start every plugin's emulator on loopback and point demo connections (returns on) at them."""
    config = replace(config, allow_local_hosts=sorted(set(config.allow_local_hosts) | {"127.0.0.1"}),
                     poll_interval=min(config.poll_interval, DEMO_POLL_SECONDS),
                     decision_interval=min(config.decision_interval, DEMO_DECISION_SECONDS),
                     retry_base_seconds=min(config.retry_base_seconds, 10), secure_cookies=False)
    upgrade(config.resolved_database_url())
    hub = Hub(config)
    password = secrets.token_urlsafe(9)
    create_user(hub, email=DEMO_EMAIL, password=password, merchant_name=DEMO_MERCHANT)
    prepared = PreparedDemo(config=config, password=password)
    emulators = {e.slug: e for e in hub.registry.emulators()}
    apps = {}
    for slug, emulator in emulators.items():
        app = emulator.create_app(demo=True)
        server = EmulatorServer(app).start()
        prepared.servers.append(server)
        apps[slug] = (app, server)
    shops = _preferred(hub, [s for s in hub.registry.shops if s in emulators])
    marketplaces = _preferred(hub, [m for m in hub.registry.marketplaces if m in emulators])
    if not shops:
        return prepared
    with hub.session() as s:
        merchant_id = s.scalar(select(Merchant.id).where(Merchant.name == DEMO_MERCHANT))
    for n, marketplace in enumerate(marketplaces):
        shop = shops[n % len(shops)]  # spread the marketplaces over the shop plugins: each gets a demo
        shop_app, shop_server = apps[shop]
        m_app, m_server = apps[marketplace]
        if emulators[marketplace].demo_orders and emulators[shop].seed_orders:
            emulators[shop].seed_orders(shop_app, emulators[marketplace].demo_orders(m_app))
        m_settings = settings_for_storage(hub, hub.registry.marketplaces[marketplace],
                                          emulators[marketplace].settings(m_server.url))
        title = instances.name(hub.registry, marketplace, m_settings)  # "MediaMarkt" for a Mirakl instance
        name = f"{title} → {hub.registry.shops[shop].title} (demo)"
        s_settings = settings_for_storage(hub, hub.registry.shops[shop], emulators[shop].settings(shop_server.url))
        with hub.session() as s:
            conn = s.scalar(select(Connection).where(Connection.merchant_id == merchant_id, Connection.name == name))
            if conn is None:
                conn = Connection(merchant_id=merchant_id, name=name, marketplace=marketplace, shop=shop,
                                  webhook_token=secrets.token_urlsafe(24))
                s.add(conn)
            conn.marketplace_settings, conn.shop_settings = m_settings, s_settings
            conn.returns_enabled, conn.status, conn.status_reason = True, "active", None
        prepared.connections.append(name)
    return prepared
