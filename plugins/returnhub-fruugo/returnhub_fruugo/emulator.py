"""An emulator of Fruugo's XML Order API on the hub's EmulatorApp.

What it holds the client to: HTTP Basic with the retailer's login (401 otherwise); ``GET
/orders/download[/v2]`` needs an ISO 8601 ``from`` (``to`` optional) and lists orders released in
between as Fruugo's order XML; ``POST /orders/return`` (form: ``orderId``, repeated ``item`` =
``fruugoProductId,fruugoSkuId,quantity``, optional ``returnReason``) confirms whole announced lines only:
an unknown order, line or reason, or a quantity other than the line's open announced count, is refused
(400, nothing applied).
Test hooks under ``/_emulator``.
"""
from __future__ import annotations

import base64
import random
import threading
from datetime import timedelta
from xml.sax.saxutils import escape

from flask import Flask, Response, request

from hub import clock
from hub.sdk.cursor import parse_time
from hub.testing.emulation import EmulatorApp, run_in_foreground
from returnhub_fruugo.settings import RETURN_REASONS

USERNAME = "retailer-444"
PASSWORD = "Fr7uUg0-portal-pass"
NS = "https://www.fruugo.com/orders/schema"
PRODUCTS = [("frg_l_s", "frg_l_s_green", "Fruugo Logo Sticker", "1.79"),
            ("MUG-12", "MUG-12-WHT", "Ceramic Mug 12oz, White", "8.99"),
            ("TSH-ORG", "TSH-ORG-M", "Organic Cotton T-Shirt, M", "14.50"),
            ("LMP-DSK", "LMP-DSK-BLK", "LED Desk Lamp, Black", "24.95"),
            ("BAG-CNV", "BAG-CNV-NAT", "Canvas Tote Bag", "6.40")]
NAMES = [("Darren", "Naylor"), ("Aino", "Virtanen"), ("Lucy", "Hart"), ("Tom", "Berg"), ("Eva", "Lind")]


class FruugoState:
    """The emulated retailer account: orders and the return confirmations made."""

    def __init__(self):
        self.lock = threading.RLock()
        self.orders: dict[str, dict] = {}
        self.confirmations: list[dict] = []
        self.counter = 9135311

    def seed(self, count: int, *, lines: int = 1, quantity: int = 1, announced: int | None = None,
             age: timedelta = timedelta(days=3)) -> list[dict]:
        """Add ``count`` orders released ``age`` ago whose lines have ``announced`` (default: all) units to return."""
        out = []
        with self.lock:
            for _ in range(count):
                self.counter += 1
                rnd = random.Random(self.counter)
                first, last = rnd.choice(NAMES)
                oid = f"{self.counter}001000444"
                order = {"orderId": oid, "customerOrderId": str(self.counter), "status": "SHIPPED",
                         "released": clock.now() - age - timedelta(seconds=self.counter % 3600),
                         "first": first, "last": last, "lines": []}
                for n in range(lines):
                    pid, sku, name, price = PRODUCTS[(self.counter + n) % len(PRODUCTS)]
                    order["lines"].append({"productId": pid, "skuId": sku, "skuName": name, "price": price,
                                           "fruugoProductId": str(1683731 + n), "fruugoSkuId": str(3940684 + n),
                                           "total": quantity, "announced": quantity if announced is None
                                           else announced, "returned": 0})
                self.orders[oid] = order
                out.append(order)
        return out


def _el(name: str, value) -> str:
    return f"<o:{name}>{escape(str(value))}</o:{name}>"


def order_xml(order: dict) -> str:
    """One order in Fruugo's download XML."""
    lines = "".join(
        "<o:orderLine>" + "".join(_el(k, v) for k, v in (
            ("productId", line["productId"]), ("skuId", line["skuId"]), ("skuName", line["skuName"]),
            ("fruugoProductId", line["fruugoProductId"]), ("fruugoSkuId", line["fruugoSkuId"]),
            ("currencyCode", "GBP"), ("itemPriceInclVat", line["price"]), ("totalNumberOfItems", line["total"]),
            ("pendingItems", 0), ("confirmedItems", 0), ("shippedItems", line["total"]), ("cancelledItems", 0),
            ("returnAnnouncedItems", line["announced"]), ("returnedItems", line["returned"]),
            ("itemsWithException", 0))) + "</o:orderLine>" for line in order["lines"])
    released = order["released"].isoformat(timespec="milliseconds")
    return ("<o:order>" + _el("customerOrderId", order["customerOrderId"]) + _el("orderId", order["orderId"])
            + _el("orderDate", released) + _el("orderReleaseDate", released) + _el("orderStatus", order["status"])
            + "<o:shippingAddress>" + _el("firstName", order["first"]) + _el("lastName", order["last"])
            + _el("countryCode", "GB") + _el("emailAddress", "test.order@fruugo.com") + "</o:shippingAddress>"
            + f"<o:orderLines>{lines}</o:orderLines>" + order.get("extra", "") + "</o:order>")


