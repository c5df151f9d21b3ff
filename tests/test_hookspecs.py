"""Every hook is documented (and the reference in docs/writing-plugins.md is current) and tested."""
from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub import hookspecs

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "tests" / "fixture_plugins" / "kit"
HOOKS = [fn for _, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "returnhub_spec")]

# Each hook's tests. A new hook fails test_every_hook_has_a_test until it is listed here with a test.
HOOK_TESTS = {
    "returnhub_register_marketplaces": ["tests/test_plugins.py::test_installed_test_plugins_load_with_manifests"],
    "returnhub_register_shops": ["tests/test_plugins.py::test_installed_test_plugins_load_with_manifests",
                                 "tests/test_plugins.py::test_broken_plugins_fail_alone"],
    "returnhub_return_transition": [
        "tests/test_hooks.py::test_transitions_are_announced_after_commit",
        "tests/test_hooks.py::test_observers_get_only_the_arguments_they_name_and_one_failure_stops_none",
        "tests/test_plugins.py::test_a_misspelt_hook_fails_its_plugin_alone"],
    "returnhub_register_blueprints": ["tests/test_hookspecs.py::test_plugin_blueprints_mount_under_their_slug"],
    "returnhub_register_emulators": ["tests/test_conformance_kit.py::test_good_marketplace_passes_every_check"],
}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda fn: fn.__name__)
def test_every_hook_is_documented(hook):
    doc = inspect.getdoc(hook) or ""
    assert doc, f"{hook.__name__} has no docstring: say what it is for, when it is called and what it returns"
    assert "Called" in doc and ":return:" in doc, \
        f"{hook.__name__}'s docstring must say when it is called ('Called ...') and what it returns (':return:')"


@pytest.mark.parametrize("hook", HOOKS, ids=lambda fn: fn.__name__)
def test_every_hook_has_a_test(hook):
    tests = HOOK_TESTS.get(hook.__name__)
    assert tests, f"{hook.__name__} has no test: write one and list it in HOOK_TESTS ({__file__})"
    for node in tests:
        path, _, name = node.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else ""
        assert re.search(rf"^def {name}\(", source, re.M), f"{node}, listed for {hook.__name__}, does not exist"


def test_no_test_listed_for_a_hook_that_is_gone():
    assert set(HOOK_TESTS) <= {fn.__name__ for fn in HOOKS}


def test_hook_reference_is_current():
    check = subprocess.run([sys.executable, str(ROOT / "docs" / "hookref.py"), "--check"],
                           check=False, capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stderr
    text = (ROOT / "docs" / "writing-plugins.md").read_text(encoding="utf-8")
    assert all(f"### `{fn.__name__}(" in text for fn in HOOKS)


def test_every_kit_check_is_documented():
    from hub.testing import MarketplaceSuite, ShopSuite
    text = (ROOT / "docs" / "writing-plugins.md").read_text(encoding="utf-8")
    for suite in (MarketplaceSuite, ShopSuite):
        for check, tier in suite.kit_checks().items():
            assert re.search(rf"^\| `{check}` \| {tier} \|", text, re.M), f"{check} ({tier}) is not in the guide's table"


@pytest.fixture
def kitshop_plugin(monkeypatch):
    monkeypatch.syspath_prepend(str(KIT))
    yield importlib.import_module("returnhub_kitshop.plugin")
    for name in [m for m in sys.modules if m.startswith("returnhub_kitshop")]:
        del sys.modules[name]


def test_plugin_blueprints_mount_under_their_slug(config, kitshop_plugin):
    from hub.app import create_app
    from hub.plugins import load_plugins
    from hub.runtime import Hub
    registry = load_plugins(allow=[], extra=[("kitshop", kitshop_plugin)], strict=True)
    app = create_app(hub=Hub(config, registry=registry).activate())
    assert app.test_client().get("/plugins/kitshop/status").get_json() == {"plugin": "kitshop", "ok": True}
