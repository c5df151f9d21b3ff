"""The emulated Allegro seller account: orders (checkout forms), customer returns and payment refunds, and
how test and demo data is made."""
from __future__ import annotations

import itertools
import threading
import uuid
from datetime import timedelta
from decimal import Decimal

from hub import clock
from hub.sdk.cursor import iso

PRODUCTS = [("Słuchawki bezprzewodowe BT-500", "HP-BT500", "149.99"), ("Kubek termiczny 450 ml", "MUG-450", "39.90"),
            ("Plecak miejski 25 l", "BAG-25", "219.00"), ("Lampka biurkowa LED", "LED-DESK", "89.50"),
            ("Ładowarka USB-C 65 W", "CHG-65W", "119.00")]
REASONS = [("DONT_LIKE_IT", "Nie pasuje mi kolor"), ("DAMAGED", "Pęknięta obudowa"), ("MISTAKE", None),
           ("TOO_SMALL", "Za mały"), ("NOT_AS_DESCRIBED", "Inny model niż na zdjęciu")]
BUYERS = [("Anna", "Nowak", "Kraków", "30-001", "ul. Floriańska 12/4"),
          ("Piotr", "Wiśniewski", "Warszawa", "00-950", "ul. Marszałkowska 100"),
          ("Katarzyna", "Wójcik", "Gdańsk", "80-001", "ul. Długa 5")]


class AllegroState:
    """Everything the emulator holds, under one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.orders: dict[str, dict] = {}
        self.returns: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.commands: dict[str, tuple[dict, str]] = {}  # commandId -> (request body, refund id)
        self._n = itertools.count(1)

    def _order(self, items: list[tuple[int, int]], ordered_extra: int, created) -> dict:
        n = next(self._n)
        first, last, city, zip_code, street = BUYERS[n % len(BUYERS)]
        lines, total = [], Decimal("0")
        for offer_index, quantity in items:
            name, sku, price = PRODUCTS[offer_index % len(PRODUCTS)]
            total += Decimal(price) * (quantity + ordered_extra)
            lines.append({"id": str(uuid.uuid4()), "offer": {"id": str(7700000000 + offer_index), "name": name,
                                                              "external": {"id": sku}},
                          "quantity": quantity + ordered_extra, "originalPrice": {"amount": price, "currency": "PLN"},
                          "price": {"amount": price, "currency": "PLN"}, "boughtAt": iso(created)})
        login = f"{first.lower()}_{n}"
        return {"id": str(uuid.uuid4()), "status": "READY_FOR_PROCESSING", "lineItems": lines, "surcharges": [],
                "buyer": {"id": str(40000000 + n), "email": f"{login}@allegromail.pl", "login": login,
                          "firstName": first, "lastName": last, "guest": False, "phoneNumber": "501234567"},
                "payment": {"id": str(uuid.uuid4()), "type": "ONLINE", "provider": "P24",
                            "paidAmount": {"amount": str(total), "currency": "PLN"}},
                "delivery": {"address": {"firstName": first, "lastName": last, "street": street, "city": city,
                                         "zipCode": zip_code, "countryCode": "PL"}},
                "marketplace": {"id": "allegro-pl"},
                "summary": {"totalToPay": {"amount": str(total), "currency": "PLN"}}, "updatedAt": iso(created)}

    def make_return(self, *, items: int = 1, quantity: int = 1, ordered_extra: int = 0, status: str = "DELIVERED",
                    age: timedelta = timedelta(hours=1), fulfillment: bool = False) -> dict:
        """An order and a customer return of ``items`` different offers, ``quantity`` pieces each."""
        with self.lock:
            created = clock.now() - age
            n = next(self._n)
            order = self._order([(n + i, quantity) for i in range(items)], ordered_extra, created - timedelta(days=3))
            self.orders[order["id"]] = order
            returned = []
            for i, li in enumerate(order["lineItems"]):
                code, comment = REASONS[(n + i) % len(REASONS)]
                returned.append({"offerId": li["offer"]["id"], "quantity": quantity, "name": li["offer"]["name"],
                                 "price": dict(li["price"]), "url": f"https://allegro.pl/oferta/{li['offer']['id']}",
                                 "reason": {"type": code, **({"userComment": comment} if comment else {})}})
            ret = {"id": str(uuid.uuid4()), "isFulfillment": fulfillment, "createdAt": iso(created),
                   "referenceNumber": f"{n:04d}/Z04A", "orderId": order["id"],
                   "buyer": {"email": order["buyer"]["email"], "login": order["buyer"]["login"]},
                   "items": returned, "parcels": [{"createdAt": iso(created), "waybill": f"AD{n:08d}",
                                                   "carrierId": "ALLEGRO", "transportingWaybill": None,
                                                   "transportingCarrierId": None}],
                   "marketplaceId": "allegro-pl", "status": status}
            self.returns[ret["id"]] = ret
            return ret

    def seed(self, count: int, **kw) -> list[dict]:
        """``count`` customer returns, oldest first (each a second newer than the previous)."""
        age = kw.pop("age", timedelta(hours=1))
        return [self.make_return(age=age - timedelta(seconds=n), **kw) for n in range(count)]

    # -- what the refunds rules need -----------------------------------------------------------
    def returned_quantity(self, order_id: str, line_item: dict) -> int:
        """Pieces of a line item the buyer returned (over every customer return of the order)."""
        offer = line_item["offer"]["id"]
        return sum(int(i["quantity"]) for r in self.returns.values() if r["orderId"] == order_id
                   for i in r["items"] if i["offerId"] == offer)

    def refunded_quantity(self, line_item_id: str) -> int:
        return sum(int(li.get("quantity") or 0) for r in self.refunds.values() if r["status"] == "SUCCESS"
                   for li in r.get("lineItems") or [] if li["id"] == line_item_id)

    def settle(self, order_id: str) -> None:
        """A customer return whose items are all refunded is FINISHED (the refund has been paid)."""
        order = self.orders[order_id]
        for ret in self.returns.values():
            if ret["orderId"] != order_id or ret["status"] in ("REJECTED", "FINISHED"):
                continue
            items = {li["offer"]["id"]: li["id"] for li in order["lineItems"]}
            if all(self.refunded_quantity(items[i["offerId"]]) >= int(i["quantity"]) for i in ret["items"]
                   if i["offerId"] in items):
                ret["status"] = "FINISHED"

    def demo_orders(self) -> list[dict]:
        """The orders behind the returns, for the demo shop: one per order, a line per line item."""
        with self.lock:
            return [{"order_id": o["id"], "lines": [{"sku": li["offer"]["external"]["id"], "ean": None,
                                                     "title": li["offer"]["name"], "quantity": li["quantity"]}
                                                    for li in o["lineItems"]]} for o in self.orders.values()]
