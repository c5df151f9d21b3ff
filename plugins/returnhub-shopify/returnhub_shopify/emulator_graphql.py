"""The emulator's GraphQL: Shopify's Admin schema per API version, query costs, and the resolvers.

Documents are parsed, validated and executed by graphql-core against the subset of the official
2025-01 schema in ``schema/`` plus the fields later versions added (``VERSION_ADDITIONS``), so a
client gets what Shopify answers: its selection, aliases and ``__typename``, inline arguments, and
GraphQL errors for unknown fields, syntax errors and missing variables.
"""
from __future__ import annotations

import base64
import functools
import re
from importlib import resources

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    build_schema,
    extend_schema,
    get_named_type,
    parse,
)
from graphql.execution.values import get_argument_values

SCHEMA_FILE = "schema/admin_2025-01_subset.graphql"
# Fields Shopify added after 2025-01, by the first version that has them.
VERSION_ADDITIONS = {
    # https://shopify.dev/changelog/new-graphql-fields-for-return-management
    "2025-07": "extend type ExchangeLineItem { quantity: Int! processedQuantity: Int! unprocessedQuantity: Int! }",
    # https://shopify.dev/changelog/consolidate-webhook-graphql-surfaces
    "2025-10": "extend input WebhookSubscriptionInput { uri: String }",
}
MAX_PAGE = 250


@functools.cache
def schema_for(version: str) -> GraphQLSchema:
    """The Admin schema the emulator serves at ``version`` (YYYY-MM or ``unstable``)."""
    schema = build_schema(resources.files("returnhub_shopify").joinpath(SCHEMA_FILE).read_text("utf-8"))
    for first, addition in VERSION_ADDITIONS.items():
        if version == "unstable" or version >= first:
            schema = extend_schema(schema, parse(addition))
    return schema


def gid(kind: str, num: int) -> str:
    return f"gid://shopify/{kind}/{num}"


def gid_num(value: str | None, kind: str) -> int | None:
    m = re.fullmatch(rf"gid://shopify/{kind}/(\d+)", value or "")
    return int(m.group(1)) if m else None


# -- cost -----------------------------------------------------------------------------------------

def requested_cost(schema, operation, fragments, variables) -> int:
    """Shopify's requested cost: a mutation 10; objects 1, connections 2 + page size x node, scalars 0."""
    if operation.operation.value == "mutation":
        return 10
    return max(1, _cost(schema, schema.query_type, operation.selection_set, fragments, variables))


def _cost(schema, parent, selection_set, fragments, variables, skip=()) -> int:
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, InlineFragmentNode):
            kind = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
            total += _cost(schema, kind, sel.selection_set, fragments, variables)
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments[sel.name.value]
            total += _cost(schema, schema.get_type(frag.type_condition.name.value), frag.selection_set, fragments,
                           variables)
        elif isinstance(sel, FieldNode) and sel.selection_set and sel.name.value not in skip \
                and not sel.name.value.startswith("__"):
            field = parent.fields[sel.name.value]
            named, args = get_named_type(field.type), get_argument_values(field, sel, variables)
            if named.name.endswith("Connection"):
                node = _cost(schema, named, sel.selection_set, fragments, variables, skip=("pageInfo",))
                total += 2 + int(args.get("first") or args.get("last") or 0) * max(1, node)
            else:
                times = len(args["ids"]) if "ids" in args else 1
                total += times * (1 + _cost(schema, named, sel.selection_set, fragments, variables))
    return total


def actual_cost(data, mutation: bool) -> int:
    """What the answer cost: 10 for a mutation, else 1 per object and 2 per connection returned."""
    def walk(value) -> int:
        if isinstance(value, list):
            return sum(walk(v) for v in value)
        if isinstance(value, dict):
            return (2 if "pageInfo" in value or "nodes" in value else 1) + sum(walk(v) for v in value.values())
        return 0
    return 10 if mutation else max(1, walk(data) - 1)


# -- resolving ------------------------------------------------------------------------------------

def resolve(source, info, **args):
    """Fields are keys of dicts (or attributes of the root); a callable value is called with the arguments."""
    value = source.get(info.field_name) if isinstance(source, dict) else getattr(source, info.field_name, None)
    return value(**args) if callable(value) else value


