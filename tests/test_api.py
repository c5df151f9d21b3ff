"""The REST API: tokens and scopes, rate limit, returns, decisions, connections, plugins, tenant isolation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select
from test_api_support import api_app, api_client, api_hub_plugins, assert_problem, bearer, merchant  # noqa: F401  (fixtures)

from hub.api_tokens import create_token, revoke
from hub.db import ReturnRow
from hub.db.models import ApiToken
from hub.model import State
from hub.sync import jobs
from hub.sync.state import transition


def seed_pipeline(hub, make_connection, market_emu, shop_emu, drain, count=3, merchant_name="Merchant A", **kw):
    cid = make_connection(merchant=merchant_name)
    for n in range(1, count + 1):
        ret = sample_return(n, **kw)
        market_emu.state["returns"].append(ret)
        shop_emu.state["orders"][ret["order"]] = {"id": f"SO-{ret['order']}", "number": ret["order"]}
    jobs.poll_marketplace(cid)
    drain()
    return cid


def test_token_auth_scopes_revocation_and_last_used(hub, client):
    assert_problem(client.get("/api/v1/returns"), 401)
    assert client.get("/api/v1/returns").headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(client.get("/api/v1/returns", headers={"Authorization": "Bearer rh_nope"}), 401)
    token_id, token = create_token(hub, merchant(hub, "Merchant A"), "reader", ["returns:read"])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/returns", headers=headers).status_code == 200
    body = assert_problem(client.post("/api/v1/connections/1/sync", headers=headers), 403)
    assert "connections:write" in body["detail"]
    with hub.session() as s:
        row = s.get(ApiToken, token_id)
        assert row.last_used_at is not None and row.token_hash != token and token not in str(row.__dict__)
    assert revoke(hub, merchant(hub, "Merchant A"), token_id)
    assert_problem(client.get("/api/v1/returns", headers=headers), 401)


def test_rate_limit_answers_429_with_retry_after(hub, app, client):
    app.config["RETURNHUB_API_RATE_LIMIT"] = {"requests": 2, "per_seconds": 60}
    headers = bearer(hub)
    assert [client.get("/api/v1/plugins", headers=headers).status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/plugins", headers=headers)
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/plugins", headers=bearer(hub, name="another token")).status_code == 200


def test_list_filters_and_cursor_pagination(hub, client, make_connection, market_emu, shop_emu, drain):
    cid = seed_pipeline(hub, make_connection, market_emu, shop_emu, drain, count=5, lines=2)
    headers = bearer(hub)
    first = client.get("/api/v1/returns?limit=2", headers=headers).get_json()
    assert [r["external_id"] for r in first["items"]] == ["R5", "R4"] and first["next_cursor"]
    second = client.get(f"/api/v1/returns?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()
    third = client.get(f"/api/v1/returns?limit=2&cursor={second['next_cursor']}", headers=headers).get_json()
    assert [r["external_id"] for r in second["items"] + third["items"]] == ["R3", "R2", "R1"]
    assert third["next_cursor"] is None
    item = first["items"][0]
    assert item["state"] == "in_shop" and item["marketplace"] == "fakemarket" and len(item["lines"]) == 2
    assert item["lines"][0]["unit_price"] == "19.9500" and item["customer"]["address"]["city"] == "Amsterdam"

    def ids(query):
        response = client.get(f"/api/v1/returns?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [r["external_id"] for r in response.get_json()["items"]]

    assert ids("state=in_shop") == ["R5", "R4", "R3", "R2", "R1"] and ids("state=pushed") == []
    assert ids(f"connection_id={cid}&marketplace=fakemarket")[-1] == "R1" and ids("marketplace=fakeinfo") == []
    assert ids("search=MO3") == ["R3"] and ids("search=8712345600002")[0] == "R5"
    with hub.session() as s:
        s.get(ReturnRow, 2).updated_at = datetime.now(UTC) + timedelta(hours=1)
    later = (datetime.now(UTC) + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    assert ids(f"modified_after={later}") == ["R2"] and "R2" not in ids(f"modified_before={later}")
    body = assert_problem(client.get("/api/v1/returns?state=lost&limit=0&cursor=bogus!", headers=headers), 422)
    assert {"state", "limit"} <= set(body["errors"])
    assert "cursor" in assert_problem(client.get("/api/v1/returns?cursor=Ym9ndXM", headers=headers), 422)["errors"]


def test_detail_and_manual_decision_with_other_spellings(hub, client, make_connection, market_emu, shop_emu, drain):
    seed_pipeline(hub, make_connection, market_emu, shop_emu, drain, count=1, lines=2, quantity=2)
    headers = bearer(hub)
    detail = client.get("/api/v1/returns/1", headers=headers).get_json()
    assert [e["to_state"] for e in detail["events"]] == ["received", "in_shop"] and detail["decision"] is None
    body = assert_problem(client.post("/api/v1/returns/1/decision", json={"decision": "keeps"}, headers=headers), 422)
    assert body["errors"] == {"note": ["a note is required when the decision is taken in Returnhub"]}
    body = assert_problem(client.post("/api/v1/returns/1/decision", json={"decision": "maybe", "note": "x"},
                                      headers=headers), 422)
    assert "decision" in body["errors"]
    body = assert_problem(client.post("/api/v1/returns/1/decision", json={
        "lines": [{"line_id": "nope", "decision": "accepted"}], "note": "x"}, headers=headers), 422)
    assert body["errors"] == {"lines.0.line_id": ["no such line in this return"]}
    assert_problem(client.post("/api/v1/returns/1/decision", json={"decision": "keeps", "oops": 1}, headers=headers), 422)
    response = client.post("/api/v1/returns/1/decision", headers=headers, json={
        "lines": [{"line_id": "R1-1", "decision": "keeps"}, {"line_id": "R1-2", "decision": "reject", "quantity": 1}],
        "note": "decided on the phone"})
    assert response.status_code == 200, response.get_json()
    decided = response.get_json()
    assert decided["state"] == "decided" and decided["decision"] == "mixed"
    assert [(line["decision"], line["decision_quantity"]) for line in decided["lines"]] == [("kept", 2), ("rejected", 1)]
    assert decided["events"][-1]["actor"] == "api:test"
    drain()
    assert client.get("/api/v1/returns/1", headers=headers).get_json()["state"] == "pushed"
    assert sorted(p["decision"] for p in market_emu.state["puts"]) == ["KEEP", "REJECT"]
    assert_problem(client.post("/api/v1/returns/1/decision", json={"decision": "accepted", "note": "again"},
                               headers=headers), 409)


def test_retry(hub, client, make_connection, market_emu, shop_emu, drain):
    seed_pipeline(hub, make_connection, market_emu, shop_emu, drain, count=1)
    headers = bearer(hub)
    assert_problem(client.post("/api/v1/returns/1/retry", headers=headers), 409)
    with hub.session() as s:
        row = s.get(ReturnRow, 1)
        transition(s, row, State.NEEDS_ATTENTION, "system", "shop said no", attention_reason="shop said no",
                   resume_state=State.IN_SHOP.value)
    response = client.post("/api/v1/returns/1/retry", headers=headers)
    assert response.status_code == 200 and response.get_json()["state"] == "in_shop"
    assert response.get_json()["events"][-1]["actor"] == "api:test"


def test_connections_create_update_test_switch_sync(hub, client, market_emu, drain):
    headers = bearer(hub)
    body = assert_problem(client.post("/api/v1/connections", headers=headers, json={
        "name": "x", "marketplace": "nope", "shop": "api"}), 422)
    assert body["errors"] == {"marketplace": ["no loaded marketplace plugin 'nope'"]}
    body = assert_problem(client.post("/api/v1/connections", headers=headers, json={
        "name": "x", "marketplace": "fakemarket", "shop": "api", "marketplace_settings": {"base_url": "not a url"}}), 422)
    assert set(body["errors"]) == {"marketplace_settings.base_url", "marketplace_settings.api_key"}
    response = client.post("/api/v1/connections", headers=headers, json={
        "name": "Fake → my shop", "marketplace": "fakemarket", "shop": "api",
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}})
    assert response.status_code == 201, response.get_json()
    conn = response.get_json()
    assert conn["marketplace_settings"] == {"base_url": market_emu.url, "api_key": "(set)"}
    assert "market-secret-key" not in response.get_data(as_text=True) and conn["returns_enabled"] is False
    cid = conn["id"]
    assert_problem(client.post(f"/api/v1/connections/{cid}/sync", headers=headers), 409)
    patched = client.patch(f"/api/v1/connections/{cid}", headers=headers, json={
        "name": "renamed", "marketplace_settings": {"api_key": ""}}).get_json()
    assert patched["name"] == "renamed" and patched["marketplace_settings"]["api_key"] == "(set)"
    assert client.post(f"/api/v1/connections/{cid}/test", headers=headers).get_json() == {
        "marketplace": {"ok": True, "error": None}, "shop": {"ok": True, "error": None}}
    client.patch(f"/api/v1/connections/{cid}", headers=headers, json={"marketplace_settings": {"api_key": "wrong"}})
    result = client.post(f"/api/v1/connections/{cid}/test", headers=headers).get_json()
    assert result["marketplace"]["ok"] is False and "401" in result["marketplace"]["error"]
    assert "wrong" not in str(client.get("/api/v1/connections", headers=headers).get_json())
    client.patch(f"/api/v1/connections/{cid}", headers=headers, json={"marketplace_settings": {"api_key": "market-secret-key"}})
    switched = client.put(f"/api/v1/connections/{cid}/returns-enabled", headers=headers, json={"enabled": True})
    assert switched.status_code == 200 and switched.get_json()["returns_enabled"] is True
    assert client.post(f"/api/v1/connections/{cid}/sync", headers=headers).status_code == 202
    market_emu.state["returns"].append(sample_return(7))
    drain()
    assert [r["external_id"] for r in client.get("/api/v1/returns", headers=headers).get_json()["items"]] == ["R7"]
    listed = client.get("/api/v1/connections", headers=headers).get_json()["items"]
    assert [c["name"] for c in listed] == ["renamed"]


def test_plugins_list_capabilities(hub, client):
    items = {p["name"]: p for p in client.get("/api/v1/plugins", headers=bearer(hub, scopes=["returns:read"])).get_json()["items"]}
    assert items["api"]["kind"] == "shop" and items["api"]["status"] == "loaded"
    assert items["api"]["capabilities"]["decision_source"] == ["api"]
    assert items["fakemarket"]["capabilities"]["push_decision"] is True
    assert {"name": "api_key", "required": True, "secret": True, "label": "API key"} in items["fakemarket"]["settings"]


def test_every_endpoint_is_scoped_to_the_token_merchant(hub, client, make_connection, market_emu, shop_emu, drain):
    cid = seed_pipeline(hub, make_connection, market_emu, shop_emu, drain, count=1)
    a, b = bearer(hub, "Merchant A"), bearer(hub, "Merchant B")
    endpoint = client.post("/api/v1/webhooks", headers=a, json={"url": "http://127.0.0.1:9/hook",
                                                                 "events": ["return.pushed"]}).get_json()
    eid = endpoint["id"]
    calls = [("get", "/api/v1/returns/1", None), ("post", "/api/v1/returns/1/decision", {"decision": "accepted", "note": "n"}),
             ("post", "/api/v1/returns/1/retry", None), ("post", "/api/v1/returns/1/acknowledge", {"shop_return_id": "X"}),
             ("get", f"/api/v1/connections/{cid}", None), ("patch", f"/api/v1/connections/{cid}", {"name": "mine"}),
             ("post", f"/api/v1/connections/{cid}/test", None), ("post", f"/api/v1/connections/{cid}/sync", None),
             ("put", f"/api/v1/connections/{cid}/returns-enabled", {"enabled": False}),
             ("post", f"/api/v1/connections/{cid}/test-returns", {}),
             ("get", f"/api/v1/webhooks/{eid}", None), ("patch", f"/api/v1/webhooks/{eid}", {"active": False}),
             ("delete", f"/api/v1/webhooks/{eid}", None), ("post", f"/api/v1/webhooks/{eid}/rotate-secret", None),
             ("get", f"/api/v1/webhooks/{eid}/deliveries", None),
             ("post", f"/api/v1/webhooks/{eid}/deliveries/1/replay", None)]
    for method, url, body in calls:
        assert_problem(getattr(client, method)(url, headers=b, json=body), 404)
    for url in ("/api/v1/returns", "/api/v1/returns/new", "/api/v1/connections", "/api/v1/webhooks"):
        assert client.get(url, headers=b).get_json()["items"] == [], url
    assert client.get("/api/v1/returns/1", headers=a).status_code == 200
    with hub.session() as s:
        assert s.scalar(select(ReturnRow.state).where(ReturnRow.id == 1)) == "in_shop"
    assert client.get(f"/api/v1/webhooks/{eid}", headers=a).get_json()["active"] is True


def test_openapi_document_and_docs_page_without_cdn(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/returns/{return_id}/decision" in spec["paths"]
    decision = spec["components"]["schemas"]["DecisionIn"]["properties"]["decision"]
    assert "keeps" in decision["enum"] and "kept" in decision["enum"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page and "http" not in page.replace("/api/v1", "")
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and b"SwaggerUIBundle" in asset.data
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_problem_details_everywhere_under_api_only(client):
    assert_problem(client.get("/api/v1/nowhere"), 404)
    assert_problem(client.delete("/api/v1/plugins"), 405)
    assert client.get("/nowhere").headers["Content-Type"].startswith("text/html")


def test_malformed_json_is_a_problem_not_a_trace(hub, client):
    response = client.post("/api/v1/connections", headers={**bearer(hub), "Content-Type": "application/json"},
                           data="{not json")
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


def test_cli_token_create_list_revoke(hub, client):
    from click.testing import CliRunner

    from hub.cli import main
    merchant(hub, "Shop BV")
    env = {"RETURNHUB_DATABASE_URL": hub.config.database_url, "RETURNHUB_SECRET_KEY": hub.config.secret_key,
           "RETURNHUB_INSTANCE_PATH": hub.config.instance_path, "RETURNHUB_PLUGINS": ""}

    def cli(*args):
        return CliRunner().invoke(main, list(args), env=env)
    made = cli("token", "create", "--merchant", "Shop BV", "--name", "shop sync", "--scope", "returns:read",
               "--scope", "returns:write")
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert token.startswith("rh_") and "not shown again" in made.output
    assert client.get("/api/v1/returns", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = cli("token", "list", "--merchant", "Shop BV").output
    assert "shop sync" in listed and "returns:read,returns:write" in listed and token not in listed
    assert "revoked" in cli("token", "revoke", "--merchant", "Shop BV", "1").output
    assert "revoked" in cli("token", "list", "--merchant", "Shop BV").output
    assert_problem(client.get("/api/v1/returns", headers={"Authorization": f"Bearer {token}"}), 401)
    assert cli("token", "create", "--merchant", "Nobody", "--name", "x").exit_code != 0
    assert "shop sync" in cli("token", "list").output  # --merchant may be left out with one merchant
    assert "may be left out when there is only one" in cli("token", "list", "--help").output
    merchant(hub, "Other BV")
    several = cli("token", "list")
    assert several.exit_code != 0 and "give --merchant, one of 'Other BV', 'Shop BV'" in several.output


def test_every_operation_enforces_its_scope(hub, app, client):
    """Walk every /api/v1 route: a token with all scopes but the one a view needs is refused (403)."""
    checked = 0
    for rule in app.url_map.iter_rules():
        scope = getattr(app.view_functions[rule.endpoint], "required_scope", None)
        if not rule.rule.startswith("/api/v1") or scope is None:
            continue
        headers = bearer(hub, scopes=[s for s in ("returns:read", "returns:write", "connections:write") if s != scope],
                         name=f"without {scope} {checked}")
        url = rule.rule.replace("<int(max=2147483647):", "<").replace("<", "").replace(">", "")
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            body = assert_problem(client.open(url, method=method, headers=headers, json={}), 403)
            assert scope in body["detail"]
            checked += 1
    assert checked >= 22


def test_an_unexpected_error_is_logged_and_answered_without_a_trace(app, caplog):
    from hub.web.api.problems import handle_unexpected
    try:
        raise RuntimeError("internal detail: password=hunter2")
    except RuntimeError as exc:
        with app.test_request_context("/api/v1/returns"):
            response = handle_unexpected(exc)
    assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True) and "RuntimeError" not in response.get_data(as_text=True)
    assert "Traceback" in caplog.text or caplog.records[-1].exc_info
