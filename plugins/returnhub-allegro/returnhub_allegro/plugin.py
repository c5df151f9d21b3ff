"""Registers the Allegro marketplace adapter, its account-connect pages (device flow) and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_allegro.adapter import AllegroMarketplace
    return [AllegroMarketplace]


@hookimpl
def returnhub_register_blueprints():
    """``/plugins/allegro/connect/<connection id>``: connect the seller's Allegro account (device flow)."""
    from returnhub_allegro.connect import bp
    return [bp]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded returns, the orders behind them, settings."""
    from hub.adapters import Emulator
    from returnhub_allegro.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="allegro", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
