"""The kit's view of a running emulator; the fault injector itself lives in :mod:`hub.testing.emulation`."""
from __future__ import annotations

from dataclasses import dataclass, field

from hub.testing.emulation.faults import Fault, FaultInjector, Seen

__all__ = ["Fault", "FaultInjector", "RunningEmulator", "Seen"]


@dataclass
class RunningEmulator:
    """An emulator on loopback behind a :class:`FaultInjector`: ``url``, the Flask ``app``, ``settings``."""

    url: str
    app: object
    faults: FaultInjector
    settings: dict = field(default_factory=dict)

    @property
    def seen(self) -> list[Seen]:
        return self.faults.seen
