"""Core test fixtures: a real Redis, real databases, the Hub, the fake plugins' emulators (flaskr style)."""
from __future__ import annotations

import secrets

import pytest
import redis as redis_lib
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from hub.config import Config
from hub.db import Connection, Merchant
from hub.runtime import Hub
from hub.testing.emulator import EmulatorServer
from hub.testing.services import TestDatabase, test_database_backends, test_redis_url

TEST_PLUGINS = ["fakemarket", "fakeinfo", "fakeshop"]
_databases: dict[str, TestDatabase] = {}


@pytest.fixture(scope="session")
def redis_url():
    return test_redis_url()


@pytest.fixture
def redis_conn(redis_url):
    conn = redis_lib.Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture(params=test_database_backends())
def database_url(request, tmp_path):
    backend = request.param
    if backend not in _databases:
        _databases[backend] = TestDatabase(backend)
    return _databases[backend].fresh_url(str(tmp_path))


def make_config(tmp_path, database_url, redis_url, **overrides) -> Config:
    values = dict(
        instance_path=str(tmp_path / "instance"), database_url=database_url, redis_url=redis_url,
        secret_key="test-secret-key-not-for-production", plugins=TEST_PLUGINS, strict_plugins=True,
        allow_local_hosts=["127.0.0.1"], retry_base_seconds=0.05, claim_seconds=30, max_attempts=3,
        http_retries=1, http_timeout=5.0, queue_name=f"test-{secrets.token_hex(4)}", secure_cookies=False,
        testing=True, batch_size=50)
    values.update(overrides)
    return Config(**values)


@pytest.fixture
def config(tmp_path, database_url, redis_url, redis_conn):
    return make_config(tmp_path, database_url, redis_url)


@pytest.fixture
def hub(config):
    h = Hub(config).activate()
    yield h
    h.db.dispose()


@pytest.fixture
def market_emu():
    from returnhub_fakemarket.emulator import create_app
    with EmulatorServer(create_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def shop_emu():
    from returnhub_fakeshop.emulator import create_app
    with EmulatorServer(create_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def make_connection(hub, market_emu, shop_emu):
    """Create a merchant's connection between the fake marketplace and the fake shop (returns on)."""
    from hub.connections import settings_for_storage

    def make(marketplace="fakemarket", enabled=True, merchant="Merchant A", name=None):
        with hub.session() as s:
            m = s.query(Merchant).filter_by(name=merchant).one_or_none()
            if m is None:
                m = Merchant(name=merchant)
                s.add(m)
                s.flush()
            conn = Connection(
                merchant_id=m.id, name=name or f"{marketplace} → fakeshop", marketplace=marketplace, shop="fakeshop",
                marketplace_settings=settings_for_storage(hub, hub.registry.marketplace(marketplace), {
                    "base_url": market_emu.url, "api_key": "market-secret-key"}),
                shop_settings=settings_for_storage(hub, hub.registry.shop("fakeshop"), {
                    "base_url": shop_emu.url, "token": "shop-secret-token", "webhook_secret": "shop-webhook-secret"}),
                returns_enabled=enabled, webhook_token=secrets.token_urlsafe(16))
            s.add(conn)
            s.flush()
            return conn.id
    return make


def run_jobs(hub) -> None:
    """Work the test queue in this process until it is empty."""
    SimpleWorker([hub.queue], connection=hub.redis, serializer=JSONSerializer).work(burst=True, logging_level="WARNING")


@pytest.fixture
def drain(hub):
    return lambda: run_jobs(hub)
