"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
Miravia emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_miravia.adapter import MiraviaMarketplace
from returnhub_miravia.emulator import MiraviaState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return MiraviaState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=MiraviaMarketplace, create_app=create_app, settings=emulator_settings,
                                name="Miravia")


@pytest.fixture
def hub_plugins():
    return ["miravia", "fakeshop"]
