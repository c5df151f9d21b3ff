"""The kit's own fixtures: a fake clock and a runner that serves an emulator on a free loopback port."""
from __future__ import annotations

import pytest

from hub.testing.emulator import EmulatorServer
from hub.testing.kit.clock import FakeClock
from hub.testing.kit.faults import FaultInjector, RunningEmulator


@pytest.fixture
def clock():
    """A :class:`FakeClock` not put in force; give ``clock.sleep`` to a ClientFactory so retries wait no real time.

    To make the whole process read fake time, use the ``fake_clock`` fixture of :mod:`hub.testing.fixtures`.
    """
    return FakeClock()


@pytest.fixture
def emulator_runner():
    """``run(emulator, demo=False)`` starts a :class:`hub.adapters.Emulator` on 127.0.0.1; stopped at teardown."""
    servers = []

    def run(emulator, demo: bool = False) -> RunningEmulator:
        app = emulator.create_app(demo=demo)
        faults = FaultInjector(app)
        server = EmulatorServer(faults).start()
        servers.append(server)
        return RunningEmulator(url=server.url, app=app, faults=faults, settings=dict(emulator.settings(server.url)))

    yield run
    for server in servers:
        server.stop()


@pytest.fixture
def hub_app(hub):
    """The web app around the test Hub (only the plugins ``hub_plugins`` names; the suites name yours)."""
    from hub.app import create_app
    return create_app(hub=hub)


@pytest.fixture
def hub_client(hub_app):
    return hub_app.test_client()


@pytest.fixture
def job_queue(hub):
    """The Hub's real RQ queue on the test Redis; run what is queued with the ``drain`` fixture."""
    return hub.queue
