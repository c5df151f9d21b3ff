"""Registers the Fruugo marketplace adapter and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_fruugo.adapter import FruugoMarketplace
    return [FruugoMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded orders with announced returns, settings."""
    from hub.adapters import Emulator
    from returnhub_fruugo.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="fruugo", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
