"""Hooks of a deliberately broken plugin: the kitmarket adapter with one flaw (see adapter.py)."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_kitnowait.adapter import Adapter
    return [Adapter]


@hookimpl
def returnhub_register_emulators():
    from returnhub_kitmarket import emulator
    return [Emulator(slug="kitnowait", create_app=emulator.create_app, settings=emulator.settings)]
