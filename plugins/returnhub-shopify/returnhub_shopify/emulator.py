"""An emulator of the Shopify Admin GraphQL API for the returns flow, for tests and the demo.

``POST /admin/api/<version>/graphql.json`` executes any document against Shopify's schema
(:mod:`returnhub_shopify.emulator_graphql`), charged to a cost bucket like Shopify's (THROTTLED when
empty); ``X-Shopify-Access-Token`` is checked; ``/admin/oauth/access_token`` serves the
client-credentials grant. Built on :class:`hub.testing.emulation.EmulatorApp` (request ledger at
``/_emulator/requests``, faults at ``/_emulator/faults``). Test hooks under ``/_emulator/`` add orders,
play the merchant, set the bucket, arm a fault for one operation and set a webhook target; the
merchant's actions send webhooks signed like Shopify's. ``GET /`` is a page where a person plays
the merchant (:mod:`returnhub_shopify.emulator_admin`).
"""
from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import uuid
from datetime import timedelta
from importlib import resources

import httpx
from flask import Flask, jsonify, request
from graphql import GraphQLError, OperationDefinitionNode, execute, get_operation_ast, parse, validate
from graphql.execution.values import get_variable_values

from hub import clock
from hub.testing.emulation import EmulatorApp, Grant, TokenBucket, hmac_signature
from returnhub_shopify.emulator_graphql import Root, actual_cost, gid, requested_cost, resolve, schema_for

EMULATOR_TOKEN = "shpat_emulator_token"
EMULATOR_CLIENT_ID = "emulator-client-id"
EMULATOR_SECRET = "emulator-client-secret"
SHOP_DOMAIN = "returnhub-demo.myshopify.com"
DECLINE_REASONS = {"RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER"}
MAX_QUERY_COST = 1000
VERSION = re.compile(r"\d{4}-(01|04|07|10)|unstable")


class CostBucket(TokenBucket):
    """Shopify's leaky bucket of query-cost points, refilled at ``restoreRate`` per second of hub.clock."""

    def spend(self, cost: float) -> bool:
        with self._lock:
            self._refill()
            ok = self.tokens >= cost - 1e-6  # a refill waited for exactly is enough despite float error
            self.tokens -= cost if ok else 0
            return ok

    def give_back(self, points: float) -> None:
        with self._lock:
            self.tokens = min(self.capacity, self.tokens + points)

    def set(self, maximumAvailable=None, currentlyAvailable=None, restoreRate=None) -> None:
        with self._lock:
            self._refill()
            self.capacity = float(maximumAvailable or self.capacity)
            self.tokens = min(self.capacity, float(self.tokens if currentlyAvailable is None else currentlyAvailable))
            self.rate = float(restoreRate or self.rate)

    def status(self) -> dict:
        with self._lock:
            self._refill()
            return {"maximumAvailable": self.capacity, "currentlyAvailable": round(self.tokens),
                    "restoreRate": self.rate}


