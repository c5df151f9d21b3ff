"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
Fruugo emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_fruugo.adapter import FruugoMarketplace
from returnhub_fruugo.emulator import FruugoState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return FruugoState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=FruugoMarketplace, create_app=create_app, settings=emulator_settings,
                                name="Fruugo")


@pytest.fixture
def hub_plugins():
    return ["fruugo", "fakeshop"]
