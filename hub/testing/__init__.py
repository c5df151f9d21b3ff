"""Test helpers for the core and for plugin authors; also the conformance kit's pytest plugin.

Plugin tests opt in with ``pytest_plugins = ["hub.testing"]`` (install ``returnhub[testing]``): that
brings the fixtures of :mod:`hub.testing.fixtures` (Hub, real Redis, databases, job runner) and of
:mod:`hub.testing.kit.plugin` (emulator runner, fake clock), and ``MarketplaceSuite``/``ShopSuite``
to subclass. Importing ``EmulatorServer`` needs no pytest: the suites load only when asked for.

Also here: the emulator toolkit (:mod:`hub.testing.emulation`), flow helpers for pipeline tests
(:mod:`hub.testing.flow`), and the helpers behind the ``serve_emulator``, ``adapter_factory``,
``page_walker`` and ``fake_clock`` fixtures (:mod:`hub.testing.plugin_helpers`), and ``until`` for waiting on
what another thread or process brings about (:mod:`hub.testing.waiting`).
"""
from hub.testing.emulator import EmulatorServer

pytest_plugins = ["hub.testing.fixtures", "hub.testing.kit.plugin"]

_KIT = {"MarketplaceSuite", "ShopSuite", "PluginSuite", "FakeClock", "FaultInjector", "RunningEmulator"}


def __getattr__(name):
    if name in _KIT:
        from hub.testing import kit
        return getattr(kit, name)
    raise AttributeError(f"module 'hub.testing' has no attribute {name!r}")


__all__ = ["EmulatorServer", "FakeClock", "FaultInjector", "MarketplaceSuite", "PluginSuite", "RunningEmulator",
           "ShopSuite"]
