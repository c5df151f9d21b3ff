"""An emulator of the Shopify Admin GraphQL subset the plugin uses, for tests and the demo.

``POST /admin/api/<version>/graphql.json`` answers the plugin's operations (by operation name)
with Shopify's shapes: ``userErrors``, ``extensions.cost`` with a leaky bucket, THROTTLED errors,
401 for a wrong token. Test hooks under ``/_emulator/`` add orders, play the merchant
(approve, decline, refund, exchange, close, cancel, reopen, tag), inject faults, and show the
ledger of mutations and webhook deliveries. Webhooks go to subscriptions made through the API
and to a URL set with ``POST /_emulator/webhooks``, signed like Shopify's. ``GET /`` is a page
where a person plays the merchant (:mod:`returnhub_shopify.emulator_admin`); ``seed_orders`` adds
the demo marketplaces' orders.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from datetime import timedelta

import httpx
from flask import Flask, jsonify, request
from hub import clock

EMULATOR_TOKEN = "shpat_emulator_token"
EMULATOR_CLIENT_ID = "emulator-client-id"
EMULATOR_SECRET = "emulator-client-secret"
SHOP_DOMAIN = "returnhub-demo.myshopify.com"

RETURN_REASONS = {"SIZE_TOO_SMALL", "SIZE_TOO_LARGE", "UNWANTED", "NOT_AS_DESCRIBED", "WRONG_ITEM",
                  "DEFECTIVE", "STYLE", "COLOR", "OTHER", "UNKNOWN"}
DECLINE_REASONS = {"RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER"}
TOPICS = {"RETURNS_REQUEST", "RETURNS_APPROVE", "RETURNS_DECLINE", "RETURNS_UPDATE", "RETURNS_CLOSE",
          "RETURNS_CANCEL", "RETURNS_REOPEN", "REFUNDS_CREATE", "ORDERS_UPDATED"}
MAX_QUERY_COST = 1000

# Requested cost per operation (Shopify: objects 1, connections 2 + first x node cost).
COSTS = {
    "Shop": lambda v: 1, "FindOrder": lambda v: 12, "FindOrderByMetafield": lambda v: 22,
    "OrderReturns": lambda v: 2 + 10 * 23, "Returnable": lambda v: 2 + 5 * (3 + 25 * 4),
    "RequestReturn": lambda v: 10, "CreateReturn": lambda v: 10,
    "PollReturns": lambda v: 1 + 44 * len(v.get("ids") or []), "SubscribeWebhook": lambda v: 10,
}
MUTATIONS = {"RequestReturn", "CreateReturn", "SubscribeWebhook"}


def gid(kind: str, num: int) -> str:
    return f"gid://shopify/{kind}/{num}"


def gid_num(value: str, kind: str) -> int | None:
    m = re.fullmatch(rf"gid://shopify/{kind}/(\d+)", value or "")
    return int(m.group(1)) if m else None


def _now() -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """The in-memory shop: orders, fulfillments, returns, refunds, subscriptions, bucket, ledgers."""

    def __init__(self, access_token, client_id, client_secret):
        self.lock = threading.RLock()
        self.ids = itertools.count(1001)
        self.access_tokens = {access_token}
        self.client_id, self.client_secret = client_id, client_secret
        self.orders: dict[int, dict] = {}
        self.returns: dict[int, dict] = {}
        self.subscriptions: list[dict] = []
        self.ledger: list[dict] = []
        self.deliveries: list[dict] = []
        self.documents: list[dict] = []
        self.faults: list[dict] = []
        self.webhook = {"url": None, "duplicates": 1, "bad_signature": False, "drop": False}
        self.bucket = {"maximumAvailable": 2000.0, "currentlyAvailable": 2000.0, "restoreRate": 100.0,
                       "at": clock.monotonic()}

    # -- bucket --------------------------------------------------------------------------

    def take(self, cost: float) -> tuple[bool, dict]:
        b = self.bucket
        now = clock.monotonic()
        b["currentlyAvailable"] = min(b["maximumAvailable"],
                                      b["currentlyAvailable"] + (now - b["at"]) * b["restoreRate"])
        b["at"] = now
        ok = b["currentlyAvailable"] >= cost - 1e-6  # a refill waited for exactly is enough despite float error
        if ok:
            b["currentlyAvailable"] -= cost
        return ok, {"maximumAvailable": b["maximumAvailable"],
                    "currentlyAvailable": round(b["currentlyAvailable"]), "restoreRate": b["restoreRate"]}

    def refund(self, points: float) -> dict:
        """Give back the part of a requested cost an answer did not use; the status after."""
        b = self.bucket
        b["currentlyAvailable"] = min(b["maximumAvailable"], b["currentlyAvailable"] + points)
        return {"maximumAvailable": b["maximumAvailable"],
                "currentlyAvailable": round(b["currentlyAvailable"]), "restoreRate": b["restoreRate"]}

    # -- orders --------------------------------------------------------------------------

    def add_order(self, spec: dict) -> dict:
        num = next(self.ids)
        lines = []
        for line in spec.get("lines") or []:
            lines.append({"id": next(self.ids), "fli": next(self.ids), "sku": line.get("sku"),
                          "barcode": line.get("barcode") or line.get("ean"),
                          "name": line.get("title") or line.get("name") or line.get("sku") or "Item",
                          "quantity": int(line.get("quantity", 1))})
        order = {
            "id": num, "name": spec.get("name") or f"#{num}", "tags": list(spec.get("tags") or []),
            "sourceIdentifier": spec.get("sourceIdentifier"), "poNumber": spec.get("poNumber"),
            "email": spec.get("email"), "note": spec.get("note"),
            "customAttributes": [{"key": k, "value": v} for k, v in (spec.get("customAttributes") or {}).items()],
            "metafields": dict(spec.get("metafields") or {}),
            "createdAt": spec.get("createdAt") or _now(),
            "fulfilled": spec.get("fulfilled", True), "fulfillment_id": next(self.ids), "lines": lines,
        }
        self.orders[num] = order
        return order

    def returned_qty(self, fli: int) -> int:
        return sum(rli["quantity"] for r in self.returns.values() if r["status"] not in ("DECLINED", "CANCELED")
                   for rli in r["lines"] if rli["fli"] == fli)

    def search(self, q: str) -> list[dict]:
        terms = re.findall(r"(?:(\w+):)?(?:'((?:[^'\\]|\\.)*)'|(\S+))", q)
        hits = []
        for order in self.orders.values():
            if all(self._term(order, field, re.sub(r"\\(.)", r"\1", quoted) if quoted else bare)
                   for field, quoted, bare in terms):
                hits.append(order)
        return sorted(hits, key=lambda o: (o["createdAt"], o["id"]), reverse=True)

    @staticmethod
    def _term(order: dict, field: str, value: str) -> bool:
        v = value.lower()
        if field == "name":
            return order["name"].lower().lstrip("#") == v.lstrip("#")
        if field == "tag":
            return v in {t.lower() for t in order["tags"]}
        if field in ("source_identifier", "po_number"):
            key = "sourceIdentifier" if field == "source_identifier" else "poNumber"
            return (order[key] or "").lower() == v
        if field:
            return False
        # Default search: a token of the order's text fields (which fields Shopify covers is UNVERIFIED).
        text = [order["name"], order["email"], order["note"], order["sourceIdentifier"], order["poNumber"],
                *order["tags"], *(a["value"] for a in order["customAttributes"]), *order["metafields"].values()]
        return any(v == (t or "").lower() or v in re.split(r"[\s,;]+", (t or "").lower()) for t in text)


def create_app(demo: bool = False, *, access_token: str = EMULATOR_TOKEN, client_id: str = EMULATOR_CLIENT_ID,
               client_secret: str = EMULATOR_SECRET, shop_domain: str = SHOP_DOMAIN) -> Flask:
    """The emulator app; ``demo`` seeds a handful of realistic fulfilled orders."""
    app = Flask("returnhub_shopify.emulator")
    store = Store(access_token, client_id, client_secret)
    app.config["STORE"] = store
    if demo:
        _seed(store)

    def gql_error(message, code=None, status=200, **extra):
        err = {"message": message, **({"extensions": {"code": code, **extra}} if code else {})}
        return jsonify({"errors": [err]}), status

    # -- webhooks ------------------------------------------------------------------------

    def webhook(topic: str, payload: dict, pending: list) -> None:
        """Queue a delivery of ``topic`` (e.g. RETURNS_APPROVE) to every subscriber."""
        urls = [s["url"] for s in store.subscriptions if s["topic"] == topic]
        if store.webhook["url"]:
            urls.append(store.webhook["url"])
        for url in urls:
            pending.append((url, topic.lower().replace("_", "/", 1), payload))

    def deliver(pending: list) -> None:
        for url, topic, payload in pending:
            body = json.dumps(payload).encode()
            key = (store.client_secret + ("-wrong" if store.webhook["bad_signature"] else "")).encode()
            headers = {
                "Content-Type": "application/json", "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode(),
                "X-Shopify-Shop-Domain": shop_domain, "X-Shopify-Api-Version": "2025-07",
                "X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-Event-Id": str(uuid.uuid4()),
                "X-Shopify-Triggered-At": _now(),
            }
            for _ in range(max(1, int(store.webhook["duplicates"]))):
                record = {"url": url, "topic": topic, "webhook_id": headers["X-Shopify-Webhook-Id"],
                          "payload": payload, "status": None, "at": clock.time()}
                if store.webhook["drop"]:
                    record["status"] = "dropped"
                else:
                    try:
                        record["status"] = httpx.post(url, content=body, headers=headers, timeout=5.0).status_code
                    except httpx.HTTPError as exc:
                        record["status"] = f"error: {exc}"
                with store.lock:
                    store.deliveries.append(record)

    def return_payload(r: dict) -> dict:
        order = store.orders[r["order"]]
        out = {"id": r["id"], "admin_graphql_api_id": gid("Return", r["id"]), "name": r["name"],
               "status": r["status"].lower(),
               "order": {"id": order["id"], "admin_graphql_api_id": gid("Order", order["id"])}}
        if r["decline"]:
            out["decline"] = {"reason": r["decline"]["reason"].lower(), "note": r["decline"]["note"]}
        return out

    # -- GraphQL -------------------------------------------------------------------------

    @app.post("/admin/api/<version>/graphql.json")
    def graphql(version):
        if not re.fullmatch(r"\d{4}-(01|04|07|10)|unstable", version):
            return jsonify({"errors": "Not Found"}), 404
        if request.headers.get("X-Shopify-Access-Token") not in store.access_tokens:
            return jsonify({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}), 401
        body = request.get_json(silent=True) or {}
        query, variables = body.get("query") or "", body.get("variables") or {}
        m = re.search(r"\b(query|mutation)\s+(\w+)", query)
        op = body.get("operationName") or (m.group(2) if m else None)
        with store.lock:
            store.documents.append({"operation": op, "query": query, "version": version})
        if op not in COSTS:
            return gql_error(f"emulator: operation {op!r} is not one the Shopify plugin uses")
        fault = _fault(store, op)
        if fault and fault["kind"] == "http_500":
            return jsonify({"errors": "Internal Server Error"}), 500
        cost = COSTS[op](variables)
        if cost > MAX_QUERY_COST:
            return gql_error(f"Query cost is {cost}, which exceeds the single query max cost limit "
                             f"({MAX_QUERY_COST}).", "MAX_COST_EXCEEDED", cost=cost, maxCost=MAX_QUERY_COST)
        with store.lock:
            ok, status = store.take(cost)
        if not ok:
            return jsonify({"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": {"requestedQueryCost": cost, "actualQueryCost": None,
                                        "throttleStatus": status}}})
        if "processedQuantity" in query and version != "unstable" and version < "2025-07":
            return gql_error("Field 'processedQuantity' doesn't exist on type 'ExchangeLineItem'",
                             "undefinedField", typeName="ExchangeLineItem", fieldName="processedQuantity")
        pending: list = []
        with store.lock:
            data = RESOLVERS[op](store, variables, query, version, pending, webhook, return_payload)
            if op in MUTATIONS:
                store.ledger.append({"operation": op, "variables": variables, "at": clock.time(),
                                     "result": data})
            # Shopify checks the requested cost up front and refunds what the answer did not use.
            actual = min(cost, _actual_cost(op, data))
            status = store.refund(cost - actual)
        deliver(pending)
        if fault and fault["kind"] == "timeout_after_commit":
            time.sleep(float(fault.get("delay", 2.0)))  # real: the client's socket times out
        return jsonify({"data": data, "extensions": {"cost": {
            "requestedQueryCost": cost, "actualQueryCost": actual, "throttleStatus": status}}})

    @app.post("/admin/oauth/access_token")
    def access_token_grant():
        form = request.form
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != store.client_id \
                or form.get("client_secret") != store.client_secret:
            return jsonify({"error": "invalid_client", "error_description": "Client authentication failed"}), 401
        token = f"shpat_{uuid.uuid4().hex}"
        with store.lock:
            store.access_tokens.add(token)
        return jsonify({"access_token": token, "scope": "read_orders,read_returns,write_returns",
                        "expires_in": 86399})

    # -- test hooks: data, merchant actions, faults, ledgers ------------------------------

    @app.post("/_emulator/orders")
    def add_order():
        with store.lock:
            order = store.add_order(request.get_json(force=True))
        return jsonify(_order_view(order)), 201

    # -- the merchant in Shopify admin: used by the JSON hooks and the HTML page ------------

    def tag(num: int, add: list, remove: list) -> dict | None:
        """Change order ``num``'s tags (no webhook: Shopify sends none for returns); its view."""
        with store.lock:
            order = store.orders.get(num)
            if not order:
                return None
            order["tags"] = [t for t in order["tags"] if t not in set(remove or [])]
            order["tags"] += [t for t in add or [] if t not in order["tags"]]
            store.ledger.append({"operation": "merchant:tags", "order": num, "tags": list(order["tags"]),
                                 "at": clock.time()})
            return _order_view(order)

    def act(num: int, action: str, spec: dict) -> tuple[dict | None, str | None, int]:
        """Apply merchant ``action`` to return ``num``, then deliver its webhooks: (view, error, status)."""
        pending: list = []
        with store.lock:
            r = store.returns.get(num)
            if not r:
                return None, "no such return", 404
            error = _merchant_action(store, r, action, spec, pending, webhook, return_payload)
            if error:
                return None, error, 422
            store.ledger.append({"operation": f"merchant:{action}", "return": num, "spec": spec,
                                 "at": clock.time()})
            view = _return_view(r)
        deliver(pending)
        return view, None, 200

    app.config["MERCHANT_ACT"], app.config["MERCHANT_TAG"] = act, tag

    @app.post("/_emulator/orders/<int:num>/tags")
    def tag_order(num):
        spec = request.get_json(force=True)
        view = tag(num, spec.get("add") or [], spec.get("remove") or [])
        return (jsonify(view), 200) if view else (jsonify({"error": "no such order"}), 404)

    @app.post("/_emulator/returns/<int:num>/<action>")
    def merchant(num, action):
        view, error, status = act(num, action, request.get_json(silent=True) or {})
        return (jsonify(view), 200) if view else (jsonify({"error": error}), status)

    @app.post("/_emulator/bucket")
    def set_bucket():
        with store.lock:
            store.bucket.update({k: float(v) for k, v in request.get_json(force=True).items()})
            store.bucket["at"] = clock.monotonic()
        return jsonify(store.bucket)

    @app.post("/_emulator/faults")
    def add_fault():
        with store.lock:
            store.faults.append({"times": 1, **request.get_json(force=True)})
        return jsonify(store.faults)

    @app.post("/_emulator/webhooks")
    def webhook_config():
        with store.lock:
            store.webhook.update(request.get_json(force=True))
        return jsonify(store.webhook)

    @app.get("/_emulator/ledger")
    def ledger():
        return jsonify(store.ledger)

    @app.get("/_emulator/deliveries")
    def deliveries():
        return jsonify(store.deliveries)

    @app.get("/_emulator/documents")
    def documents():
        return jsonify(store.documents)

    @app.get("/_emulator/returns")
    def list_returns():
        with store.lock:
            return jsonify([_return_view(r) for r in store.returns.values()])

    @app.get("/_emulator/orders")
    def list_orders():
        with store.lock:
            return jsonify([_order_view(o) for o in store.orders.values()])

    from returnhub_shopify.emulator_admin import bp as admin_page
    app.register_blueprint(admin_page)
    return app


