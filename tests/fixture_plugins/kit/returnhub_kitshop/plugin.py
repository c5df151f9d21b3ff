"""Hooks of the kit's reference shop."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_shops():
    from returnhub_kitshop.adapter import KitShop
    return [KitShop]


@hookimpl
def returnhub_register_emulators():
    from returnhub_kitshop import emulator
    return [Emulator(slug="kitshop", create_app=emulator.create_app, settings=emulator.settings,
                     seed_orders=emulator.seed_orders)]


@hookimpl
def returnhub_register_blueprints():
    from flask import Blueprint, jsonify

    bp = Blueprint("kitshop", __name__)
    bp.add_url_rule("/status", "status", lambda: jsonify(plugin="kitshop", ok=True))
    return [bp]