class Store:
    """The shop: orders, returns, webhook subscriptions and deliveries, operation faults."""

    def __init__(self, client_secret: str, domain: str):
        self.lock = threading.RLock()
        self.ids = itertools.count(1001)
        self.client_secret, self.domain = client_secret, domain
        self.orders: dict[int, dict] = {}
        self.returns: dict[int, dict] = {}
        self.subscriptions: list[dict] = []
        self.deliveries: list[dict] = []
        self.outbox: list[tuple] = []
        self.faults: list[dict] = []
        self.webhook = {"url": None, "duplicates": 1, "bad_signature": False, "drop": False}
        self.bucket = CostBucket(2000, 20)  # Shopify Plus-like: 2000 points, 100 a second

    @staticmethod
    def now() -> str:
        return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def add_order(self, spec: dict) -> dict:
        lines = [{"id": next(self.ids), "fli": next(self.ids), "sku": li.get("sku"),
                  "barcode": li.get("barcode") or li.get("ean"),
                  "name": li.get("title") or li.get("name") or li.get("sku") or "Item",
                  "quantity": int(li.get("quantity", 1))} for li in spec.get("lines") or []]
        num = next(self.ids)
        self.orders[num] = order = {
            "id": num, "name": spec.get("name") or f"#{num}", "tags": list(spec.get("tags") or []),
            "sourceIdentifier": spec.get("sourceIdentifier"), "poNumber": spec.get("poNumber"),
            "email": spec.get("email"), "note": spec.get("note"), "createdAt": spec.get("createdAt") or self.now(),
            "customAttributes": [{"key": k, "value": v} for k, v in (spec.get("customAttributes") or {}).items()],
            "metafields": dict(spec.get("metafields") or {}), "fulfilled": spec.get("fulfilled", True),
            "fulfillment_id": next(self.ids), "lines": lines}
        return order

    def add_return(self, order: dict, lines: list[dict], status: str) -> dict:
        num, count = next(self.ids), sum(1 for r in self.returns.values() if r["order"] == order["id"]) + 1
        self.returns[num] = r = {"id": num, "name": f"{order['name']}-R{count}", "order": order["id"], "status": status,
                                 "lines": lines, "exchange": [], "refunds": [], "decline": None}
        return r

    def returned_qty(self, fli: int) -> int:
        return sum(li["quantity"] for r in self.returns.values() if r["status"] not in ("DECLINED", "CANCELED")
                   for li in r["lines"] if li["fli"] == fli)

    def search(self, q: str) -> list[dict]:
        """Orders matching every term of Shopify's search syntax (``field:value``, quoted or bare)."""
        terms = re.findall(r"(?:(\w+):)?(?:'((?:[^'\\]|\\.)*)'|(\S+))", q)
        return [o for o in self.orders.values() if all(
            self._term(o, field, re.sub(r"\\(.)", r"\1", quoted) if quoted else bare) for field, quoted, bare in terms)]

    @staticmethod
    def _term(order: dict, field: str, value: str) -> bool:
        v = value.lower()
        if field == "name":
            return order["name"].lower().lstrip("#") == v.lstrip("#")
        if field == "tag":
            return v in {t.lower() for t in order["tags"]}
        if field in ("source_identifier", "po_number"):
            return (order["sourceIdentifier" if field == "source_identifier" else "poNumber"] or "").lower() == v
        if field:
            return False
        # Default search: a token of the order's text fields (which fields Shopify covers is UNVERIFIED).
        text = [order["name"], order["email"], order["note"], order["sourceIdentifier"], order["poNumber"],
                *order["tags"], *(a["value"] for a in order["customAttributes"]), *order["metafields"].values()]
        return any(v == (t or "").lower() or v in re.split(r"[\s,;]+", (t or "").lower()) for t in text)

    def notify(self, topic: str, r: dict, payload: dict | None = None) -> None:
        """Queue webhook ``topic`` (e.g. RETURNS_APPROVE) about return ``r`` for every subscriber."""
        if payload is None:
            payload = {"id": r["id"], "admin_graphql_api_id": gid("Return", r["id"]), "name": r["name"],
                       "status": r["status"].lower(), "order": {"id": r["order"],
                                                                "admin_graphql_api_id": gid("Order", r["order"])}}
            if r["decline"]:
                payload["decline"] = {"reason": r["decline"]["reason"].lower(), "note": r["decline"]["note"]}
        targets = [(s["url"], s["version"]) for s in self.subscriptions if s["topic"] == topic]
        targets += [(self.webhook["url"], "2026-07")] if self.webhook["url"] else []
        self.outbox += [(url, version, topic.lower().replace("_", "/", 1), payload) for url, version in targets]

    def deliver(self) -> None:
        """Send the queued webhooks (outside the lock), signed like Shopify's."""
        with self.lock:
            pending, self.outbox = self.outbox, []
        for url, version, topic, payload in pending:
            body = json.dumps(payload).encode()
            key = self.client_secret + ("-wrong" if self.webhook["bad_signature"] else "")
            headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Api-Version": version,
                       "X-Shopify-Hmac-Sha256": hmac_signature(key, body, encoding="base64"),
                       "X-Shopify-Shop-Domain": self.domain, "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                       "X-Shopify-Event-Id": str(uuid.uuid4()), "X-Shopify-Triggered-At": self.now()}
            for _ in range(max(1, int(self.webhook["duplicates"]))):
                record = {"url": url, "topic": topic, "webhook_id": headers["X-Shopify-Webhook-Id"], "payload": payload}
                try:
                    record["status"] = "dropped" if self.webhook["drop"] else \
                        httpx.post(url, content=body, headers=headers, timeout=5.0).status_code
                except httpx.HTTPError as exc:
                    record["status"] = f"error: {exc}"
                with self.lock:
                    self.deliveries.append(record)

    def take_fault(self, operation: str | None) -> dict | None:
        with self.lock:
            fault = next((f for f in self.faults if f["operation"] in (operation, "*") and f["count"] > 0), None)
            if fault:
                fault["count"] -= 1
            return fault


def _errors(*errors, status: int = 200):
    return jsonify({"errors": [e.formatted if isinstance(e, GraphQLError) else {"message": e} for e in errors]}), status


