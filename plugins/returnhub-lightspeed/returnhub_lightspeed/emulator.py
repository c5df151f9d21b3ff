"""An emulator of the Lightspeed eCom REST API (the endpoints Returnhub uses), for tests and the demo.

Built on :class:`hub.testing.emulation.EmulatorApp` (request ledger, faults, rate limits). It checks HTTP Basic
key:secret, the language in the path, ``limit`` ≤ 250 and ``page`` ≥ 1, the writable order fields and known
custom status ids, and sends X-RateLimit-* headers (5 min / hour / day windows). Orders and return webhooks are
delivered, signed with md5(body + secret), to the addresses registered with ``POST /{lang}/webhooks.json``.
Test hooks under ``/_emulator`` add orders, play the merchant (set a custom status, make a return record) and
tune webhooks (bad signature, drop) and the rate-limit headers.
"""
from __future__ import annotations

import base64
import itertools
import json
import threading

import httpx
from flask import jsonify, request

from hub import clock
from hub.testing.emulation import EmulatorApp
from returnhub_lightspeed.settings import LANGUAGES
from returnhub_lightspeed.webhooks import signature

API_KEY = "emulator-api-key-0123456789abcdef"
API_SECRET = "emulator-api-secret-0123456789ab"
CUSTOM_STATUSES = [(11, "Retour aangevraagd"), (12, "Retour geaccepteerd"), (13, "Retour afgewezen"),
                   (14, "Omgeruild"), (15, "Retour geannuleerd"), (16, "Gerepareerd"), (17, "Klant houdt artikel")]
DEFAULT_MAPPING = "12=accepted, 13=rejected, 14=exchanged, 15=cancelled, 16=repaired, 17=kept"
RETURN_STATUSES = ("requested", "approved", "rejected", "completed", "cancelled")
RETURN_MAPPING = "approved=accepted, rejected=rejected, cancelled=cancelled"
REQUESTED_STATUS = 11
WRITABLE = {"memo", "customStatusId", "status", "paymentStatus", "shipmentStatus", "doNotifyCustomer"}
ORDER_STATUSES = {"on_hold", "processing_awaiting_payment", "processing_awaiting_shipment", "completed_shipped",
                  "cancelled"}
LIMITS = (300, 3000, 12000)


def emulator_settings(url: str) -> dict:
    """Connection settings that point the adapter at an emulator on ``url``."""
    return {"api_url": url, "language": "nl", "api_key": API_KEY, "api_secret": API_SECRET,
            "status_decisions": DEFAULT_MAPPING, "requested_status": REQUESTED_STATUS}


def error(status: int, message: str):
    """The API's error envelope."""
    response = jsonify({"error": {"code": status, "method": request.method, "request": request.path,
                                  "message": message}})
    response.status_code = status
    return response


def relation(kind: str, rid: int) -> dict:
    return {"resource": {"id": rid, "url": f"{kind}/{rid}", "link": f"https://api.webshopapp.com/nl/{kind}/{rid}.json"}}


