"""Full flow through the core: test marketplace -> hub -> Shopify emulator -> merchant -> webhook -> hub.

Everything is real: the core's jobs on a real Redis queue and database, the hub's web app on
loopback receiving the emulator's signed webhooks at ``/webhooks/<token>``, the adapter talking
GraphQL to the emulator, decisions pushed to the core's fake marketplace.
"""
from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from hub.app import create_app as create_hub_app
from hub.db import ReturnEvent, ReturnRow, WebhookDelivery
from hub.sync import jobs
from hub.testing.connections import create_connection
from hub.testing.emulator import EmulatorServer
from hub.testing.fixtures import make_config
from returnhub_fakemarket.emulator import create_app as create_market_app, sample_return
from returnhub_shopify.emulator import EMULATOR_SECRET, EMULATOR_TOKEN, seed_orders

HTTP_TIMEOUT = 1.0  # the hub's client timeout here; the "timeout after commit" fault sleeps longer


@pytest.fixture
def config(tmp_path, database_url, redis_url, redis_conn, hub_plugins):
    return make_config(tmp_path, database_url, redis_url, hub_plugins, http_timeout=HTTP_TIMEOUT)


@pytest.fixture
def market_emu():
    with EmulatorServer(create_market_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def hub_web(hub):
    """The hub's real web app (with the generic webhook endpoint) on loopback."""
    with EmulatorServer(create_hub_app(hub=hub)) as server:
        yield server


class Flow:
    """One merchant's connection fakemarket -> Shopify, with helpers to drive and inspect it."""

    def __init__(self, hub, drain, market_emu, emulator, emu, hub_web):
        self.hub, self.drain, self.market, self.shopify, self.emu = hub, drain, market_emu, emulator, emu
        self.token = secrets.token_urlsafe(16)
        self.cid = create_connection(
            hub, marketplace="fakemarket", shop="shopify", name="fakemarket → Shopify", webhook_token=self.token,
            marketplace_settings={"base_url": market_emu.url, "api_key": "market-secret-key"},
            shop_settings={"shop_url": emulator.url, "access_token": EMULATOR_TOKEN, "client_secret": EMULATOR_SECRET})
        self.webhook_url = f"{hub_web.url}/webhooks/{self.token}"
        emu.post("/webhooks", {"url": self.webhook_url})

    def seed(self, n: int, order: bool = True, **kwargs) -> dict:
        """Return ``R<n>`` on the marketplace; its order ``MO<n>`` in Shopify unless ``order=False``."""
        ret = sample_return(n, **kwargs)
        self.market.state["returns"].append(ret)
        if order:
            self.add_order(ret)
        return ret

    def add_order(self, ret: dict) -> None:
        seed_orders(self.shopify.app, [{"order_id": ret["order"], "lines": [
            {"sku": i["sku"], "ean": i["ean"], "title": i["title"], "quantity": i["qty"]} for i in ret["items"]]}])

    def import_and_create(self) -> None:
        jobs.poll_marketplace(self.cid)
        self.drain()

    def row(self, external_id: str) -> ReturnRow:
        with self.hub.session() as s:
            row = s.scalar(select(ReturnRow).where(ReturnRow.external_id == external_id)
                           .options(selectinload(ReturnRow.lines)))
            s.expunge_all()
            return row

    def decisions(self, external_id: str) -> list[tuple[str, int]]:
        return [(line.decision, line.decision_quantity) for line in self.row(external_id).lines]

    def act(self, external_id: str, action: str, **body) -> dict:
        """Play the merchant in Shopify on this return (its webhooks are delivered before this returns)."""
        return self.emu.action(self.row(external_id).shop_return_id, action, **body)

    def tag(self, external_id: str, tag: str) -> None:
        order = self.row(external_id).shop_order_id.rsplit("/", 1)[1]
        self.emu.post(f"/orders/{order}/tags", {"add": [tag]})

    def deliveries(self, topic: str) -> list[dict]:
        return [d for d in self.emu.get("/deliveries") if d["topic"] == topic]

    def queued(self) -> list[tuple[str, dict]]:
        return [(job.func_name.rsplit(".", 1)[1], job.kwargs) for job in self.hub.queue.get_jobs()]

    def count(self, model, *where) -> int:
        with self.hub.session() as s:
            return s.scalar(select(func.count()).select_from(model).where(*where))

    def events(self, external_id: str) -> list[str]:
        with self.hub.session() as s:
            rid = s.scalar(select(ReturnRow.id).where(ReturnRow.external_id == external_id))
            return list(s.scalars(select(ReturnEvent.to_state).where(ReturnEvent.return_id == rid)
                                  .order_by(ReturnEvent.id)))

    def make_due(self) -> None:
        """Let the next reconcile pick waiting/retrying returns up now instead of after their backoff."""
        with self.hub.session() as s:
            s.execute(update(ReturnRow).values(next_attempt_at=None))


@pytest.fixture
def flow(hub, drain, market_emu, emulator, emu, hub_web):
    return Flow(hub, drain, market_emu, emulator, emu, hub_web)


def in_shop(flow, n: int = 1, **kwargs) -> str:
    """Seed return R<n> with its order, import it and create it in Shopify; its shop return id."""
    flow.seed(n, **kwargs)
    flow.import_and_create()
    row = flow.row(f"R{n}")
    assert row.state == "in_shop", row.last_error
    return row.shop_return_id


def test_decline_reaches_the_hub_through_one_webhook_and_is_pushed(flow):
    rid = in_shop(flow)
    [created] = flow.shopify.store.returns.values()
    assert created["status"] == "REQUESTED" and created["lines"][0]["customerNote"].startswith("[")
    flow.act("R1", "decline", reason="FINAL_SALE", note="Worn, tags removed")
    [delivery] = flow.deliveries("returns/decline")
    assert delivery["url"] == flow.webhook_url and delivery["status"] == 202
    assert flow.queued() == [("poll_decisions", {"shop_return_ids": [rid]})]  # one targeted read, no scan
    flow.drain()
    row = flow.row("R1")
    assert row.state == "pushed"
    assert [(line.decision, line.decision_note) for line in row.lines] == [
        ("rejected", "FINAL_SALE: Worn, tags removed")]
    assert [(p["return"], p["decision"]) for p in flow.market.state["puts"]] == [("R1", "REJECT")]
    assert flow.events("R1") == ["received", "in_shop", "decided", "pushed"]


def test_approve_then_refund_is_accepted(flow):
    in_shop(flow, quantity=2)
    flow.act("R1", "approve")
    flow.drain()
    assert flow.row("R1").state == "in_shop"  # approved is not a decision yet
    flow.act("R1", "refund")
    assert [d["status"] for d in flow.deliveries("refunds/create")] == [202]
    flow.drain()
    assert flow.decisions("R1") == [("accepted", 2)]
    assert flow.row("R1").state == "pushed"
    assert [p["decision"] for p in flow.market.state["puts"]] == ["ACCEPT"]


def test_processed_exchange_is_exchanged(flow):
    in_shop(flow)
    flow.act("R1", "approve")
    flow.act("R1", "exchange", sku="SKU-1-L", quantity=1)
    flow.drain()
    assert flow.decisions("R1") == [("exchanged", 1)]
    assert [p["decision"] for p in flow.market.state["puts"]] == ["EXCHANGE"]


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
    assert flow.row("R1").state == "in_shop" and flow.queued() == []
    flow.act("R1", final_action)
    flow.drain()
    assert flow.decisions("R1") == [(decision, 1)]
    assert [p["decision"] for p in flow.market.state["puts"]] == [pushed]


def test_bad_signature_is_refused_and_has_no_effect(flow):
    in_shop(flow)
    deliveries = flow.count(WebhookDelivery)
    flow.emu.post("/webhooks", {"bad_signature": True})
    flow.act("R1", "decline", reason="OTHER")
    assert [d["status"] for d in flow.deliveries("returns/decline")] == [401]
    assert flow.count(WebhookDelivery) == deliveries and flow.queued() == []
    flow.drain()
    assert flow.row("R1").state == "in_shop" and flow.market.state["puts"] == []


def test_the_same_webhook_three_times_has_one_effect(flow):
    in_shop(flow)
    flow.emu.post("/webhooks", {"duplicates": 3})
    flow.act("R1", "decline", reason="RETURN_PERIOD_ENDED")
    hooks = flow.deliveries("returns/decline")
    assert [d["status"] for d in hooks] == [202, 200, 200] and len({d["webhook_id"] for d in hooks}) == 1
    assert flow.count(WebhookDelivery, WebhookDelivery.delivery_id == hooks[0]["webhook_id"]) == 1
    assert len(flow.queued()) == 1
    flow.drain()
    assert flow.events("R1") == ["received", "in_shop", "decided", "pushed"]
    assert len(flow.market.state["puts"]) == 1


def test_lost_webhook_the_decision_poll_still_finds_it(flow):
    in_shop(flow)
    flow.emu.post("/webhooks", {"drop": True})
    flow.act("R1", "decline", reason="OTHER")
    assert [d["status"] for d in flow.deliveries("returns/decline")] == ["dropped"]
    flow.drain()
    assert flow.row("R1").state == "in_shop"
    jobs.poll_all_decisions()  # what the 5-minute schedule runs
    flow.drain()
    assert flow.decisions("R1") == [("rejected", 1)] and flow.row("R1").state == "pushed"


def test_order_not_yet_in_shopify_waits_then_proceeds(flow):
    ret = flow.seed(1, order=False)
    flow.import_and_create()
    row = flow.row("R1")
    assert row.state == "waiting_for_order" and "MO1" in row.last_error
    assert flow.shopify.store.returns == {}
    flow.add_order(ret)  # the shop's order import caught up
    flow.make_due()
    jobs.reconcile()
    flow.drain()
    assert flow.row("R1").state == "in_shop" and len(flow.shopify.store.returns) == 1


def test_retry_after_a_timeout_that_hit_after_creation_makes_one_return(flow):
    flow.seed(1)
    flow.emu.post("/faults", {"operation": "RequestReturn", "kind": "timeout_after_commit",
                              "delay": HTTP_TIMEOUT + 1.0})
    flow.import_and_create()
    row = flow.row("R1")
    assert row.state == "received" and row.next_attempt_at is not None  # a transient failure: retried
    assert len(flow.shopify.store.returns) == 1  # Shopify made it; the hub never saw the answer
    flow.make_due()
    jobs.reconcile()
    flow.drain()
    [made] = flow.shopify.store.returns.values()
    row = flow.row("R1")
    assert row.state == "in_shop" and row.shop_return_id == f"gid://shopify/Return/{made['id']}"
    assert len(flow.emu.mutations("RequestReturn")) == 1


def test_throttled_responses_wait_and_finish(flow, fake_clock):
    for n in (1, 2, 3):
        flow.seed(n)
    # An empty bucket on a stopped clock: the first call is throttled however fast the machine is.
    flow.emu.post("/bucket", {"currentlyAvailable": 0, "restoreRate": 1000, "maximumAvailable": 1000})
    flow.import_and_create()
    for _ in range(20):
        if {flow.row(f"R{n}").state for n in (1, 2, 3)} == {"in_shop"}:
            break
        fake_clock.advance(1.0)  # a throttle too long to wait in-process is retried after Shopify's refill time
        jobs.reconcile()
        flow.drain()
    assert {flow.row(f"R{n}").state for n in (1, 2, 3)} == {"in_shop"}
    assert len(flow.shopify.store.returns) == 3 and len(flow.emu.mutations("RequestReturn")) == 3
    sent = [d["operation"] for d in flow.shopify.store.documents]
    assert sent.count("FindOrder") > 3  # at least the first was throttled and sent again
    assert fake_clock.slept and all(0 < wait <= 1.0 for wait in fake_clock.slept)  # waited for the refill
