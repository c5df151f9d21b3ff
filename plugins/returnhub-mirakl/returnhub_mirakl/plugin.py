"""Registers the Mirakl marketplace adapter and its multi-operator emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_mirakl.adapter import MiraklMarketplace
    return [MiraklMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: returns seeded for each operator (the demo connection
    is the first one, MediaMarkt), with the orders behind them so the demo shop has them."""
    from hub.adapters import Emulator
    from returnhub_mirakl.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="mirakl", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
