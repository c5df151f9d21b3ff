"""Made-up orders and returned position items for the OTTO emulator, in the shapes of Orders v4 and Returns v3."""
from __future__ import annotations

import uuid
from datetime import timedelta

from hub import clock
from hub.sdk.cursor import iso

PRODUCTS = [
    ("OT-JACKE-42", "4006381333931", "Regenjacke Herren, Gr. 42", "79.99"),
    ("OT-KISSEN-2", "4012345678901", "Sofakissen 2er-Set, grau", "24.95"),
    ("OT-LAMPE-LED", "4098765432109", "LED-Stehlampe, dimmbar", "129.00"),
    ("OT-TOPF-24", "4055555555555", "Kochtopf Edelstahl 24 cm", "49.50"),
    ("OT-SNEAK-44", "4066666666666", "Sneaker Damen, Gr. 39", "64.90"),
]
RETURN_REASONS = ("DOES_NOT_FIT", "DAMAGED")  # the customer reasons the emulator's announced items carry
NAMES = [("Anna", "Schmidt", "Lindenstraße", "12", "20095", "Hamburg"),
         ("Jonas", "Becker", "Hauptstraße", "7a", "80331", "München"),
         ("Mia", "Wagner", "Gartenweg", "3", "50667", "Köln")]


def make_order(state, units: int, *, same_product: bool, n: int) -> dict:
    """An order (PartnerOrder, Orders v4) with ``units`` position items, all sent."""
    first, last, street, number, zip_code, city = NAMES[n % len(NAMES)]
    address = {"salutation": "MS" if n % 2 else "MR", "firstName": first, "lastName": last, "street": street,
               "houseNumber": number, "zipCode": zip_code, "city": city, "countryCode": "DEU",
               "email": f"{first.lower()}.{last.lower()}@example.org"}
    now = clock.now()
    positions = []
    for k in range(units):
        sku, ean, title, price = PRODUCTS[(n if same_product else n + k) % len(PRODUCTS)]
        positions.append({
            "positionItemId": str(uuid.uuid4()), "fulfillmentStatus": "SENT",
            "itemValueGrossPrice": {"amount": float(price), "currency": "EUR"},
            "product": {"sku": sku, "ean": ean, "productTitle": title, "articleNumber": sku.split("-")[1]},
            "sentDate": iso(now - timedelta(days=5)), "returnAcceptedByMarketplace": False})
    order = {"salesOrderId": str(uuid.uuid4()), "orderNumber": f"o{state.take_number():09d}",
             "orderDate": iso(now - timedelta(days=7)), "lastModifiedDate": iso(now),
             "orderLifecycleInformation": {"lifecycleChangeDate": iso(now)},
             "deliveryAddress": address, "invoiceAddress": {**address, "email": "pseudonym@otto.example"},
             "positionItems": positions}
    state.orders[order["salesOrderId"]] = order
    return order


def make_return(state, units: int = 1, *, status: str = "ANNOUNCED", same_product: bool = False,
                age: timedelta = timedelta(minutes=1), warehouse: str = "OTTO-HH-7") -> dict:
    """A new order whose position items the customer returns (``status`` ANNOUNCED or MISDIRECTED)."""
    n = state.take_number()
    order = make_order(state, units, same_product=same_product, n=n)
    when = iso(clock.now() - age)
    tracking = f"0034{n:010d}"
    for position in order["positionItems"]:
        details = {"reason": RETURN_REASONS[0] if n % 2 else RETURN_REASONS[1], "orderNumber": order["orderNumber"],
                   "returnTrackingKey": {"carrier": "DHL", "trackingNumbers": [tracking]}}
        if status == "MISDIRECTED":
            details["ottoWarehouseID"] = warehouse
        state.items[position["positionItemId"]] = {
            "positionItemId": position["positionItemId"], "salesOrderId": order["salesOrderId"], "status": status,
            "occurredTime": when, "details": details}
    return order
