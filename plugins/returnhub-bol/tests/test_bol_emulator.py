"""The emulator's own contract (auth, media type, rate limit answers) and the plugin's registration."""
import subprocess
import sys

import pytest
from returnhub_bol.adapter import BolMarketplace
from returnhub_bol.emulator import CLIENT_ID, CLIENT_SECRET, MEDIA_TYPE, create_app
from returnhub_bol.settings import BolSettings

from hub.plugins import load_plugins


@pytest.fixture
def token(emu):
    resp = emu.http.post("/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET))
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 299 and body["scope"] == "RETAILER"
    return body["access_token"]


def test_token_endpoint_refuses_bad_clients_and_grants(emu):
    assert emu.http.post("/token", data={"grant_type": "client_credentials"},
                         auth=(CLIENT_ID, "nope")).status_code == 401
    assert emu.http.post("/token", data={"grant_type": "password"},
                         auth=(CLIENT_ID, CLIENT_SECRET)).status_code == 400


def test_bearer_and_media_type_are_enforced(emu, token):
    ok = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    assert emu.http.get("/retailer/returns").status_code == 401
    assert emu.http.get("/retailer/returns", headers={**ok, "Authorization": "Bearer forged"}).status_code == 401
    assert emu.http.get("/retailer/returns", headers={**ok, "Accept": "application/json"}).status_code == 406
    assert emu.http.put("/retailer/returns/1", headers=ok,
                        json={"handlingResult": "RETURN_RECEIVED", "quantityReturned": 1}).status_code == 415
    resp = emu.http.get("/retailer/returns", headers=ok)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith(MEDIA_TYPE)
    emu.hook("faults", {"expire_tokens": True})
    assert emu.http.get("/retailer/returns", headers=ok).status_code == 401


def test_budget_answers_429_with_retry_after_and_rate_limit_headers(emu, token):
    emu.hook("config", {"budget": {"requests": 2, "per_seconds": 5}})
    ok = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    first = emu.http.get("/retailer/returns", headers=ok)
    assert first.headers["x-ratelimit-limit"] == "2" and first.headers["x-ratelimit-remaining"] == "1"
    emu.http.get("/retailer/returns", headers=ok)
    refused = emu.http.get("/retailer/returns", headers=ok)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 5
    assert refused.json()["detail"].startswith("Too many requests, retry in")


def test_pages_hold_fifty_and_handled_returns_leave_the_unhandled_list(emu, token):
    emu.seed(51, fulfilment="FBR", items=1)
    ok = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    page = lambda n, handled: emu.http.get("/retailer/returns", headers=ok, params={
        "page": n, "handled": handled, "fulfilment-method": "FBR"}).json()["returns"]
    assert (len(page(1, "false")), len(page(2, "false")), len(page(3, "false"))) == (50, 1, 0)
    assert "customerDetails" not in page(1, "false")[0]["returnItems"][0]
    rma = page(1, "false")[0]["returnItems"][0]["rmaId"]
    emu.hook("config", {"process_delay": 0})  # settles at the next request, after the 202
    status = emu.http.put(f"/retailer/returns/{rma}", headers={**ok, "Content-Type": MEDIA_TYPE},
                          json={"handlingResult": "RETURN_RECEIVED", "quantityReturned": 1})
    assert status.status_code == 202 and status.json()["status"] == "PENDING"
    final = emu.http.get(f"/shared/process-status/{status.json()['processStatusId']}", headers=ok).json()
    assert final["status"] == "SUCCESS" and final["entityId"] == rma
    assert len(page(1, "false")) + len(page(2, "false")) == 50 and len(page(1, "true")) == 1


def test_demo_app_is_seeded_with_fbr_and_fbb_multi_item_returns():
    state = create_app(demo=True).extensions["bol"]
    returns = list(state.returns.values())
    assert len(returns) == 25
    assert {r["fulfilmentMethod"] for r in returns} == {"FBR", "FBB"}
    assert any(len(r["returnItems"]) > 1 for r in returns)
    assert any(i["expectedQuantity"] > 1 for r in returns for i in r["returnItems"])


def test_cli_describes_itself():
    out = subprocess.run([sys.executable, "-m", "returnhub_bol.emulator", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--seed" in out and "--port" in out


def test_plugin_loads_through_the_core_with_its_emulator():
    registry = load_plugins(allow=["bol"], strict=True)
    assert registry.plugins["bol"].loaded
    assert registry.marketplace("bol") is BolMarketplace
    assert BolMarketplace.capabilities.auto_accept_fulfilment == ("FBB",)
    emulator = next(e for e in registry.emulators() if e.slug == "bol")
    settings = BolSettings().load(emulator.settings("http://127.0.0.1:9"))
    assert settings["api_base_url"] == "http://127.0.0.1:9"


def test_secret_fields_are_marked_and_write_only():
    fields = BolSettings().fields
    assert fields["client_secret"].load_only and fields["client_secret"].metadata["secret"]
    assert "client_secret" not in BolSettings().dump({"client_id": "a", "client_secret": "b"})
    assert all(f.metadata.get("label") and (f.metadata.get("help")) for f in fields.values())
