"""Registers the Magento 2 shop adapter and its emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    from returnhub_magento2.adapter import Magento2Shop
    return [Magento2Shop]


@hookimpl
def returnhub_register_emulators():
    from hub.adapters import Emulator
    from returnhub_magento2.emulator import create_app, emulator_settings, seed_orders
    return [Emulator("magento2", create_app, emulator_settings, seed_orders=seed_orders)]
