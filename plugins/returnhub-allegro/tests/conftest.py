"""Fixtures: the shared marketplace-plugin fixtures (hub.testing.marketplace_fixtures) pointed at the
Allegro emulator; full-flow tests connect it to the core's fake shop."""
from __future__ import annotations

import pytest
from returnhub_allegro.adapter import AllegroMarketplace
from returnhub_allegro.emulator import create_app, emulator_settings
from returnhub_allegro.emulator_data import AllegroState

from hub.testing.marketplace_fixtures import MarketplaceUnderTest

pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]


@pytest.fixture
def state():
    return AllegroState()


@pytest.fixture
def marketplace_under_test():
    return MarketplaceUnderTest(adapter=AllegroMarketplace, create_app=create_app, settings=emulator_settings,
                                name="Allegro")


@pytest.fixture
def hub_plugins():
    return ["allegro", "fakeshop"]

@pytest.fixture
def emu(emu):
    """The shared running emulator, plus ``emu.auth`` (the emulator's OAuth state)."""
    emu.auth = emu.app.extensions["allegro_auth"]
    return emu
