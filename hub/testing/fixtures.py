"""Pytest fixtures for Returnhub and its plugins: real Redis, real databases, a Hub, a job runner.

Opt in with ``pytest_plugins = ["hub.testing.fixtures"]`` and define ``hub_plugins`` (the plugin
names the Hub loads) in your conftest; the fixtures then give a migrated database per backend
(SQLite always, PostgreSQL when RETURNHUB_TEST_DATABASE_URL is set) and a flushed Redis.
"""
from __future__ import annotations

import secrets

import pytest
import redis as redis_lib
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from hub import clock as hub_clock
from hub import metrics
from hub.config import Config
from hub.runtime import Hub
from hub.testing.services import TestDatabase, test_database_backends, test_redis_url

_databases: dict[str, TestDatabase] = {}


@pytest.fixture
def fake_clock():
    """A :class:`hub.clock.FakeClock` in force for the test (core, emulators, kit); the system's after.

    Move time with ``fake_clock.advance(seconds)``; ``fake_clock.slept`` lists every wait taken.
    """
    with hub_clock.use(hub_clock.FakeClock()) as installed:
        yield installed


@pytest.fixture(autouse=True)
def _fresh_tokens():
    """Every test starts and ends without cached access tokens (hub.sdk keeps them per process)."""
    from hub.sdk.oauth import forget_tokens
    forget_tokens()
    yield
    forget_tokens()


@pytest.fixture(scope="session")
def redis_url():
    return test_redis_url()


@pytest.fixture
def redis_conn(redis_url):
    """The test Redis, empty before and after the test.

    This process's pending metric counts (:mod:`hub.metrics` sends them up to a second later) are sent
    before each flush, so an earlier test's counts never land in a later test's Redis.
    """
    conn = redis_lib.Redis.from_url(redis_url)
    metrics.flush()
    conn.flushdb()
    yield conn
    metrics.flush()
    conn.flushdb()
    conn.close()


@pytest.fixture(params=test_database_backends())
def database_url(request, tmp_path):
    backend = request.param
    if backend not in _databases:
        _databases[backend] = TestDatabase(backend)
    return _databases[backend].fresh_url(str(tmp_path))


def make_config(tmp_path, database_url, redis_url, plugins, **overrides) -> Config:
    """A test configuration: strict plugin loading, loopback emulators allowed, fast retries."""
    values = dict(
        instance_path=str(tmp_path / "instance"), database_url=database_url, redis_url=redis_url,
        secret_key="test-secret-key-not-for-production", plugins=list(plugins), strict_plugins=True,
        allow_local_hosts=["127.0.0.1"], retry_base_seconds=0.05, claim_seconds=30, max_attempts=3,
        http_retries=1, http_timeout=5.0, queue_name=f"test-{secrets.token_hex(4)}", secure_cookies=False,
        testing=True, batch_size=50)
    values.update(overrides)
    return Config(**values)


@pytest.fixture
def hub_plugins():
    """Override in a conftest: the plugin names the test Hub loads."""
    return []


@pytest.fixture
def config(tmp_path, database_url, redis_url, redis_conn, hub_plugins):
    return make_config(tmp_path, database_url, redis_url, hub_plugins)


@pytest.fixture
def hub(config):
    h = Hub(config).activate()
    yield h
    h.db.dispose()


def run_jobs(hub) -> None:
    """Work the test queue in this process until it is empty."""
    SimpleWorker([hub.queue], connection=hub.redis, serializer=JSONSerializer).work(burst=True, logging_level="WARNING")


@pytest.fixture
def drain(hub):
    """Call it to run every queued job (and those they queue) to completion."""
    return lambda: run_jobs(hub)
