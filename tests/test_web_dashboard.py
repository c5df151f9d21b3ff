"""The dashboard (server-side SVG charts) and the Plugins page with a failed plugin."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from sqlalchemy import select
from test_web import import_returns, post, signed_in

from hub.app import create_app
from hub.db import ReturnRow
from hub.plugins import load_plugins
from hub.runtime import Hub


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


BROKEN = Path(__file__).parent / "fixture_plugins" / "broken"


def test_dashboard_figures_and_charts(app, hub, make_connection, market_emu, shop_emu, drain):
    client = signed_in(app, hub)
    empty = client.get("/dashboard/").get_data(as_text=True)
    assert "Nothing to show yet" in empty and "<svg" in empty
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, range(1, 5))
    with hub.session() as s:
        rid = s.scalar(select(ReturnRow.id).order_by(ReturnRow.id))
    post(client, f"/returns/{rid}/decide", {"decision:R1-1": "accepted", "note": "checked"}, page="/")
    drain()
    page = client.get("/dashboard/?days=365").get_data(as_text=True)
    assert client.get("/dashboard/?days=365").status_code == 200
    assert "Returns per day" in page and page.count("<svg") >= 3 and "TOO_SMALL" in page
    assert "Fake Marketplace" in page and "SKU-1" in page and "100.0%" in page
    assert "median time to decision" in page and "1 decided" in page
    assert 'href="/?state=in_shop">3</a>' in page and 'href="/?state=pushed">1</a>' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), "no external asset"
    assert client.get("/dashboard/?days=13").status_code == 200  # an unknown period falls back to 30 days


def test_dashboard_counts_are_per_merchant(app, hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection(merchant="Merchant A")
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2])
    b = signed_in(app, hub, "b@example.com", "Merchant B")
    page = b.get("/dashboard/?days=365").get_data(as_text=True)
    assert "SKU-1" not in page and 'href="/?state=in_shop">0</a>' in page


def test_plugins_page_shows_a_failed_plugin_with_its_reason(config, monkeypatch):
    monkeypatch.syspath_prepend(str(BROKEN))
    bad_hook = importlib.import_module("returnhub_badhook.plugin")
    registry = load_plugins(allow=["fakemarket", "fakeshop"], extra=[("badhook", bad_hook)])
    hub = Hub(config, registry=registry).activate()
    try:
        app = create_app(hub=hub)
        page = signed_in(app, hub).get("/plugins/").get_data(as_text=True)
        assert "failed: returnhub_register_shops raised RuntimeError: boom while registering" in page
        assert "Fake Shop" in page
    finally:
        hub.db.dispose()
