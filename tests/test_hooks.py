"""Hooks reach plugins: transitions are announced after commit with the canonical return."""
from __future__ import annotations

import importlib
from pathlib import Path

from hub.plugins import load_plugins
from hub.runtime import Hub
from hub.sync import jobs
from returnhub_fakemarket.emulator import sample_return

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
