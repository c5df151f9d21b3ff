"""Registers the Zalando zDirect adapter and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_zalando.adapter import ZalandoMarketplace
    return [ZalandoMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: partner orders, ZSS returns, ZRS returned items."""
    from hub.adapters import Emulator
    from returnhub_zalando.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="zalando", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