def seed_orders(app: Flask, orders: list[dict]) -> list[dict]:
    """Add fulfilled orders for marketplace orders (the demo's ``Emulator.seed_orders``).

    ``orders``: ``[{"order_id", "lines": [{"sku", "ean", "title", "quantity"}]}]``. Each order is
    named after the marketplace order id (the default ``name`` lookup) and also carries it as a
    tag, source identifier, note attribute and metafield, so every lookup setting finds it.
    """
    store: Store = app.config["STORE"]
    made = []
    with store.lock:
        for spec in orders:
            mp_id = str(spec["order_id"])
            made.append(_order_view(store.add_order({
                "name": mp_id, "tags": [mp_id], "sourceIdentifier": mp_id,
                "customAttributes": {"marketplace_order_id": mp_id},
                "metafields": {"marketplace.order_id": mp_id},
                "lines": [{"sku": li.get("sku"), "barcode": li.get("ean"), "title": li.get("title"),
                           "quantity": int(li.get("quantity") or 1)} for li in spec.get("lines") or []],
            })))
    return made


def _actual_cost(op: str, data) -> int:
    """Shopify's actual cost of an answer: 10 for a mutation, else 1 per object and 2 per connection."""
    if op in MUTATIONS:
        return 10

    def walk(value) -> int:
        if isinstance(value, list):
            return sum(walk(v) for v in value)
        if isinstance(value, dict):
            return (2 if "nodes" in value else 1) + sum(walk(v) for v in value.values())
        return 0

    return max(1, walk(data) - 1)  # the root is free


