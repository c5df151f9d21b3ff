"""Hook implementations of the built-in api shop."""
from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    from hub.default_plugins.api_shop.adapter import ApiShop
    return [ApiShop]
