"""Full flow through the core: test marketplace -> hub -> Lightspeed emulator -> merchant -> webhook/poll -> hub.

Everything is real: the core's jobs on a real Redis queue and database, the hub's web app on loopback receiving
the emulator's signed webhooks at ``/webhooks/<token>``, the adapter talking HTTP to the emulator, decisions
pushed to the core's fake marketplace; driven with :mod:`hub.testing.flow` on the injectable clock.
"""
from __future__ import annotations

import secrets

import pytest
from returnhub_fakemarket.emulator import create_app as create_market_app
from returnhub_fakemarket.emulator import sample_return
from returnhub_lightspeed.emulator import RETURN_MAPPING, emulator_settings, seed_orders

from hub.sdk.order_ids import split_id
from hub.testing.connections import create_connection
from hub.testing.flow import find_return, settle, states, timeline

PUSHED = {"accepted": "ACCEPT", "rejected": "REJECT", "exchanged": "EXCHANGE", "cancelled": "CANCEL",
          "repaired": "REPAIR", "kept": "KEEP"}
STATUS = {"accepted": 12, "rejected": 13, "exchanged": 14, "cancelled": 15, "repaired": 16, "kept": 17}


class Flow:
    """One merchant's connection fakemarket -> Lightspeed, with helpers to drive and inspect it."""

    def __init__(self, hub, drain, market, shop, hub_web, **shop_settings):
        self.hub, self.drain, self.market, self.shop = hub, drain, market, shop
        self.puts = market.app.config["EMULATOR"]["puts"]
        token = secrets.token_urlsafe(16)
        self.cid = create_connection(
            hub, marketplace="fakemarket", shop="lightspeed", name="fakemarket → Lightspeed", webhook_token=token,
            marketplace_settings={"base_url": market.url, "api_key": "market-secret-key"},
            shop_settings={**emulator_settings(shop.url), **shop_settings})
        self.webhook_url = f"{hub_web.url}/webhooks/{token}"

    def subscribe(self, adapter) -> None:
        adapter.register_webhooks(self.webhook_url)

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

    def order_id(self, external_id: str) -> int:
        return int(split_id(self.ret(external_id).shop_return_id)[0])

    def deliveries(self) -> list[dict]:
        return list(self.shop.shop.deliveries)

    def queued(self) -> list[str]:
        return [job.func_name.rsplit(".", 1)[1] for job in self.hub.queue.get_jobs()]


@pytest.fixture
def flow(hub, drain, emulator, serve_emulator, hub_app, fake_clock):
    web = serve_emulator(hub_app)

    def make(**shop_settings):
        return Flow(hub, drain, serve_emulator(create_market_app()), emulator, web, **shop_settings)
    return make


def in_shop(flow, n: int = 1, **kwargs) -> str:
    flow.seed(n, **kwargs)
    flow.settle(done=lambda: flow.state(f"R{n}") == "in_shop")
    return flow.ret(f"R{n}").shop_return_id


def test_the_return_is_written_onto_the_order_once(flow):
    f = flow()
    rid = in_shop(f, quantity=2)
    order = f.shop.shop.orders[f.order_id("R1")]
    assert rid == f"{order['id']}/{f.ret('R1').reference}"
    assert order["customStatusId"] == 11  # 'Retour aangevraagd', the connection's requested_status
    assert order["memo"].startswith("Marketplace order MO1\n")  # the channel tool's text stays
    [line] = [x for x in order["memo"].splitlines() if x.startswith("[returnhub-")]
    assert "marketplace order MO1" in line and "2x SKU-1" in line
    f.settle()
    assert f.state("R1") == "in_shop" and f.puts == []
    assert f.shop.sent("PUT") == [f"PUT /nl/orders/{order['id']}.json"]


def test_each_mapped_custom_status_is_a_decision_by_poll(flow):
    f = flow()
    for n in range(1, len(STATUS) + 1):
        f.seed(n, quantity=2)
    f.settle(done=lambda: set(states(f.hub, f.cid).values()) == {"in_shop"})
    for n, decision in enumerate(STATUS, start=1):
        f.shop.status(f.order_id(f"R{n}"), STATUS[decision])
    f.settle(poll=False, done=lambda: set(states(f.hub, f.cid).values()) == {"pushed"})
    for n, decision in enumerate(STATUS, start=1):
        assert [(line.decision, line.decision_quantity) for line in f.ret(f"R{n}").lines] == [(decision, 2)]
        assert timeline(f.hub, f"R{n}") == ["received", "in_shop", "decided", "pushed"]
    assert sorted((p["return"], p["decision"]) for p in f.puts) == sorted(
        (f"R{n}", PUSHED[d]) for n, d in enumerate(STATUS, start=1))


def test_a_return_record_status_decides_when_mapped(flow):
    f = flow(return_status_decisions=RETURN_MAPPING)
    in_shop(f)
    f.shop.add_return(f.order_id("R1"), "requested")
    f.settle(poll=False)
    assert f.state("R1") == "in_shop"
    f.shop.add_return(f.order_id("R1"), "rejected")
    f.settle(poll=False, done=lambda: f.state("R1") == "pushed")
    assert [p["decision"] for p in f.puts] == ["REJECT"]


