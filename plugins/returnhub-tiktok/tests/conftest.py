"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
TikTok Shop emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_tiktok.adapter import TikTokMarketplace
from returnhub_tiktok.emulator import TikTokState, create_app, emulator_settings

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return TikTokState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=TikTokMarketplace, create_app=create_app, settings=emulator_settings,
                                name="TikTok Shop")


@pytest.fixture
def hub_plugins():
    return ["tiktok", "fakeshop"]
