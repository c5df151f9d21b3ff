"""Registers the OTTO Market adapter and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_otto.adapter import OttoMarketplace
    return [OttoMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: returned position items, their orders, settings."""
    from hub.adapters import Emulator
    from returnhub_otto.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="otto", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
