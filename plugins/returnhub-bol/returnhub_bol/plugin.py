"""Registers the bol.com marketplace adapter and its emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_bol.adapter import BolMarketplace
    return [BolMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded FBR/FBB returns, the orders behind them
    (so the demo shop has them), and settings pointing both the API and login hosts at it."""
    from hub.adapters import Emulator
    from returnhub_bol.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="bol", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
