"""Full flow through the core: test marketplace -> hub -> Shopify emulator -> merchant -> webhook -> hub.

Everything is real: the core's jobs on a real Redis queue and database, the hub's web app on
loopback receiving the emulator's signed webhooks at ``/webhooks/<token>``, the adapter talking
GraphQL to the emulator, decisions pushed to the core's fake marketplace. Driven with the flow
helpers of :mod:`hub.testing.flow` on the injectable clock.
"""
from __future__ import annotations

import secrets

import pytest
from returnhub_fakemarket.emulator import create_app as create_market_app
from returnhub_fakemarket.emulator import sample_return
from returnhub_shopify.emulator import EMULATOR_SECRET, EMULATOR_TOKEN, seed_orders

from hub.testing.connections import create_connection
from hub.testing.flow import find_return, settle, states, timeline


class Flow:
    """One merchant's connection fakemarket -> Shopify, with helpers to drive and inspect it."""

    def __init__(self, hub, drain, market, shopify, hub_web):
        self.hub, self.drain, self.market, self.shopify = hub, drain, market, shopify
        self.puts = market.app.config["EMULATOR"]["puts"]
        token = secrets.token_urlsafe(16)
        self.cid = create_connection(
            hub, marketplace="fakemarket", shop="shopify", name="fakemarket → Shopify", webhook_token=token,
            marketplace_settings={"base_url": market.url, "api_key": "market-secret-key"},
            shop_settings={"shop_url": shopify.url, "access_token": EMULATOR_TOKEN, "client_secret": EMULATOR_SECRET})
        self.webhook_url = f"{hub_web.url}/webhooks/{token}"
        shopify.post("/webhooks", {"url": self.webhook_url})

    def seed(self, n: int, order: bool = True, **kwargs) -> dict:
        """Return ``R<n>`` on the marketplace; its order ``MO<n>`` in Shopify unless ``order=False``."""
        ret = sample_return(n, **kwargs)
        self.market.app.config["EMULATOR"]["returns"].append(ret)
        if order:
            self.add_order(ret)
        return ret

    def add_order(self, ret: dict) -> None:
        seed_orders(self.shopify.app, [{"order_id": ret["order"], "lines": [
            {"sku": i["sku"], "ean": i["ean"], "title": i["title"], "quantity": i["qty"]} for i in ret["items"]]}])

    def settle(self, **kwargs) -> dict[str, str]:
        return settle(self.hub, self.cid, **kwargs)

    def state(self, external_id: str) -> str:
        return states(self.hub, self.cid).get(external_id)

    def ret(self, external_id: str):
        return find_return(self.hub, external_id, self.cid)

    def decisions(self, external_id: str) -> list[tuple[str, int]]:
        return [(line.decision, line.decision_quantity) for line in self.ret(external_id).lines]

    def act(self, external_id: str, action: str, **body) -> dict:
        """Play the merchant in Shopify on this return (its webhooks are delivered before this returns)."""
        return self.shopify.action(self.ret(external_id).shop_return_id, action, **body)

    def tag(self, external_id: str, tag: str) -> None:
        self.shopify.post(f"/orders/{self.ret(external_id).shop_order_id.rsplit('/', 1)[1]}/tags", {"add": [tag]})

    def deliveries(self, topic: str) -> list[dict]:
        return [d for d in self.shopify.get("/deliveries") if d["topic"] == topic]

    def queued(self) -> list[tuple[str, dict]]:
        return [(job.func_name.rsplit(".", 1)[1], job.kwargs) for job in self.hub.queue.get_jobs()]


@pytest.fixture
def flow(hub, drain, emulator, serve_emulator, hub_app, fake_clock):
    return Flow(hub, drain, serve_emulator(create_market_app()), emulator, serve_emulator(hub_app))


def in_shop(flow, n: int = 1, **kwargs) -> str:
    """Seed return R<n> with its order, let the pipeline create it in Shopify; its shop return id."""
    flow.seed(n, **kwargs)
    flow.settle(done=lambda: flow.state(f"R{n}") == "in_shop")
    return flow.ret(f"R{n}").shop_return_id


def test_decline_reaches_the_hub_through_one_webhook_and_is_pushed(flow):
    rid = in_shop(flow)
    [created] = flow.shopify.store.returns.values()
    assert created["status"] == "REQUESTED" and created["lines"][0]["customerNote"].startswith("[")
    flow.act("R1", "decline", reason="FINAL_SALE", note="Worn, tags removed")
    [delivery] = flow.deliveries("returns/decline")
    assert delivery["url"] == flow.webhook_url and delivery["status"] == 202
    assert flow.queued() == [("poll_decisions", {"shop_return_ids": [rid]})]  # one targeted read, no scan
    flow.drain()
    assert flow.state("R1") == "pushed"
    assert [(line.decision, line.decision_note) for line in flow.ret("R1").lines] == [
        ("rejected", "FINAL_SALE: Worn, tags removed")]
    assert [(p["return"], p["decision"]) for p in flow.puts] == [("R1", "REJECT")]
    assert timeline(flow.hub, "R1") == ["received", "in_shop", "decided", "pushed"]


