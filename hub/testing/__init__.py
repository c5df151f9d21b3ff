"""Test helpers for the core and for plugin authors."""
from hub.testing.emulator import EmulatorServer

__all__ = ["EmulatorServer"]
