"""Registers the Lightspeed eCom shop adapter and its emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    from returnhub_lightspeed.adapter import LightspeedShop
    return [LightspeedShop]


@hookimpl
def returnhub_register_emulators():
    from hub.adapters import Emulator
    from returnhub_lightspeed.emulator import create_app, emulator_settings, seed_orders
    return [Emulator("lightspeed", create_app, emulator_settings, seed_orders=seed_orders)]
