"""Orders › Returns: filters, search, sort, keyset pages, CSV export, retry (single and bulk), manual decision."""
from __future__ import annotations

import csv
import io
import re

import pytest
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select, update
from test_web import import_returns, post, signed_in

from hub.app import create_app
from hub.db import ReturnRow
from hub.sync import jobs


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def _ids_on_page(html: str) -> list[str]:
    return re.findall(r'href="/returns/\d+">(R\d+)</a>', html)


def _fail_creation(hub, shop_emu, cid):
    """Make every pending creation fail for good (500s until the attempts run out)."""
    shop_emu.state["faults"].append({"path": "/returns", "status": 500, "count": 10_000})
    for _ in range(hub.config.max_attempts + 1):
        with hub.session() as s:
            s.execute(update(ReturnRow).values(next_attempt_at=None))
        jobs.create_in_shop(cid)
    shop_emu.state["faults"].clear()


def test_overview_filters_search_sort_and_keyset_pages(app, hub, make_connection, market_emu, shop_emu, drain,
                                                        monkeypatch):
    cid = make_connection()
    info = make_connection(marketplace="fakeinfo", name="Info shop")
    import_returns(hub, market_emu, shop_emu, drain, cid, range(1, 8))
    client = signed_in(app, hub)
    monkeypatch.setattr("hub.web.returns.PAGE", 3)
    first = client.get("/").get_data(as_text=True)
    assert _ids_on_page(first) == ["R7", "R6", "R5"]
    after = re.search(r'id="next-page" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert _ids_on_page(second) == ["R4", "R3", "R2"]
    after = re.search(r'id="next-page" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    third = client.get(after).get_data(as_text=True)
    assert _ids_on_page(third) == ["R1"] and 'id="next-page"' not in third
    assert _ids_on_page(client.get("/?sort=order").get_data(as_text=True)) == ["R1", "R2", "R3"]
    assert _ids_on_page(client.get("/?sort=requested_asc").get_data(as_text=True)) == ["R1", "R2", "R3"]
    page = client.get("/?sort=requested_desc").get_data(as_text=True)
    nxt = re.search(r'id="next-page" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert _ids_on_page(client.get(nxt).get_data(as_text=True)) == ["R4", "R3", "R2"]
    # search: order id, return id, EAN, customer name
    assert _ids_on_page(client.get("/?q=MO3").get_data(as_text=True)) == ["R3"]
    assert _ids_on_page(client.get("/?q=customer 5").get_data(as_text=True)) == ["R5"]
    assert len(_ids_on_page(client.get("/?q=8712345600001").get_data(as_text=True))) == 3  # every sample's EAN
    assert _ids_on_page(client.get("/?q=8712345699999").get_data(as_text=True)) == []
    # filters
    assert _ids_on_page(client.get("/?state=in_shop&sort=order").get_data(as_text=True)) == ["R1", "R2", "R3"]
    assert _ids_on_page(client.get("/?state=pushed").get_data(as_text=True)) == []
    assert _ids_on_page(client.get(f"/?connection={info}").get_data(as_text=True)) == []
    assert _ids_on_page(client.get("/?marketplace=fakeinfo").get_data(as_text=True)) == []
    assert len(_ids_on_page(client.get("/?marketplace=fakemarket&decision=none").get_data(as_text=True))) == 3
    assert _ids_on_page(client.get("/?date_from=2026-11-01&date_to=2026-11-01&sort=order").get_data(as_text=True)) \
        == ["R1", "R2", "R3"]
    assert _ids_on_page(client.get("/?date_from=2030-01-01").get_data(as_text=True)) == []
    # bad input: a clear message, the page still answers
    bad = client.get("/?state=bogus&date_from=yesterday&after=garbage")
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "Unknown state" in text and "is not a date" in text and "no longer valid" in text


def test_csv_export_of_the_current_filter(app, hub, make_connection, market_emu, shop_emu, drain, monkeypatch):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, range(1, 6))
    market_emu.state["returns"].append({**sample_return(6), "customer": {**sample_return(6)["customer"],
                                                                         "name": "=HYPERLINK(\"x\")"}})
    jobs.poll_marketplace(cid)
    client = signed_in(app, hub)
    monkeypatch.setattr("hub.web.returns.EXPORT_CHUNK", 2)
    response = client.get("/returns/export.csv?sort=order")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["return_id"] for r in rows] == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert rows[0]["marketplace"] == "Fake Marketplace" and rows[0]["items"] == "1 x SKU-1"
    assert rows[5]["customer"].startswith("'="), "formula cells are neutralised"
    filtered = list(csv.DictReader(io.StringIO(client.get("/returns/export.csv?q=MO2").get_data(as_text=True))))
    assert [r["return_id"] for r in filtered] == ["R2"]
    assert client.get("/returns/export.csv?state=bogus").status_code == 400
    other = signed_in(app, hub, "b@example.com", "Merchant B")
    assert list(csv.DictReader(io.StringIO(other.get("/returns/export.csv").get_data(as_text=True)))) == []


def test_needs_attention_tab_retry_and_bulk_retry(app, hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    for n in (1, 2, 3):
        market_emu.state["returns"].append(sample_return(n))
        shop_emu.state["orders"][f"MO{n}"] = {"id": f"SO-MO{n}", "number": f"MO{n}"}
    jobs.poll_marketplace(cid)
    _fail_creation(hub, shop_emu, cid)
    client = signed_in(app, hub)
    tab = client.get("/?state=needs_attention").get_data(as_text=True)
    assert "Needs attention <span class=\"count\">3</span>" in tab and "500" in tab and "Retry selected" in tab
    with hub.session() as s:
        ids = dict(s.execute(select(ReturnRow.external_id, ReturnRow.id)).all())
    response = post(client, f"/returns/{ids['R1']}/retry", page="/")
    assert response.status_code == 302
    response = post(client, "/returns/retry", {"return_id": [ids["R2"], ids["R3"], ids["R1"]]}, page="/")
    assert response.status_code == 302
    assert "Retry queued for 2 returns. 1 no longer needed one." in client.get("/").get_data(as_text=True)
    drain()
    with hub.session() as s:
        assert set(s.scalars(select(ReturnRow.state))) == {"in_shop"}
    detail = client.get(f"/returns/{ids['R1']}").get_data(as_text=True)
    assert "retry requested" in detail and "user:a@example.com" in detail
    assert "Nothing needs attention" in client.get("/?state=needs_attention").get_data(as_text=True)
    assert post(client, "/returns/retry", page="/").status_code == 302
    assert "Select the returns to retry first." in client.get("/").get_data(as_text=True)


def test_manual_decision_requires_a_note_and_moves_the_return_on(app, hub, make_connection, market_emu, shop_emu,
                                                                 drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    client = signed_in(app, hub)
    with hub.session() as s:
        rid = s.scalar(select(ReturnRow.id))
    page = client.get(f"/returns/{rid}").get_data(as_text=True)
    assert "Set decision manually" in page and 'name="decision:R1-1"' in page
    assert "Waiting for the merchant&#39;s decision in the shop (read on every decision poll)." in page
    post(client, f"/returns/{rid}/decide", {"decision:R1-1": "kept"}, page="/")
    assert "A note is required" in client.get(f"/returns/{rid}").get_data(as_text=True)
    post(client, f"/returns/{rid}/decide", {"decision:R1-1": "kept", "quantity:R1-1": "5", "note": "x"}, page="/")
    assert "must be a whole number from 0 to 1" in client.get(f"/returns/{rid}").get_data(as_text=True)
    post(client, f"/returns/{rid}/decide", {"decision:R1-1": "bogus", "note": "x"}, page="/")
    assert "cannot be sent to this marketplace" in client.get(f"/returns/{rid}").get_data(as_text=True)
    post(client, f"/returns/{rid}/decide", {"decision:R1-1": "kept", "note": "refunded by phone"}, page="/")
    drain()
    detail = client.get(f"/returns/{rid}").get_data(as_text=True)
    assert "Decision recorded." in detail and "set manually: refunded by phone" in detail
    assert "pushed" in detail and 'id="decide-form"' not in detail
    assert market_emu.state["decisions"][("R1", "R1-1")] == {"decision": "KEEP", "quantity": 1}


def test_detail_explains_informational_and_marketplace_fulfilled_returns(app, hub, make_connection, market_emu,
                                                                         shop_emu, drain):
    info = make_connection(marketplace="fakeinfo")
    market_emu.state["returns"].append(sample_return(1))
    market_emu.state["returns"].append(sample_return(2, fulfilment="marketplace", method="FBX"))
    for n in (1, 2):
        shop_emu.state["orders"][f"MO{n}"] = {"id": f"SO-MO{n}", "number": f"MO{n}"}
    jobs.poll_marketplace(info)
    drain()
    client = signed_in(app, hub)
    with hub.session() as s:
        ids = dict(s.execute(select(ReturnRow.external_id, ReturnRow.id)).all())
    page = client.get(f"/returns/{ids['R1']}").get_data(as_text=True)
    assert "is not sent to the marketplace" in page
    assert 'value="repaired"' in page, "a marketplace that takes no decision allows all six manually"
    fbx = client.get(f"/returns/{ids['R2']}").get_data(as_text=True)
    assert "the marketplace handles this return" in fbx and "Customer 2" in fbx and "Kerkstraat" in fbx


def test_detail_links_to_the_order_in_the_shop_when_the_plugin_builds_one(app, hub, make_connection, market_emu,
                                                                        shop_emu, drain, monkeypatch):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    client = signed_in(app, hub)
    with hub.session() as s:
        rid = s.scalar(select(ReturnRow.id))
    assert "/admin/orders/" not in client.get(f"/returns/{rid}").get_data(as_text=True)
    shop_cls = hub.registry.shops["fakeshop"]
    monkeypatch.setattr(shop_cls, "order_url", lambda self, order_id: f"{self.settings['base_url']}/admin/orders/"
                        f"{order_id}", raising=False)
    page = client.get(f"/returns/{rid}").get_data(as_text=True)
    assert f'href="{shop_emu.url}/admin/orders/SO-MO1"' in page
    monkeypatch.setattr(shop_cls, "order_url", lambda self, order_id: "javascript:alert(1)", raising=False)
    assert "javascript:" not in client.get(f"/returns/{rid}").get_data(as_text=True)


def test_tampered_page_links_fall_back_to_the_first_page(app, hub, make_connection, market_emu, shop_emu, drain):
    import base64
    import json
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2])
    client = signed_in(app, hub)
    for sort, value in (("order", {"x": 1}), ("requested_desc", "2026-11-01T00:00:00"), ("newest", "x"),
                        ("requested_asc", 12)):
        cursor = base64.urlsafe_b64encode(json.dumps([value, "not-an-id" if sort == "newest" else 5]).encode())
        response = client.get(f"/?sort={sort}&after={cursor.decode()}")
        assert response.status_code == 200, sort
        assert "no longer valid" in response.get_data(as_text=True), sort
