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


def test_most_returned_items_are_named_by_product_with_the_sku_or_ean_beside(app, hub, make_connection):
    """"Most returned SKUs" shows each item's latest product name, its SKU (or EAN) secondary; an item
    without any title keeps its key; another merchant's titles are never used."""
    from datetime import timedelta

    from hub import clock
    from hub.model import Fulfilment, Line, Return
    from hub.stats.rebuild import rebuild
    from hub.sync.records import new_row
    from hub.testing.connections import create_connection

    cid = make_connection(merchant="Merchant A")
    other = create_connection(hub, marketplace="fakemarket", shop="fakeshop", merchant="Merchant B", name="B")
    now = clock.now()
    rows = [(cid, "SKU-COAT", None, "Winter coat (old name)"), (cid, "SKU-COAT", None, "Sinner winter coat L"),
            (cid, None, "8712345000017", "Philips Airfryer XL"), (cid, "SKU-BARE", None, None),
            (other, "SKU-BARE", None, "Someone else's title")]
    with hub.session() as s:
        for n, (conn, sku, ean, title) in enumerate(rows, start=1):
            s.add(new_row(conn, Return(
                external_id=f"T{n}", marketplace_order_id=f"O{n}", fulfilment=Fulfilment.MERCHANT,
                requested_at=now - timedelta(hours=10 - n),
                lines=[Line(external_line_id="1", quantity=1, sku=sku, ean=ean, title=title)])))
    with hub.session() as s:
        rebuild(s)
    page = signed_in(app, hub, "a@example.com", "Merchant A").get("/dashboard/?days=30").get_data(as_text=True)
    table = page[page.index('id="top-items"'):]
    table = table[:table.index("</table>")]
    assert '<span class="item-title">Sinner winter coat L</span> <span class="muted small item-key">SKU-COAT</span>' \
        in table
    assert "old name" not in table
    assert '<span class="item-title">Philips Airfryer XL</span> <span class="muted small item-key">EAN 8712345000017' \
        in table
    assert '<span class="item-key">SKU-BARE</span>' in table and "Someone else" not in table
