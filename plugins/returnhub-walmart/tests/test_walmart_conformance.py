"""Walmart certifies with the Returnhub conformance kit (hub.testing) at silver, traffic checked against
Walmart's US Marketplace Returns and Authentication descriptions (RETURNHUB_SPECS_DIR)."""
from dataclasses import replace

import pytest
from returnhub_walmart.adapter import WalmartMarketplace
from returnhub_walmart.auth import TOKEN_HEADER
from returnhub_walmart.emulator_data import REASONS
from returnhub_walmart.mapping import units

from hub.model import Decision
from hub.testing import MarketplaceSuite
from hub.testing.kit.specs.traffic import TrafficRecorder

pytest_plugins = ["hub.testing"]


class WalmartTraffic(TrafficRecorder):
    """The recorded traffic as the saved description names it. Its copy (highsidelabs/walmart-api-php,
    utils/customize-schemas.php) replaced Walmart's required ``WM_SEC.ACCESS_TOKEN`` header parameter with
    an ``http bearer`` scheme "passed in the WM_SEC.ACCESS_TOKEN header"; the validator checks that scheme on
    ``Authorization``, so the token header is shown to it there. A request without the token still fails.
    (The description declares only the 200 answer of each operation; the kit leaves error answers of such
    operations unjudged, and still judges the requests behind them.)"""

    def take(self):
        out = []
        for exchange in super().take():
            token = exchange.request_headers.get(TOKEN_HEADER)
            if token and "authorization" not in exchange.request_headers:
                headers = exchange.request_headers.copy()
                headers["Authorization"] = f"Bearer {token}"
                exchange = replace(exchange, request_headers=headers)
            out.append(exchange)
        return out


class TestWalmartConformance(MarketplaceSuite):
    adapter = WalmartMarketplace
    reason_samples = [(code, None) for code in REASONS]  # the emulator picks among them
    pagination_count = 120  # more than one page of 100
    settings_overrides = {"page_size": 100}

    @pytest.fixture
    def kit_traffic(self):
        return WalmartTraffic()

    def seed_returns(self, app, count):
        app.extensions["walmart"].seed(count)

    def pushed_decisions(self, app, ret):
        """A line counts as accepted when Walmart shows every unit the hub imported as refunded."""
        stored = app.extensions["walmart"].returns[ret.external_id]
        lines = {str(line["returnOrderLineNumber"]): line for line in stored["returnOrderLines"]}
        out = {}
        for line in ret.lines:
            there = lines[line.external_line_id]
            done = there["refundedQty"] - line.raw["refunded_before"] >= line.quantity
            out[line.external_line_id] = Decision.ACCEPTED if done and units(there["quantity"]) else None
        return out