def test_an_order_webhook_reads_the_decision_at_once(flow, make_shop):
    f = flow()
    f.subscribe(make_shop())
    in_shop(f)
    f.shop.status(f.order_id("R1"), STATUS["accepted"])  # the webhook is delivered before this returns
    assert [(d["topic"], d["status"]) for d in f.deliveries()][-1] == ("orders/updated", 202)
    assert f.queued() == ["poll_decisions"]
    f.drain()
    assert f.state("R1") == "pushed" and [p["decision"] for p in f.puts] == ["ACCEPT"]


def test_a_bad_signature_is_refused_and_has_no_effect(flow, make_shop):
    f = flow()
    f.subscribe(make_shop())
    in_shop(f)
    f.shop.handle.hook("/webhooks", {"bad_signature": True})
    f.shop.status(f.order_id("R1"), STATUS["rejected"])
    assert [d["status"] for d in f.deliveries()][-1] == 401
    assert f.queued() == []
    f.drain()
    assert f.state("R1") == "in_shop" and f.puts == []
    f.settle(poll=False, done=lambda: f.state("R1") == "pushed")  # the poll stays the fallback


def test_order_arriving_late_waits_then_proceeds(flow):
    f = flow()
    ret = f.seed(1, order=False)
    f.settle(done=lambda: f.state("R1") == "waiting_for_order", quiet_rounds=0)
    assert f.shop.sent("PUT") == []
    f.add_order(ret)  # the channel tool imported the order
    f.settle(done=lambda: f.state("R1") == "in_shop")
    assert len(f.shop.sent("PUT")) == 1


def test_retry_after_a_lost_answer_writes_once(flow):
    f = flow()
    f.seed(1)
    f.shop.handle.hook("/faults", {"kind": "drop", "method": "PUT", "count": 1})
    f.settle(done=lambda: f.state("R1") == "in_shop")
    memo = f.shop.shop.orders[f.order_id("R1")]["memo"]
    assert memo.count(f"[{f.ret('R1').reference}]") == 1  # the return is on the order once
    puts = [e for e in f.shop.requests() if e["method"] == "PUT"]
    # PUT is idempotent, so the core's transport re-sends it after the lost answer: the same full memo again
    assert len(puts) == 2 and puts[0]["body"] == puts[1]["body"]


def test_an_exhausted_rate_limit_window_is_waited_out(flow, fake_clock):
    f = flow()
    f.seed(1)
    f.shop.handle.hook("/ratelimit", {"exhausted_for": 7})
    f.settle(done=lambda: f.state("R1") == "in_shop")
    assert 7 in [round(s) for s in fake_clock.slept]


def test_the_order_lookup_pages_to_a_later_page(flow):
    f = flow(page_size=2)
    seed_orders(f.shop.app, [{"order_id": f"MX{i}"} for i in range(5)])  # two full pages of other orders
    in_shop(f)
    order = f.shop.shop.orders[f.order_id("R1")]
    assert order["memo"].startswith("Marketplace order MO1\n")
    assert sorted(f.shop.shop.orders).index(order["id"]) == 5  # the sixth order: on page 3 of 2
    pages = [e["query"] for e in f.shop.requests() if e["method"] == "GET" and e["path"] == "/nl/orders.json"]
    assert {q["limit"][0] for q in pages} == {"2"}
    assert {"1", "2", "3"} <= {q["page"][0] for q in pages}


def test_429_with_retry_after_is_waited_out_and_writes_once(flow, fake_clock):
    f = flow()
    f.seed(1)
    f.shop.handle.hook("/faults", {"kind": "status", "status": 429, "retry_after": 3, "count": 1, "method": "PUT"})
    f.settle(done=lambda: f.state("R1") == "in_shop")
    oid = f.order_id("R1")
    assert f.shop.shop.orders[oid]["memo"].count(f"[{f.ret('R1').reference}]") == 1
    f.shop.status(oid, STATUS["accepted"])
    f.shop.handle.hook("/faults", {"kind": "status", "status": 429, "retry_after": 5, "count": 1, "method": "GET",
                                   "path": "/orders"})
    f.settle(poll=False, done=lambda: f.state("R1") == "pushed")
    refused = [(s.method, s.status) for s in f.shop.app.wsgi_app.seen if s.injected]
    assert refused == [("PUT", 429), ("GET", 429)]
    assert {3, 5} <= {round(s) for s in fake_clock.slept}  # waited what Retry-After said, each time
    assert f.shop.sent("PUT") == [f"PUT /nl/orders/{oid}.json"]  # the refused PUT never reached the shop
    assert [p["decision"] for p in f.puts] == ["ACCEPT"]
    assert timeline(f.hub, "R1") == ["received", "in_shop", "decided", "pushed"]
