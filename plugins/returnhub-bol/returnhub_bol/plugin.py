"""Registers the bol.com marketplace adapter and its emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_bol.adapter import BolMarketplace
    return [BolMarketplace]


@hookimpl
def returnhub_register_emulators():
    from hub.adapters import Emulator
    from returnhub_bol.emulator import create_app, emulator_settings
    return [Emulator(slug="bol", create_app=create_app, settings=emulator_settings)]