class Shop:
    """The shop's orders, return records and webhooks, under one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.ids = itertools.count(1001)
        self.orders: dict[int, dict] = {}
        self.returns: dict[int, dict] = {}
        self.webhooks: list[dict] = []
        self.delivery = {"bad_signature": False, "drop": False}
        self.deliveries: list[dict] = []
        self.used = [0, 0, 0]
        self.exhaust_for: float | None = None

    def now(self) -> str:
        return clock.now().strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def add_order(self, *, lines: list[dict], memo: str = "", comment: str = "", number: str | None = None) -> dict:
        with self.lock:
            oid = next(self.ids)
            order = {"id": oid, "createdAt": self.now(), "updatedAt": self.now(), "number": number or f"ORD{oid:05d}",
                     "status": "completed_shipped", "customStatusId": None, "channel": "main", "memo": memo,
                     "comment": comment, "email": "klant@example.com", "firstname": "Sanne", "lastname": "de Vries",
                     "priceIncl": 0, "products": [
                         {"id": 5000 + i, "sku": line.get("sku") or "", "ean": line.get("ean") or "",
                          "quantityOrdered": int(line.get("quantity", 1)),
                          "productTitle": line.get("title") or line.get("sku") or "Artikel"}
                         for i, line in enumerate(lines)]}
            self.orders[oid] = order
            return order

    def touch(self, order: dict) -> None:
        order["updatedAt"] = self.now()

    def add_return(self, order_id: int, status: str) -> dict:
        with self.lock:
            rid = next(self.ids)
            record = {"id": rid, "createdAt": self.now(), "updatedAt": self.now(), "status": status,
                      "order": relation("orders", order_id), "returnReason": "", "customerComment": "",
                      "staffNote": "", "numProducts": 1}
            self.returns[rid] = record
            return record

    def send(self, group: str, action: str, payload: dict) -> None:
        """Deliver a webhook of ``group``/``action`` to every matching registration, signed like Lightspeed's."""
        with self.lock:
            targets = [w for w in self.webhooks if w["isActive"] and w["itemGroup"] == group
                       and w["itemAction"] in (action, "*")]
            spoil, drop = self.delivery["bad_signature"], self.delivery["drop"]
        body = json.dumps(payload).encode()
        for hook in targets:
            headers = {"Content-Type": "application/json", "X-Group": group, "X-Action": action,
                       "X-Shop-Id": "123456", "X-Language": hook["language"],
                       "X-Signature": signature(body, API_SECRET + ("-wrong" if spoil else ""))}
            record = {"url": hook["address"], "topic": f"{group}/{action}", "sent_at": clock.time()}
            try:
                record["status"] = "dropped" if drop else \
                    httpx.post(hook["address"], content=body, headers=headers, timeout=5.0).status_code
            except httpx.HTTPError as exc:
                record["status"] = f"error: {exc}"
            with self.lock:
                self.deliveries.append(record)

    def ratelimit_headers(self) -> dict[str, str]:
        with self.lock:
            self.used = [u + 1 for u in self.used]
            left = [max(0, lim - u) for lim, u in zip(LIMITS, self.used, strict=True)]
            resets = [300, 3600, 86400]
            if self.exhaust_for is not None:
                left[0], resets[0] = 0, self.exhaust_for
                self.exhaust_for = None
        return {"X-RateLimit-Limit": ",".join(map(str, LIMITS)), "X-RateLimit-Remaining": ",".join(map(str, left)),
                "X-RateLimit-Reset": ",".join(str(r) for r in resets)}


