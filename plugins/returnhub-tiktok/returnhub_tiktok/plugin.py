"""Registers the TikTok Shop marketplace adapter and its emulator."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_tiktok.adapter import TikTokMarketplace
    return [TikTokMarketplace]


@hookimpl
def returnhub_register_emulators():
    """The emulator for tests and ``returnhub demo``: seeded returns, the orders behind them, settings."""
    from hub.adapters import Emulator
    from returnhub_tiktok.emulator import create_app, demo_orders, emulator_settings
    return [Emulator(slug="tiktok", create_app=create_app, settings=emulator_settings, demo_orders=demo_orders)]
