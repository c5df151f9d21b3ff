"""Kaufland certifies with the Returnhub conformance kit (hub.testing) at silver, traffic checked against
Kaufland's Seller API v2 description (RETURNHUB_SPECS_DIR)."""
from returnhub_kaufland.adapter import KauflandMarketplace
from returnhub_kaufland.emulator_data import REASONS
from returnhub_kaufland.mapping import decision_for

from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestKauflandConformance(MarketplaceSuite):
    adapter = KauflandMarketplace
    reason_samples = [(code, None) for code in REASONS]  # the emulator picks among them
    pagination_count = 105  # more than one page of 100 (each return costs two detail reads)

    def seed_returns(self, app, count):
        app.extensions["kaufland"].seed(count)

    def pushed_decisions(self, app, ret):
        state = app.extensions["kaufland"]
        out = {}
        for line in ret.lines:
            statuses = {state.units[u]["status"] for u in line.raw["id_return_units"]}
            out[line.external_line_id] = decision_for(statuses.pop()) if len(statuses) == 1 else None
        return out
