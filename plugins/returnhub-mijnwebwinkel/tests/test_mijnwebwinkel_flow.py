"""Full flow through the core: test marketplace -> hub -> Mijnwebwinkel emulator -> merchant -> decision poll.

Everything is real: the core's jobs on a real Redis queue and database, the adapter talking HTTP to the
emulator on loopback, decisions pushed to the core's fake marketplace; driven with :mod:`hub.testing.flow`
on the injectable clock.
"""
from __future__ import annotations

import pytest
from returnhub_fakemarket.emulator import create_app as create_market_app
from returnhub_fakemarket.emulator import sample_return
from returnhub_mijnwebwinkel.emulator import emulator_settings, seed_orders

from hub.sdk.order_ids import split_id
from hub.testing.connections import create_connection
from hub.testing.flow import find_return, settle, states, timeline

PUSHED = {"accepted": "ACCEPT", "rejected": "REJECT", "exchanged": "EXCHANGE", "cancelled": "CANCEL",
          "repaired": "REPAIR", "kept": "KEEP"}
STATUS = {"accepted": 21, "rejected": 22, "exchanged": 23, "cancelled": 24, "repaired": 25, "kept": 26}


class Flow:
    """One merchant's connection fakemarket -> Mijnwebwinkel, with helpers to drive and inspect it."""

    def __init__(self, hub, market, shop, **shop_settings):
        self.hub, self.market, self.shop = hub, market, shop
        self.puts = market.app.config["EMULATOR"]["puts"]
        self.cid = create_connection(
            hub, marketplace="fakemarket", shop="mijnwebwinkel", name="fakemarket → Mijnwebwinkel",
            marketplace_settings={"base_url": market.url, "api_key": "market-secret-key"},
            shop_settings={**emulator_settings(shop.url), **shop_settings})

    def seed(self, n: int, order: bool = True, **kwargs) -> dict:
        ret = sample_return(n, **kwargs)
        self.market.app.config["EMULATOR"]["returns"].append(ret)
        if order:
            self.add_order(ret)
        return ret

    def add_order(self, ret: dict) -> None:
        seed_orders(self.shop.app, [{"order_id": ret["order"], "lines": [
            {"sku": i["sku"], "quantity": i["qty"]} for i in ret["items"]]}])

    def settle(self, **kwargs) -> dict[str, str]:
        return settle(self.hub, self.cid, **kwargs)

    def state(self, external_id: str) -> str:
        return states(self.hub, self.cid).get(external_id)

    def ret(self, external_id: str):
        return find_return(self.hub, external_id, self.cid)

    def order(self, external_id: str) -> dict:
        number, _ = split_id(self.ret(external_id).shop_return_id)
        return self.shop.store.orders[int(number)]


@pytest.fixture
def flow(hub, drain, emulator, serve_emulator, fake_clock):
    def make(**shop_settings):
        return Flow(hub, serve_emulator(create_market_app()), emulator, **shop_settings)
    return make


def in_shop(flow, n: int = 1, **kwargs) -> str:
    flow.seed(n, **kwargs)
    flow.settle(done=lambda: flow.state(f"R{n}") == "in_shop")
    return flow.ret(f"R{n}").shop_return_id


def test_the_return_is_written_onto_the_order_once(flow):
    f = flow()
    rid = in_shop(f, quantity=2)
    order = f.order("R1")
    assert rid == f"{order['number']}/{f.ret('R1').reference}"
    assert order["status"] == 20  # 'Retour aangevraagd', the connection's requested_status
    [line] = [c for c in order["comments"]["internal"].splitlines() if c.startswith("[returnhub-")]
    assert "marketplace order MO1" in line and "2x SKU-1" in line and line.endswith("| credit orders: -")
    assert order["comments"]["internal"].startswith("Marketplace order MO1\n")  # the channel tool's text stays
    f.settle()
    assert f.state("R1") == "in_shop" and f.puts == []  # nothing decided yet
    assert [e for e in f.shop.sent("PATCH")] == [f"PATCH /v1/orders/{order['number']}"]


