"""Plugin secrets: encrypted at rest, decrypted only for the adapter, never shown."""
from __future__ import annotations

from returnhub_fakemarket.adapter import FakeMarketSettings
from sqlalchemy import text

from hub.secrets import redact


def test_secrets_encrypted_at_rest(hub, make_connection):
    make_connection()
    with hub.session() as s:
        dump = " ".join(str(row) for row in s.execute(text("SELECT marketplace_settings, shop_settings FROM connection")))
    assert "market-secret-key" not in dump and "shop-secret-token" not in dump and "$encrypted" in dump
    with hub.session() as s:
        from hub.db import Connection
        conn = s.get(Connection, 1)
        assert hub.box.open(conn.marketplace_settings)["api_key"] == "market-secret-key"


def test_redact_shows_only_whether_set():
    assert redact(FakeMarketSettings, {"base_url": "http://x", "api_key": "k"}) == {"base_url": "http://x", "api_key": "(set)"}


def test_no_secret_in_redis_job_arguments(hub, make_connection, redis_conn):
    from hub.sync import queueing
    from hub.sync.pipeline import Job
    cid = make_connection()
    queueing.enqueue(hub, Job.POLL_MARKETPLACE, cid)
    blob = b" ".join(redis_conn.dump(k) or b"" for k in redis_conn.keys("*"))
    assert b"market-secret-key" not in blob and b"shop-secret-token" not in blob
