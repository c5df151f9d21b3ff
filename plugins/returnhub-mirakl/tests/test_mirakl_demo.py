"""``returnhub demo`` with Mirakl: the demo connection is named after its operator (MediaMarkt) and its seeded
returns reach the demo shop."""
from __future__ import annotations

import pytest
from returnhub_mirakl.emulator import create_app, demo_orders

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_every_operator():
    state = create_app(demo=True).extensions["mirakl"]
    assert {key: len(op.returns) for key, op in state.operators.items()} == {
        "mediamarkt": 4, "leroy_merlin": 4, "decathlon": 4}
    orders = {o["order_id"] for o in demo_orders(create_app(demo=True))}
    assert len(orders) == 4


def test_demo_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from sqlalchemy import text

    from hub.demo import prepare_demo

    prepared = prepare_demo(config)
    try:
        assert "MediaMarkt → Fake Shop (demo)" in prepared.connections
        with hub.session() as s:
            cid = s.execute(text("select id from connection where marketplace = 'mirakl'")).scalar_one()
        settle(hub, cid, done=lambda: overview(hub, cid) == {"in_shop": 4})
    finally:
        for server in prepared.servers:
            server.stop()
