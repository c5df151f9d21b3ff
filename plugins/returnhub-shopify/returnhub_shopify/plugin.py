"""Registers the Shopify shop adapter and its emulator with Returnhub."""
from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    from returnhub_shopify.adapter import ShopifyShop
    return [ShopifyShop]


@hookimpl
def returnhub_register_emulators():
    from hub.adapters import Emulator
    from returnhub_shopify.emulator import EMULATOR_SECRET, EMULATOR_TOKEN, create_app, seed_orders

    def settings(url: str) -> dict:
        return {"shop_url": url, "access_token": EMULATOR_TOKEN, "client_secret": EMULATOR_SECRET}

    return [Emulator("shopify", create_app, settings, seed_orders=seed_orders)]