def create_app(demo: bool = False):
    emu = EmulatorApp(__name__)
    app, shop = emu.app, Shop()
    app.config["SHOP"] = shop

    @app.before_request
    def guard():
        if request.path.startswith("/_emulator") or request.path == "/" or request.path.startswith("/_merchant"):
            return None
        auth = request.headers.get("Authorization", "")
        try:
            user, _, password = base64.b64decode(auth.removeprefix("Basic "), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user = password = ""
        if not auth.startswith("Basic ") or (user, password) != (API_KEY, API_SECRET):
            return error(401, "Invalid API key or secret")
        language = request.path.strip("/").split("/", 1)[0]
        if language not in LANGUAGES:
            return error(404, f"unknown language {language!r}")
        for name, low, high in (("limit", 1, 250), ("page", 1, None)):
            raw = request.args.get(name)
            if raw is not None and (not raw.isdigit() or int(raw) < low or (high and int(raw) > high)):
                return error(400, f"{name} must be an integer from {low}" + (f" to {high}" if high else ""))
        return None

    @app.after_request
    def headers(response):
        if not request.path.startswith("/_emulator") and response.status_code != 401:
            response.headers.update(shop.ratelimit_headers())
        return response

    def paged(items: list[dict], key: str):
        limit, page = int(request.args.get("limit", 50)), int(request.args.get("page", 1))
        return jsonify({key: items[(page - 1) * limit:page * limit]})

    @app.get("/<lang>/shop.json")
    def get_shop(lang):
        return jsonify({"shop": {"id": 123456, "mainDomain": "returnhub-demo.webshopapp.com", "language": lang}})

    @app.get("/<lang>/orders/customstatuses.json")
    def custom_statuses(lang):
        return jsonify({"customStatuses": [{"id": i, "title": t, "color": "#999999"} for i, t in CUSTOM_STATUSES]})

    @app.get("/<lang>/orders.json")
    def list_orders(lang):
        since = request.args.get("created_at_min")
        with shop.lock:
            orders = sorted(shop.orders.values(), key=lambda o: o["id"])
        if since:
            orders = [o for o in orders if o["createdAt"] >= since]
        return paged(orders, "orders")

    @app.get("/<lang>/orders/<int:oid>.json")
    def get_order(lang, oid):
        order = shop.orders.get(oid)
        return jsonify({"order": order}) if order else error(404, f"order {oid} not found")

    @app.put("/<lang>/orders/<int:oid>.json")
    def put_order(lang, oid):
        order = shop.orders.get(oid)
        if order is None:
            return error(404, f"order {oid} not found")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("order"), dict):
            return error(400, "body must be {\"order\": {...}}")
        fields = body["order"]
        unknown = set(fields) - WRITABLE
        if unknown:
            return error(400, f"field(s) not writable: {', '.join(sorted(unknown))}")
        if "customStatusId" in fields and fields["customStatusId"] not in [None] + [i for i, _ in CUSTOM_STATUSES]:
            return error(400, f"unknown customStatusId {fields['customStatusId']!r}")
        if "status" in fields and fields["status"] not in ORDER_STATUSES:
            return error(400, f"unknown order status {fields['status']!r}")
        if "memo" in fields and not isinstance(fields["memo"], str):
            return error(400, "memo must be a string")
        with shop.lock:
            order.update(fields)
            shop.touch(order)
        return jsonify({"order": order})

    @app.get("/<lang>/returns.json")
    def list_returns(lang):
        with shop.lock:
            records = sorted(shop.returns.values(), key=lambda r: r["id"])
        if request.args.get("order"):
            records = [r for r in records if str(r["order"]["resource"]["id"]) == request.args["order"]]
        return paged(records, "returns")

    @app.post("/<lang>/webhooks.json")
    def add_webhook(lang):
        body = (request.get_json(silent=True) or {}).get("webhook")
        if not isinstance(body, dict) or not str(body.get("address", "")).startswith("http"):
            return error(400, "webhook.address is required")
        if body.get("itemGroup") not in ("orders", "returns", "shipments", "invoices", "customers", "products"):
            return error(400, f"unknown itemGroup {body.get('itemGroup')!r}")
        if body.get("itemAction") not in ("created", "updated", "deleted", "paid", "shipped", "answered", "*"):
            return error(400, f"unknown itemAction {body.get('itemAction')!r}")
        hook = {"id": next(shop.ids), "isActive": bool(body.get("isActive", True)), "itemGroup": body["itemGroup"],
                "itemAction": body["itemAction"], "language": body.get("language", lang),
                "format": body.get("format", "json"), "address": body["address"]}
        shop.webhooks.append(hook)
        return jsonify({"webhook": hook}), 201

    # -- test hooks: the channel tool and the merchant ------------------------------------------
    @app.post("/_emulator/orders")
    def hook_add_order():
        body = request.get_json(force=True)
        where, value = body.get("where", "memo"), body.get("value")
        kw = {"number": value} if where == "number" else {where: f"Marketplace order {value}"}
        return jsonify(shop.add_order(lines=body.get("lines") or [{"sku": "SKU-1", "quantity": 1}], **kw)), 201

    @app.post("/_emulator/orders/<int:oid>/status")
    def hook_status(oid):
        status = request.get_json(force=True).get("customStatusId")
        if status not in [i for i, _ in CUSTOM_STATUSES]:
            return error(400, f"unknown customStatusId {status!r}")
        with shop.lock:
            order = shop.orders[oid]
            order["customStatusId"] = status
            shop.touch(order)
            payload = {"order": dict(order)}
        shop.send("orders", "updated", payload)
        return jsonify(order)

    @app.post("/_emulator/orders/<int:oid>/returns")
    def hook_return(oid):
        status = request.get_json(force=True).get("status")
        if status not in RETURN_STATUSES:
            return error(400, f"unknown return status {status!r}")
        record = shop.add_return(oid, status)
        with shop.lock:
            payload = {"return": {**record, "order": {"resource": {**record["order"]["resource"],
                                                                   "embedded": dict(shop.orders[oid])}}}}
        shop.send("returns", "created", payload)
        return jsonify(record), 201

    @app.post("/_emulator/webhooks")
    def hook_webhooks():
        body = request.get_json(force=True)
        with shop.lock:
            shop.delivery.update({k: bool(v) for k, v in body.items() if k in shop.delivery})
        return jsonify(shop.delivery)

    @app.get("/_emulator/deliveries")
    def hook_deliveries():
        with shop.lock:
            return jsonify(deliveries=list(shop.deliveries))

    @app.post("/_emulator/ratelimit")
    def hook_ratelimit():
        shop.exhaust_for = float(request.get_json(force=True)["exhausted_for"])
        return jsonify(armed=True)

    from returnhub_lightspeed.emulator_admin import bp
    app.register_blueprint(bp)
    if demo:
        for n in range(1, 4):
            shop.add_order(lines=[{"sku": f"WEB-{n}", "quantity": n}], comment="Graag snel leveren")
    return app


def seed_orders(app, orders: list[dict]) -> None:
    """Put the marketplace's orders in the shop, their order numbers in the memo (the default lookup)."""
    shop: Shop = app.config["SHOP"]
    for o in orders:
        text = f"Marketplace order {o['order_id']}"
        if any((x.get("memo") or "").startswith(text) for x in list(shop.orders.values())):
            continue
        shop.add_order(lines=o.get("lines") or [{"sku": "SKU-1", "quantity": 1}], memo=text)


