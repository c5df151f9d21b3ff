"""Hooks of the kit's reference marketplace."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_kitmarket.adapter import KitMarketplace
    return [KitMarketplace]


@hookimpl
def returnhub_register_emulators():
    from returnhub_kitmarket import emulator
    return [Emulator(slug="kitmarket", create_app=emulator.create_app, settings=emulator.settings)]
