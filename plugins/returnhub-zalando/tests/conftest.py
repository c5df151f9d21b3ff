"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
Zalando emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_zalando.adapter import ZalandoMarketplace
from returnhub_zalando.emulator import ZalandoState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return ZalandoState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=ZalandoMarketplace, create_app=create_app, settings=emulator_settings,
                                name="Zalando")


@pytest.fixture
def hub_plugins():
    return ["zalando", "fakeshop"]


@pytest.fixture
def register(hub):
    """``register(cid, ret_dict)``: put a partner-fulfilled return into the pipeline as received, as a shop
    that creates it would (the core's test-return command, minus the ``is_test`` flag so it is pushed).
    Registering by hand through the REST API is tested in test_zalando_registration.py."""
    from hub.model import State, load_return
    from hub.sync.commands import add_test_return, queue_next

    def make(cid: int, data: dict) -> None:
        ret = load_return(data)
        with hub.session() as s:
            add_test_return(hub, s, cid, ret, "test")
        queue_next(hub, cid, State.RECEIVED, "zalando", "fakeshop")
    return make
