"""The whole flow through the core: Mirakl emulator -> hub jobs -> the core's fake shop -> the merchant's
decision -> batched RT/OR calls at the operator. Real HTTP, real Redis, SQLite (PostgreSQL when set)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from mirakl_steps import calls, lines_of, recorded
from returnhub_mirakl.adapter import MiraklMarketplace
from returnhub_mirakl.emulator import emulator_settings
from returnhub_mirakl.plan import plan_returns_module
from returnhub_mirakl.settings import MiraklSettings

from hub.errors import PermanentError
from hub.model import Decision
from hub.testing.flow import find_return, settle, states
from hub.testing.plugin_helpers import build_adapter


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") >= count)


def decided(hub, cid, wanted=("pushed",)):
    return settle(hub, cid, done=lambda: all(s in wanted for s in states(hub, cid).values()))


def test_accept_walks_accept_receive_compliance_close(hub, mirakl, connect, seed, decide):
    cid = connect()
    ret = seed(count=1, lines=2)[0]
    in_shop(hub, cid, 1)
    decide(ret["id"],
                        {line: ("accepted", 1) for line in lines_of(ret)})
    assert decided(hub, cid)[ret["id"]] == "pushed"
    stored = mirakl.state.op("mediamarkt").returns[ret["id"]]
    assert stored["state"] == "CLOSED"
    assert recorded(mirakl, "mediamarkt", ret["id"]) == {line: Decision.ACCEPTED for line in lines_of(ret)}
    assert [e.body["returns"] for e in calls(mirakl, "/api/returns/accept")] == [[{"id": ret["id"], "accepted": True}]]
    assert len(calls(mirakl, "/api/returns/receive")) == len(calls(mirakl, "/api/returns/close")) == 1


def test_refuse_with_reason_code(hub, mirakl, connect, seed, decide):
    cid = connect(rejection_reason_code="RETURN_REJECTION_WINDOW_CLOSED")
    ret = seed(count=1)[0]
    in_shop(hub, cid, 1)
    decide(ret["id"], {lines_of(ret)[0]: ("rejected", 1)})
    assert decided(hub, cid)[ret["id"]] == "pushed"
    stored = mirakl.state.op("mediamarkt").returns[ret["id"]]
    assert (stored["state"], stored["rejection_reason_code"]) == ("REFUSED", "RETURN_REJECTION_WINDOW_CLOSED")
    assert not calls(mirakl, "/api/returns/receive") and not calls(mirakl, "/api/orders/refund")


def test_partial_quantity_is_refunded_per_order_line(hub, mirakl, connect, seed, decide):
    cid = connect(refund_accepted=True)
    ret = seed(count=1, lines=2, quantity=3, price=10.0)[0]
    first, second = lines_of(ret)
    in_shop(hub, cid, 1)
    decide(ret["id"], {first: ("accepted", 2), second: ("rejected", 3)})
    assert decided(hub, cid)[ret["id"]] == "pushed"
    assert mirakl.state.refunded("mediamarkt", ret["order_id"]) == {first: 2, second: 0}
    refund = calls(mirakl, "/api/orders/refund")[0].body["refunds"]
    assert refund == [{"order_line_id": first, "quantity": 2, "amount": 20.0, "shipping_amount": 0,
                       "reason_code": "RETURN", "currency_iso_code": "EUR"}]
    assert recorded(mirakl, "mediamarkt", ret["id"]) == {first: Decision.ACCEPTED, second: Decision.REJECTED}


def test_partial_quantity_without_own_refunds_is_refused_before_any_call(hub, mirakl, connect, seed, decide):
    cid = connect()  # the operator refunds on compliance: a compliance cannot say "2 of 3"
    ret = seed(count=1, quantity=3)[0]
    in_shop(hub, cid, 1)
    decide(ret["id"], {lines_of(ret)[0]: ("accepted", 2)})
    assert decided(hub, cid, ("needs_attention",))[ret["id"]] == "needs_attention"
    assert not [e for e in mirakl.ledger.entries if e.method == "PUT"]
    stored = find_return(hub, ret["id"], cid)
    with pytest.raises(PermanentError, match="Refund accepted lines"):
        plan_returns_module(stored, [replace(stored.lines[0], decision=Decision.ACCEPTED, decision_quantity=2)],
                            MiraklSettings().load(emulator_settings("http://127.0.0.1:1")), "MediaMarkt")


def test_keep_is_a_refund_without_receipt(hub, mirakl, connect, seed, decide):
    cid = connect()
    ret = seed(count=1, quantity=2, price=15.5)[0]
    line = lines_of(ret)[0]
    in_shop(hub, cid, 1)
    decide(ret["id"], {line: ("kept", 2)})
    assert decided(hub, cid)[ret["id"]] == "pushed"
    assert mirakl.state.refunded("mediamarkt", ret["order_id"]) == {line: 2}
    assert not calls(mirakl, "/api/returns/receive") and not calls(mirakl, "/api/returns/compliance")
    assert recorded(mirakl, "mediamarkt", ret["id"]) == {line: Decision.KEPT}


def test_operator_without_returns_module_gets_refunds(hub, mirakl, connect, shop_emu, decide):
    mirakl.hook("module", {"operator": "decathlon", "enabled": False})
    cid = connect("decathlon", returns_module="refunds only")
    order = mirakl.state.seed_incident("decathlon", lines=2, quantity=1, price=30.0)
    other = mirakl.state.seed_incident("decathlon", lines=1)
    shop_emu.module.seed_orders(shop_emu.app, [{"order_id": order["order_id"]}, {"order_id": other["order_id"]}])
    in_shop(hub, cid, 2)
    first, second = (ol["order_line_id"] for ol in order["order_lines"])
    decide(f"incident-{order['order_id']}",
                        {first: ("accepted", 1), second: ("kept", 1)})
    decide(f"incident-{other['order_id']}",
                        {other["order_lines"][0]["order_line_id"]: ("rejected", 1)})
    final = decided(hub, cid, ("pushed", "needs_attention"))
    assert final == {f"incident-{order['order_id']}": "pushed", f"incident-{other['order_id']}": "needs_attention"}
    assert mirakl.state.refunded("decathlon", order["order_id"]) == {first: 1, second: 1}
    assert not calls(mirakl, "/api/returns", "GET")  # RT11 is never asked of an operator without the module
    assert not [e for e in mirakl.ledger.entries if e.path.startswith("/decathlon/api/returns")]


def test_lost_answer_to_an_accept_is_not_accepted_twice(hub, mirakl, connect, seed, decide):
    cid = connect()
    ret = seed(count=1)[0]
    in_shop(hub, cid, 1)
    mirakl.emulation.faults.drop(count=1, path="/api/returns/accept", method="PUT")
    decide(ret["id"], {lines_of(ret)[0]: ("accepted", 1)})
    assert decided(hub, cid)[ret["id"]] == "pushed"
    accepts = calls(mirakl, "/api/returns/accept")
    assert len(accepts) == 1 and accepts[0].body["returns"] == [{"id": ret["id"], "accepted": True}]
    assert mirakl.state.op("mediamarkt").returns[ret["id"]]["state"] == "CLOSED"


def test_paging_and_429_reach_every_return(hub, mirakl, connect, seed):
    cid = connect(page_size=40)
    made = seed(count=95)
    mirakl.emulation.faults.inject(429, count=1, retry_after=1, path="/api/returns", method="GET")
    final = in_shop(hub, cid, 95)
    assert set(final) == {r["id"] for r in made}
    lists = [e for e in calls(mirakl, "/api/returns", "GET") if e.status == 200 and "return_id" not in e.query]
    assert sum(1 for e in lists if "page_token" in e.query) >= 2  # 95 returns at 40 a page
    assert any(e.status == 429 for e in mirakl.emulation.faults.seen if e.path.endswith("/api/returns"))


def test_fnac_darty_requires_action(hub, connect):
    connect("fnac_darty", base_url=None)  # the form takes it without an API address
    adapter = build_adapter(MiraklMarketplace, {"instance": "fnac_darty", "api_key": "unused"})
    with pytest.raises(PermanentError, match="Incidents"):
        adapter.check()
    with pytest.raises(PermanentError, match="FNAC Darty"):
        adapter.push_decision(None, [])
    assert adapter.fetch_returns(None).items == []