def _cursor(index: int) -> str:
    return base64.b64encode(f"i{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode()[1:])
    except (ValueError, UnicodeDecodeError):
        raise GraphQLError(f"Invalid cursor {cursor!r}") from None


def connection(items: list, first=None, after=None, last=None, before=None, reverse=False, **_):
    """A page of ``items`` as a Shopify connection (nodes, edges, pageInfo) for first/after or last/before."""
    if (first is None) == (last is None):
        raise GraphQLError("you must provide one of first or last")
    if (first if first is not None else last) > MAX_PAGE:
        raise GraphQLError(f"The maximum page size is {MAX_PAGE}.")
    items = list(reversed(items)) if reverse else list(items)
    start = _index(after) + 1 if after else 0
    end = _index(before) if before else len(items)
    lo = start if first is not None else max(start, end - last)
    chunk = items[lo:min(end, lo + first) if first is not None else end]
    cursors = [_cursor(lo + i) for i in range(len(chunk))]
    return {"nodes": chunk, "edges": [{"node": n, "cursor": c} for n, c in zip(chunk, cursors)],
            "pageInfo": {"hasNextPage": lo + len(chunk) < len(items), "hasPreviousPage": lo > 0,
                         "startCursor": cursors[0] if cursors else None,
                         "endCursor": cursors[-1] if cursors else None}}


class Views:
    """The store's records as Shopify objects; nested objects and connections are built when selected."""

    def __init__(self, store):
        self.s = store

    def order(self, o: dict) -> dict:
        def metafield(key, namespace=None):
            value = o["metafields"].get(f"{namespace}.{key}")
            return None if value is None else {"__typename": "Metafield", "id": gid("Metafield", o["id"]),
                                               "namespace": namespace, "key": key, "value": value,
                                               "type": "single_line_text_field"}
        return {"__typename": "Order", "id": gid("Order", o["id"]), "metafield": metafield,
                **{k: o[k] for k in ("name", "createdAt", "email", "note", "tags", "sourceIdentifier", "poNumber",
                                     "customAttributes")},
                "returns": lambda **a: connection([self.ret(r) for r in self.s.returns.values()
                                                  if r["order"] == o["id"]], **a)}

    def line_item(self, li: dict) -> dict:
        return {"__typename": "LineItem", "id": gid("LineItem", li["id"]), "name": li["name"], "sku": li["sku"],
                "quantity": li["quantity"],
                "variant": {"__typename": "ProductVariant", "id": gid("ProductVariant", li["id"]), "sku": li["sku"],
                            "barcode": li["barcode"], "title": li["name"]}}

    def fulfillment_line(self, li: dict) -> dict:
        return {"__typename": "FulfillmentLineItem", "id": gid("FulfillmentLineItem", li["fli"]),
                "quantity": li["quantity"], "lineItem": self.line_item(li)}

    def returnable(self, o: dict) -> dict:
        items = [{"quantity": li["quantity"] - self.s.returned_qty(li["fli"]),
                  "fulfillmentLineItem": self.fulfillment_line(li)} for li in o["lines"]]
        return {"__typename": "ReturnableFulfillment", "id": gid("ReturnableFulfillment", o["fulfillment_id"]),
                "returnableFulfillmentLineItems": lambda **a: connection([i for i in items if i["quantity"] > 0], **a)}

    def ret(self, r: dict) -> dict:
        order = self.s.orders[r["order"]]
        by_fli = {li["fli"]: li for li in order["lines"]}
        lines = [{"__typename": "ReturnLineItem", "id": gid("ReturnLineItem", li["id"]), "quantity": li["quantity"],
                  "refundedQuantity": li["refundedQuantity"],
                  "refundableQuantity": li["quantity"] - li["refundedQuantity"],
                  "customerNote": li["customerNote"], "returnReason": li["returnReason"],
                  "returnReasonNote": li["returnReasonNote"] or "",
                  "fulfillmentLineItem": self.fulfillment_line(by_fli[li["fli"]])} for li in r["lines"]]
        exchanges = [{"__typename": "ExchangeLineItem", "id": gid("ExchangeLineItem", e["id"]),
                      "quantity": e["quantity"],
                      "processedQuantity": e["processedQuantity"],
                      "unprocessedQuantity": e["quantity"] - e["processedQuantity"]} for e in r["exchange"]]
        return {"__typename": "Return", "id": gid("Return", r["id"]), "name": r["name"], "status": r["status"],
                "totalQuantity": sum(li["quantity"] for li in r["lines"]), "decline": r["decline"],
                "order": lambda: self.order(order),
                "refunds": lambda **a: connection([{"__typename": "Refund", "id": gid("Refund", n), "createdAt": None,
                                                    "note": None} for n in r["refunds"]], **a),
                "returnLineItems": lambda **a: connection(lines, **a),
                "exchangeLineItems": lambda **a: connection(exchanges, **a)}

    def node(self, value: str) -> dict | None:
        kind, _, num = (value or "").removeprefix("gid://shopify/").partition("/")
        num = int(num) if num.isdigit() else None
        if kind == "Order" and num in self.s.orders:
            return self.order(self.s.orders[num])
        if kind == "Return" and num in self.s.returns:
            return self.ret(self.s.returns[num])
        if kind == "ReturnableFulfillment":
            return next((self.returnable(o) for o in self.s.orders.values() if o["fulfillment_id"] == num
                         and o["fulfilled"]), None)
        return None


class Root:
    """The query and mutation roots: each field a method taking the field's arguments."""

    RETURN_REASONS_NOTE = {True: ("returnRequest", "input", "customerNote", 300),
                           False: ("returnCreate", "returnInput", "returnReasonNote", 255)}

    def __init__(self, store, version: str):
        self.s, self.view, self.version = store, Views(store), version

    def shop(self):
        return {"__typename": "Shop", "id": gid("Shop", 1), "name": "Returnhub Demo", "myshopifyDomain": self.s.domain,
                "email": "shop@example.com", "currencyCode": "EUR"}

    def order(self, id):
        return self.view.node(gid("Order", gid_num(id, "Order") or 0))

    def orders(self, query=None, sortKey="ID", reverse=False, **page):
        keys = {"CREATED_AT": lambda o: (o["createdAt"], o["id"]), "ORDER_NUMBER": lambda o: o["id"],
                "ID": lambda o: o["id"]}
        hits = sorted(self.s.search(query or ""), key=keys.get(sortKey, keys["ID"]))
        return connection([self.view.order(o) for o in hits], reverse=reverse, **page)

    def node(self, id):
        return self.view.node(id)

    def nodes(self, ids):
        if len(ids) > MAX_PAGE:
            raise GraphQLError(f"The ids argument accepts at most {MAX_PAGE} ids.")
        return [self.view.node(i) for i in ids]

    def returnableFulfillment(self, id):
        return self.view.node(id) if id.startswith("gid://shopify/ReturnableFulfillment/") else None

    def returnableFulfillments(self, orderId, **page):
        order = self.s.orders.get(gid_num(orderId, "Order"))
        if order is None:
            raise GraphQLError("Order does not exist.")
        return connection([self.view.returnable(order)] if order["fulfilled"] else [], **page)

    def __getattr__(self, name):  # ``return`` is a Python keyword
        if name == "return":
            return lambda id: self.view.node(gid("Return", gid_num(id, "Return") or 0))
        raise AttributeError(name)

    # -- mutations -------------------------------------------------------------------------------
    def returnRequest(self, **kw):
        return self._create(kw["input"], requested=True)

    def returnCreate(self, returnInput):
        return self._create(returnInput, requested=False)

    def _create(self, data: dict, requested: bool) -> dict:
        _, arg, note_field, note_max = self.RETURN_REASONS_NOTE[requested]

        def fail(field, message, code):
            return {"return": None, "userErrors": [{"field": [arg, *field], "message": message, "code": code}]}

        order = self.s.orders.get(gid_num(data["orderId"], "Order"))
        if not order:
            return fail(["orderId"], "Order does not exist.", "NOT_FOUND")
        flis = {li["fli"]: li for li in order["lines"]} if order["fulfilled"] else {}
        lines = []
        for i, item in enumerate(data["returnLineItems"]):
            fli = gid_num(item["fulfillmentLineItemId"], "FulfillmentLineItem")
            if fli not in flis:
                return fail(["returnLineItems", str(i), "fulfillmentLineItemId"],
                            "Fulfillment line item does not exist.", "NOT_FOUND")
            if not 1 <= item["quantity"] <= flis[fli]["quantity"] - self.s.returned_qty(fli):
                return fail(["returnLineItems", str(i), "quantity"], "Quantity is not available for return.", "INVALID")
            if len(item.get(note_field) or "") > note_max:
                return fail(["returnLineItems", str(i), note_field], f"Note is too long (maximum is {note_max}).",
                            "TOO_LONG")
            lines.append({"id": next(self.s.ids), "fli": fli, "quantity": item["quantity"], "refundedQuantity": 0,
                          "returnReason": item["returnReason"], "customerNote": item.get("customerNote"),
                          "returnReasonNote": item.get("returnReasonNote") or ""})
        if not lines:
            return fail(["returnLineItems"], "Return must have at least one line item.", "BLANK")
        r = self.s.add_return(order, lines, "REQUESTED" if requested else "OPEN")
        self.s.notify("RETURNS_REQUEST" if requested else "RETURNS_APPROVE", r)
        return {"return": self.view.ret(r), "userErrors": []}

    def webhookSubscriptionCreate(self, topic, webhookSubscription):
        url = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
        field = ["webhookSubscription", "uri" if "uri" in webhookSubscription else "callbackUrl"]
        if not url:
            return {"webhookSubscription": None, "userErrors": [{"field": field, "message": "Address can't be blank"}]}
        if any(s["topic"] == topic and s["url"] == url for s in self.s.subscriptions):
            return {"webhookSubscription": None, "userErrors": [
                {"field": field, "message": "Address for this topic has already been taken"}]}
        sub = {"id": next(self.s.ids), "topic": topic, "url": url, "version": self.version}
        self.s.subscriptions.append(sub)
        return {"webhookSubscription": {"__typename": "WebhookSubscription",
                                        "id": gid("WebhookSubscription", sub["id"]), "topic": topic,
                                        "format": webhookSubscription.get("format") or "JSON",
                                        "createdAt": self.s.now()}, "userErrors": []}
