"""The kit's own fixtures: a fake clock and a runner that serves an emulator on a free loopback port."""
from __future__ import annotations

import pytest

from hub.testing.emulator import EmulatorServer
from hub.testing.kit.clock import FakeClock
from hub.testing.kit.faults import FaultInjector, RunningEmulator

pytest_plugins = ["hub.testing.fixtures"]  # ``fake_clock`` (the ``clock`` below is the same one)


def _kit_check(item) -> str | None:
    """The kit check an item runs (``None`` for anything else, an author's own tests included)."""
    from hub.testing.kit.base import CHECK_PREFIX, PluginSuite
    cls = getattr(item, "cls", None)
    fn = getattr(item, "function", None)
    if cls is None or not issubclass(cls, PluginSuite) or not hasattr(fn, "kit_tier"):
        return None
    return fn.__name__[len(CHECK_PREFIX):]


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    """A platform error inside a check fails that check by name; so does (from silver up) any request or
    answer of the check that breaks the plugin's API description."""
    check = _kit_check(pyfuncitem)
    if check is None:
        return (yield)
    from hub.errors import HubError
    from hub.testing.kit import rules
    from hub.testing.kit.base import fail
    from hub.testing.kit.specs import report
    try:
        result = yield
    except HubError as exc:
        fail(check, f"the adapter raised {type(exc).__name__} during the check: {exc}",
             "a check expects the emulator to answer; see which call failed above (a 429 means the "
             "adapter outran the manifest's rate_limit or the emulator's own limit)")
    traffic = pyfuncitem.funcargs.get("kit_traffic")
    suite = pyfuncitem.instance
    if traffic is not None and traffic.exchanges:
        try:
            quality = type(suite).kit_manifest().quality
        except ValueError:
            quality = "bronze"
        violations = suite.kit_traffic_violations(traffic)
        if violations and rules.tier_rank(quality) >= rules.tier_rank("silver"):
            fail(check, f"the check's traffic breaks the platform's API description:\n{report(violations)}",
                 "a silver plugin sends and its emulator answers what the description says")
    return result


@pytest.fixture
def clock(fake_clock) -> FakeClock:
    """The kit's clock: the ``fake_clock`` of :mod:`hub.testing.fixtures`, in force for the whole test, so the
    HTTP client's retry waits and the shared rate limiter's pause after a 429 take no real time and are
    recorded in ``clock.slept``."""
    return fake_clock


@pytest.fixture
def emulator_runner():
    """``run(emulator, demo=False)`` starts a :class:`hub.adapters.Emulator` on 127.0.0.1; stopped at teardown."""
    servers = []

    def run(emulator, demo: bool = False) -> RunningEmulator:
        app = emulator.create_app(demo=demo)
        built = getattr(app, "extensions", {}).get("emulation")  # an EmulatorApp has its injector already
        faults = built.faults if built is not None else FaultInjector(app)
        server = EmulatorServer(app if built is not None else faults).start()
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


@pytest.fixture
def serve_emulator():
    """``serve_emulator(app)`` runs a Flask emulator app on 127.0.0.1 and gives an
    :class:`~hub.testing.plugin_helpers.EmulatorHandle`; every one is stopped at teardown."""
    from hub.testing.plugin_helpers import EmulatorHandle
    handles = []

    def serve(app, hooks_prefix: str = "/_emulator"):
        handle = EmulatorHandle(EmulatorServer(app).start(), hooks_prefix)
        handles.append(handle)
        return handle

    yield serve
    for handle in handles:
        handle.close()


@pytest.fixture
def adapter_factory():
    """``adapter_factory(AdapterClass, settings, **kw)`` builds adapters as the core does (see
    :func:`hub.testing.plugin_helpers.build_adapter`); each is closed at teardown."""
    from hub.testing.plugin_helpers import build_adapter
    made = []

    def make(adapter_cls, settings: dict, **kwargs):
        adapter = build_adapter(adapter_cls, settings, **kwargs)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def page_walker():
    """The core's fetch loop: ``page_walker(adapter, cursor=None)`` gives a
    :class:`~hub.testing.plugin_helpers.Walk`."""
    from hub.testing.plugin_helpers import walk_pages
    return walk_pages

