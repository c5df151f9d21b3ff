"""Mirakl certifies with the Returnhub conformance kit at silver, its traffic held to Mirakl's seller OpenAPI."""
from returnhub_mirakl.adapter import MiraklMarketplace
from returnhub_mirakl.emulator import RETURN_REASONS, create_app, emulator_settings
from returnhub_mirakl.mapping import decisions_recorded

from hub.adapters import Emulator
from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestMiraklConformance(MarketplaceSuite):
    adapter = MiraklMarketplace
    reason_samples = [(code, None) for code in RETURN_REASONS]
    emulator = Emulator(slug="mirakl", create_app=create_app, settings=emulator_settings)
    settings_overrides = {"batch_wait_seconds": 0.01}

    def seed_returns(self, app, count):
        app.extensions["mirakl"].seed(None, count, lines=2)

    def pushed_decisions(self, app, ret):
        state = app.extensions["mirakl"]
        stored = state.op(None).returns[ret.external_id]
        return decisions_recorded(stored, state.refunded(None, stored["order_id"]))
