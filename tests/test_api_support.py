"""Shared fixtures and helpers of the API tests (imported by tests/test_api*.py and the webhook tests)."""
from __future__ import annotations

import pytest

from hub.api_tokens import create_token
from hub.app import create_app
from hub.db import Merchant

API_PLUGINS = ["fakemarket", "fakeinfo", "fakeshop", "api"]
ALL_SCOPES = ("returns:read", "returns:write", "connections:write")


@pytest.fixture(name="hub_plugins")
def api_hub_plugins():
    """The test plugins plus the built-in api shop."""
    return API_PLUGINS


@pytest.fixture(name="app")
def api_app(hub):
    return create_app(hub=hub)


@pytest.fixture(name="client")
def api_client(app):
    return app.test_client()




def merchant(hub, name: str) -> int:
    with hub.session() as s:
        found = s.query(Merchant).filter_by(name=name).one_or_none()
        if found is None:
            found = Merchant(name=name)
            s.add(found)
            s.flush()
        return found.id


def bearer(hub, merchant_name: str = "Merchant A", scopes=ALL_SCOPES, name: str = "test") -> dict:
    """Authorization headers with a fresh token of ``merchant_name``."""
    _id, token = create_token(hub, merchant(hub, merchant_name), name, scopes)
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body
