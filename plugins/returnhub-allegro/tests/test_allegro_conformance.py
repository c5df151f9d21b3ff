"""Allegro certifies with the Returnhub conformance kit (hub.testing) at silver, traffic checked against
Allegro's official OpenAPI 3 description (RETURNHUB_SPECS_DIR)."""
from returnhub_allegro.adapter import AllegroMarketplace
from returnhub_allegro.emulator_data import REASONS

from hub.model import Decision
from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestAllegroConformance(MarketplaceSuite):
    adapter = AllegroMarketplace
    reason_samples = [(code, None) for code, _comment in REASONS]  # the comment is the line's comment
    pagination_count = 105  # more than one page of 100

    def seed_returns(self, app, count):
        app.extensions["allegro"].seed(count)

    def pushed_decisions(self, app, ret):
        """Read back from the emulator: a refund of the line -> accepted; the return rejected -> rejected."""
        state = app.extensions["allegro"]
        out = {}
        with state.lock:
            refunded = {li["id"] for r in state.refunds.values() for li in r["lineItems"]}
            rejected = state.returns[ret.external_id]["status"] == "REJECTED"
        for line in ret.lines:
            out[line.external_line_id] = Decision.ACCEPTED if line.external_line_id in refunded else (
                Decision.REJECTED if rejected else None)
        return out
