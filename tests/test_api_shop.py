"""The built-in api shop: a custom shop simulated end to end through the REST API only."""
from __future__ import annotations

from flask import Flask, request
from returnhub_fakemarket.emulator import sample_return
from test_api_support import api_app, api_client, api_hub_plugins, assert_problem, bearer  # noqa: F401  (fixtures)

from hub.testing.emulator import EmulatorServer
from hub.webhooks_out.signing import verify


def shop_receiver():
    """The custom shop's own webhook endpoint: records what Returnhub announces."""
    receiver = Flask(__name__)
    receiver.config["SEEN"] = []

    @receiver.post("/returnhub")
    def announced():
        receiver.config["SEEN"].append((request.get_data(), request.headers.get("Returnhub-Signature")))
        return "", 204
    return receiver


def test_custom_shop_end_to_end_through_the_api(hub, client, market_emu, drain):
    headers = bearer(hub)
    market_emu.state["returns"].append(sample_return(1, lines=2, quantity=2))
    with EmulatorServer(shop_receiver()) as shop:
        created = client.post("/api/v1/connections", headers=headers, json={
            "name": "Fake → our own shop", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
            "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"},
            "shop_settings": {"webhook_url": f"{shop.url}/returnhub", "webhook_secret": "shop-hook-secret"}})
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["shop_settings"]["webhook_secret"] == "(set)"
        cid = created.get_json()["id"]
        assert client.post(f"/api/v1/connections/{cid}/sync", headers=headers).status_code == 202
        drain()
        seen = shop.app.config["SEEN"]
    assert len(seen) == 1 and verify(seen[0][0], seen[0][1], "shop-hook-secret")
    assert b'"type":"return.available"' in seen[0][0]

    new = client.get(f"/api/v1/returns/new?connection_id={cid}", headers=headers).get_json()["items"]
    assert len(new) == 1 and new[0]["state"] == "in_shop" and new[0]["accepted"] is False
    ret = new[0]
    assert ret["reference"] == f"returnhub-{cid}-R1" and ret["shop_return_id"] is None  # the shop names it
    assert ret["customer"]["email"] == "customer1@example.com" and [line["quantity"] for line in ret["lines"]] == [2, 2]

    acked = client.post(f"/api/v1/returns/{ret['id']}/acknowledge", headers=headers, json={"shop_return_id": "CS-100"})
    assert acked.status_code == 200 and acked.get_json()["shop_return_id"] == "CS-100"
    assert acked.get_json()["events"][-1]["detail"] == "acknowledged by the shop as shop return CS-100"
    assert client.post(f"/api/v1/returns/{ret['id']}/acknowledge", headers=headers,
                       json={"shop_return_id": "CS-100"}).status_code == 200
    assert_problem(client.post(f"/api/v1/returns/{ret['id']}/acknowledge", headers=headers,
                               json={"shop_return_id": "CS-999"}), 409)
    assert client.get("/api/v1/returns/new", headers=headers).get_json()["items"] == []

    first = client.post(f"/api/v1/returns/{ret['id']}/decision", headers=headers,
                        json={"lines": [{"line_id": "R1-1", "decision": "accepted", "quantity": 1}]})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["state"] == "in_shop" and first.get_json()["decision"] is None
    second = client.post(f"/api/v1/returns/{ret['id']}/decision", headers=headers,
                         json={"lines": [{"line_id": "R1-2", "decision": "keeps"}]})
    assert second.get_json()["state"] == "decided"
    drain()
    final = client.get(f"/api/v1/returns/{ret['id']}", headers=headers).get_json()
    assert final["state"] == "pushed" and final["decision"] == "mixed"
    assert [e["to_state"] for e in final["events"]] == ["received", "in_shop", "in_shop", "decided", "pushed"]
    assert sorted((p["line"], p["decision"], p["quantity"]) for p in market_emu.state["puts"]) == [
        ("R1-1", "ACCEPT", 1), ("R1-2", "KEEP", 2)]


