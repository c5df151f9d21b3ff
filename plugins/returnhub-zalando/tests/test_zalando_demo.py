"""``returnhub demo`` with Zalando: ZSS returns and ZRS items reach the demo shop through the core and are closed
without a push; the token is reused until its two hours run out."""
from __future__ import annotations

import pytest
from returnhub_zalando.emulator import create_app, demo_orders
from returnhub_zalando.settings import ZalandoSettings

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_zss_returns_and_zrs_items():
    app = create_app(demo=True)
    state = app.extensions["zalando"]
    returned = [line for line in state.lines.values() if line["attributes"]["status"] == "returned"]
    assert len(returned) == 3 and len(state.zrs) == 3
    orders = {o["order_id"] for o in demo_orders(app)}
    assert set(state.orders) <= orders and {r["order_number"] for r in state.zrs} <= orders


def test_demo_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "zalando"]
    assert ZalandoSettings().load(emulator.settings("http://127.0.0.1:9"))["api_base_url"] == "http://127.0.0.1:9"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Zalando → Fake Shop (demo)"]
        settle(hub, 1, done=lambda: overview(hub, 1).get("closed_without_push") == 6)
    finally:
        for server in prepared.servers:
            server.stop()


def test_one_token_until_it_expires(make_adapter, emu, fake_clock):
    adapter = make_adapter()
    for _ in range(3):
        adapter.check()
    assert len([e for e in emu.ledger.entries if e.path == "/auth/token"]) == 1
    fake_clock.advance(7200)
    adapter.check()
    assert len([e for e in emu.ledger.entries if e.path == "/auth/token"]) == 2