def create_app(demo: bool = False, *, access_token: str = EMULATOR_TOKEN, client_id: str = EMULATOR_CLIENT_ID,
               client_secret: str = EMULATOR_SECRET, shop_domain: str = SHOP_DOMAIN) -> Flask:
    """The emulator app; ``demo`` seeds a handful of realistic fulfilled orders."""
    emu = EmulatorApp(__name__)
    app, store = emu.app, Store(client_secret, shop_domain)
    emu.tokens.tokens[access_token] = Grant("custom-app", float("inf"))
    emu.oauth2({client_id: client_secret}, path="/admin/oauth/access_token", ttl=86399,
               scope="read_orders,read_returns,write_returns")
    app.config["STORE"], app.json.sort_keys = store, False  # answers follow the selection order
    if demo:
        _seed(store)

    @app.post("/admin/api/<version>/graphql.json")
    def graphql(version):
        if not VERSION.fullmatch(version):
            return jsonify({"errors": "Not Found"}), 404
        if emu.tokens.grant(request.headers.get("X-Shopify-Access-Token")) is None:
            return jsonify({"errors": "[API] Invalid API key or access token "
                                      "(unrecognized login or wrong password)"}), 401
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return jsonify({"errors": {"query": "Required parameter missing or invalid"}}), 400
        schema, variables, name = schema_for(version), body.get("variables") or {}, body.get("operationName")
        try:
            document = parse(body["query"])
        except GraphQLError as exc:
            return _errors(exc)
        problems = validate(schema, document)
        operation = get_operation_ast(document, name)
        if problems or operation is None:
            return _errors(*problems) if problems else _errors(f"Unknown or ambiguous operation {name!r}")
        coerced = get_variable_values(schema, operation.variable_definitions, variables)
        if isinstance(coerced, list):
            return _errors(*coerced)
        fault = store.take_fault(operation.name.value if operation.name else None)
        if fault and fault["kind"] == "status":
            return jsonify({"errors": "Internal Server Error"}), int(fault.get("status", 500))
        fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}
        cost = requested_cost(schema, operation, fragments, coerced)
        if cost > MAX_QUERY_COST:
            return jsonify({"errors": [{"message": f"Query cost is {cost}, which exceeds the single query max cost "
                                        f"limit ({MAX_QUERY_COST}).", "extensions": {"code": "MAX_COST_EXCEEDED"}}]})
        if not store.bucket.spend(cost):
            return jsonify({"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": {"requestedQueryCost": cost, "actualQueryCost": None,
                                        "throttleStatus": store.bucket.status()}}})
        with store.lock:
            result = execute(schema, document, Root(store, version), variable_values=variables, operation_name=name,
                             field_resolver=resolve)
        actual = min(cost, actual_cost(result.data, operation.operation.value == "mutation"))
        store.bucket.give_back(cost - actual)
        store.deliver()
        answer = {"data": result.data, "extensions": {"cost": {
            "requestedQueryCost": cost, "actualQueryCost": actual, "throttleStatus": store.bucket.status()}}}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        if fault and fault["kind"] == "drop":  # committed; the client never gets the answer
            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        return jsonify(answer)

    # -- the merchant in Shopify admin: the JSON hooks and the HTML page -----------------------------
    def tag(num: int, add: list, remove: list) -> dict | None:
        """Change order ``num``'s tags (Shopify sends no returns webhook for that); its view."""
        with store.lock:
            order = store.orders.get(num)
            if order:
                order["tags"] = [t for t in order["tags"] if t not in set(remove)] + \
                                [t for t in add if t not in order["tags"]]
            return order and _order_view(order)

    def act(num: int, action: str, spec: dict) -> tuple[dict | None, str | None, int]:
        """Apply merchant ``action`` to return ``num``, then deliver its webhooks: (view, error, status)."""
        with store.lock:
            r = store.returns.get(num)
            error = _merchant_action(store, r, action, spec) if r else "no such return"
        store.deliver()
        return (None, error, 404 if not r else 422) if error else (_return_view(r), None, 200)

    app.config["MERCHANT_ACT"], app.config["MERCHANT_TAG"] = act, tag

    @app.post("/_emulator/orders")
    def add_order():
        with store.lock:
            return jsonify(_order_view(store.add_order(request.get_json(force=True)))), 201

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
        store.bucket.set(**request.get_json(force=True))
        return jsonify(store.bucket.status())

    @app.post("/_emulator/operation-faults")
    def operation_fault():
        """``{operation, kind: "status"|"drop", status, count}``: the next calls of that operation fail."""
        with store.lock:
            store.faults.append({"count": 1, "kind": "status", **request.get_json(force=True)})
        return jsonify(store.faults)

    @app.post("/_emulator/webhooks")
    def webhook_config():
        with store.lock:
            store.webhook.update(request.get_json(force=True))
        return jsonify(store.webhook)

    @app.get("/_emulator/<kind>")
    def listing(kind):
        with store.lock:
            views = {"deliveries": lambda: store.deliveries,
                     "returns": lambda: map(_return_view, store.returns.values()),
                     "orders": lambda: map(_order_view, store.orders.values())}
            return jsonify(list(views[kind]())) if kind in views else (jsonify({"error": "unknown"}), 404)

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
    with store.lock:
        return [_order_view(store.add_order({
            "name": str(spec["order_id"]), "tags": [str(spec["order_id"])], "sourceIdentifier": str(spec["order_id"]),
            "customAttributes": {"marketplace_order_id": str(spec["order_id"])},
            "metafields": {"marketplace.order_id": str(spec["order_id"])},
            "lines": [{"sku": li.get("sku"), "barcode": li.get("ean"), "title": li.get("title"),
                       "quantity": int(li.get("quantity") or 1)} for li in spec.get("lines") or []]}))
            for spec in orders]


