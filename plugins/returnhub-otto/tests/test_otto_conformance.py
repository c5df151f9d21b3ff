"""OTTO certifies with the Returnhub conformance kit (hub.testing) at silver. No official machine-readable
description of the OTTO Market API could be retrieved, so the traffic check is skipped with that reason."""
from returnhub_otto.adapter import OttoMarketplace, accepted_items
from returnhub_otto.emulator_data import RETURN_REASONS

from hub.model import Decision
from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestOttoConformance(MarketplaceSuite):
    adapter = OttoMarketplace
    reason_samples = [(code, None) for code in RETURN_REASONS]
    pagination_count = 60  # more than one page of 50
    settings_overrides = {"pages_per_poll": 1}  # one list page per import step, so the kit sees several
    exemptions = {"traffic_matches_api_description":
                  "OTTO publishes no retrievable machine-readable description (README: Sources); the emulator "
                  "follows the interface pages and the generated-client models named there"}

    def seed_returns(self, app, count):
        app.extensions["otto"].seed(count)

    def pushed_decisions(self, app, ret):
        state = app.extensions["otto"]
        order = state.orders[ret.raw["sales_order_id"]]
        accepted = accepted_items(order)
        out = {}
        for line in ret.lines:
            statuses = {state.items[i]["status"] for i in line.raw["position_item_ids"]}
            status = statuses.pop() if len(statuses) == 1 else None
            back = {"ACCEPTED": Decision.ACCEPTED, "REJECTED": Decision.REJECTED}.get(status)
            if back == Decision.ACCEPTED and not set(line.raw["position_item_ids"]) <= accepted:
                back = None
            out[line.external_line_id] = back
        return out
