"""The plugin's documents, the emulator's schema and its answers checked against the official 2025-01 Admin schema."""
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import OFFICIAL_SCHEMA
from graphql import extend_schema, parse, validate
from returnhub_shopify import queries
from returnhub_shopify.emulator import EMULATOR_TOKEN, create_app
from returnhub_shopify.emulator_graphql import SCHEMA_FILE, VERSION_ADDITIONS, schema_for
from returnhub_shopify.settings import ShopifySettings

from hub.manifest import load_manifest
from hub.testing.kit.specs import Exchange
from hub.testing.kit.specs.graphql_schema import GraphQLDescription

PLUGIN = Path(__file__).resolve().parents[1]
VERSIONS = ["2025-01", "2025-07", "2025-10", "2026-07"]


def schema_errors(schema, document: str) -> list[str]:
    """Validation errors of ``document`` against ``schema``, except fields named in NEWER_FIELDS."""
    allowed = [f"Cannot query field '{f}' on type '{t}'" for t, f in (n.split(".") for n in queries.NEWER_FIELDS)]
    allowed += [f"Field '{f}' is not defined by type '{t}'" for t, f in (n.split(".") for n in queries.NEWER_FIELDS)]
    return [e.message for e in validate(schema, parse(document)) if not any(e.message.startswith(a) for a in allowed)]



def test_manifest_is_valid_and_matches_the_adapter():
    from returnhub_shopify.adapter import ShopifyShop
    manifest = load_manifest("returnhub_shopify")
    assert (manifest.slug, manifest.kind) == (ShopifyShop.slug, "shop")
    assert set(manifest.capabilities.decision_source) == {"poll", "webhook"}
    assert set(manifest.capabilities.order_lookup) == set(ShopifySettings().fields["order_lookup"].validate.choices)
    assert callable(ShopifyShop.parse_webhook) and ShopifyShop.parse_webhook is not ShopifyShop.__mro__[1].parse_webhook


def test_secrets_are_write_only_and_marked():
    fields = ShopifySettings().fields
    for name in ("access_token", "client_secret"):
        assert fields[name].load_only and fields[name].metadata["secret"]
    assert all(f.metadata.get("label") and f.metadata.get("help") for f in fields.values())
    assert ShopifySettings().validate({"shop_url": "https://x.myshopify.com"})  # no credentials: refused


def test_plugin_registers_the_adapter_and_emulator():
    from returnhub_shopify import plugin
    [shop] = plugin.returnhub_register_shops()
    [emulator] = plugin.returnhub_register_emulators()
    assert shop.slug == emulator.slug == "shopify"
    settings = ShopifySettings().load(emulator.settings("http://127.0.0.1:1"))
    assert settings["access_token"] == EMULATOR_TOKEN


@pytest.mark.parametrize("version", VERSIONS)
def test_every_document_is_valid_against_the_official_schema(schema, version):
    for name, document in queries.all_documents(version).items():
        assert not schema_errors(schema, document), name
    assert schema_errors(schema, "query Bad { shop { noSuchField } }")  # the check can fail


@pytest.mark.parametrize("version", VERSIONS)
def test_every_document_is_valid_against_the_emulator_at_its_version(version):
    for name, document in queries.all_documents(version).items():
        assert not validate(schema_for(version), parse(document)), name


def test_newer_fields_are_really_not_in_the_2025_01_schema(schema):
    for name in queries.NEWER_FIELDS:
        type_name, field = name.split(".")
        assert field not in schema.get_type(type_name).fields
    for addition in VERSION_ADDITIONS.values():  # what the emulator adds per version is new, too
        definition = parse(addition).definitions[0]
        assert not {f.name.value for f in definition.fields} & set(schema.get_type(definition.name.value).fields)


def test_the_shipped_schema_is_the_official_one_pruned(schema):
    """The emulator's schema file is exactly what tools/build_schema_subset.py prints from the official file."""
    official = Path(os.environ["RETURNHUB_SPECS_DIR"]) / OFFICIAL_SCHEMA
    built = subprocess.run([sys.executable, str(PLUGIN / "tools" / "build_schema_subset.py"), str(official)],
                           capture_output=True, text=True, check=True).stdout
    assert built == (PLUGIN / "returnhub_shopify" / SCHEMA_FILE).read_text("utf-8")


def official_at(schema, version: str):
    """The official 2025-01 schema with what later versions added (as the emulator serves them)."""
    for first, addition in VERSION_ADDITIONS.items():
        if version >= first:
            schema = extend_schema(schema, parse(addition))
    return GraphQLDescription(schema)


