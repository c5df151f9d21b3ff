"""Plugin loading: manifests before import, isolation, allow/block lists, strict mode, the CLI listing."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from pluggy import PluginValidationError

from hub.manifest import load_manifest
from hub.plugins import load_plugins

BROKEN = Path(__file__).parent / "fixture_plugins" / "broken"


@pytest.fixture
def broken_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BROKEN))


def test_installed_test_plugins_load_with_manifests():
    registry = load_plugins(allow=["fakemarket", "fakeshop", "fakeinfo"], strict=True)
    assert set(registry.marketplaces) == {"fakemarket", "fakeinfo"} and set(registry.shops) == {"fakeshop"}
    assert registry.marketplaces["fakeinfo"].takes_decisions is False
    assert registry.marketplaces["fakemarket"].capabilities.auto_accept_fulfilment == ("FBX",)


def test_block_list_disables(monkeypatch):
    registry = load_plugins(allow=None, block=["fakeshop"], strict=False)
    assert registry.plugins["fakeshop"].status == "disabled" and "fakeshop" not in registry.shops


def test_broken_plugins_fail_alone(broken_path):
    bad_manifest = importlib.import_module("returnhub_badmanifest")
    bad_hook = importlib.import_module("returnhub_badhook.plugin")
    registry = load_plugins(allow=["fakemarket", "fakeshop"], extra=[("badmanifest", bad_manifest), ("badhook", bad_hook)])
    assert registry.plugins["badmanifest"].status.startswith("failed: returnhub_badmanifest/manifest.json is invalid")
    assert "colour" in registry.plugins["badmanifest"].status and "kind" in registry.plugins["badmanifest"].status
    assert registry.plugins["badhook"].status == "failed: returnhub_register_shops raised RuntimeError: boom while registering"
    assert registry.plugins["fakeshop"].loaded and "fakeshop" in registry.shops


def test_a_misspelt_hook_fails_its_plugin_alone(broken_path):
    misspelt = importlib.import_module("returnhub_misspelt.plugin")
    misspelt.SEEN.clear()
    bad_hook = importlib.import_module("returnhub_badhook.plugin")
    registry = load_plugins(allow=["fakemarket", "fakeshop"], extra=[("misspelt", misspelt), ("badhook", bad_hook)])
    assert registry.plugins["misspelt"].status == (
        "failed: returnhub_regster_shops is not a Returnhub hook (did you mean returnhub_register_shops?)")
    assert registry.plugins["fakemarket"].loaded and registry.plugins["fakeshop"].loaded
    assert set(registry.marketplaces) == {"fakemarket"} and set(registry.shops) == {"fakeshop"}
    assert registry.pm.get_plugin("misspelt") is None  # its correctly named hook is gone with it
    registry.notify_transition(None, {"from_state": "received", "to_state": "in_shop"})
    assert misspelt.SEEN == []
    assert registry.pm.get_plugin("badhook") is None and "badhook" not in registry.shops


def test_a_misspelt_hook_fails_start_up_in_strict_mode(broken_path):
    misspelt = importlib.import_module("returnhub_misspelt.plugin")
    with pytest.raises(PluginValidationError, match="returnhub_regster_shops is not a Returnhub hook"):
        load_plugins(allow=["fakeshop"], extra=[("misspelt", misspelt)], strict=True)


def test_strict_mode_reraises(broken_path):
    bad_hook = importlib.import_module("returnhub_badhook.plugin")
    with pytest.raises(RuntimeError, match="boom"):
        load_plugins(allow=[], extra=[("badhook", bad_hook)], strict=True)


def test_manifest_rejects_incompatible_hub_api(tmp_path, monkeypatch):
    pkg = tmp_path / "returnhub_future"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "manifest.json").write_text('{"slug": "future", "title": "F", "kind": "shop", "version": "1", '
                                       '"hub_api": ">=2", "auth": "none", "capabilities": '
                                       '{"decisions": [], "decision_source": ["poll"]}}')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match="this core provides 1"):
        load_manifest("returnhub_future")


def test_cli_lists_plugins():
    out = subprocess.run([sys.executable, "-m", "hub.cli", "plugins"], capture_output=True, text=True,
                         env={"RETURNHUB_PLUGINS": "fakemarket,fakeshop", "PATH": "/usr/bin:/bin"}, check=True).stdout
    assert "fakemarket" in out and "loaded" in out and '"push_decision": true' in out