def _fault(store: Store, op: str) -> dict | None:
    with store.lock:
        for fault in store.faults:
            if fault.get("operation") in (op, "*") and fault["times"] > 0:
                fault["times"] -= 1
                return fault
    return None


def _order_view(order: dict) -> dict:
    return {"id": gid("Order", order["id"]), "num": order["id"], "name": order["name"], "tags": order["tags"],
            "lines": [{"sku": li["sku"], "barcode": li["barcode"], "quantity": li["quantity"],
                       "fulfillmentLineItemId": gid("FulfillmentLineItem", li["fli"])} for li in order["lines"]]}


def _return_view(r: dict) -> dict:
    return {"id": gid("Return", r["id"]), "num": r["id"], "name": r["name"], "status": r["status"],
            "order": gid("Order", r["order"]), "decline": r["decline"], "refunds": r["refunds"],
            "exchange": r["exchange"], "lines": r["lines"]}


# -- resolvers: one per operation the plugin sends ------------------------------------------

def _page(items: list, after: str | None, size: int) -> tuple[list, dict]:
    start = int(base64.b64decode(after).decode()) if after else 0
    chunk = items[start:start + size]
    end = start + len(chunk)
    return chunk, {"hasNextPage": end < len(items),
                   "endCursor": base64.b64encode(str(end).encode()).decode() if chunk else None}


