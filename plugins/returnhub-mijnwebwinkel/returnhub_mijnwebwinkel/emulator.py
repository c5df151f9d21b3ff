"""An emulator of the MyOnlineStore Connect API (the order endpoints Returnhub uses), for tests and the demo.

Built on :class:`hub.testing.emulation.EmulatorApp` (request ledger, faults, rate limits). It checks what
the official OpenAPI description says the API checks: both tokens (``partner_token`` and ``token`` in the
query string; ``/orderstatuses`` needs only the partner token), the version and ``format``/``language``
enums, ``limit`` ≤ 100, date formats, and on PATCH only the writable fields with a known, non-credit status.
Test hooks under ``/_emulator`` add orders, play the merchant (set a status, make a credit order) and show
an order; ``GET /`` is a page where a person plays the merchant (:mod:`.emulator_admin`).
"""
from __future__ import annotations

import itertools
import re
import threading
import uuid
from datetime import UTC, datetime

from flask import jsonify, request

from hub import clock
from hub.testing.emulation import EmulatorApp, json_error
from returnhub_mijnwebwinkel.settings import LANGUAGES

PARTNER_TOKEN = "emulator-partner-token"
STORE_TOKEN = "emulator-store-token"
VERSIONS = ("1", "2-beta")
STATUSES = [
    (1, "Nieuw", False), (2, "In behandeling", False), (3, "Verzonden", False),
    (20, "Retour aangevraagd", False), (21, "Retour geaccepteerd", False), (22, "Retour afgewezen", False),
    (23, "Omgeruild", False), (24, "Retour geannuleerd", False), (25, "Gerepareerd", False),
    (26, "Klant houdt artikel", False), (30, "Gecrediteerd", True), (31, "Creditering in behandeling", True),
]
DEFAULT_MAPPING = "21=accepted, 22=rejected, 23=exchanged, 24=cancelled, 25=repaired, 26=kept"
REQUESTED_STATUS = 20
PATCHABLE = {"archived", "status", "comments", "reference", "offline_location_id"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}|T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))$")


def emulator_settings(url: str) -> dict:
    """Connection settings that point the adapter at an emulator on ``url``."""
    return {"api_url": url, "partner_token": PARTNER_TOKEN, "token": STORE_TOKEN,
            "status_decisions": DEFAULT_MAPPING, "requested_status": REQUESTED_STATUS}


def error(status: int, code: int, message: str):
    """The API's Error object (``code``, ``message``)."""
    response = jsonify({"code": code, "message": message})
    response.status_code = status
    return response