def test_approve_then_refund_is_accepted(flow):
    in_shop(flow, quantity=2)
    flow.act("R1", "approve")
    flow.drain()
    assert flow.state("R1") == "in_shop"  # approved is not a decision yet
    flow.act("R1", "refund")
    assert [d["status"] for d in flow.deliveries("refunds/create")] == [202]
    flow.drain()
    assert flow.decisions("R1") == [("accepted", 2)] and flow.state("R1") == "pushed"
    assert [p["decision"] for p in flow.puts] == ["ACCEPT"]


def test_processed_exchange_is_exchanged(flow):
    in_shop(flow)
    flow.act("R1", "approve")
    flow.act("R1", "exchange", sku="SKU-1-L", quantity=1)
    flow.drain()
    assert flow.decisions("R1") == [("exchanged", 1)]
    assert [p["decision"] for p in flow.puts] == ["EXCHANGE"]


@pytest.mark.parametrize("tag, final_action, decision, pushed", [
    ("returnhub:repaired", "close", "repaired", "REPAIR"),
    ("returnhub:kept", "refund", "kept", "KEEP"),
])
def test_order_tag_convention(flow, tag, final_action, decision, pushed):
    in_shop(flow)
    flow.act("R1", "approve")
    flow.drain()
    flow.tag("R1", tag)  # a tag change sends no webhook: the decision comes with the next one
    flow.drain()
    assert flow.state("R1") == "in_shop" and flow.queued() == []
    flow.act("R1", final_action)
    flow.drain()
    assert flow.decisions("R1") == [(decision, 1)]
    assert [p["decision"] for p in flow.puts] == [pushed]


def test_bad_signature_is_refused_and_has_no_effect(flow):
    in_shop(flow)
    flow.shopify.post("/webhooks", {"bad_signature": True})
    flow.act("R1", "decline", reason="OTHER")
    assert [d["status"] for d in flow.deliveries("returns/decline")] == [401]
    assert flow.queued() == []
    flow.drain()
    assert flow.state("R1") == "in_shop" and flow.puts == []


def test_the_same_webhook_three_times_has_one_effect(flow):
    in_shop(flow)
    flow.shopify.post("/webhooks", {"duplicates": 3})
    flow.act("R1", "decline", reason="RETURN_PERIOD_ENDED")
    hooks = flow.deliveries("returns/decline")
    assert [d["status"] for d in hooks] == [202, 200, 200] and len({d["webhook_id"] for d in hooks}) == 1
    assert len(flow.queued()) == 1  # the repeats were recognised by their delivery id
    flow.drain()
    assert timeline(flow.hub, "R1") == ["received", "in_shop", "decided", "pushed"]
    assert len(flow.puts) == 1


def test_lost_webhook_the_decision_poll_still_finds_it(flow):
    in_shop(flow)
    flow.shopify.post("/webhooks", {"drop": True})
    flow.act("R1", "decline", reason="OTHER")
    assert [d["status"] for d in flow.deliveries("returns/decline")] == ["dropped"]
    flow.drain()
    assert flow.state("R1") == "in_shop"
    flow.settle(poll=False, done=lambda: flow.state("R1") == "pushed")  # what the scheduled decision poll runs
    assert flow.decisions("R1") == [("rejected", 1)]


def test_order_not_yet_in_shopify_waits_then_proceeds(flow):
    ret = flow.seed(1, order=False)
    flow.settle(done=lambda: flow.state("R1") == "waiting_for_order", quiet_rounds=0)
    assert flow.shopify.store.returns == {}
    flow.add_order(ret)  # the shop's order import caught up
    flow.settle(done=lambda: flow.state("R1") == "in_shop")
    assert len(flow.shopify.store.returns) == 1


def test_retry_after_a_lost_answer_makes_one_return(flow):
    flow.seed(1)
    flow.shopify.post("/operation-faults", {"operation": "RequestReturn", "kind": "drop"})
    flow.settle(done=lambda: flow.state("R1") == "in_shop")
    [made] = flow.shopify.store.returns.values()  # Shopify made it; the hub never saw the answer, then found it
    assert flow.ret("R1").shop_return_id == f"gid://shopify/Return/{made['id']}"
    assert len(flow.shopify.mutations("RequestReturn")) == 1
    assert flow.shopify.sent().count("OrderReturns") == 2  # looked for it again before creating, and found it


def test_throttled_responses_wait_and_finish(flow, fake_clock):
    for n in (1, 2, 3):
        flow.seed(n)
    # An empty bucket on a stopped clock: the first call is throttled however fast the machine is.
    flow.shopify.post("/bucket", {"currentlyAvailable": 0, "restoreRate": 1000, "maximumAvailable": 1000})
    flow.settle(done=lambda: set(states(flow.hub, flow.cid).values()) == {"in_shop"})
    assert len(flow.shopify.store.returns) == 3 and len(flow.shopify.mutations("RequestReturn")) == 3
    answers = [d["response"] for d in flow.shopify.documents() if d["operation"] == "FindOrder"]
    assert answers[0]["errors"][0]["extensions"]["code"] == "THROTTLED"  # the first was throttled, sent again
    assert fake_clock.slept and all(wait > 0 for wait in fake_clock.slept)  # waited for the refill