def _first(query: str, field: str, default: int) -> int:
    m = re.search(rf"{field}\([^)]*first:\s*(\d+)", query)
    return int(m.group(1)) if m else default


def _shop(store, v, q, version, pending, webhook, rp):
    return {"shop": {"id": gid("Shop", 1), "name": "Returnhub Demo", "myshopifyDomain": SHOP_DOMAIN}}


def _find_order(store, v, q, version, pending, webhook, rp):
    nodes = []
    for o in store.search(v.get("q") or "")[:_first(q, "orders", 10)]:
        node = {"id": gid("Order", o["id"]), "name": o["name"], "tags": o["tags"],
                "sourceIdentifier": o["sourceIdentifier"], "poNumber": o["poNumber"],
                "customAttributes": o["customAttributes"]}
        if "metafield(" in q:
            value = o["metafields"].get(f"{v.get('ns')}.{v.get('key')}")
            node["metafield"] = {"value": value} if value is not None else None
        nodes.append(node)
    return {"orders": {"nodes": nodes}}


def _order_returns(store, v, q, version, pending, webhook, rp):
    order = store.orders.get(gid_num(v.get("orderId"), "Order"))
    if not order:
        return {"order": None}
    rets = [r for r in store.returns.values() if r["order"] == order["id"]]
    chunk, info = _page(rets, v.get("after"), _first(q, "returns", 10))
    size = _first(q, "returnLineItems", 20)
    return {"order": {"id": gid("Order", order["id"]), "returns": {"nodes": [
        {"id": gid("Return", r["id"]), "status": r["status"], "returnLineItems": {"nodes": [
            {"customerNote": li["customerNote"], "returnReasonNote": li["returnReasonNote"]}
            for li in r["lines"][:size]]}} for r in chunk], "pageInfo": info}}}


