"""The whole flow through the core: Allegro emulator -> hub jobs -> the core's fake shop -> the merchant's
decision -> a payment refund or a refund rejection at Allegro. Real HTTP, real Redis, SQLite."""
from __future__ import annotations

from decimal import Decimal

import pytest

from hub.testing.flow import decide_in_fake_shop, find_return, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def posts(emu, path):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path.endswith(path)]


def test_each_declared_decision_reaches_allegro(hub, connection, state, emu, shop_emu):
    cid = connection()
    refunded, rejected = state.seed(2)
    in_shop(hub, cid, 2)
    for ret, decision in ((refunded, "accepted"), (rejected, "rejected")):
        line = find_return(hub, ret["id"]).lines[0]
        decide_in_fake_shop(hub, shop_emu.url, ret["id"], {line.external_line_id: (decision, 1)})
    pushed(hub, cid, refunded["id"], rejected["id"])
    [refund] = state.refunds.values()
    assert refund["order"]["id"] == refunded["orderId"] and refund["reason"] == "REFUND"
    assert [li["quantity"] for li in refund["lineItems"]] == [1]
    assert state.returns[refunded["id"]]["status"] == "FINISHED"
    assert state.returns[rejected["id"]]["status"] == "REJECTED"
    assert state.returns[rejected["id"]]["rejection"]["code"] == "REFUND_REJECTED"


def test_partial_quantity_refunds_only_the_decided_pieces(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, quantity=3)[0]
    in_shop(hub, cid, 1)
    [line] = find_return(hub, ret["id"]).lines
    assert line.quantity == 3
    decide_in_fake_shop(hub, shop_emu.url, ret["id"], {line.external_line_id: ("accepted", 2)})
    pushed(hub, cid, ret["id"])
    [refund] = state.refunds.values()
    assert refund["lineItems"] == [{"id": line.external_line_id, "type": "QUANTITY", "quantity": 2}]
    assert Decimal(refund["totalValue"]["amount"]) == 2 * Decimal(ret["items"][0]["price"]["amount"])
    assert state.returns[ret["id"]]["status"] == "DELIVERED"  # one piece is still not refunded


def test_paging_through_the_core(hub, connection, state, emu):
    cid = connection(page_size=10)
    state.seed(25)
    assert list(in_shop(hub, cid, 25).values()).count("in_shop") == 25
    offsets = [e.query.get("offset") for e in emu.ledger.entries if e.path == "/order/customer-returns"]
    assert offsets[:3] == [["0"], ["10"], ["20"]]


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1)[0]
    emu.faults.inject(429, count=1, retry_after=7, path="/order/customer-returns")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    line = find_return(hub, ret["id"]).lines[0]
    emu.faults.inject(429, count=1, retry_after=5, path="/payments/refunds", method="POST")
    decide_in_fake_shop(hub, shop_emu.url, ret["id"], {line.external_line_id: ("accepted", 1)})
    pushed(hub, cid, ret["id"])
    assert 5 in fake_clock.slept
    assert [e.status for e in posts(emu, "/payments/refunds")] == [200]  # the 429 came from the fault injector
    assert len(state.refunds) == 1


def test_an_expired_token_is_renewed_and_the_rotated_refresh_token_saved(hub, connection, state, emu, shop_emu,
                                                                         fake_clock):
    cid = connection()
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    fake_clock.advance(13 * 3600)  # Allegro's user tokens live 12 hours
    line = find_return(hub, ret["id"]).lines[0]
    decide_in_fake_shop(hub, shop_emu.url, ret["id"], {line.external_line_id: ("rejected", 1)})
    pushed(hub, cid, ret["id"])
    grants = [e.body for e in emu.ledger.entries if e.path == "/auth/oauth/token"]
    assert len(grants) >= 2  # the first token, and its renewal after expiry
    from hub.db import Connection
    with hub.session() as s:
        stored = hub.box.open(s.get(Connection, cid).marketplace_settings)
    assert list(emu.auth.endpoint.refresh_tokens) == [stored["refresh_token"]]  # the live one is the saved one


def test_a_lost_answer_after_a_refund_refunds_once(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1, quantity=2)[0]
    in_shop(hub, cid, 1)
    line = find_return(hub, ret["id"]).lines[0]
    emu.faults.drop(path="/payments/refunds", method="POST")
    decide_in_fake_shop(hub, shop_emu.url, ret["id"], {line.external_line_id: ("accepted", 2)})
    pushed(hub, cid, ret["id"])
    assert len(state.refunds) == 1
    assert [li["quantity"] for li in next(iter(state.refunds.values()))["lineItems"]] == [2]
    assert state.returns[ret["id"]]["status"] == "FINISHED"


@pytest.mark.parametrize("kind", ["unknown_status", "missing_id", "missing_order"])
def test_bad_payloads_are_quarantined_and_the_batch_goes_on(hub, connection, state, emu, kind):
    from sqlalchemy import select

    from hub.db import QuarantinedItem
    cid = connection()
    emu.hook("break", {"kind": kind})
    good = state.seed(2)
    result = settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 2)
    assert set(result) == {r["id"] for r in good}
    with hub.session() as s:
        reasons = s.scalars(select(QuarantinedItem.reason).where(QuarantinedItem.connection_id == cid)).all()
    expected = {"unknown_status": "unknown status 'TELEPORTED'", "missing_id": "has no id",
                "missing_order": "could not be read"}[kind]
    assert any(expected in r for r in reasons), reasons
