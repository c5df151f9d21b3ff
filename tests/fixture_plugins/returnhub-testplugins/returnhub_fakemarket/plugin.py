"""Hook implementations of the fake marketplace."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_fakemarket.adapter import FakeMarketplace
    return [FakeMarketplace]


@hookimpl
def returnhub_register_emulators():
    from returnhub_fakemarket import emulator
    return [Emulator(slug="fakemarket", create_app=emulator.create_app,
                     settings=lambda url: {"base_url": url, "api_key": emulator.API_KEY},
                     demo_orders=emulator.demo_orders)]
