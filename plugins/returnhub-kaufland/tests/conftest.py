"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
Kaufland emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_kaufland.adapter import KauflandMarketplace
from returnhub_kaufland.emulator import KauflandState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return KauflandState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=KauflandMarketplace, create_app=create_app, settings=emulator_settings,
                                name="Kaufland")


@pytest.fixture
def hub_plugins():
    return ["kaufland", "fakeshop"]
