"""Hook implementations of the fake shop."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_shops():
    from returnhub_fakeshop.adapter import FakeShop
    return [FakeShop]


@hookimpl
def returnhub_register_emulators():
    from returnhub_fakeshop import emulator
    return [Emulator(slug="fakeshop", create_app=emulator.create_app,
                     settings=lambda url: {"base_url": url, "token": emulator.TOKEN,
                                           "webhook_secret": emulator.WEBHOOK_SECRET},
                     seed_orders=emulator.seed_orders)]