def _returnable(store, v, q, version, pending, webhook, rp):
    order = store.orders.get(gid_num(v.get("orderId"), "Order"))
    fulfillments = []
    if order and order["fulfilled"]:
        items = [{"quantity": li["quantity"] - store.returned_qty(li["fli"]), "fulfillmentLineItem": {
            "id": gid("FulfillmentLineItem", li["fli"]), "lineItem": {
                "id": gid("LineItem", li["id"]), "sku": li["sku"], "name": li["name"],
                "variant": {"barcode": li["barcode"]}}}} for li in order["lines"]]
        items = [i for i in items if i["quantity"] > 0]
        if items:
            fulfillments.append({"id": gid("ReturnableFulfillment", order["fulfillment_id"]),
                                 "returnableFulfillmentLineItems": {
                                     "nodes": items[:_first(q, "returnableFulfillmentLineItems", 25)]}})
    chunk, info = _page(fulfillments, v.get("after"), _first(q, "returnableFulfillments", 5))
    return {"returnableFulfillments": {"nodes": chunk, "pageInfo": info}}


def _create(store, v, q, version, pending, webhook, rp, *, requested: bool):
    root, arg, note_field, note_max = (("returnRequest", "input", "customerNote", 300) if requested
                                       else ("returnCreate", "returnInput", "returnReasonNote", 255))
    data = v.get(arg) or {}

    def fail(field, message, code):
        return {root: {"return": None, "userErrors": [{"field": [arg, *field], "message": message, "code": code}]}}

    order = store.orders.get(gid_num(data.get("orderId"), "Order"))
    if not order:
        return fail(["orderId"], "Order does not exist.", "NOT_FOUND")
    flis = {li["fli"]: li for li in order["lines"]} if order["fulfilled"] else {}
    lines = []
    for i, item in enumerate(data.get("returnLineItems") or []):
        fli = gid_num(item.get("fulfillmentLineItemId"), "FulfillmentLineItem")
        if fli not in flis:
            return fail(["returnLineItems", str(i), "fulfillmentLineItemId"],
                        "Fulfillment line item does not exist.", "NOT_FOUND")
        qty = int(item.get("quantity") or 0)
        if qty < 1 or qty > flis[fli]["quantity"] - store.returned_qty(fli):
            return fail(["returnLineItems", str(i), "quantity"], "Quantity is not available for return.", "INVALID")
        if item.get("returnReason") not in RETURN_REASONS:
            return fail(["returnLineItems", str(i), "returnReason"], "Return reason is invalid.", "INVALID")
        note = item.get(note_field)
        if note and len(note) > note_max:
            return fail(["returnLineItems", str(i), note_field], f"Note is too long (maximum is {note_max}).",
                        "TOO_LONG")
        lines.append({"id": next(store.ids), "fli": fli, "quantity": qty, "refundedQuantity": 0,
                      "returnReason": item["returnReason"],
                      "customerNote": item.get("customerNote") if requested else None,
                      "returnReasonNote": (item.get("returnReasonNote") or "") if not requested else ""})
    if not lines:
        return fail(["returnLineItems"], "Return must have at least one line item.", "BLANK")
    num = next(store.ids)
    count = sum(1 for r in store.returns.values() if r["order"] == order["id"]) + 1
    r = {"id": num, "name": f"{order['name']}-R{count}", "order": order["id"],
         "status": "REQUESTED" if requested else "OPEN", "lines": lines, "exchange": [], "refunds": [],
         "decline": None, "createdAt": _now()}
    store.returns[num] = r
    webhook("RETURNS_REQUEST" if requested else "RETURNS_APPROVE", rp(r), pending)
    return {root: {"return": {"id": gid("Return", num), "name": r["name"], "status": r["status"]},
                   "userErrors": []}}


