"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
OTTO emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_otto.adapter import OttoMarketplace
from returnhub_otto.emulator import OttoState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return OttoState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=OttoMarketplace, create_app=create_app, settings=emulator_settings,
                                name="OTTO")


@pytest.fixture
def hub_plugins():
    return ["otto", "fakeshop"]