def orders_xml(orders: list[dict]) -> Response:
    """A download document."""
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<o:orders merchantId="444" xmlns:o="{NS}">' + "".join(order.get("raw") or order_xml(order)
                                                                 for order in orders) + "</o:orders>")
    return Response(body, mimetype="application/xml")


def refuse(status: int, message: str) -> Response:
    """Fruugo's error answer: a plain-text message."""
    return Response(message, status=status, mimetype="text/plain")


def create_app(*, demo: bool = False, state: FruugoState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds 10 orders with announced returns."""
    emu = EmulatorApp(__name__)
    app = emu.app
    state = state or FruugoState()
    app.extensions["fruugo"] = state
    if demo:
        for n in range(10):
            state.seed(1, lines=1 + n % 3, quantity=1 + n % 2, age=timedelta(hours=12 * n + 2))
    expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()

    @app.before_request
    def basic_auth():
        if not request.path.startswith("/orders/"):
            return None
        if request.headers.get("Authorization") != expected:
            response = refuse(401, "Authentication required")
            response.headers["WWW-Authenticate"] = 'Basic realm="Fruugo"'
            return response
        return None

    @app.get("/orders/download")
    @app.get("/orders/download/v2")
    def download():
        try:
            since = parse_time(request.args["from"])
            until = parse_time(request.args["to"]) if request.args.get("to") else None
        except KeyError:
            return refuse(400, "Parameter 'from' is mandatory")
        except (ValueError, TypeError):
            return refuse(400, "Parameters 'from' and 'to' are ISO 8601 dates or datetimes")
        with state.lock:
            rows = [o for o in state.orders.values()
                    if o["released"] >= since and (until is None or o["released"] < until)]
            rows.sort(key=lambda o: o["released"])
            return orders_xml(rows)

    @app.post("/orders/return")
    def confirm_return():
        oid = request.form.get("orderId", "")
        with state.lock:
            order = state.orders.get(oid)
            if not oid.isdigit() or order is None:
                return refuse(400, f"Order {oid!r} not found")
            reason = request.form.get("returnReason")
            if reason is not None and reason not in RETURN_REASONS:
                return refuse(400, f"Invalid returnReason {reason!r}; valid: {', '.join(RETURN_REASONS)}")
            lines = {(line["fruugoProductId"], line["fruugoSkuId"]): line for line in order["lines"]}
            plan = []
            items = request.form.getlist("item") or [f"{p},{s},{line['announced'] - line['returned']}"
                                                     for (p, s), line in lines.items()]
            for item in items:
                parts = item.split(",")
                if len(parts) != 3 or not parts[2].isdigit():
                    return refuse(400, f"Item {item!r} is not fruugoProductId,fruugoSkuId,quantity")
                line = lines.get((parts[0], parts[1]))
                if line is None:
                    return refuse(400, f"Order {oid} has no item {parts[0]},{parts[1]}")
                open_units = line["announced"] - line["returned"]
                if int(parts[2]) != open_units or open_units == 0:
                    return refuse(400, f"Item {parts[0]},{parts[1]}: quantity {parts[2]} is not the "
                                       f"{open_units} announced item(s); returns are confirmed per whole line")
                plan.append(line)
            for line in plan:
                line["returned"] = line["announced"]
            state.confirmations.append({"orderId": oid, "items": items, "returnReason": reason})
            return orders_xml([order])

    _hooks(emu, state)
    return app


def _hooks(emu: EmulatorApp, state: FruugoState) -> None:
    """Test hooks: seed, and break (``unknown_status``, ``missing_sku_id``, ``bad_counter``)."""
    emu.seed_hook(state.seed, lambda made: {"orders": [o["orderId"] for o in made]})
    emu.break_hook(lambda: state.seed(1)[0], {
        "unknown_status": {("status",): "TELEPORTED"},
        "missing_sku_id": {("lines", 0, "fruugoSkuId"): ""},
        "bad_counter": {("lines", 0, "returned"): "many"},
    }, lambda order: {"orderId": order["orderId"]}, lock=state.lock)



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's returns, for the demo shop."""
    state: FruugoState = app.extensions["fruugo"]
    with state.lock:
        return [{"order_id": o["orderId"], "lines": [{"sku": line["skuId"], "title": line["skuName"],
                                                      "quantity": line["total"]} for line in o["lines"]]}
                for o in state.orders.values()]


def emulator_settings(url: str) -> dict:
    """Connection settings that point the Fruugo adapter at an emulator running at ``url``."""
    return {"username": USERNAME, "password": PASSWORD, "api_base_url": url}


def main(argv=None) -> None:
    """``python -m returnhub_fruugo.emulator --port 8771``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8771, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
