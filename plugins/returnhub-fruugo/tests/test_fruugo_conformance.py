"""Fruugo certifies with the Returnhub conformance kit (hub.testing) at silver. Fruugo publishes no
machine-readable description of its XML Order API, so the traffic check is skipped."""
from returnhub_fruugo.adapter import FruugoMarketplace

from hub.model import Decision
from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestFruugoConformance(MarketplaceSuite):
    adapter = FruugoMarketplace
    pagination_count = 30
    settings_overrides = {"window_days": 1, "lookback_days": 10}

    def seed_returns(self, app, count):
        from datetime import timedelta
        state = app.extensions["fruugo"]
        for n in range(count):
            state.seed(1, age=timedelta(hours=6 + 7 * n))

    def pushed_decisions(self, app, ret):
        """A line counts as accepted when Fruugo shows every announced item of it as returned."""
        order = app.extensions["fruugo"].orders[ret.external_id]
        lines = {f"{line['fruugoProductId']}:{line['fruugoSkuId']}": line for line in order["lines"]}
        out = {}
        for line in ret.lines:
            there = lines[line.external_line_id]
            done = there["returned"] - line.raw["returned_before"] >= line.quantity
            out[line.external_line_id] = Decision.ACCEPTED if done else None
        return out