def test_whole_return_decision_with_channable_status_field(hub, client, market_emu, drain):
    headers = bearer(hub)
    market_emu.state["returns"].append(sample_return(2, lines=2))
    cid = client.post("/api/v1/connections", headers=headers, json={
        "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    client.post(f"/api/v1/connections/{cid}/sync", headers=headers)
    drain()
    rid = client.get("/api/v1/returns/new", headers=headers).get_json()["items"][0]["id"]
    body = assert_problem(client.post(f"/api/v1/returns/{rid}/decision", headers=headers,
                                      json={"status": "keeps", "decision": "accepted"}), 422)
    assert "decision" in body["errors"]
    decided = client.post(f"/api/v1/returns/{rid}/decision", headers=headers, json={"status": "keeps"}).get_json()
    assert decided["decision"] == "kept" and decided["state"] == "decided"
    drain()
    assert {p["decision"] for p in market_emu.state["puts"]} == {"KEEP"}


def test_test_returns_reach_the_shop_flagged_and_are_never_pushed(hub, client, market_emu, make_connection, drain):
    headers = bearer(hub)
    cid = client.post("/api/v1/connections", headers=headers, json={
        "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    created = client.post(f"/api/v1/connections/{cid}/test-returns", headers=headers,
                          json={"order_id": "SHOP-ORDER-9", "lines": [{"sku": "A", "quantity": 2}]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["is_test"] is True and created.get_json()["marketplace_order_id"] == "SHOP-ORDER-9"
    drain()
    new = client.get("/api/v1/returns/new", headers=headers).get_json()["items"]
    assert [(r["is_test"], r["state"]) for r in new] == [(True, "in_shop")]
    assert [r["external_id"] for r in client.get("/api/v1/returns?is_test=true", headers=headers).get_json()["items"]] \
        == [new[0]["external_id"]]
    done = client.post(f"/api/v1/returns/{new[0]['id']}/decision", headers=headers, json={"decision": "accept"})
    assert done.get_json()["state"] == "closed_without_push"
    drain()
    assert market_emu.state["puts"] == []
    other = make_connection(merchant="Merchant A")
    assert_problem(client.post(f"/api/v1/connections/{other}/test-returns", headers=headers, json={}), 409)


def test_the_api_shop_is_a_default_plugin_that_loads_like_an_entry_point():
    from hub.plugins import load_plugins
    registry = load_plugins(allow=None, strict=True)
    info = registry.plugins["api"]
    assert info.loaded and info.kind == "shop" and info.distribution == "returnhub"
    assert registry.shops["api"].capabilities.decision_source == ("api",) and not registry.shops["api"].polls_decisions
    assert load_plugins(allow=["fakeshop"], strict=True).plugins["api"].status == "disabled"
    blocked = load_plugins(allow=None, block=["api"], strict=True)
    assert blocked.plugins["api"].status == "disabled" and "api" not in blocked.shops


def test_announcement_failure_is_retried_and_the_return_stays_in_the_inbox_once(hub, client, market_emu, drain):
    headers = bearer(hub)
    market_emu.state["returns"].append(sample_return(3))
    calls = []

    def flaky(environ, start_response):
        calls.append(environ["PATH_INFO"])
        status = "503 SERVICE UNAVAILABLE" if len(calls) == 1 else "204 NO CONTENT"
        start_response(status, [("Content-Type", "text/plain")])
        return [b""]
    with EmulatorServer(flaky) as shop:
        client.post("/api/v1/connections", headers=headers, json={
            "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
            "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"},
            "shop_settings": {"webhook_url": f"{shop.url}/hook"}})
        drain()
        new = client.get("/api/v1/returns/new", headers=headers).get_json()["items"]
        assert len(calls) >= 2 and [r["external_id"] for r in new] == ["R3"] and new[0]["state"] == "in_shop"