def _poll(store, v, q, version, pending, webhook, rp):
    nodes = []
    processed = "processedQuantity" in q
    for value in v.get("ids") or []:
        num = gid_num(value, "Return")
        r = store.returns.get(num) if num else None
        if r is None:
            other = re.fullmatch(r"gid://shopify/(\w+)/\d+", value or "")
            nodes.append({"__typename": other.group(1)} if other and other.group(1) == "Order"
                         and gid_num(value, "Order") in store.orders else None)
            continue
        order = store.orders[r["order"]]
        nodes.append({
            "__typename": "Return", "id": gid("Return", num), "name": r["name"], "status": r["status"],
            "decline": r["decline"], "order": {"id": gid("Order", order["id"]), "tags": order["tags"]},
            "refunds": {"nodes": [{"id": gid("Refund", ref)} for ref in r["refunds"][:5]]},
            "exchangeLineItems": {"nodes": [
                {"id": gid("ExchangeLineItem", e["id"]), **({"processedQuantity": e["processedQuantity"]}
                                                            if processed else {})} for e in r["exchange"][:10]]},
            "returnLineItems": {"nodes": [
                {"quantity": li["quantity"], "refundedQuantity": li["refundedQuantity"],
                 "customerNote": li["customerNote"], "returnReasonNote": li["returnReasonNote"]}
                for li in r["lines"][:20]]},
        })
    return {"nodes": nodes}


