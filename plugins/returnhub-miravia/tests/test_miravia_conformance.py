"""Miravia certifies with the Returnhub conformance kit (hub.testing) at silver. The traffic check is skipped:
Miravia publishes no machine-readable API description (see the README)."""
from returnhub_miravia.adapter import MiraviaMarketplace
from returnhub_miravia.mapping import decision_for
from returnhub_miravia.reasons import REASONS

from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestMiraviaConformance(MarketplaceSuite):
    adapter = MiraviaMarketplace
    pagination_count = 120  # three pages of 50
    reason_samples = [(text, None) for text in REASONS]  # the emulator sends these texts

    def seed_returns(self, app, count):
        app.extensions["miravia"].seed(count)

    def pushed_decisions(self, app, ret):
        lines = {str(line["reverse_order_line_id"]): line
                 for line in app.extensions["miravia"].reverse_orders[ret.external_id]["reverse_order_lines"]}
        return {line.external_line_id: decision_for(lines[line.external_line_id]["reverse_status"])
                for line in ret.lines}
