"""TikTok Shop certifies with the Returnhub conformance kit (hub.testing) at silver. The traffic check is
skipped: TikTok publishes no machine-readable API description (see the README)."""
from returnhub_tiktok.adapter import TikTokMarketplace
from returnhub_tiktok.emulator import REFRESH_TOKEN, RETURN_REASON
from returnhub_tiktok.mapping import decision_for

from hub.testing import MarketplaceSuite

pytest_plugins = ["hub.testing"]


class TestTikTokConformance(MarketplaceSuite):
    adapter = TikTokMarketplace
    reason_samples = [(RETURN_REASON[0], None)]  # its text is kept as the comment
    pagination_count = 120  # three pages of 50

    def seed_returns(self, app, count):
        app.extensions["tiktok"].seed(count)

    def pushed_decisions(self, app, ret):
        status = app.extensions["tiktok"].returns[ret.external_id]["return_status"]
        return {line.external_line_id: decision_for(status) for line in ret.lines}


class TestTikTokRefreshTokenConformance(TestTikTokConformance):
    """The same checks for a connection that renews its access token from a refresh token."""

    settings_overrides = {"access_token": None, "refresh_token": REFRESH_TOKEN}
