"""Hook implementations: the Amazon marketplace adapter and its emulator."""
from hub import hookimpl
from hub.adapters import Emulator


def emulator_settings(url: str) -> dict:
    """Connection settings pointing the adapter at an emulator running at ``url``."""
    from returnhub_amazon import emulator

    url = url.rstrip("/")
    return {"lwa_client_id": emulator.CLIENT_ID, "lwa_client_secret": emulator.CLIENT_SECRET,
            "refresh_token": emulator.REFRESH_TOKEN, "endpoint": url, "lwa_token_url": f"{url}/auth/o2/token",
            "marketplace_ids": [emulator.MARKETPLACE_ID], "report_poll_initial_seconds": 0.2,
            "report_poll_max_seconds": 1.0}


def _create_emulator_app(demo: bool = False):
    from returnhub_amazon.emulator import create_app

    return create_app(demo=demo)


def _demo_orders(app) -> list[dict]:
    from returnhub_amazon.emulator import demo_orders

    return demo_orders(app)


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_amazon.adapter import AmazonMarketplace

    return [AmazonMarketplace]


@hookimpl
def returnhub_register_emulators():
    return [Emulator("amazon", _create_emulator_app, emulator_settings, demo_orders=_demo_orders)]
