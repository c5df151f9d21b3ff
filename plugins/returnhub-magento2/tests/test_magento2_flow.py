"""Full flow through the core: the core's fake marketplace -> hub -> Magento 2 emulator -> merchant -> hub ->
marketplace. Real jobs on a real Redis queue and database; the adapter talks REST to the emulator."""
from __future__ import annotations

import httpx
import pytest
from returnhub_fakemarket.emulator import create_app as create_market_app
from returnhub_fakemarket.emulator import sample_return
from returnhub_magento2.emulator import create_app, emulator_settings, seed_orders
from sqlalchemy import text

from hub.testing import EmulatorServer
from hub.testing.connections import create_connection
from hub.testing.flow import find_return, settle, states, timeline

PUSHED = {"accepted": "ACCEPT", "rejected": "REJECT", "exchanged": "EXCHANGE", "repaired": "REPAIR",
          "kept": "KEEP", "cancelled": "CANCEL"}


class Flow:
    """One merchant's connection fakemarket -> Magento 2 and the merchant's hands in both emulators."""

    def __init__(self, hub, market, magento, **shop_settings):
        self.hub, self.market, self.magento = hub, market, magento
        self.store = magento.app.config["STORE"]
        self.cid = create_connection(hub, marketplace="fakemarket", shop="magento2", name="fakemarket → Magento",
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

    def shop_id(self, external_id: str) -> str:
        return find_return(self.hub, external_id, self.cid).shop_return_id

    def order_id(self, external_id: str) -> int:
        return int(find_return(self.hub, external_id, self.cid).shop_order_id)

    def pushes(self) -> list[tuple[str, str, int]]:
        return [(p["return"], p["decision"], p["quantity"]) for p in self.market.app.config["EMULATOR"]["puts"]]

    def posts(self, path: str) -> list:
        return [e for e in self.magento.app.extensions["emulation"].ledger.find("POST", path)]


@pytest.fixture
def market():
    with EmulatorServer(create_market_app()) as server:
        yield server


def _magento(edition: str):
    return EmulatorServer(create_app(edition=edition))


@pytest.fixture
def commerce(hub, market):
    with _magento("commerce") as magento:
        yield Flow(hub, market, magento)


@pytest.fixture
def open_source(hub, market):
    with _magento("open_source") as magento:
        yield Flow(hub, market, magento)


# Playing the merchant in the Adobe Commerce admin: (item status, resolution), or None: closed unprocessed.
RMA = {"accepted": ("approved", "Refund"), "rejected": ("rejected", None), "exchanged": ("approved", "Exchange"),
       "repaired": ("approved", "Repair"), "kept": ("approved", "Keep"), "cancelled": None}


def test_commerce_rma_each_mapped_decision_is_pushed(commerce):
    for n in range(1, len(RMA) + 1):
        commerce.seed(n, quantity=2)
    assert set(commerce.settle().values()) == {"in_shop"}
    assert len(commerce.store.rmas) == len(RMA)
    for n, action in enumerate(RMA.values(), start=1):
        rid = commerce.shop_id(f"R{n}")
        if action is None:
            commerce.hook(f"/returns/{rid}/close")
        else:
            commerce.hook(f"/returns/{rid}/decide", {"status": action[0], "resolution": action[1]})
    final = commerce.settle(done=lambda: set(states(commerce.hub, commerce.cid).values()) == {"pushed"})
    assert set(final.values()) == {"pushed"}
    assert sorted(commerce.pushes()) == sorted((f"R{n}", PUSHED[d], 2) for n, d in enumerate(RMA, start=1))
    assert timeline(commerce.hub, "R1") == ["received", "in_shop", "decided", "pushed"]
    assert commerce.store.creditmemos == {}  # Returnhub never refunds


def test_open_source_convention_credit_memo_and_keyword(open_source):
    open_source.seed(1)
    open_source.seed(2)
    assert set(open_source.settle().values()) == {"in_shop"}
    assert open_source.shop_id("R1").startswith("order/") and open_source.store.rmas == {}
    assert [e.path for e in open_source.posts("/rest/default/V1/returns")] == []
    assert len(open_source.posts("/rest/default/V1/orders")) == 2  # one comment on each order
    open_source.hook(f"/orders/{open_source.order_id('R1')}/creditmemos", {})  # the merchant refunds
    open_source.hook(f"/orders/{open_source.order_id('R2')}/comments", {"comment": "Worn. returnhub:rejected"})
    final = open_source.settle(done=lambda: set(states(open_source.hub, open_source.cid).values()) == {"pushed"})
    assert set(final.values()) == {"pushed"}
    assert sorted(open_source.pushes()) == [("R1", "ACCEPT", 1), ("R2", "REJECT", 1)]
    assert len(open_source.store.creditmemos) == 1  # the merchant's own, none made by Returnhub


def test_order_arriving_late_waits_then_proceeds(commerce):
    ret = commerce.seed(1, order=False)
    assert commerce.settle() == {"R1": "waiting_for_order"}
    row = find_return(commerce.hub, "R1", commerce.cid)
    assert row.shop_return_id is None and commerce.store.rmas == {}
    commerce.add_order(ret)  # the marketplace connector imported the order
    final = commerce.settle(done=lambda: states(commerce.hub, commerce.cid)["R1"] == "in_shop")
    assert final == {"R1": "in_shop"} and len(commerce.store.rmas) == 1


def test_lost_answer_to_the_create_is_retried_without_a_second_rma(commerce):
    commerce.seed(1)
    commerce.hook("/faults", {"kind": "drop", "path": "/V1/returns", "method": "POST", "count": 1})
    final = commerce.settle(done=lambda: states(commerce.hub, commerce.cid)["R1"] == "in_shop")
    assert final == {"R1": "in_shop"}
    assert len(commerce.store.rmas) == 1 and len(commerce.posts("/rest/default/V1/returns")) == 1
    assert commerce.shop_id("R1") == str(next(iter(commerce.store.rmas)))


def test_decisions_are_read_in_pages(hub, market):
    with _magento("commerce") as magento:
        flow = Flow(hub, market, magento, page_size=2)
        for n in range(1, 6):
            flow.seed(n)
        assert set(flow.settle().values()) == {"in_shop"}
        for n in range(1, 6):
            flow.hook(f"/returns/{flow.shop_id(f'R{n}')}/decide", {"status": "rejected"})
        flow.magento.app.extensions["emulation"].ledger.clear()
        final = flow.settle(poll=False, done=lambda: set(states(hub, flow.cid).values()) == {"pushed"})
        assert set(final.values()) == {"pushed"} and len(flow.pushes()) == 5
        reads = [e for e in flow.magento.app.extensions["emulation"].ledger.find("GET", "/rest/default/V1/returns")
                 if e.query.get("searchCriteria[filterGroups][0][filters][0][field]") == ["entity_id"]]
        assert [e.query["searchCriteria[currentPage]"] for e in reads[:3]] == [["1"], ["2"], ["3"]]


def _last_error(flow, external_id: str) -> tuple[str, str | None]:
    """(state, last_error) of a stored return; the connection's status and last error."""
    with flow.hub.session() as s:
        row = s.execute(text("select state, last_error from return_request where external_id = :e"),
                        {"e": external_id}).one()
        conn = s.execute(text("select status, last_error from connection where id = :c"), {"c": flow.cid}).one()
    return tuple(row), tuple(conn)


def test_maintenance_mode_is_retried_with_a_clear_error_and_nothing_lost(commerce):
    commerce.seed(1)
    commerce.hook("/config", {"maintenance": True})
    commerce.settle(quiet_rounds=0, done=lambda: _last_error(commerce, "R1")[0][1] is not None)
    (state, error), _ = _last_error(commerce, "R1")
    assert state == "received" and "HTML page instead of its REST API (maintenance mode?); retrying" in error
    commerce.hook("/config", {"maintenance": False})
    final = commerce.settle(done=lambda: states(commerce.hub, commerce.cid)["R1"] == "in_shop")
    assert final == {"R1": "in_shop"} and len(commerce.store.rmas) == 1


def test_wrong_store_url_answering_html_needs_the_merchant_and_loses_nothing(hub, market):
    with _magento("commerce") as magento:
        flow = Flow(hub, market, magento, store_url=magento.url + "/shop")  # the storefront, not REST
        flow.seed(1)
        flow.settle()
        (state, error), _ = _last_error(flow, "R1")
        assert state == "needs_attention" and "answered text/html instead of JSON: is the store URL" in error
        assert flow.store.rmas == {}


def test_revoked_token_pauses_the_connection_with_a_clear_error(commerce):
    commerce.seed(1)
    commerce.hook("/config", {"revoke_token": True})
    commerce.settle()
    (state, error), (status, conn_error) = _last_error(commerce, "R1")
    assert state == "received" and status == "needs_reauth"
    assert "401" in conn_error and "access token expired or was revoked" in conn_error
    assert commerce.store.rmas == {}
