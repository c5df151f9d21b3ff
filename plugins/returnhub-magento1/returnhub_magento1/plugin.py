"""Registers the Magento 1 / OpenMage shop adapter and its SOAP emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    from returnhub_magento1.adapter import Magento1Shop
    return [Magento1Shop]


@hookimpl
def returnhub_register_emulators():
    from hub.adapters import Emulator
    from returnhub_magento1.emulator import create_app, emulator_settings, seed_orders
    return [Emulator("magento1", create_app, emulator_settings, seed_orders=seed_orders)]
