"""Registers the Mijnwebwinkel shop adapter and its emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    from returnhub_mijnwebwinkel.adapter import MijnwebwinkelShop
    return [MijnwebwinkelShop]


@hookimpl
def returnhub_register_emulators():
    from hub.adapters import Emulator
    from returnhub_mijnwebwinkel.emulator import create_app, emulator_settings, seed_orders
    return [Emulator("mijnwebwinkel", create_app, emulator_settings, seed_orders=seed_orders)]
