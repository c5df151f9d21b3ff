"""Independent clients drive the emulator: Shopify's official Python library (ShopifyAPI) and the generic
GraphQL client gql (requests and httpx transports). Each sends every document the plugin sends, and
introspects the schema; gql then validates the documents on its side against what it introspected."""
from __future__ import annotations

import json

import gql
import pytest
import shopify
from gql.transport.httpx import HTTPXTransport
from gql.transport.requests import RequestsHTTPTransport
from graphql import build_client_schema, get_introspection_query
from returnhub_shopify import queries
from returnhub_shopify.emulator import EMULATOR_TOKEN, SHOP_DOMAIN

VERSION = "2026-07"


@pytest.fixture
def shopify_api(emulator, monkeypatch):
    """``run(document, variables, operation)`` through ``shopify.GraphQL().execute`` of a Session."""
    # The library builds https://<shop>.myshopify.com; its class settings point it at the loopback emulator.
    host, port = emulator.url.removeprefix("http://").split(":")
    monkeypatch.setattr(shopify.Session, "protocol", "http")
    monkeypatch.setattr(shopify.Session, "myshopify_domain", host.split(".", 1)[1])
    monkeypatch.setattr(shopify.Session, "port", int(port))
    shopify.ShopifyResource.activate_session(shopify.Session(host, VERSION, EMULATOR_TOKEN))

    def run(document: str, variables: dict, operation: str | None) -> dict:
        answer = json.loads(shopify.GraphQL().execute(document, variables, operation))
        assert "errors" not in answer, answer
        return answer["data"]

    yield run
    shopify.ShopifyResource.clear_session()


@pytest.fixture(params=["requests", "httpx"])
def gql_client(request, emulator):
    """``run(document, variables, operation)`` through a gql Client that fetched the schema by introspection."""
    transport_class = {"requests": RequestsHTTPTransport, "httpx": HTTPXTransport}[request.param]
    transport = transport_class(url=f"{emulator.url}/admin/api/{VERSION}/graphql.json",
                                headers={"X-Shopify-Access-Token": EMULATOR_TOKEN})
    with gql.Client(transport=transport, fetch_schema_from_transport=True) as session:
        def run(document: str, variables: dict, operation: str | None) -> dict:
            return session.execute(gql.GraphQLRequest(document, variable_values=variables, operation_name=operation))
        yield run
        assert {"QueryRoot", "Return", "ExchangeLineItem"} <= set(session.client.schema.type_map)


def plugin_calls(run, emu) -> None:
    """Every operation the plugin sends, in the order it sends them, with the answers it relies on."""
    docs = queries.all_documents(VERSION)
    order = emu.order(name="#3001", tags=["bol-9"], metafields={"marketplace.order_id": "9"},
                      lines=[{"sku": f"S{i}", "barcode": f"87{i:04d}", "quantity": 2} for i in range(27)])
    assert run(docs["Shop"], {}, "Shop")["shop"]["myshopifyDomain"] == SHOP_DOMAIN
    [hit] = run(docs["FindOrder"], {"q": "tag:'bol-9'"}, "FindOrder")["orders"]["nodes"]
    assert hit["id"] == order["id"] and hit["tags"] == ["bol-9"]
    [hit] = run(docs["FindOrderByMetafield"], {"q": "'9'", "ns": "marketplace", "key": "order_id"},
                "FindOrderByMetafield")["orders"]["nodes"]
    assert hit["metafield"] == {"value": "9"}
    [ful] = run(docs["Returnable"], {"orderId": order["id"], "after": None}, "Returnable")[
        "returnableFulfillments"]["nodes"]
    items = ful["returnableFulfillmentLineItems"]
    assert len(items["nodes"]) == 25 and items["pageInfo"]["hasNextPage"]
    rest = run(docs["ReturnableLines"], {"id": ful["id"], "after": items["pageInfo"]["endCursor"]},
               "ReturnableLines")["returnableFulfillment"]["returnableFulfillmentLineItems"]
    assert len(rest["nodes"]) == 2 and not rest["pageInfo"]["hasNextPage"]
    flis = [n["fulfillmentLineItem"]["id"] for n in items["nodes"] + rest["nodes"]]
    requested = run(docs["RequestReturn"], {"input": {"orderId": order["id"], "returnLineItems": [
        {"fulfillmentLineItemId": fli, "quantity": 1, "returnReason": "OTHER", "customerNote": "[R1:1]"}
        for fli in flis[:21]]}}, "RequestReturn")["returnRequest"]
    created = run(docs["CreateReturn"], {"returnInput": {"orderId": order["id"], "returnLineItems": [
        {"fulfillmentLineItemId": flis[26], "quantity": 2, "returnReason": "DEFECTIVE", "returnReasonNote": "[R2:1]"}],
        "requestedAt": "2026-11-01T10:00:00Z"}}, "CreateReturn")["returnCreate"]
    assert requested["userErrors"] == created["userErrors"] == []
    rid, cid = requested["return"]["id"], created["return"]["id"]
    returns = run(docs["OrderReturns"], {"orderId": order["id"], "after": None}, "OrderReturns")["order"]["returns"]
    assert [r["status"] for r in returns["nodes"]] == ["REQUESTED", "OPEN"]
    first = returns["nodes"][0]["returnLineItems"]
    more = run(docs["ReturnLines"], {"id": rid, "after": first["pageInfo"]["endCursor"]}, "ReturnLines")["return"]
    assert len(first["nodes"]) == 20 and [i["customerNote"] for i in more["returnLineItems"]["nodes"]] == ["[R1:1]"]
    emu.action(cid, "exchange", sku="S1", quantity=1)
    polled = run(docs["PollReturns"], {"ids": [rid, cid, "gid://shopify/Return/1"]}, "PollReturns")["nodes"]
    assert [n and n["status"] for n in polled] == ["REQUESTED", "OPEN", None]
    exchanges = run(docs["ExchangeLines"], {"id": cid, "after": None}, "ExchangeLines")["return"]["exchangeLineItems"]
    assert exchanges["nodes"] == polled[1]["exchangeLineItems"]["nodes"] and exchanges["nodes"][0]["processedQuantity"]
    subscribed = run(docs["SubscribeWebhook"], {"topic": "RETURNS_DECLINE", "url": f"{emu.url}/nowhere"},
                     "SubscribeWebhook")["webhookSubscriptionCreate"]
    assert subscribed["userErrors"] == [] and subscribed["webhookSubscription"]["topic"] == "RETURNS_DECLINE"


def test_shopify_python_api_makes_the_plugins_calls_and_introspects(shopify_api, emu):
    plugin_calls(shopify_api, emu)
    schema = build_client_schema(shopify_api(get_introspection_query(), {}, None))
    assert "returnRequest" in schema.mutation_type.fields


def test_gql_makes_the_plugins_calls_validated_against_the_introspected_schema(gql_client, emu):
    plugin_calls(gql_client, emu)
