"""Hook implementations of the informational fake marketplace."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_fakemarket.adapter import FakeMarketplace

    class FakeInfoMarketplace(FakeMarketplace):
        slug = "fakeinfo"
        title = "Fake Informational Marketplace"

        def push_decision(self, ret, lines):
            raise AssertionError("the core pushed to a marketplace that takes no decisions")

    return [FakeInfoMarketplace]
