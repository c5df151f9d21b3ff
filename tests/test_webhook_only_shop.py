"""A shop whose decisions come by webhook only: the core never polls it, and the decisions its signed
webhook carries are recorded at once and sent on to the marketplace."""
from __future__ import annotations

import pytest
from returnhub_fakehookshop.emulator import WEBHOOK_SECRET, decision_webhook
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select

from hub.app import create_app
from hub.db import Connection, ReturnEvent, ReturnRow
from hub.sync import jobs
from hub.testing.connections import create_connection
from hub.testing.emulator import EmulatorServer


@pytest.fixture
def hub_plugins():
    return ["fakemarket", "fakehookshop"]


@pytest.fixture
def hook_shop():
    from returnhub_fakehookshop.emulator import create_app as create_shop
    with EmulatorServer(create_shop()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def connection(hub, market_emu, hook_shop):
    return create_connection(
        hub, marketplace="fakemarket", shop="fakehookshop", merchant="Merchant A", name="webhook only",
        marketplace_settings={"base_url": market_emu.url, "api_key": "market-secret-key"},
        shop_settings={"base_url": hook_shop.url, "token": "shop-secret-token", "webhook_secret": WEBHOOK_SECRET})


def _in_shop(hub, market_emu, hook_shop, cid, drain) -> str:
    ret = sample_return(1, lines=2, quantity=2)
    market_emu.state["returns"].append(ret)
    hook_shop.state["orders"][ret["order"]] = {"id": f"SO-{ret['order']}", "number": ret["order"]}
    jobs.poll_marketplace(cid)
    drain()
    with hub.session() as s:
        row = s.scalar(select(ReturnRow))
        assert row.state == "in_shop"
        return row.shop_return_id


def test_a_webhook_only_shop_records_the_decision_its_webhook_carries(hub, connection, market_emu, hook_shop, drain):
    shop_return_id = _in_shop(hub, market_emu, hook_shop, connection, drain)
    record = hook_shop.state["returns"][shop_return_id]
    for line in record["lines"].values():
        line.update(decision="repaired", decided_qty=line["quantity"])
    requests_before = hook_shop.state["requests"]
    with hub.session() as s:
        token = s.get(Connection, connection).webhook_token
    client = create_app(hub=hub).test_client()
    headers, body = decision_webhook(hook_shop.app, shop_return_id)
    forged = {**headers, "X-Signature": "0" * 64}
    assert client.post(f"/webhooks/{token}", data=body, headers=forged).status_code == 401
    assert client.post(f"/webhooks/{token}", data=body, headers=headers).status_code == 202
    assert client.post(f"/webhooks/{token}", data=body, headers=headers).status_code == 200  # a redelivery
    with hub.session() as s:
        row = s.scalar(select(ReturnRow))
        assert row.state == "decided"
        assert {(line.decision, line.decision_quantity) for line in row.lines} == {("repaired", 2)}
        actors = list(s.scalars(select(ReturnEvent.actor).where(ReturnEvent.to_state == "decided")))
    assert actors == ["shop:fakehookshop"]
    drain()
    with hub.session() as s:
        assert s.scalar(select(ReturnRow.state)) == "pushed"
    assert sorted(put["line"] for put in market_emu.state["puts"]) == ["R1-1", "R1-2"]  # each line once
    assert hook_shop.state["requests"] == requests_before, "the shop was never read for decisions"


def test_a_webhook_only_shop_is_never_polled_for_decisions(hub, connection, market_emu, hook_shop, drain):
    _in_shop(hub, market_emu, hook_shop, connection, drain)
    requests_before = hook_shop.state["requests"]
    assert jobs.poll_all_decisions() == {"queued": 0}
    assert "skipped" in jobs.poll_decisions(connection)
    from hub.sync.commands import sync_now
    sync_now(hub, connection)
    assert [job.func_name for job in hub.queue.jobs] == ["hub.sync.jobs.poll_marketplace"]
    drain()
    assert hook_shop.state["requests"] == requests_before
    with hub.session() as s:
        assert s.scalar(select(ReturnRow.state)) == "in_shop"
