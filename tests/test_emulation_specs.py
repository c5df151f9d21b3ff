"""Recorded traffic held to API descriptions: OpenAPI 3 (openapi-core), Swagger 2.0 (bravado-core) and GraphQL
(graphql-core) each find a request violation and a response violation, naming operation, field and rule."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from flask import jsonify

from hub.manifest import ManifestSchema
from hub.testing.emulation import EmulatorApp
from hub.testing.kit.specs import RecordingClientFactory, TrafficRecorder, description_check
from hub.testing.kit.specs.loading import load
from hub.testing.kit.specs.traffic import Exchange

KITMARKET_API = Path(__file__).parent / "fixture_plugins" / "kit" / "returnhub_kitmarket" / "api" / \
    "kitmarket-openapi.json"

SWAGGER = {
    "swagger": "2.0", "info": {"title": "Reports", "version": "1"}, "basePath": "/reports/v1",
    "paths": {"/reports": {"get": {
        "operationId": "getReports",
        "parameters": [{"name": "pageSize", "in": "query", "type": "integer", "maximum": 100}],
        "responses": {"200": {"description": "ok", "headers": {"x-rate": {"type": "number"}},
                              "schema": {"$ref": "#/definitions/ReportList"}}}}}},
    "definitions": {
        "ReportList": {"type": "object", "required": ["reports"],
                       "properties": {"reports": {"type": "array", "items": {"$ref": "#/definitions/Report"}}}},
        "Report": {"type": "object", "required": ["reportId", "processingStatus"],
                   "properties": {"reportId": {"type": "string"},
                                  "processingStatus": {"type": "string", "enum": ["DONE", "FATAL"]}}}},
}

SDL = """
type Query { order(id: ID!): Order }
type Order { id: ID!  name: String!  lines(first: Int!): [Line!]! }
type Line { sku: String  quantity: Int! }
"""


def exchange(method, url, body=None, status=200, answer=None, content_type="application/json", headers=None):
    return Exchange(method, httpx.URL(url), httpx.Headers(headers or {}),
                    json.dumps(body).encode() if body is not None else None, status,
                    httpx.Headers({"content-type": content_type}), json.dumps(answer).encode() if answer else b"")


@pytest.fixture(scope="module")
def openapi():
    return load(KITMARKET_API, "openapi")


def test_openapi_request_violation_names_operation_field_and_rule(openapi):
    ex = exchange("PUT", "http://127.0.0.1:5000/returns/KR1/lines/KR1-1", body={"outcome": "MAYBE", "quantity": 1},
                  status=201, answer={"status": "recorded"},
                  headers={"X-Api-Key": "k", "content-type": "application/json"})
    operation = openapi.find(ex)
    assert operation == "decideLine (PUT /returns/{returnId}/lines/{lineId})"
    (violation,) = openapi.check(ex, operation)
    assert (violation.side, violation.field) == ("request", "body.outcome")
    assert violation.rule.startswith("enum:")
    assert str(violation).startswith("decideLine (PUT /returns/{returnId}/lines/{lineId}): the adapter's request")


def test_openapi_request_without_its_api_key_breaks_the_security_rule(openapi):
    ex = exchange("GET", "http://127.0.0.1:5000/returns?page=1", answer={"returns": [], "page": 1, "pages": 1})
    (violation,) = openapi.check(ex, openapi.find(ex))
    assert violation.side == "request" and violation.field == "security"


def test_openapi_response_violation_names_the_missing_field(openapi):
    ex = exchange("GET", "http://127.0.0.1:5000/returns?page=1", headers={"X-Api-Key": "k"},
                  answer={"returns": [{"id": "KR1", "order": "KO1", "created": "2026-11-01T00:00:00+00:00",
                                       "customer": "C", "email": "c@example.com", "items": [{"line": "L"}]}],
                          "page": 1, "pages": 1})
    violations = openapi.check(ex, openapi.find(ex))
    assert [(v.side, v.operation, v.field) for v in violations] == [
        ("response", "listReturns (GET /returns) → 200", "body.returns[0].items[0].sku")]
    assert "required" in violations[0].rule and "(and 3 more)" in violations[0].rule


def test_openapi_undeclared_operation_is_not_judged(openapi):
    check = description_check([{"path": str(KITMARKET_API), "format": "openapi"}], "hub")
    token_call = exchange("POST", "http://127.0.0.1:5000/oauth/token", answer={"access_token": "x"})
    assert check.operation(token_call) == (None, None) and check.violations([token_call]) == []


def test_swagger_request_and_response_violations():
    from hub.testing.kit.specs.swagger import SwaggerDescription
    spec = SwaggerDescription(SWAGGER, "reports")
    ex = exchange("GET", "http://127.0.0.1:5000/reports/v1/reports?pageSize=500",
                  answer={"reports": [{"reportId": "1", "processingStatus": "WAITING"}]})
    ex.response_headers["x-rate"] = "fast"
    operation = spec.find(ex)
    assert operation == "getReports (GET /reports)"
    found = {(v.side, v.field, v.rule.split(":")[0]) for v in spec.check(ex, operation)}
    assert found == {("request", "query.pageSize", "maximum"),
                     ("response", "body.reports[0].processingStatus", "enum"),
                     ("response", "header.x-rate", "type")}
    ex.status = 404
    assert [v.field for v in spec.check(ex, operation) if v.side == "response"] == ["status"]


def test_graphql_request_and_response_violations():
    from hub.testing.kit.specs.graphql_schema import GraphQLDescription
    spec = GraphQLDescription.from_sdl(SDL)
    query = "query FindOrder($id: ID!) { order(id: $id) { id name lines(first: 5) { sku quantity } } }"
    bad_field = exchange("POST", "http://127.0.0.1/graphql", body={"query": query.replace("sku", "skew")})
    (violation,) = spec.check(bad_field, spec.find(bad_field))
    assert violation.side == "request" and "Cannot query field 'skew'" in violation.rule
    no_variable = exchange("POST", "http://127.0.0.1/graphql", body={"query": query, "variables": {}})
    assert "'$id' of required type 'ID!' was not provided" in spec.check(no_variable, "FindOrder (query)")[0].rule
    answer = {"data": {"order": {"id": "1", "name": "#1001", "lines": [{"sku": "A", "quantity": "two"}]}}}
    wrong_type = exchange("POST", "http://127.0.0.1/graphql", body={"query": query, "variables": {"id": "1"}},
                          answer=answer)
    assert spec.find(wrong_type) == "FindOrder (query)"
    (violation,) = spec.check(wrong_type, "FindOrder (query)")
    assert (violation.side, violation.field) == ("response", "data.order.lines[0].quantity")
    del answer["data"]["order"]["name"]
    missing = exchange("POST", "http://127.0.0.1/graphql", body={"query": query, "variables": {"id": "1"}},
                       answer=answer)
    assert ("data.order.name", "required: every selected field is answered") in {
        (v.field, v.rule) for v in spec.check(missing, "FindOrder (query)")}


def test_recorded_client_traffic_against_an_emulator_is_validated_end_to_end():
    emu = EmulatorApp(__name__)

    @emu.app.get("/returns")
    def returns():
        return jsonify(returns=[], pages=1)  # no "page": the description requires it

    server = emu.serve()
    recorder = TrafficRecorder()
    factory = RecordingClientFactory(recorder=recorder, allow_local=["127.0.0.1"], retries=0)
    try:
        with factory(server.url, headers={"X-Api-Key": "k"}) as client:
            client.get("/returns", params={"page": "0"})
    finally:
        server.stop()
    check = description_check([{"path": str(KITMARKET_API), "format": "openapi"}], "hub")
    violations = check.violations(recorder.take())
    assert {(v.side, v.field) for v in violations} == {("request", "query.page"), ("response", "body.page")}
    assert recorder.exchanges == []


def test_a_description_is_compiled_once_per_process(openapi):
    assert load(KITMARKET_API, "openapi") is openapi


def test_a_missing_description_says_how_to_enable_it(monkeypatch, tmp_path):
    monkeypatch.setenv("RETURNHUB_SPECS_DIR", str(tmp_path))
    check = description_check([{"path": "marketplaces/nowhere/api.json", "format": "openapi",
                                "source": "https://example.com/api.json"}], "hub")
    assert not check.active
    (missing,) = check.missing
    assert "RETURNHUB_SPECS_DIR" in missing.reason and "https://example.com/api.json" in missing.reason
    assert "hub/marketplaces/nowhere/api.json" in missing.reason


def test_the_manifest_field_is_validated():
    base = {"slug": "x", "title": "X", "kind": "marketplace", "version": "0.1.0", "hub_api": ">=1,<2",
            "auth": "api_key", "capabilities": {"push_decision": False, "decisions": []}}
    manifest = ManifestSchema().load({**base, "api_descriptions": [{"path": "a.json", "format": "swagger"}]})
    assert manifest.api_descriptions == [{"path": "a.json", "format": "swagger", "source": None}]
    assert ManifestSchema().load(base).api_descriptions == []
    with pytest.raises(Exception, match="format"):
        ManifestSchema().load({**base, "api_descriptions": [{"path": "a.json", "format": "raml"}]})