def _subscribe(store, v, q, version, pending, webhook, rp):
    field = "uri" if re.search(r"\{\s*uri:", q) else "callbackUrl"
    topic, url = v.get("topic"), v.get("url")
    if topic not in TOPICS:
        return {"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": [
            {"field": ["topic"], "message": "Topic is not supported by the emulator"}]}}
    if any(s["topic"] == topic and s["url"] == url for s in store.subscriptions):
        return {"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": [
            {"field": ["webhookSubscription", field], "message": "Address for this topic has already been taken"}]}}
    sub = {"id": next(store.ids), "topic": topic, "url": url}
    store.subscriptions.append(sub)
    return {"webhookSubscriptionCreate": {"webhookSubscription": {
        "id": gid("WebhookSubscription", sub["id"]), "topic": topic}, "userErrors": []}}


RESOLVERS = {
    "Shop": _shop, "FindOrder": _find_order, "FindOrderByMetafield": _find_order,
    "OrderReturns": _order_returns, "Returnable": _returnable,
    "RequestReturn": lambda *a: _create(*a, requested=True),
    "CreateReturn": lambda *a: _create(*a, requested=False),
    "PollReturns": _poll, "SubscribeWebhook": _subscribe,
}


# -- the merchant in Shopify admin ----------------------------------------------------------

