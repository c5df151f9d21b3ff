"""Fetching and pushing at the adapter: ZSS detection, ZRS dates and paging, the cursor, auth, the emulator's
refusals (bad token, unknown reason, a line not shipped or already returned)."""
from __future__ import annotations

import httpx
import pytest
from returnhub_zalando.emulator import MERCHANT_ID

from hub.errors import PermanentError
from hub.model import Decision, load_return


def rets(adapter, page_walker):
    return [load_return(i) for i in page_walker(adapter).items if isinstance(i, dict)]


def test_only_returned_lines_of_fulfilled_orders_are_zss_returns(make_adapter, page_walker, state):
    order = state.order(3)
    state.zss_return(order)
    state.order(1)
    [ret] = rets(make_adapter(import_zrs=False), page_walker)
    assert ret.external_id.startswith("zss-") and ret.fulfilment.value == "marketplace"
    assert ret.customer.address.city and ret.lines[0].currency == "EUR"
    assert ret.raw["order_number"] == order["attributes"]["order_number"]


def test_zss_paging_and_the_cursor_resume(make_adapter, state, emu):
    for _ in range(7):
        state.zss_return()
    adapter = make_adapter(import_zrs=False, page_size=3, pages_per_poll=1)
    found, cursor, pages = [], None, 0
    while True:
        page = adapter.fetch_returns(cursor)
        found += [i["external_id"] for i in page.items]
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
    assert len(set(found)) == 7 and pages >= 3
    again = adapter.fetch_returns(cursor)
    assert again.items == []  # nothing new since
    assert any("last_updated_after" in e.query for e in emu.ledger.entries if e.path.endswith("/orders"))


def test_zrs_items_up_to_yesterday(make_adapter, page_walker, state, emu):
    old = state.zrs_item(days_ago=3)
    state.zrs_item(days_ago=0)
    got = rets(make_adapter(import_zss=False), page_walker)
    assert [r.external_id for r in got] == [f"zrs-{old['id']}"]
    assert got[0].fulfilment_method == "ZRS" and got[0].lines[0].reason_code == "SIZE_SMALL"
    [call] = [e for e in emu.ledger.entries if "customer-returned-items" in e.path]
    assert call.query["date_between"][0].count(",") == 1


def test_bad_credentials_and_bad_tokens_are_refused(make_adapter, settings, emu):
    with pytest.raises(Exception) as info:
        make_adapter(client_secret="wrong").check()
    assert "wrong" not in str(info.value)
    resp = httpx.get(f"{emu.url}/merchants/{MERCHANT_ID}/orders", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401


def test_the_emulator_refuses_unknown_reasons_and_lines_not_shipped(make_adapter, state, emu):
    adapter = make_adapter()
    order = state.order(1, status="initial")
    [item] = state.order_items(order)
    line_id = item["relationships"]["order_lines"]["data"][0]["id"]
    with pytest.raises(PermanentError):
        adapter.client.set_returned(order["id"], item["id"], line_id, 2)  # not shipped
    shipped = state.order(1)
    [item] = state.order_items(shipped)
    line_id = item["relationships"]["order_lines"]["data"][0]["id"]
    with pytest.raises(PermanentError):
        adapter.client.set_returned(shipped["id"], item["id"], line_id, 7)  # no such reason code
    adapter.client.set_returned(shipped["id"], item["id"], line_id, 10)
    with pytest.raises(PermanentError):
        adapter.client.set_returned(shipped["id"], item["id"], line_id, 10)  # already returned
    assert state.lines[line_id]["attributes"] == {**state.lines[line_id]["attributes"], "status": "returned",
                                                  "reason": 10}


def test_only_accepted_is_pushed(make_adapter, state):
    order = state.order(1)
    [item] = state.order_items(order)
    line_id = item["relationships"]["order_lines"]["data"][0]["id"]
    ret = load_return({"external_id": "R", "marketplace_order_id": order["id"],
                       "requested_at": "2026-11-30T10:00:00Z", "lines": [{"external_line_id": line_id,
                                                                           "quantity": 1}]})
    ret.lines[0].decision = Decision.REJECTED
    with pytest.raises(PermanentError, match="no API action for 'rejected'"):
        make_adapter().push_decision(ret, ret.lines)
    ret.lines[0].decision, ret.lines[0].decision_note = Decision.ACCEPTED, "DEFECTIVE, seam open"
    make_adapter().push_decision(ret, ret.lines)
    assert state.lines[line_id]["attributes"]["reason"] == 10
