"""Full flow through the core: the core's fake marketplace -> hub -> Magento 1 SOAP emulator -> merchant -> hub ->
marketplace. Real jobs on a real Redis queue and database; the adapter talks SOAP to the emulator."""
from __future__ import annotations

import httpx
import pytest
from conftest import FastServer
from returnhub_fakemarket.emulator import create_app as create_market_app
from returnhub_fakemarket.emulator import sample_return
from returnhub_magento1.emulator import create_app, emulator_settings, seed_orders
from sqlalchemy import text

from hub.testing.connections import create_connection
from hub.testing.flow import find_return, settle, states, timeline


class Flow:
    """One merchant's connection fakemarket -> Magento 1 and the merchant's hands in both emulators."""

    def __init__(self, hub, market, magento, **shop_settings):
        self.hub, self.market, self.magento = hub, market, magento
        self.store = magento.app.config["STORE"]
        self.cid = create_connection(hub, marketplace="fakemarket", shop="magento1", name="fakemarket → Magento 1",
                                     marketplace_settings={"base_url": market.url, "api_key": "market-secret-key"},
                                     shop_settings={**emulator_settings(magento.url), **shop_settings})

    def seed(self, n: int, order: bool = True, **kwargs) -> dict:
        ret = sample_return(n, **kwargs)
        self.market.app.config["EMULATOR"]["returns"].append(ret)
        if order:
            self.add_order(ret)
        return ret

    def add_order(self, ret: dict) -> None:
        seed_orders(self.magento.app, [{"order_id": ret["order"], "lines": [
            {"sku": i["sku"], "title": i["title"], "quantity": i["qty"]} for i in ret["items"]]}])

    def settle(self, **kwargs) -> dict[str, str]:
        return settle(self.hub, self.cid, **kwargs)

    def hook(self, path: str, body: dict | None = None):
        response = httpx.post(f"{self.magento.url}/_emulator{path}", json=body or {}, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def order_of(self, external_id: str) -> str:
        return find_return(self.hub, external_id, self.cid).shop_order_id

    def pushes(self) -> list[tuple[str, str, int]]:
        return [(p["return"], p["decision"], p["quantity"]) for p in self.market.app.config["EMULATOR"]["puts"]]

    def ours(self, increment_id: str) -> list[dict]:
        return [c for c in self.store.orders[increment_id]["status_history"] if c["comment"].startswith("[")]


@pytest.fixture
def market():
    with FastServer(create_market_app()) as server:
        yield server


@pytest.fixture
def flow(hub, market):
    with FastServer(create_app()) as magento:
        yield Flow(hub, market, magento)


def test_convention_over_soap_credit_memo_keyword_and_status(hub, market):
    with FastServer(create_app()) as magento:
        flow = Flow(hub, market, magento, status_decisions="return_exchanged=exchanged")
        for n in (1, 2, 3):
            flow.seed(n)
        assert set(flow.settle().values()) == {"in_shop"}
        assert all(len(flow.ours(flow.order_of(f"R{n}"))) == 1 for n in (1, 2, 3))
        flow.hook(f"/orders/{flow.order_of('R1')}/creditmemos", {})  # the merchant refunds
        flow.hook(f"/orders/{flow.order_of('R2')}/comments", {"comment": "Worn. returnhub:rejected"})
        flow.hook(f"/orders/{flow.order_of('R3')}/comments", {"comment": "", "status": "return_exchanged"})
        final = flow.settle(done=lambda: set(states(hub, flow.cid).values()) == {"pushed"})
        assert set(final.values()) == {"pushed"}
        assert sorted(flow.pushes()) == [("R1", "ACCEPT", 1), ("R2", "REJECT", 1), ("R3", "EXCHANGE", 1)]
        assert timeline(hub, "R1") == ["received", "in_shop", "decided", "pushed"]
        assert len(flow.store.creditmemos) == 1  # the merchant's own: Returnhub never makes one


def test_order_arriving_late_waits_then_proceeds(flow):
    ret = flow.seed(1, order=False)
    assert flow.settle() == {"R1": "waiting_for_order"}
    assert find_return(flow.hub, "R1", flow.cid).shop_return_id is None
    flow.add_order(ret)  # the marketplace connector imported the order
    final = flow.settle(done=lambda: states(flow.hub, flow.cid)["R1"] == "in_shop")
    assert final == {"R1": "in_shop"} and len(flow.ours(flow.order_of("R1"))) == 1


def test_lost_answer_to_the_comment_is_retried_without_a_second_comment(flow):
    flow.seed(1)
    flow.hook("/config", {"drop": {"salesOrderAddComment": 1}})
    final = flow.settle(done=lambda: states(flow.hub, flow.cid)["R1"] == "in_shop")
    assert final == {"R1": "in_shop"} and flow.store.drops == {"salesOrderAddComment": 0}
    assert len(flow.ours(flow.order_of("R1"))) == 1


def test_expired_session_is_renewed_without_losing_anything(flow):
    flow.seed(1)
    assert flow.settle() == {"R1": "in_shop"}
    flow.hook("/config", {"expire_sessions": True})
    flow.hook(f"/orders/{flow.order_of('R1')}/comments", {"comment": "returnhub:repaired"})
    final = flow.settle(done=lambda: states(flow.hub, flow.cid)["R1"] == "pushed")
    assert final == {"R1": "pushed"} and flow.pushes() == [("R1", "REPAIR", 1)]


def _last_error(flow, external_id: str):
    with flow.hub.session() as s:
        row = s.execute(text("select state, last_error from return_request where external_id = :e"),
                        {"e": external_id}).one()
        conn = s.execute(text("select status, last_error from connection where id = :c"), {"c": flow.cid}).one()
    return tuple(row), tuple(conn)


def test_maintenance_mode_is_retried_with_a_clear_error_and_nothing_lost(flow):
    flow.seed(1)
    flow.hook("/config", {"maintenance": True})
    flow.settle(quiet_rounds=0, done=lambda: _last_error(flow, "R1")[0][1] is not None)
    (state, error), _ = _last_error(flow, "R1")
    assert state == "received" and "HTML page instead of its SOAP API (maintenance mode?); retrying" in error
    flow.hook("/config", {"maintenance": False})
    final = flow.settle(done=lambda: states(flow.hub, flow.cid)["R1"] == "in_shop")
    assert final == {"R1": "in_shop"}


def test_wrong_store_url_answering_html_needs_the_merchant_and_loses_nothing(hub, market):
    with FastServer(create_app()) as magento:
        flow = Flow(hub, market, magento, store_url=magento.url + "/shop")
        flow.seed(1)
        flow.settle()
        (state, error), _ = _last_error(flow, "R1")
        assert state == "needs_attention" and "instead of SOAP XML: is the store URL" in error
        assert all(flow.ours(increment_id) == [] for increment_id in flow.store.orders)


def test_soap_fault_for_a_wrong_key_pauses_the_connection(hub, market):
    with FastServer(create_app()) as magento:
        flow = Flow(hub, market, magento, api_key="not-the-key")
        flow.seed(1)
        flow.settle()
        (state, _), (status, conn_error) = _last_error(flow, "R1")
        assert state == "received" and status == "needs_reauth"
        assert "refused the API user and key (Access denied.)" in conn_error
