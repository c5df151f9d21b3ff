"""The plugin's documents and the emulator's answers checked against the official 2025-01 Admin schema."""
import httpx
import pytest
from graphql import (
    GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLScalarType, parse,
)

from hub.manifest import load_manifest
from returnhub_shopify import queries
from returnhub_shopify.emulator import EMULATOR_TOKEN, create_app
from returnhub_shopify.settings import ShopifySettings

SCALARS = {"ID": str, "String": str, "URL": str, "DateTime": str, "Int": int, "Boolean": bool,
           "Float": (int, float), "Decimal": str, "Money": str}


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


@pytest.mark.parametrize("version", ["2025-01", "2025-07", "2025-10"])
def test_every_document_is_valid_against_the_official_schema(document_errors, version):
    for name, document in queries.all_documents(version).items():
        assert not document_errors(document), name
    assert document_errors("query Bad { shop { noSuchField } }")  # the check can fail


def test_newer_fields_are_really_not_in_the_2025_01_schema(schema):
    for name in queries.NEWER_FIELDS:
        type_name, field = name.split(".")
        assert field not in schema.get_type(type_name).fields


def check_shape(schema, parent, selection_set, value, path="data", exact=True):
    """``value`` has exactly the selected fields, with the schema's types, enums and nullability."""
    assert isinstance(value, dict), path
    expected = set()
    for sel in selection_set.selections:
        if sel.kind == "inline_fragment":
            cond = sel.type_condition.name.value
            if value.get("__typename", parent.name) == cond:
                expected |= check_shape(schema, schema.get_type(cond), sel.selection_set, value, path, exact=False)
            continue
        key = (sel.alias or sel.name).value
        expected.add(key)
        assert key in value, f"{path}.{key} missing"
        if sel.name.value == "__typename":
            continue
        field = parent.fields.get(sel.name.value)
        if field is None:
            assert f"{parent.name}.{sel.name.value}" in queries.NEWER_FIELDS, f"{path}.{key} unknown"
            continue
        check_value(schema, field.type, sel.selection_set, value[key], f"{path}.{key}")
    if exact:
        assert set(value) == expected, f"{path}: {sorted(set(value) - expected)} not selected"
    return expected


def check_value(schema, type_, selection_set, value, path):
    if isinstance(type_, GraphQLNonNull):
        assert value is not None, f"{path} is null"
        type_ = type_.of_type
    if value is None:
        return
    if isinstance(type_, GraphQLList):
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            check_value(schema, type_.of_type, selection_set, item, f"{path}[{i}]")
    elif isinstance(type_, GraphQLEnumType):
        assert value in type_.values, f"{path}: {value} is not a {type_.name}"
    elif isinstance(type_, GraphQLScalarType):
        assert isinstance(value, SCALARS[type_.name]), f"{path}: {value!r} is not {type_.name}"
    else:
        check_shape(schema, type_, selection_set, value, path)


@pytest.mark.parametrize("version", ["2025-01", "2025-07", "2025-10"])
def test_emulator_answers_have_the_schema_shape(schema, emulator, emu, version):
    docs = queries.all_documents(version)

    def call(op, variables):
        resp = httpx.post(f"{emulator.url}/admin/api/{version}/graphql.json", json={
            "query": docs[op], "variables": variables, "operationName": op},
            headers={"X-Shopify-Access-Token": EMULATOR_TOKEN})
        body = resp.json()
        assert resp.status_code == 200 and "errors" not in body, body
        cost = body["extensions"]["cost"]
        assert {"requestedQueryCost", "actualQueryCost", "throttleStatus"} <= set(cost)
        assert {"maximumAvailable", "currentlyAvailable", "restoreRate"} <= set(cost["throttleStatus"])
        document = parse(docs[op])
        root = schema.mutation_type if document.definitions[0].operation.value == "mutation" else schema.query_type
        check_shape(schema, root, document.definitions[0].selection_set, body["data"])
        return body["data"]

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
