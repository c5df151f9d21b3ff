"""Amazon certifies with the Returnhub conformance kit (hub.testing), up to its manifest's quality."""
import secrets

from returnhub_amazon.adapter import AmazonMarketplace
from returnhub_amazon.emulator import create_app, mfn_row
from returnhub_amazon.mapping import REASON_TEXTS, _reason
from returnhub_amazon.plugin import emulator_settings

from hub.adapters import Emulator
from hub.testing import MarketplaceSuite

# Amazon's real usage plans (createReport 0.0167/s, ...) would make the kit wait minutes; the emulator
# enforces none, so the kit runs with generous buckets and short report-status waits.
FAST = {
    "report_poll_initial_seconds": 0.01, "report_poll_max_seconds": 0.05, "report_poll_budget_seconds": 5,
    **{f"{op}_{kind}": value for op in ("create_report", "get_report", "get_report_document", "get_reports")
       for kind, value in (("rate", 1000.0), ("burst", 1000))},
}


def demo_emulator(demo: bool = False):
    """The emulator always with its demo data (multi-line RMAs, an Authorized row, FBA returns), so the
    kit validates those too; the kit's seed_returns adds plain merchant-fulfilled RMAs on top."""
    return create_app(demo=True)


class TestAmazonConformance(MarketplaceSuite):
    adapter = AmazonMarketplace
    # every code the reports can carry, with and without the MFN prefixes, as the plugin reads it
    reason_samples = [_reason(prefix + code) for code in REASON_TEXTS for prefix in ("", "CR-", "AMZ-PG-")]
    emulator = Emulator(slug="amazon", create_app=demo_emulator, settings=emulator_settings)
    settings_overrides = FAST

    def seed_returns(self, app, count):
        """``count`` new merchant-fulfilled RMAs (one row each) in the emulator's returns report."""
        app.extensions["amazon_emulator"].add(mfn=[
            mfn_row(f"Dk{secrets.token_hex(4)}RRMA", f"302-{n:07d}-{secrets.randbelow(10**7):07d}", f"SKU-{n}")
            for n in range(count)])
