"""Hooks reach plugins: transitions are announced after commit with the canonical return, through
pluggy (each implementation gets the arguments it names), one plugin's failure isolated from the rest."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from returnhub_fakemarket.emulator import sample_return

from hub.plugins import load_plugins
from hub.runtime import Hub
from hub.sync import jobs

OBSERVER = Path(__file__).parent / "fixture_plugins" / "observer"


def test_transitions_are_announced_after_commit(config, make_connection, market_emu, shop_emu, monkeypatch):
    monkeypatch.syspath_prepend(str(OBSERVER))
    observer = importlib.import_module("returnhub_observer.plugin")
    observer.SEEN.clear()
    registry = load_plugins(allow=["fakemarket", "fakeshop"], strict=True, extra=[("observer", observer)])
    assert registry.plugins["observer"].loaded and registry.plugins["observer"].kind == "extension"
    hub = Hub(config, registry=registry).activate()
    market_emu.state["returns"].append(sample_return(1))
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    cid = make_connection()
    jobs.poll_marketplace(cid)
    jobs.create_in_shop(cid)
    assert observer.SEEN == [("R1", "in_shop", "received", "in_shop", "shop:fakeshop")]
    hub.db.dispose()


def test_observers_get_only_the_arguments_they_name_and_one_failure_stops_none(
        config, make_connection, market_emu, shop_emu, monkeypatch, caplog):
    monkeypatch.syspath_prepend(str(OBSERVER))
    plugins = {name: importlib.import_module(f"returnhub_{name}.plugin") for name in ("eventonly", "grumpy", "observer")}
    for module in plugins.values():
        getattr(module, "SEEN", getattr(module, "CALLS", None)).clear()
    # The raising observer sits between the two others: whichever order pluggy calls them in, one comes after it.
    registry = load_plugins(allow=["fakemarket", "fakeshop"], strict=True, extra=list(plugins.items()))
    hub = Hub(config, registry=registry).activate()
    market_emu.state["returns"].append(sample_return(1))
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    cid = make_connection()
    jobs.poll_marketplace(cid)
    with caplog.at_level(logging.ERROR, logger="hub.plugins"):
        jobs.create_in_shop(cid)
    assert plugins["eventonly"].SEEN == [("received", "in_shop")]
    assert plugins["grumpy"].CALLS == ["R1"]
    assert plugins["observer"].SEEN == [("R1", "in_shop", "received", "in_shop", "shop:fakeshop")]
    failures = [r for r in caplog.records if "grumpy failed in returnhub_return_transition" in r.getMessage()]
    assert len(failures) == 1 and "observer out of order" in str(failures[0].exc_info[1])
    assert all(registry.plugins[name].loaded for name in plugins)  # a failing observer is not unloaded
    hub.db.dispose()