def _merchant_action(store, r, action, spec, pending, webhook, rp) -> str | None:
    """Apply one admin action to return ``r``; an error text when Shopify would refuse it."""
    status = r["status"]
    if action == "approve":
        if status != "REQUESTED":
            return f"cannot approve a {status} return"
        r["status"] = "OPEN"
        webhook("RETURNS_APPROVE", rp(r), pending)
    elif action == "decline":
        reason = spec.get("reason", "OTHER")
        if status != "REQUESTED" or reason not in DECLINE_REASONS:
            return f"cannot decline a {status} return with reason {reason}"
        r["status"], r["decline"] = "DECLINED", {"reason": reason, "note": spec.get("note")}
        webhook("RETURNS_DECLINE", rp(r), pending)
    elif action == "refund":
        if status not in ("OPEN", "CLOSED"):
            return f"cannot refund a {status} return"
        wanted = spec.get("quantities") or {}
        for li in r["lines"]:
            qty = int(wanted.get(str(li["id"]), li["quantity"] - li["refundedQuantity"]))
            li["refundedQuantity"] = min(li["quantity"], li["refundedQuantity"] + qty)
        ref = next(store.ids)
        r["refunds"].append(ref)
        webhook("REFUNDS_CREATE", {"id": ref, "admin_graphql_api_id": gid("Refund", ref), "order_id": r["order"],
                                   "return": {"id": r["id"], "admin_graphql_api_id": gid("Return", r["id"])},
                                   "created_at": _now()}, pending)
    elif action == "exchange":
        if status != "OPEN":
            return f"cannot exchange on a {status} return"
        qty = int(spec.get("quantity", 1))
        r["exchange"].append({"id": next(store.ids), "sku": spec.get("sku"), "quantity": qty,
                              "processedQuantity": qty if spec.get("processed", True) else 0})
        webhook("RETURNS_UPDATE", rp(r), pending)
    elif action == "close":
        if status != "OPEN":
            return f"cannot close a {status} return"
        r["status"] = "CLOSED"
        webhook("RETURNS_CLOSE", rp(r), pending)
    elif action == "cancel":
        if status not in ("REQUESTED", "OPEN") or r["refunds"]:
            return "a return can only be canceled before any work was done on it"
        r["status"] = "CANCELED"
        webhook("RETURNS_CANCEL", rp(r), pending)
    elif action == "reopen":
        if status != "CLOSED":
            return f"cannot reopen a {status} return"
        r["status"] = "OPEN"
        webhook("RETURNS_REOPEN", rp(r), pending)
    else:
        return f"unknown action {action}"
    return None


def _seed(store: Store) -> None:
    """Realistic fulfilled orders from marketplaces, as a connector would have imported them."""
    base = clock.now() - timedelta(days=12)
    samples = [
        ("#1001", "1043965710", "bol", "Sanne de Vries", [("TSHIRT-BLK-M", "8712345678906", "T-shirt zwart M", 2)]),
        ("#1002", "1043965711", "bol", "Jeroen Bakker", [("MUG-WHT-350", "8712345678913", "Mok wit 350 ml", 4)]),
        ("#1003", "1043965712", "bol", "Fleur Janssen", [("HOODIE-GRY-L", "8712345678920", "Hoodie grijs L", 1),
                                                         ("SOCKS-3P-4346", "8712345678937", "Sokken 3-pack", 1)]),
        ("#1004", "302-1234567-7654321", "amazon", "Lukas Schmidt", [("KETTLE-17-SS", "4006381333931", "Wasserkocher 1,7 l", 1)]),
        ("#1005", "302-7654321-1234567", "amazon", "Anna Müller", [("TSHIRT-BLK-M", "8712345678906", "T-Shirt schwarz M", 1)]),
        ("#1006", "99887766", "otto", "Jonas Weber", [("LAMP-DESK-LED", "4006381333948", "Schreibtischlampe LED", 1)]),
    ]
    for i, (name, mp_id, channel, customer, lines) in enumerate(samples):
        store.add_order({
            "name": name, "tags": [channel, f"{channel}-{mp_id}"], "sourceIdentifier": mp_id,
            "email": f"{customer.split()[0].lower()}@example.com",
            "customAttributes": {"marketplace_order_id": mp_id, "channel": channel},
            "metafields": {"marketplace.order_id": mp_id},
            "createdAt": (base + timedelta(days=i, hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lines": [{"sku": s, "barcode": e, "title": t, "quantity": q} for s, e, t, q in lines],
        })
