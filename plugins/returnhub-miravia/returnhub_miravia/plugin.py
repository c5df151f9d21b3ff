"""Registers the Miravia marketplace adapter, its account-connect pages (OAuth code flow) and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_miravia.adapter import MiraviaMarketplace
    return [MiraviaMarketplace]


@hookimpl
def returnhub_register_blueprints():
    """``/plugins/miravia/connect/<connection id>`` and ``/plugins/miravia/callback``: the seller authorizes."""
    from returnhub_miravia.connect import bp
    return [bp]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded reverse orders, the orders behind them, settings."""
    from hub.adapters import Emulator
    from returnhub_miravia.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="miravia", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
