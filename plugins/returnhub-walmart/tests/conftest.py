"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
Walmart emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_walmart.adapter import WalmartMarketplace
from returnhub_walmart.emulator import WalmartState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return WalmartState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=WalmartMarketplace, create_app=create_app, settings=emulator_settings,
                                name="Walmart")


@pytest.fixture
def hub_plugins():
    return ["walmart", "fakeshop"]
