"""The emulator refuses what Fruugo refuses: no or wrong Basic login, unknown orders and lines, partial
quantities; and the adapter reads its XML, quarantining what it cannot use."""
from __future__ import annotations

import httpx
import pytest
from returnhub_fruugo import mapping
from returnhub_fruugo.emulator import PASSWORD, USERNAME

from hub.errors import InvalidPayload

AUTH = (USERNAME, PASSWORD)


def test_basic_auth_is_required(emu):
    assert httpx.get(f"{emu.url}/orders/download/v2", params={"from": "2026-01-01"}).status_code == 401
    wrong = httpx.get(f"{emu.url}/orders/download/v2", params={"from": "2026-01-01"}, auth=(USERNAME, "nope"))
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Basic")


def test_download_needs_from(emu):
    resp = httpx.get(f"{emu.url}/orders/download/v2", auth=AUTH)
    assert resp.status_code == 400 and "from" in resp.text


def test_return_refuses_unknown_order_line_and_partial_quantity(emu, state):
    order = state.seed(1, quantity=3)[0]
    line = order["lines"][0]
    post = lambda **form: httpx.post(f"{emu.url}/orders/return", data=form, auth=AUTH)  # noqa: E731
    assert "not found" in post(orderId="999", item="1,2,3").text
    assert "has no item" in post(orderId=order["orderId"], item="1,2,3").text
    partial = post(orderId=order["orderId"], item=f"{line['fruugoProductId']},{line['fruugoSkuId']},2")
    assert partial.status_code == 400 and "whole line" in partial.text and line["returned"] == 0
    ok = post(orderId=order["orderId"], item=f"{line['fruugoProductId']},{line['fruugoSkuId']},3")
    assert ok.status_code == 200 and line["returned"] == 3


def test_adapter_reads_returns_and_quarantines_bad_orders(emu, state, make_adapter):
    good = state.seed(2, lines=2)
    emu.hook("break", {"kind": "unknown_status"})
    adapter = make_adapter()
    items, cursor = [], None
    while True:
        page = adapter.fetch_returns(cursor)
        items += page.items
        cursor = page.cursor
        if not page.more:
            break
    returns = [i for i in items if isinstance(i, dict)]
    assert {r["external_id"] for r in returns} == {o["orderId"] for o in good}
    assert [len(r["lines"]) for r in returns] == [2, 2]
    bad = [i for i in items if not isinstance(i, dict)]
    assert len(bad) == 1 and "unknown orderStatus" in bad[0].reason


def test_unreadable_xml_is_invalid_payload():
    with pytest.raises(InvalidPayload, match="not readable XML"):
        mapping.parse_orders(b"<o:orders><unclosed>")
    with pytest.raises(InvalidPayload, match="not readable XML"):
        mapping.parse_orders(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')


def test_unknown_return_reason_is_refused_and_a_known_one_is_sent(emu, state, make_adapter):
    order = state.seed(1)[0]
    line = order["lines"][0]
    item = f"{line['fruugoProductId']},{line['fruugoSkuId']},1"
    bad = httpx.post(f"{emu.url}/orders/return", data={"orderId": order["orderId"], "item": item,
                                                       "returnReason": "bored"}, auth=AUTH)
    assert bad.status_code == 400 and "Invalid returnReason" in bad.text and line["returned"] == 0
    make_adapter(return_reason="damaged_item").client.confirm_return(
        order["orderId"], [(line["fruugoProductId"], line["fruugoSkuId"], 1)])
    assert line["returned"] == 1 and state.confirmations[-1]["returnReason"] == "damaged_item"
