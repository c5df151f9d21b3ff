"""API tokens in the UI: create (shown once), list, revoke; the token works on /api/v1 until revoked."""
from __future__ import annotations

import re

from test_web import csrf_token, signed_in

from hub.app import create_app


def test_create_list_revoke_token_in_the_ui(hub):
    app = create_app(hub=hub)
    client = signed_in(app, hub)
    assert "No tokens yet" in client.get("/tokens/").get_data(as_text=True)
    token = csrf_token(client, "/tokens/")
    response = client.post("/tokens/", data={"csrf_token": token, "name": "shop sync",
                                             "scope": ["returns:read", "returns:write"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    value = re.search(r'id="new-token"[\s\S]*?value="(rh_[^"]+)"', page).group(1)
    assert "shown only this once" in page
    assert "Set-Cookie" not in response.headers or value not in response.headers["Set-Cookie"]

    listing = client.get("/tokens/").get_data(as_text=True)
    assert "shop sync" in listing and value[:10] in listing and value not in listing, "never shown again"
    assert "returns:read, returns:write" in listing and "active" in listing
    api = app.test_client()
    assert api.get("/api/v1/returns", headers={"Authorization": f"Bearer {value}"}).status_code == 200

    token_id = re.search(r'/tokens/(\d+)/revoke', listing).group(1)
    revoked = client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/tokens/")})
    assert revoked.status_code == 302
    assert "revoked" in client.get("/tokens/").get_data(as_text=True)
    assert api.get("/api/v1/returns", headers={"Authorization": f"Bearer {value}"}).status_code == 401


def test_token_needs_a_name_and_a_scope(hub):
    client = signed_in(create_app(hub=hub), hub)
    token = csrf_token(client, "/tokens/")
    response = client.post("/tokens/", data={"csrf_token": token, "name": "x"})
    assert response.status_code == 400 and "was not created" in response.get_data(as_text=True)
    response = client.post("/tokens/", data={"csrf_token": token, "name": " ", "scope": "returns:read"})
    assert response.status_code == 400 and "rh_" not in response.get_data(as_text=True)