def _order_view(order: dict) -> dict:
    return {"id": gid("Order", order["id"]), "num": order["id"], "name": order["name"], "tags": order["tags"],
            "lines": [{"sku": li["sku"], "barcode": li["barcode"], "quantity": li["quantity"],
                       "fulfillmentLineItemId": gid("FulfillmentLineItem", li["fli"])} for li in order["lines"]]}


def _return_view(r: dict) -> dict:
    return {"id": gid("Return", r["id"]), "num": r["id"], "name": r["name"], "status": r["status"],
            "order": gid("Order", r["order"]), "decline": r["decline"], "refunds": r["refunds"],
            "exchange": r["exchange"], "lines": r["lines"]}


# What the merchant can do in each status (Shopify admin), and what it changes.
ALLOWED = {"approve": {"REQUESTED"}, "decline": {"REQUESTED"}, "refund": {"OPEN", "CLOSED"}, "exchange": {"OPEN"},
           "close": {"OPEN"}, "cancel": {"REQUESTED", "OPEN"}, "reopen": {"CLOSED"}}
RESULT = {"approve": ("OPEN", "RETURNS_APPROVE"), "decline": ("DECLINED", "RETURNS_DECLINE"),
          "close": ("CLOSED", "RETURNS_CLOSE"), "cancel": ("CANCELED", "RETURNS_CANCEL"),
          "reopen": ("OPEN", "RETURNS_REOPEN"), "exchange": (None, "RETURNS_UPDATE")}


def _merchant_action(store: Store, r: dict, action: str, spec: dict) -> str | None:
    """Apply one admin action to return ``r``; an error text when Shopify would refuse it."""
    if action not in ALLOWED:
        return f"unknown action {action}"
    if r["status"] not in ALLOWED[action] or (action == "cancel" and r["refunds"]):
        return f"cannot {action} a {r['status']} return" + (" after a refund" if r["refunds"] else "")
    if action == "decline":
        if spec.get("reason", "OTHER") not in DECLINE_REASONS:
            return f"unknown decline reason {spec.get('reason')}"
        r["decline"] = {"reason": spec.get("reason", "OTHER"), "note": spec.get("note")}
    elif action == "exchange":
        qty = int(spec.get("quantity", 1))
        r["exchange"].append({"id": next(store.ids), "sku": spec.get("sku"), "quantity": qty,
                              "processedQuantity": qty if spec.get("processed", True) else 0})
    elif action == "refund":
        wanted = spec.get("quantities") or {}
        for li in r["lines"]:
            qty = int(wanted.get(str(li["id"]), li["quantity"] - li["refundedQuantity"]))
            li["refundedQuantity"] = min(li["quantity"], li["refundedQuantity"] + qty)
        ref = next(store.ids)
        r["refunds"].append(ref)
        store.notify("REFUNDS_CREATE", r, {
            "id": ref, "admin_graphql_api_id": gid("Refund", ref), "order_id": r["order"], "created_at": store.now(),
            "return": {"id": r["id"], "admin_graphql_api_id": gid("Return", r["id"])}})
        return None
    status, topic = RESULT[action]
    r["status"] = status or r["status"]
    store.notify(topic, r)
    return None


def _seed(store: Store) -> None:
    """Realistic fulfilled orders from marketplaces (``demo_orders.json``), as a connector would have imported them."""
    base = clock.now() - timedelta(days=12)
    samples = json.loads(resources.files("returnhub_shopify").joinpath("demo_orders.json").read_text("utf-8"))
    for i, o in enumerate(samples):
        store.add_order({
            "name": o["name"], "tags": [o["channel"], f"{o['channel']}-{o['order_id']}"], "lines": o["lines"],
            "sourceIdentifier": o["order_id"], "email": f"{o['customer'].split()[0].lower()}@example.com",
            "customAttributes": {"marketplace_order_id": o["order_id"], "channel": o["channel"]},
            "metafields": {"marketplace.order_id": o["order_id"]},
            "createdAt": (base + timedelta(days=i, hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")})
