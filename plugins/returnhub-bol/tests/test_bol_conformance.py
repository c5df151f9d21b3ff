"""bol.com certifies with the Returnhub conformance kit (hub.testing), up to its manifest's quality."""
from returnhub_bol.adapter import BolMarketplace
from returnhub_bol.emulator import BolState, create_app, emulator_settings
from returnhub_bol.mapping import decision_for
from returnhub_bol.samples import REASONS

from hub.adapters import Emulator
from hub.testing import MarketplaceSuite


def fast_emulator(demo: bool = False):
    """bol's emulator with a short processing time for handled items."""
    state = BolState()
    state.process_delay = 0.02
    return create_app(demo, state=state)


class TestBolConformance(MarketplaceSuite):
    adapter = BolMarketplace
    reason_samples = list(REASONS)  # (mainReason, detailedReason) pairs the emulator picks among
    emulator = Emulator(slug="bol", create_app=fast_emulator, settings=emulator_settings)
    settings_overrides = {"process_status_interval": 0.02}
    pagination_count = 60  # two pages of bol's 50: enough to prove paging, half the detail reads of the default

    def seed_returns(self, app, count):
        app.extensions["bol"].seed(count, fulfilment="FBR")

    def pushed_decisions(self, app, ret):
        state = app.extensions["bol"]
        return {str(item["rmaId"]): decision_for(item["processingResults"][-1]["handlingResult"])
                for item in state.returns[ret.external_id]["returnItems"] if item.get("processingResults")}
