"""The rough edges a new user hit (issue 21): timeline text, favicon, plurals, price column, invoice
wording, decision summaries, a failed connection save and the readable needs-attention reason."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select, update
from test_api_support import api_app, api_client, api_hub_plugins, bearer  # noqa: F401  (fixtures)
from test_web import import_returns, post, signed_in

from hub.app import create_app
from hub.db import Connection, ReturnLine, ReturnRow
from hub.sync import jobs
from hub.web.filters import decision_summary


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def test_a_test_return_on_a_deciding_marketplace_says_it_is_a_test_on_its_timeline(hub, client, market_emu, drain):
    headers = bearer(hub)
    cid = client.post("/api/v1/connections", headers=headers, json={
        "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    rid = client.post(f"/api/v1/connections/{cid}/test-returns", headers=headers,
                      json={"order_id": "SHOP-ORDER-9", "lines": [{"sku": "A", "quantity": 1}]}).get_json()["id"]
    drain()
    done = client.post(f"/api/v1/returns/{rid}/decision", headers=headers, json={"decision": "accepted"}).get_json()
    closing = done["events"][-1]
    assert done["state"] == "closed_without_push"
    assert closing["detail"] == "test return: recorded in Returnhub only, never sent to the marketplace"
    assert all("takes no decision" not in (e["detail"] or "") for e in done["events"])


def test_decisions_are_summarised_once_per_decision():
    lines = [SimpleNamespace(decision="accepted", decision_quantity=3),
             SimpleNamespace(decision="accepted", decision_quantity=3),
             SimpleNamespace(decision="rejected", decision_quantity=1), SimpleNamespace(decision=None,
                                                                                       decision_quantity=None)]
    assert decision_summary(lines) == [("accepted", 6), ("rejected", 1)]


def test_overview_page_bits_favicon_plural_price_and_invoice_wording(app, hub, make_connection, market_emu,
                                                                      shop_emu, drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    client = signed_in(app, hub)
    overview = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in overview and client.get("/static/favicon.svg").status_code == 200
    assert client.get("/favicon.ico").headers["Location"].endswith("/static/favicon.svg")
    listing = client.get("/connections/").get_data(as_text=True)
    assert "1 return" in listing and "1 returns" not in listing
    with hub.session() as s:
        s.execute(update(ReturnLine).values(unit_price=None))
    detail = client.get("/returns/1").get_data(as_text=True)
    assert "<th>Price</th>" not in detail
    assert "The marketplace gave no separate invoice address" in detail and "or not given" not in detail
    with hub.session() as s:
        s.execute(update(ReturnLine).values(unit_price=19.95, currency="EUR"))
    assert "<th>Price</th>" in client.get("/returns/1").get_data(as_text=True)


def test_a_failed_save_keeps_the_page_and_marks_the_blank_name(app, hub, make_connection):
    cid = make_connection()
    client = signed_in(app, hub)
    response = post(client, f"/connections/{cid}", {"name": "  "}, page=f"/connections/{cid}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="sync-health"' in page and 'id="test-connection"' in page and 'id="sync-now"' in page
    assert 'aria-invalid="true"' in page and 'id="name-error"' in page and "Give the connection a name." in page
    new = post(client, "/connections/new", {"marketplace": "fakemarket", "shop": "fakeshop", "name": ""},
               page="/connections/new?marketplace=fakemarket&shop=fakeshop")
    assert new.status_code == 400 and 'aria-invalid="true"' in new.get_data(as_text=True)
    with hub.session() as s:
        assert s.get(Connection, cid).name != ""


def test_a_failed_creation_reads_as_a_sentence(app, hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    with hub.session() as s:
        s.execute(update(ReturnRow).values(state="received"))
    shop_emu.state["faults"].append({"path": "/returns", "status": 422, "count": 10_000})
    for _ in range(hub.config.max_attempts + 1):
        with hub.session() as s:
            s.execute(update(ReturnRow).values(next_attempt_at=None))
        jobs.create_in_shop(cid)
    with hub.session() as s:
        reason = s.scalar(select(ReturnRow.attention_reason))
    assert reason.startswith("Creating the return in the shop failed: ")
