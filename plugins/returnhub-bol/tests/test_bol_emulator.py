"""The emulator's own contract: what bol accepts and refuses, process statuses, and the plugin's registration."""
import subprocess
import sys

import pytest
from returnhub_bol.adapter import BolMarketplace
from returnhub_bol.emulator import CLIENT_ID, CLIENT_SECRET, MEDIA_TYPE, create_app
from returnhub_bol.settings import BolSettings

from hub.plugins import load_plugins


@pytest.fixture
def api(emu):
    """Raw calls with a fresh token: ``api(method, path, **httpx kwargs)``."""
    resp = emu.http.post("/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET))
    body = resp.json()
    assert resp.status_code == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 299
    headers = {"Authorization": f"Bearer {body['access_token']}", "Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE}
    return lambda method, path, **kw: emu.http.request(method, path, headers={**headers, **kw.pop("headers", {})},
                                                       **kw)


def _put(api, rma, result="RETURN_RECEIVED", quantity=1):
    return api("PUT", f"/retailer/returns/{rma}", json={"handlingResult": result, "quantityReturned": quantity})


def _settled(api, emu, answer):
    """The process status of a PUT's 202 answer once bol has processed it."""
    assert answer.status_code == 202 and answer.json()["status"] == "PENDING"
    emu.state.process_delay = 0
    with emu.state.lock:
        emu.state.statuses[answer.json()["processStatusId"]]["_due"] = 0
    return api("GET", f"/shared/process-status/{answer.json()['processStatusId']}").json()


def test_token_endpoint_refuses_bad_clients_and_grants(emu):
    assert emu.http.post("/token", data={"grant_type": "client_credentials"},
                         auth=(CLIENT_ID, "nope")).status_code == 401
    assert emu.http.post("/token", data={"grant_type": "password"},
                         auth=(CLIENT_ID, CLIENT_SECRET)).status_code == 400


def test_bearer_and_media_type_are_enforced_and_tokens_expire(emu, api, fake_clock):
    assert emu.http.get("/retailer/returns").status_code == 401
    assert api("GET", "/retailer/returns", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert api("GET", "/retailer/returns", headers={"Accept": "application/json"}).status_code == 406
    assert api("PUT", "/retailer/returns/1", json={"handlingResult": "RETURN_RECEIVED", "quantityReturned": 1},
               headers={"Content-Type": "application/json"}).status_code == 415
    resp = api("GET", "/retailer/returns")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith(MEDIA_TYPE)
    fake_clock.advance(300)  # past expires_in
    assert api("GET", "/retailer/returns").status_code == 401


def test_rate_limit_answers_429_with_retry_after(emu, api, fake_clock):
    emu.emulation.limit("*", 2, 5)
    assert [api("GET", "/retailer/returns").status_code for _ in range(2)] == [200, 200]
    refused = api("GET", "/retailer/returns")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 5
    fake_clock.advance(5)
    assert api("GET", "/retailer/returns").status_code == 200


def test_pages_hold_fifty_and_handled_returns_leave_the_unhandled_list(emu, api):
    emu.seed(51, fulfilment="FBR", items=1)

    def page(n, handled):
        return api("GET", "/retailer/returns", params={"page": n, "handled": handled,
                                                         "fulfilment-method": "FBR"}).json()["returns"]
    assert (len(page(1, "false")), len(page(2, "false")), len(page(3, "false"))) == (50, 1, 0)
    assert "customerDetails" not in page(1, "false")[0]["returnItems"][0]
    rma = page(1, "false")[0]["returnItems"][0]["rmaId"]
    final = _settled(api, emu, _put(api, rma))
    assert final["status"] == "SUCCESS" and final["entityId"] == rma
    assert len(page(1, "false")) + len(page(2, "false")) == 50 and len(page(1, "true")) == 1


def test_booleans_and_numeric_strings_are_read_as_bol_reads_them(emu, api):
    """``handled=False`` (what Python's requests sends for False) is a boolean; "2" is a quantity."""
    (ret,) = emu.seed(1, fulfilment="FBR", items=1, quantity=3)
    for spelling in ("False", "FALSE", "false"):
        assert api("GET", "/retailer/returns", params={"handled": spelling}).json()["returns"]
    rma = ret["returnItems"][0]["rmaId"]
    assert _settled(api, emu, _put(api, rma, quantity="2"))["status"] == "SUCCESS"
    assert emu.state.find_item(rma)[0]["processingResults"][0]["quantity"] == 2


@pytest.mark.parametrize("params,body,field", [
    ({"handled": "maybe"}, None, "handled"),
    ({"fulfilment-method": "LVB"}, None, "fulfilment-method"),
    ({"page": "0"}, None, "page"),
    (None, {"handlingResult": "FIXED", "quantityReturned": 1}, "handlingResult"),
    (None, {"handlingResult": "RETURN_RECEIVED", "quantityReturned": 0}, "quantityReturned"),
    (None, {"handlingResult": "RETURN_RECEIVED", "quantityReturned": "two"}, "quantityReturned"),
    (None, {"handlingResult": "RETURN_RECEIVED", "quantityReturned": True}, "quantityReturned"),
])
def test_invalid_values_are_refused_with_bols_violations(api, params, body, field):
    resp = api("GET", "/retailer/returns", params=params) if body is None else \
        api("PUT", "/retailer/returns/31000000", json=body)
    assert resp.status_code == 400 and [v["name"] for v in resp.json()["violations"]] == [field]


def test_over_quantity_fbb_and_unknown_items_fail_in_the_process_status(emu, api):
    fbr = emu.seed(1, fulfilment="FBR", items=1, quantity=1)[0]["returnItems"][0]["rmaId"]
    fbb = emu.seed(1, fulfilment="FBB", items=1)[0]["returnItems"][0]["rmaId"]
    assert "exceeds the expected quantity" in _settled(api, emu, _put(api, fbr, quantity=2))["errorMessage"]
    assert "fulfilled by bol.com" in _settled(api, emu, _put(api, fbb))["errorMessage"]
    assert "not found" in _settled(api, emu, _put(api, "99999999"))["errorMessage"]


def test_a_handled_item_can_be_handled_again_and_still_approved_needs_a_handling(emu, api):
    """The spec: the PUT handles an open item or changes the handlingResult of an already handled one."""
    rma = emu.seed(1, fulfilment="FBR", items=1, quantity=1)[0]["returnItems"][0]["rmaId"]
    assert "not handled yet" in _settled(api, emu, _put(api, rma, "STILL_APPROVED"))["errorMessage"]
    assert _settled(api, emu, _put(api, rma, "EXCHANGE_PRODUCT"))["status"] == "SUCCESS"
    assert _settled(api, emu, _put(api, rma, "STILL_APPROVED"))["status"] == "SUCCESS"
    assert [r["handlingResult"] for r in emu.state.find_item(rma)[0]["processingResults"]] == \
        ["EXCHANGE_PRODUCT", "STILL_APPROVED"]


def test_timeout_status_applies_nothing_and_finished_statuses_expire(emu, api, fake_clock):
    rma = emu.seed(1, fulfilment="FBR", items=1)[0]["returnItems"][0]["rmaId"]
    emu.state.timeout_rma.add(rma)
    status = _settled(api, emu, _put(api, rma))
    assert status["status"] == "TIMEOUT" and not emu.state.find_item(rma)[0]["handled"]
    by_entity = {"entity-id": rma, "event-type": "HANDLE_RETURN_ITEM"}
    assert [s["status"] for s in api("GET", "/shared/process-status", params=by_entity).json()["processStatuses"]] \
        == ["TIMEOUT"]
    emu.state.status_retention = 60
    fake_clock.advance(61)
    assert api("GET", f"/shared/process-status/{status['processStatusId']}").status_code == 404
    assert api("GET", "/shared/process-status", params=by_entity).json()["processStatuses"] == []


def test_demo_app_is_seeded_with_fbr_and_fbb_multi_item_returns():
    returns = list(create_app(demo=True).extensions["bol"].returns.values())
    assert len(returns) == 25 and {r["fulfilmentMethod"] for r in returns} == {"FBR", "FBB"}
    assert any(len(r["returnItems"]) > 1 for r in returns)


def test_cli_describes_itself():
    out = subprocess.run([sys.executable, "-m", "returnhub_bol.emulator", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--seed" in out and "--port" in out


def test_plugin_loads_through_the_core_with_its_emulator():
    registry = load_plugins(allow=["bol"], strict=True)
    assert registry.plugins["bol"].loaded and registry.marketplace("bol") is BolMarketplace
    assert BolMarketplace.capabilities.auto_accept_fulfilment == ("FBB",)
    emulator = next(e for e in registry.emulators() if e.slug == "bol")
    assert BolSettings().load(emulator.settings("http://127.0.0.1:9"))["api_base_url"] == "http://127.0.0.1:9"


def test_secret_fields_are_marked_and_write_only():
    fields = BolSettings().fields
    assert fields["client_secret"].load_only and fields["client_secret"].metadata["secret"]
    assert "client_secret" not in BolSettings().dump({"client_id": "a", "client_secret": "b"})
    assert all(f.metadata.get("label") and (f.metadata.get("help")) for f in fields.values())
