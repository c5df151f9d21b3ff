"""Hook implementations of the webhook-only fake shop."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_shops():
    from returnhub_fakehookshop.adapter import FakeHookShop
    return [FakeHookShop]


@hookimpl
def returnhub_register_emulators():
    from returnhub_fakehookshop import emulator
    return [Emulator(slug="fakehookshop", create_app=emulator.create_app,
                     settings=lambda url: {"base_url": url, "token": emulator.TOKEN,
                                           "webhook_secret": emulator.WEBHOOK_SECRET},
                     seed_orders=emulator.seed_orders)]
