"""``returnhub demo`` with Allegro: the seeded returns and their orders reach the demo shop through the core."""
from __future__ import annotations

import pytest

from hub.testing.flow import overview, settle


@pytest.fixture
def hub_plugins():
    return ["allegro", "fakeshop"]


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Allegro → Fake Shop (demo)"]
        cid = 1  # the demo's only connection, in the test's fresh database
        settle(hub, cid, done=lambda: overview(hub, cid).get("in_shop") == 10)
    finally:
        for server in prepared.servers:
            server.stop()
