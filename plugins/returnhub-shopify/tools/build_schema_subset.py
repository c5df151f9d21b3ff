"""Derive the emulator's schema from Shopify's official Admin API introspection result.

The emulator executes GraphQL against the types and fields it can answer, with Shopify's own
names, types, arguments, enums and descriptions. This script prunes the official 2025-01
introspection (Shopify/dev-mcp, data/admin_schema_2025-01.json.gz) to those fields and prints SDL:

    python tools/build_schema_subset.py $RETURNHUB_SPECS_DIR/shops/shopify/admin_schema_2025-01.json.gz \
        > returnhub_shopify/schema/admin_2025-01_subset.graphql

Input objects and enums are kept whole (a valid input must validate); every argument of a kept field
is kept. ``tests/test_shopify_spec.py`` checks the shipped file is what this script prints.
"""
from __future__ import annotations

import gzip
import json
import sys

from graphql import GraphQLSchema, build_client_schema, print_schema

CONNECTION = ["nodes", "edges", "pageInfo"]
EDGE = ["cursor", "node"]
KEEP = {
    "QueryRoot": ["shop", "order", "orders", "return", "returnableFulfillment", "returnableFulfillments",
                  "node", "nodes"],
    "Mutation": ["returnRequest", "returnCreate", "webhookSubscriptionCreate"],
    "Node": ["id"],
    "Shop": ["id", "name", "myshopifyDomain", "email", "currencyCode"],
    "Order": ["id", "name", "createdAt", "email", "note", "tags", "sourceIdentifier", "poNumber",
              "customAttributes", "metafield", "returns", "returnStatus"],
    "Attribute": ["key", "value"],
    "Metafield": ["id", "namespace", "key", "value", "type"],
    "LineItem": ["id", "name", "sku", "quantity", "variant"],
    "ProductVariant": ["id", "sku", "barcode", "title"],
    "ReturnableFulfillment": ["id", "returnableFulfillmentLineItems"],
    "ReturnableFulfillmentLineItem": ["quantity", "fulfillmentLineItem"],
    "FulfillmentLineItem": ["id", "quantity", "lineItem"],
    "Return": ["id", "name", "status", "totalQuantity", "decline", "order", "refunds", "returnLineItems",
               "exchangeLineItems"],
    "ReturnDecline": ["reason", "note"],
    "ReturnLineItemType": ["id", "quantity", "refundableQuantity", "refundedQuantity", "customerNote",
                           "returnReason", "returnReasonNote"],
    "ReturnLineItem": ["id", "quantity", "refundableQuantity", "refundedQuantity", "customerNote",
                       "returnReason", "returnReasonNote", "fulfillmentLineItem"],
    "ExchangeLineItem": ["id"],
    "Refund": ["id", "createdAt", "note"],
    "ReturnRequestPayload": ["return", "userErrors"],
    "ReturnCreatePayload": ["return", "userErrors"],
    "ReturnUserError": ["field", "message", "code"],
    "WebhookSubscriptionCreatePayload": ["webhookSubscription", "userErrors"],
    "WebhookSubscription": ["id", "topic", "format", "createdAt"],
    "UserError": ["field", "message"],
    "PageInfo": ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"],
    **{f"{name}Connection": CONNECTION for name in
       ("Order", "Return", "ReturnableFulfillment", "ReturnableFulfillmentLineItem", "ReturnLineItemType",
        "ExchangeLineItem", "Refund")},
    **{f"{name}Edge": EDGE for name in
       ("Order", "Return", "ReturnableFulfillment", "ReturnableFulfillmentLineItem", "ReturnLineItemType",
        "ExchangeLineItem", "Refund")},
}
INTERFACES = {"Node", "ReturnLineItemType"}


def subset(full: GraphQLSchema) -> GraphQLSchema:
    """``full`` pruned to KEEP (its types are edited in place: build a fresh one for other uses)."""
    for name, fields in KEEP.items():
        kept = full.get_type(name)
        missing = set(fields) - set(kept.fields)
        if missing:
            raise SystemExit(f"{name} has no field(s) {sorted(missing)} in this schema")
        for field in [f for f in kept.fields if f not in fields]:
            del kept.fields[field]
        kept.__dict__["interfaces"] = tuple(i for i in kept.interfaces if i.name in INTERFACES)
    return GraphQLSchema(query=full.query_type, mutation=full.mutation_type,
                         types=[full.get_type("ReturnLineItem")])


def main(path: str) -> None:
    with gzip.open(path) as fh:
        full = build_client_schema(json.load(fh)["data"])
    sys.stdout.write(f"# Derived from Shopify's Admin API 2025-01 introspection by tools/build_schema_subset.py;\n"
                     f"# see SOURCES.md beside this file.\n\n{print_schema(subset(full))}\n")


if __name__ == "__main__":
    main(sys.argv[1])
