"""Registers the Walmart marketplace adapter and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_walmart.adapter import WalmartMarketplace
    return [WalmartMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded return orders, the orders behind them, settings."""
    from hub.adapters import Emulator
    from returnhub_walmart.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="walmart", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
