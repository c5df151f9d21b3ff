"""Contract: schemathesis runs every operation of /api/v1/openapi.json against the app (no 5xx, every
response matches its documented status, content type, headers and schema)."""
from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from returnhub_fakemarket.emulator import sample_return
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_api_support import api_app, api_client, api_hub_plugins, bearer  # noqa: F401  (fixtures)

from hub.sync import jobs
from hub.web.api import init_api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def world(hub, app, client, make_connection, market_emu, shop_emu, drain):
    """A merchant with returns in several states, a custom-shop connection, a webhook endpoint and its log."""
    app.config["RETURNHUB_API_RATE_LIMIT"] = {"requests": 100_000, "per_seconds": 1}
    headers = bearer(hub)
    cid = make_connection(merchant="Merchant A")
    for n in (1, 2, 3):
        market_emu.state["returns"].append(sample_return(n, lines=2))
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    client.post("/api/v1/webhooks", headers=headers, json={"url": "http://127.0.0.1:9/hook",
                                                           "events": ["return.received", "return.in_shop"]})
    jobs.poll_marketplace(cid)
    drain()
    api = client.post("/api/v1/connections", headers=headers, json={
        "name": "custom", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    client.post(f"/api/v1/connections/{api}/test-returns", headers=headers, json={})
    drain()
    return headers


def _document() -> dict:
    """The OpenAPI document as the app serves it (it depends on no database or plugin)."""
    app = Flask("contract")
    init_api(app)
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_every_operation_honours_its_contract(app, world):
    """One world for all operations (a world per operation costs seconds each); hypothesis drives each."""
    operations = [result.ok() for result in schemathesis.openapi.from_dict(_document()).get_all_operations()]
    assert len(operations) >= 23
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def honours_contract(case):
            case.call_and_validate(app=app, headers=world, checks=CHECKS)

        honours_contract()
