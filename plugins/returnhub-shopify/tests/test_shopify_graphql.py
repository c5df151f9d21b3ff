"""The emulator executes GraphQL as Shopify does: any operation, introspection, errors, selections, arguments."""
import httpx
import pytest
from graphql import build_client_schema, get_introspection_query
from returnhub_shopify import queries
from returnhub_shopify.emulator import EMULATOR_TOKEN


@pytest.fixture
def gql(emulator):
    def run(query: str, variables: dict | None = None, operation: str | None = None, version: str = "2026-07"):
        resp = httpx.post(f"{emulator.url}/admin/api/{version}/graphql.json",
                          json={"query": query, "variables": variables or {}, "operationName": operation},
                          headers={"X-Shopify-Access-Token": EMULATOR_TOKEN})
        assert resp.status_code == 200, resp.text
        return resp.json()
    return run


def messages(answer: dict) -> list[str]:
    assert answer.get("data") is None, answer  # errors instead of data
    return [e["message"] for e in answer["errors"]]


def test_anonymous_and_differently_named_operations_are_answered(gql):
    for document, name in [("{ shop { name } }", None), ("query { shop { name } }", None),
                           ("query WhateverTheClientCalls { shop { name } }", "WhateverTheClientCalls"),
                           ("query A { shop { id } } query B { shop { name } }", "B")]:
        assert gql(document, operation=name)["data"] == {"shop": {"name": "Returnhub Demo"}}, document


def test_introspection_is_answered(gql):
    schema = build_client_schema(gql(get_introspection_query(descriptions=True))["data"])
    assert {"id", "status", "returnLineItems"} <= set(schema.get_type("Return").fields)
    assert "REQUESTED" in schema.get_type("ReturnStatus").values
    assert "processedQuantity" in schema.get_type("ExchangeLineItem").fields  # 2026-07
    typed = gql('{ __type(name: "ReturnDeclineReason") { enumValues { name } } }')["data"]["__type"]
    assert {v["name"] for v in typed["enumValues"]} == {"RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER"}


def test_unknown_field_syntax_error_and_missing_variable_get_errors(gql, emu):
    assert messages(gql("{ shop { name noSuchField } }"))[0].startswith("Cannot query field 'noSuchField'")
    assert messages(gql("{ shop { name }"))[0].startswith("Syntax Error")
    assert messages(gql(queries.FIND_ORDER, {}, "FindOrder")) == [
        "Variable '$q' of required type 'String!' was not provided."]
    assert "ReturnReason" in messages(gql(queries.RETURN_REQUEST, {"input": {
        "orderId": "gid://shopify/Order/1", "returnLineItems": [
            {"fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/2", "quantity": 1,
             "returnReason": "BROKEN"}]}}, "RequestReturn"))[0]  # an unknown enum value
    assert messages(gql("query A { shop { id } } query B { shop { name } }"))  # which one?
    assert emu.get("/returns") == []


def test_answers_follow_the_selection_aliases_and_typename(gql, emu):
    emu.order(name="#A1", tags=["x"])
    answer = gql('{ found: orders(first: 5, query: "name:A1") { nodes { __typename orderName: name } } '
                 'shop { myshopifyDomain } }')
    assert answer["data"] == {"found": {"nodes": [{"__typename": "Order", "orderName": "#A1"}]},
                              "shop": {"myshopifyDomain": "returnhub-demo.myshopify.com"}}
    assert list(answer["data"]) == ["found", "shop"]  # in the order asked


def test_inline_arguments_are_honoured(gql, emu):
    wanted = emu.order(name="#B1", tags=["bol-1"])
    emu.order(name="#B2", tags=["bol-2"])
    inline = queries.FIND_ORDER.replace("($q: String!)", "").replace("query: $q", "query: \"tag:'bol-1'\"")
    assert [o["id"] for o in gql(inline, operation="FindOrder")["data"]["orders"]["nodes"]] == [wanted["id"]]
    newest = gql("{ orders(first: 1, sortKey: CREATED_AT, reverse: true) { nodes { name } } }")
    assert len(newest["data"]["orders"]["nodes"]) == 1


def test_cursors_page_through_edges_and_nodes(gql, emu):
    for n in range(3):
        emu.order(name=f"#C{n}")
    first = gql("{ orders(first: 2) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }")
    page = first["data"]["orders"]
    assert [e["node"]["name"] for e in page["edges"]] == ["#C0", "#C1"] and page["pageInfo"]["hasNextPage"]
    rest = gql("query($after: String) { orders(first: 2, after: $after) { nodes { name } pageInfo { hasNextPage } } }",
               {"after": page["pageInfo"]["endCursor"]})["data"]["orders"]
    assert rest == {"nodes": [{"name": "#C2"}], "pageInfo": {"hasNextPage": False}}


def test_fields_follow_the_api_version(gql):
    exchanges = "query($id: ID!) { return(id: $id) { exchangeLineItems(first: 1) { nodes { processedQuantity } } } }"
    assert messages(gql(exchanges, {"id": "gid://shopify/Return/1"}, version="2025-01"))[0].startswith(
        "Cannot query field 'processedQuantity' on type 'ExchangeLineItem'")
    assert gql(exchanges, {"id": "gid://shopify/Return/1"}, version="2025-07")["data"] == {"return": None}
    subscribe = queries.webhook_create("2025-10")
    variables = {"topic": "RETURNS_CLOSE", "url": "http://127.0.0.1:9/hook"}
    assert messages(gql(subscribe, variables, "SubscribeWebhook", version="2025-07"))
    assert gql(subscribe, variables, "SubscribeWebhook", version="2025-10")["data"][
        "webhookSubscriptionCreate"]["userErrors"] == []


def test_page_size_and_query_cost_limits(gql):
    assert gql("{ orders(first: 251) { nodes { id } } }")["errors"][0]["message"] == "The maximum page size is 250."
    assert gql("{ orders { nodes { id } } }")["errors"][0]["message"] == "you must provide one of first or last"
    costly = gql("{ orders(first: 250) { nodes { returns(first: 250) { nodes { id } } } } }")
    assert costly["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED" and "data" not in costly