def test_each_mapped_status_is_a_decision(flow):
    f = flow()
    decisions = list(STATUS)
    for n in range(1, len(decisions) + 1):
        f.seed(n, quantity=2)
    f.settle(done=lambda: set(states(f.hub, f.cid).values()) == {"in_shop"})
    for n, decision in enumerate(decisions, start=1):
        f.shop.status(split_id(f.ret(f"R{n}").shop_return_id)[0], STATUS[decision])
    f.settle(poll=False, done=lambda: set(states(f.hub, f.cid).values()) == {"pushed"})
    for n, decision in enumerate(decisions, start=1):
        assert [(line.decision, line.decision_quantity) for line in f.ret(f"R{n}").lines] == [(decision, 2)]
        assert timeline(f.hub, f"R{n}") == ["received", "in_shop", "decided", "pushed"]
    assert sorted((p["return"], p["decision"]) for p in f.puts) == sorted(
        (f"R{n}", PUSHED[d]) for n, d in enumerate(decisions, start=1))


def test_a_credit_order_made_after_the_return_decides_it(flow):
    f = flow(credit_order_decision="kept")
    number = split_id(in_shop(f))[0]
    f.settle(poll=False)
    assert f.state("R1") == "in_shop"
    f.shop.credit(number)  # the merchant refunds in the shop backend
    f.settle(poll=False, done=lambda: f.state("R1") == "pushed")
    assert [line.decision for line in f.ret("R1").lines] == ["kept"]
    assert [p["decision"] for p in f.puts] == ["KEEP"]
    assert len(f.shop.store.orders) == 2  # the order and the merchant's credit order: the hub made none


def test_an_earlier_credit_order_does_not_decide_a_new_return(flow):
    f = flow()
    ret = f.seed(1, order=False)
    f.add_order(ret)
    [original] = f.shop.store.orders.values()
    f.shop.credit(original["number"])  # credited before Returnhub wrote the return
    f.settle(done=lambda: f.state("R1") == "in_shop")
    f.settle(poll=False)
    assert f.state("R1") == "in_shop" and f.puts == []


def test_order_arriving_late_waits_then_proceeds(flow):
    f = flow()
    ret = f.seed(1, order=False)
    f.settle(done=lambda: f.state("R1") == "waiting_for_order", quiet_rounds=0)
    assert f.shop.sent("PATCH") == []
    f.add_order(ret)  # the channel tool imported the order
    f.settle(done=lambda: f.state("R1") == "in_shop")
    assert len(f.shop.sent("PATCH")) == 1


def test_retry_after_a_lost_answer_writes_once(flow):
    f = flow()
    f.seed(1)
    f.shop.handle.hook("/faults", {"kind": "drop", "method": "PATCH", "count": 1})
    f.settle(done=lambda: f.state("R1") == "in_shop")
    internal = f.order("R1")["comments"]["internal"]
    assert internal.count(f"[{f.ret('R1').reference}]") == 1  # the store kept the first write; no second one
    assert len(f.shop.sent("PATCH")) == 1


def test_paging_finds_an_order_deep_in_the_listing_and_decides_many(flow):
    f = flow(page_size=3)
    for n in range(1, 12):
        f.add_order(sample_return(100 + n))  # other orders of the store, newer than none
    for n in (1, 2, 3, 4):
        f.seed(n)
    for n in range(12, 20):
        f.add_order(sample_return(100 + n))
    f.settle(done=lambda: set(states(f.hub, f.cid).values()) == {"in_shop"})
    listings = [e for e in f.shop.requests() if e["path"] == "/v1/orders" and "start_date" in e["query"]]
    assert max(int(e["query"]["offset"][0]) for e in listings) >= 9  # walked past the first pages
    f.settle(poll=False)  # the first decision poll read every order; later ones use the listings
    for n in (1, 3):
        f.shop.status(split_id(f.ret(f"R{n}").shop_return_id)[0], STATUS["rejected"])
    f.settle(poll=False, done=lambda: f.state("R1") == f.state("R3") == "pushed")
    assert f.state("R2") == f.state("R4") == "in_shop"
    changed = [e for e in f.shop.requests() if "status_changed_start_date" in e["query"]]
    assert changed and all(" " in e["query"]["status_changed_start_date"][0] for e in changed)


def test_429_is_waited_out(flow, fake_clock):
    f = flow()
    f.seed(1)
    f.shop.handle.hook("/faults", {"kind": "status", "status": 429, "retry_after": 1, "count": 1})
    f.settle(done=lambda: f.state("R1") == "in_shop")
    assert 1 in fake_clock.slept  # waited what Retry-After said
