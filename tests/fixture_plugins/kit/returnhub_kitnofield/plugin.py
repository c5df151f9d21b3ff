"""Hooks of a deliberately broken plugin: the kitmarket adapter against an emulator with one flaw."""
from hub import hookimpl
from hub.adapters import Emulator


@hookimpl
def returnhub_register_marketplaces():
    from returnhub_kitnofield.adapter import Adapter
    return [Adapter]


@hookimpl
def returnhub_register_emulators():
    from returnhub_kitnofield import emulator
    return [Emulator(slug="kitnofield", create_app=emulator.create_app, settings=emulator.settings)]