class Store:
    """The store's orders and statuses, under one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.numbers = itertools.count(1001)
        self.orders: dict[int, dict] = {}
        self.statuses = [{"status": s, "description": d, "credit_order": c} for s, d, c in STATUSES]

    def status(self, number: int) -> dict | None:
        return next((s for s in self.statuses if s["status"] == number), None)

    def add(self, *, lines: list[dict], comments: dict | None = None, reference: str | None = None,
            status: int = 3, credited: int | None = None, number: int | None = None) -> dict:
        now = clock.now()
        with self.lock:
            number = number or next(self.numbers)
            order = {
                "number": number, "uuid": str(uuid.uuid4()), "date": now.date().isoformat(),
                "time": now.strftime("%H:%M:%S"), "status": status, "status_changed_date": now.date().isoformat(),
                "status_changed_time": now.strftime("%H:%M:%S"), "archived": False, "currency": "EUR",
                "business_model": "B2B" if reference else "B2C", "comments": dict(comments or {}),
                "credit_order_numbers": [], "partner": {"name": "Channel tool"},
                "debtor": {"email": "klant@example.com", "address": {"invoice": {
                    "name": "Sanne de Vries", "street": "Kerkstraat", "number": "12", "zipcode": "1017GC",
                    "city": "Amsterdam", "country_code": "NL"}}},
                "price": {"total": "0.00"},
                "orderlines": [{"id": str(uuid.uuid4()), "type": "article", "quantity": int(line.get("quantity", 1)),
                                "description": line.get("title") or line.get("sku") or "Artikel",
                                "articles": [{"id": 100 + i, "sku": line.get("sku") or "", "rate": "21.00",
                                              "amount": "10.00", "price": {"amount": "10.00", "rate": "21.00"}}]}
                               for i, line in enumerate(lines)],
                "shipping": [{"country": {"isocode": "NL"}}],
            }
            if reference:
                order["reference"] = reference
            if credited is not None:
                order["credited_order_number"] = credited
            self.orders[number] = order
            return order

    def set_status(self, order: dict, status: int) -> None:
        now = clock.now()
        order.update(status=status, status_changed_date=now.date().isoformat(),
                     status_changed_time=now.strftime("%H:%M:%S"))

    def credit(self, number: int, lines: list[dict] | None = None, status: int = 30) -> dict:
        with self.lock:
            original = self.orders[number]
            lines = lines or [{"sku": a["sku"], "quantity": line["quantity"]}
                              for line in original["orderlines"] for a in line["articles"]]
            credit = self.add(lines=lines, status=status, credited=number)
            original["credit_order_numbers"].append(credit["number"])
            return credit

    def changed_at(self, order: dict) -> datetime:
        return datetime.fromisoformat(f"{order['status_changed_date']} {order['status_changed_time']}")


def create_app(demo: bool = False):
    emu = EmulatorApp(__name__)
    app, store = emu.app, Store()
    app.config["STORE"] = store

    def guard(version: str, partner_only: bool = False):
        if version not in VERSIONS:
            return error(404, 404, f"unknown API version {version!r}")
        if request.args.get("partner_token") != PARTNER_TOKEN:
            return error(401, 401, "invalid or missing partner_token")
        if not partner_only and request.args.get("token") != STORE_TOKEN:
            return error(401, 401, "invalid or missing token")
        if request.args.get("format", "json") not in ("json", "xml"):
            return error(400, 400, "format must be json or xml")
        if request.args.get("format") == "xml":
            return error(400, 400, "format=xml is not emulated")
        if request.args.get("language", "nl_NL") not in LANGUAGES:
            return error(400, 400, f"unknown language {request.args.get('language')!r}")
        return None

    def integer(name: str, default=None, *, minimum: int = 0, maximum: int | None = None):
        raw = request.args.get(name)
        if raw in (None, ""):
            return default
        if not re.fullmatch(r"-?\d+", raw) or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
            raise ValueError(f"{name} must be an integer from {minimum}" + (f" to {maximum}" if maximum else ""))
        return int(raw)

    @app.get("/v<version>/store")
    def get_store(version):
        refused = guard(version)
        if refused:
            return refused
        return jsonify({"id": "e5fc33df-b2bf-40ec-8d8d-56fc34b495cc", "name": "returnhub-demo",
                        "primary_domain": "https://returnhub-demo.mijnwebwinkel.nl", "open": True,
                        "version": "Premium", "currency": "EUR", "default_language": "nl_NL",
                        "available_business_models": "ALL", "region_code": "NL"})

    @app.get("/v<version>/orderstatuses")
    def get_statuses(version):
        return guard(version, partner_only=True) or jsonify(store.statuses)

    @app.get("/v<version>/orders")
    def list_orders(version):
        refused = guard(version)
        if refused:
            return refused
        args = request.args
        try:
            limit = integer("limit", 10, minimum=1, maximum=100)
            offset = integer("offset", 0)
            status_id = integer("status_id")
            for name in ("start_date", "end_date"):
                if args.get(name) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args[name]):
                    raise ValueError(f"{name} must be yyyy-mm-dd")
            for name in ("status_changed_start_date", "status_changed_end_date"):
                if args.get(name) and not _DATETIME.match(args[name]):
                    raise ValueError(f"{name} must be yyyy-mm-dd hh:mm:ss")
            if args.get("ordering", "asc") not in ("asc", "desc"):
                raise ValueError("ordering must be asc or desc")
        except ValueError as exc:
            return error(400, 400, str(exc))
        with store.lock:
            orders = sorted(store.orders.values(), key=lambda o: o["number"], reverse=args.get("ordering") == "desc")
        if args.get("start_date"):
            orders = [o for o in orders if o["date"] >= args["start_date"]]
        if args.get("end_date"):
            orders = [o for o in orders if o["date"] <= args["end_date"]]
        if status_id is not None:
            orders = [o for o in orders if o["status"] == status_id]
        if args.get("status_changed_start_date"):
            since = datetime.fromisoformat(args["status_changed_start_date"].replace("Z", "+00:00"))
            since = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
            orders = [o for o in orders if store.changed_at(o) >= since]
        return jsonify(orders[offset:offset + limit])

    def number_of(order_number: str):
        return int(order_number) if order_number.isdigit() else None

    @app.get("/v<version>/orders/<order_number>")
    def get_order(version, order_number):
        refused = guard(version)
        if refused:
            return refused
        order = store.orders.get(number_of(order_number))
        return jsonify(order) if order else error(404, 404, f"order {order_number} not found")

    @app.patch("/v<version>/orders/<order_number>")
    def patch_order(version, order_number):
        refused = guard(version)
        if refused:
            return refused
        body = request.get_json(silent=True)
        order = store.orders.get(number_of(order_number))
        if order is None:
            return error(404, 404, f"order {order_number} not found")
        if not isinstance(body, dict):
            return error(400, 400, "body must be a JSON object")
        unknown = set(body) - PATCHABLE
        if unknown:
            return error(400, 400, f"unknown field(s): {', '.join(sorted(unknown))}")
        comments = body.get("comments")
        if comments is not None and (not isinstance(comments, dict) or set(comments) - {"internal"}
                                     or not isinstance(comments.get("internal", ""), str)):
            return error(400, 400, "comments takes only internal (a string)")
        if "status" in body:
            status = store.status(body["status"]) if isinstance(body["status"], int) else None
            if status is None:
                return error(400, 400, f"unknown order status {body['status']!r}")
            if status["credit_order"] != bool(order.get("credited_order_number")):
                return error(400, 400, f"status {body['status']} is not valid for this kind of order")
        if "reference" in body and order["business_model"] != "B2B":
            return error(400, 400, "reference is only available for B2B orders")
        with store.lock:
            if comments is not None:
                order["comments"]["internal"] = comments.get("internal", "")
            if "status" in body and body["status"] != order["status"]:
                store.set_status(order, body["status"])
            for key in ("archived", "reference", "offline_location_id"):
                if key in body:
                    order[key] = body[key]
        return jsonify(order)

    # -- test hooks: the merchant and the channel tool ---------------------------------------
    @app.post("/_emulator/orders")
    def hook_add_order():
        body = request.get_json(force=True)
        where = body.get("where", "internal_comment")
        value = body.get("value") or body.get("order_id")
        kw = {"reference": value} if where == "reference" else {
            "comments": {"internal" if where == "internal_comment" else "customer": f"Marketplace order {value}"}}
        order = store.add(lines=body.get("lines") or [{"sku": "SKU-1", "quantity": 1}], **kw)
        return jsonify(order), 201

    @app.get("/_emulator/orders/<int:number>")
    def hook_order(number):
        order = store.orders.get(number)
        return jsonify(order) if order else json_error(404)

    @app.post("/_emulator/orders/<int:number>/status")
    def hook_status(number):
        status = int(request.get_json(force=True)["status"])
        if store.status(status) is None:
            return json_error(400, f"unknown status {status}")
        store.set_status(store.orders[number], status)
        return jsonify(store.orders[number])

    @app.post("/_emulator/orders/<int:number>/credit")
    def hook_credit(number):
        body = request.get_json(silent=True) or {}
        return jsonify(store.credit(number, body.get("lines"))), 201

    from returnhub_mijnwebwinkel.emulator_admin import bp
    app.register_blueprint(bp)
    if demo:  # the store's own web-shop orders; the marketplace's orders come with seed_orders
        for n in range(1, 4):
            store.add(lines=[{"sku": f"WEB-{n}", "quantity": n}], comments={"customer": "Graag snel leveren"})
    return app


def seed_orders(app, orders: list[dict]) -> None:
    """Put the marketplace's orders in the store, their order numbers in the internal comment (the default lookup)."""
    store: Store = app.config["STORE"]
    for o in orders:
        text = f"Marketplace order {o['order_id']}"
        if any((x["comments"].get("internal") or "").startswith(text + "\n") or x["comments"].get("internal") == text
               for x in list(store.orders.values())):
            continue  # already imported by the channel tool
        store.add(lines=o.get("lines") or [{"sku": "SKU-1", "quantity": 1}],
                  comments={"internal": f"Marketplace order {o['order_id']}"})