@pytest.mark.parametrize("version", VERSIONS)
def test_emulator_answers_have_the_schema_shape(schema, emulator, emu, version):
    docs = queries.all_documents(version)

    description = official_at(schema, version)

    def call(op, variables):
        body = json.dumps({"query": docs[op], "variables": variables, "operationName": op}).encode()
        resp = httpx.post(f"{emulator.url}/admin/api/{version}/graphql.json", content=body,
                          headers={"X-Shopify-Access-Token": EMULATOR_TOKEN, "Content-Type": "application/json"})
        answer = resp.json()
        assert resp.status_code == 200 and "errors" not in answer, answer
        cost = answer["extensions"]["cost"]
        assert {"requestedQueryCost", "actualQueryCost", "throttleStatus"} <= set(cost)
        assert {"maximumAvailable", "currentlyAvailable", "restoreRate"} <= set(cost["throttleStatus"])
        exchange = Exchange("POST", resp.request.url, resp.request.headers, body, resp.status_code, resp.headers,
                            resp.content)
        assert description.check(exchange, op) == []  # every selected field there, typed as Shopify says
        return answer["data"]

    order = emu.order(name="#2001", tags=["bol-1"], customAttributes={"k": "v"},
                      metafields={"marketplace.order_id": "1"},
                      lines=[{"sku": "A", "barcode": "111", "quantity": 2}, {"sku": "B", "quantity": 1}])
    fli_a, fli_b = (line["fulfillmentLineItemId"] for line in order["lines"])
    call("Shop", {})
    assert call("FindOrder", {"q": "tag:'bol-1'"})["orders"]["nodes"][0]["id"] == order["id"]
    call("FindOrderByMetafield", {"q": "'1'", "ns": "marketplace", "key": "order_id"})
    call("Returnable", {"orderId": order["id"], "after": None})
    requested = call("RequestReturn", {"input": {"orderId": order["id"], "returnLineItems": [
        {"fulfillmentLineItemId": fli_a, "quantity": 1, "returnReason": "DEFECTIVE", "customerNote": "x"}]}})
    created = call("CreateReturn", {"returnInput": {"orderId": order["id"], "returnLineItems": [
        {"fulfillmentLineItemId": fli_b, "quantity": 1, "returnReason": "OTHER", "returnReasonNote": "y"}]}})
    failed = call("RequestReturn", {"input": {"orderId": order["id"], "returnLineItems": [
        {"fulfillmentLineItemId": fli_b, "quantity": 1, "returnReason": "OTHER"}]}})
    assert failed["returnRequest"]["userErrors"][0]["code"] == "INVALID"
    call("OrderReturns", {"orderId": order["id"], "after": None})
    rid, cid = requested["returnRequest"]["return"]["id"], created["returnCreate"]["return"]["id"]
    emu.action(rid, "decline", reason="FINAL_SALE", note="Sale item")
    emu.action(cid, "exchange", sku="C")
    emu.action(cid, "refund")
    polled = call("PollReturns", {"ids": [rid, cid, order["id"], "gid://shopify/Return/999999"]})
    assert [n and n["__typename"] for n in polled["nodes"]] == ["Return", "Return", "Order", None]
    call("SubscribeWebhook", {"topic": "RETURNS_CLOSE", "url": "https://hub.example.com/hook"})


def test_throttled_and_unauthorised_answers_have_shopify_shapes(emulator, emu):
    url = f"{emulator.url}/admin/api/2025-07/graphql.json"
    body = {"query": queries.SHOP, "operationName": "Shop"}
    resp = httpx.post(url, json=body, headers={"X-Shopify-Access-Token": "wrong"})
    assert resp.status_code == 401 and "Invalid API key or access token" in resp.json()["errors"]
    emu.post("/bucket", {"currentlyAvailable": 0, "restoreRate": 0.001})
    answer = httpx.post(url, json=body, headers={"X-Shopify-Access-Token": EMULATOR_TOKEN}).json()
    assert answer["errors"][0]["extensions"]["code"] == "THROTTLED" and "data" not in answer
    assert answer["extensions"]["cost"]["actualQueryCost"] is None


def test_demo_is_seeded_with_fulfilled_marketplace_orders():
    store = create_app(demo=True).config["STORE"]
    assert len(store.orders) >= 5
    assert all(o["fulfilled"] and o["lines"] and o["sourceIdentifier"] for o in store.orders.values())
