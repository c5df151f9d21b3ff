"""Registering a return by hand through the REST API, against the Zalando emulator and the core's fake shop:
register -> shop -> accepted -> order line 'returned'; the return Zalando later shows (ZSS poll) is kept as the
registered one; an unknown order, a quantity above what was ordered and a duplicate are refused and create
nothing. Real HTTP, real Redis, SQLite."""
from __future__ import annotations

import pytest

from hub.api_tokens import create_token
from hub.app import create_app
from hub.db import Connection, ReturnEvent, ReturnRow
from hub.testing.flow import decide_in_fake_shop, find_return, settle, states


@pytest.fixture
def api(hub):
    """``api(path, body)``: POST as Merchant A with a returns:write token; the response."""
    client = create_app(hub=hub).test_client()

    def post(path: str, body: dict):
        with hub.session() as s:
            merchant_id = s.query(Connection).first().merchant_id
        _id, token = create_token(hub, merchant_id, "registration", ["returns:read", "returns:write"])
        return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})
    return post


def count(hub) -> int:
    with hub.session() as s:
        return s.query(ReturnRow).count()


def details(hub, external_id: str) -> list[str]:
    """The timeline's details of a stored return, oldest first."""
    with hub.session() as s:
        return [e.detail or "" for e in s.query(ReturnEvent).join(ReturnRow).filter(
            ReturnRow.external_id == external_id).order_by(ReturnEvent.id)]


def line_ids(state, order) -> list[str]:
    return [line["id"] for line in state.order_lines(order)]


def register(api, cid, order_id, lines, **extra):
    return api(f"/connections/{cid}/returns", {"order_id": order_id, "reason": "too_small", **extra,
                                               "lines": [{"line": ref, "quantity": qty} for ref, qty in lines]})


def accept_all(hub, shop_emu, cid, external_id):
    settle(hub, cid, poll=False, done=lambda: states(hub, cid).get(external_id) == "in_shop")
    ret = find_return(hub, external_id)
    decide_in_fake_shop(hub, shop_emu.url, external_id,
                        {line.external_line_id: ("accepted", line.quantity) for line in ret.lines})


def test_registered_return_runs_to_returned_at_zalando(hub, connection, state, emu, shop_emu, api):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(2)
    first, second = line_ids(state, order)
    sku = state.order_items(order)[1]["attributes"]["article_id"]
    response = register(api, cid, order["id"], [(first, 1), (sku, 1)], tracking_number="3SZAL123")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "received" and "registered_by_hand" in body["flags"]
    assert {line["line_id"] for line in body["lines"]} == {first, second}  # the SKU named the second order line
    assert {line["reason_code"] for line in body["lines"]} == {"too_small"}
    external_id = body["external_id"]
    assert "registered by hand, tracking number 3SZAL123" in details(hub, external_id)[0]
    accept_all(hub, shop_emu, cid, external_id)
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[external_id] == "pushed")
    assert {line["attributes"]["status"] for line in state.order_lines(order)} == {"returned"}
    assert [p["reason"] for p in state.patches] == [3, 3]  # too_small -> SIZE_SMALL


def test_zalando_reporting_the_same_return_later_does_not_duplicate_it(hub, connection, state, emu, shop_emu, api):
    cid = connection(import_zrs=False)
    order = state.order(1)
    [line_id] = line_ids(state, order)
    external_id = register(api, cid, order["id"], [(line_id, 1)]).get_json()["external_id"]
    accept_all(hub, shop_emu, cid, external_id)
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[external_id] == "pushed")
    # the next poll sees the order line 'returned' (as for a ZSS order): the same return, kept once
    settle(hub, cid)
    assert states(hub, cid) == {external_id: "pushed"}
    assert any(f"reported this return as zss-{line_id}" in event for event in details(hub, external_id))
    settle(hub, cid)
    assert sum("reported this return" in event for event in details(hub, external_id)) == 1


def test_an_unknown_order_is_refused_and_creates_nothing(hub, connection, state, emu, api):
    cid = connection(import_zss=False, import_zrs=False)
    response = register(api, cid, "no-such-order", [("some-line", 1)])
    assert response.status_code == 422
    problem = response.get_json()
    assert "Zalando has no order no-such-order" in problem["detail"] and "order_id" in problem["errors"]
    assert count(hub) == 0


def test_a_quantity_above_the_order_is_refused_and_creates_nothing(hub, connection, state, emu, api):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(1)
    [line_id] = line_ids(state, order)
    response = register(api, cid, order["id"], [(line_id, 2)])
    assert response.status_code == 422
    assert "1 ordered, 0 already in returns, so at most 1" in response.get_json()["errors"]["lines.0.quantity"][0]
    assert count(hub) == 0


def test_a_duplicate_registration_is_refused_and_creates_nothing(hub, connection, state, emu, api):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(2)
    first, second = line_ids(state, order)
    assert register(api, cid, order["id"], [(first, 1)]).status_code == 201
    response = register(api, cid, order["id"], [(second, 1), (first, 1)])
    assert response.status_code == 409
    problem = response.get_json()
    assert "already in open return" in problem["errors"]["lines.1.line"][0]
    assert count(hub) == 1
    assert register(api, cid, order["id"], [(second, 1)]).status_code == 201  # the other line is still free


def test_a_line_the_order_does_not_have_is_refused(hub, connection, state, emu, api):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(1)
    response = register(api, cid, order["id"], [("NOT-IN-ORDER", 1)])
    assert response.status_code == 422
    assert "has no line, SKU or EAN 'NOT-IN-ORDER'" in response.get_json()["errors"]["lines.0.line"][0]
    assert count(hub) == 0


def test_fetch_order_gives_the_lines_and_none_for_an_unknown_order(make_adapter, state):
    order = state.order(2)
    adapter = make_adapter()
    found = adapter.fetch_order(order["id"])
    assert [line.external_line_id for line in found.lines] == line_ids(state, order)
    assert all(line.quantity == 1 and line.raw["order_item_id"] and line.sku for line in found.lines)
    assert found.customer.name and found.raw["order_id"] == order["id"]
    assert adapter.fetch_order("no-such-order") is None



def test_the_connection_page_lists_the_steps_and_offers_registering(hub, connection, emu):
    import re

    from hub.accounts import create_user
    cid = connection(import_zss=False, import_zrs=False)
    create_user(hub, email="z@example.com", password="correct horse battery", merchant_name="Merchant A")
    client = create_app(hub=hub).test_client()
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": "z@example.com", "password": "correct horse battery",
                                       "csrf_token": token}).status_code == 302
    page = client.get(f"/connections/{cid}").get_data(as_text=True)
    steps = re.findall(r'<li class="step-(merchant|returnhub)">', page)
    assert 'id="action-steps"' in page and steps[:3] == ["merchant", "merchant", "returnhub"] and len(steps) == 6
    assert "sets each accepted order line to &#39;returned&#39;" in page
    assert f'href="/returns/register?connection={cid}"' in page
    form = client.get(f"/returns/register?connection={cid}").get_data(as_text=True)
    assert f'<option selected value="{cid}">' in form or f'value="{cid}" selected' in form
