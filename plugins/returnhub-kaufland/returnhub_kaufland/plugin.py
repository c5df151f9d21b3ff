"""Registers the Kaufland marketplace adapter, its push-notification endpoint and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_kaufland.adapter import KauflandMarketplace
    return [KauflandMarketplace]


@hookimpl
def returnhub_register_blueprints():
    """``/plugins/kaufland/notifications/<connection id>``: Kaufland's signed push notifications."""
    from returnhub_kaufland.notifications import blueprints
    return blueprints()


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded returns, the orders behind them, settings."""
    from hub.adapters import Emulator
    from returnhub_kaufland.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="kaufland", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
