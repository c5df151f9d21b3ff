"""Registering a return by hand where it is not offered (the marketplace declares no fetch_order), its
validation errors, and the "Requires action" filter of the overview and the API (merchant_action on a return
the merchant has not decided yet). The success path and the order checks run against the Zalando emulator
(plugins/returnhub-zalando/tests/test_zalando_registration.py) and in the browser (tests/browser)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from test_api_support import api_app, api_client, api_hub_plugins, assert_problem, bearer  # noqa: F401  (fixtures)
from test_web import post, signed_in

from hub import clock
from hub.db import ReturnRow
from hub.model import State, load_return
from hub.sync.records import new_row

MISDIRECTED = "Contact OTTO partner support to have the parcel forwarded."


def count(hub) -> int:
    with hub.session() as s:
        return s.scalar(select(func.count()).select_from(ReturnRow))


def add(hub, cid: int, external_id: str, state: State, action: str | None = None) -> int:
    ret = load_return({"external_id": external_id, "marketplace_order_id": f"O-{external_id}",
                       "requested_at": clock.now().isoformat(), "merchant_action": action,
                       "lines": [{"external_line_id": "L1", "quantity": 1}]})
    with hub.session() as s:
        row = new_row(cid, ret)
        row.state = state.value
        s.add(row)
        s.flush()
        return row.id


BODY = {"order_id": "MO1", "lines": [{"line": "SKU-1", "quantity": 1}], "reason": "defective"}


def test_registering_is_refused_where_the_marketplace_gives_no_order(hub, client, make_connection):
    cid = make_connection()  # fakemarket: no fetch_order
    problem = assert_problem(client.post(f"/api/v1/connections/{cid}/returns", json=BODY, headers=bearer(hub)), 409)
    assert "registering a return by hand is not offered" in problem["detail"]
    assert count(hub) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"lines": []}, "lines"), ({"lines": [{"line": "SKU-1", "quantity": 0}]}, "lines.0.quantity"),
    ({"lines": [{"line": "SKU-1", "quantity": -2}]}, "lines.0.quantity"), ({"reason": "bored"}, "reason"),
    ({"order_id": ""}, "order_id")])
def test_invalid_registrations_answer_422_and_create_nothing(hub, client, make_connection, change, field):
    cid = make_connection()
    response = client.post(f"/api/v1/connections/{cid}/returns", json={**BODY, **change}, headers=bearer(hub))
    assert field in assert_problem(response, 422)["errors"]
    assert count(hub) == 0


def test_another_merchants_connection_is_404(hub, client, make_connection):
    cid = make_connection(merchant="Merchant B")
    assert_problem(client.post(f"/api/v1/connections/{cid}/returns", json=BODY, headers=bearer(hub)), 404)


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/connections/{connection_id}/returns"]["post"]
    assert {"201", "409", "422", "502"} <= set(operation["responses"])
    assert "RegisterReturnIn" in spec["components"]["schemas"]


def test_requires_action_filter_in_the_api(hub, client, make_connection):
    cid = make_connection()
    waiting = add(hub, cid, "R-WAIT", State.IN_SHOP, MISDIRECTED)
    add(hub, cid, "R-DECIDED", State.PUSHED, MISDIRECTED)  # decided: the action is behind the merchant
    add(hub, cid, "R-PLAIN", State.IN_SHOP)
    body = client.get("/api/v1/returns?requires_action=true", headers=bearer(hub)).get_json()
    assert [(r["id"], r["requires_action"], r["merchant_action"]) for r in body["items"]] == [
        (waiting, True, MISDIRECTED)]
    others = client.get("/api/v1/returns?requires_action=false", headers=bearer(hub)).get_json()["items"]
    assert {r["external_id"] for r in others} == {"R-DECIDED", "R-PLAIN"}
    assert [r["requires_action"] for r in others] == [False, False]


def test_requires_action_tab_and_filter_in_the_overview(app, hub, make_connection):
    cid = make_connection()
    add(hub, cid, "R-WAIT", State.NEEDS_ATTENTION, MISDIRECTED)
    add(hub, cid, "R-DONE", State.DECIDED, MISDIRECTED)
    add(hub, cid, "R-PLAIN", State.RECEIVED)
    client = signed_in(app, hub)
    page = client.get("/").get_data(as_text=True)
    assert 'id="tab-action"' in page and "Requires action" in page
    assert page.count('class="requires-action"') == 1
    filtered = client.get("/?action=1").get_data(as_text=True)
    assert "R-WAIT" in filtered and "R-DONE" not in filtered and "R-PLAIN" not in filtered
    with hub.session() as s:  # decided meanwhile: no longer waiting for the merchant
        s.execute(update(ReturnRow).where(ReturnRow.external_id == "R-WAIT").values(state=State.DECIDED.value))
    assert "R-WAIT" not in client.get("/?action=1").get_data(as_text=True)


def test_register_page_says_when_no_connection_offers_it(app, hub, make_connection):
    make_connection()
    client = signed_in(app, hub)
    assert 'id="register-return"' not in client.get("/").get_data(as_text=True)
    page = client.get("/returns/register").get_data(as_text=True)
    assert 'id="not-offered"' in page and 'id="register-form"' not in page
    response = post(client, "/returns/register", {"order_id": "MO1", "lines-0-line": "SKU-1", "reason": "defective"})
    assert response.status_code == 200 and count(hub) == 0
