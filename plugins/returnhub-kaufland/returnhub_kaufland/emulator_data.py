"""Realistic Kaufland returns for the emulator: returns, their units and the order units behind them."""
from __future__ import annotations

import random
from datetime import timedelta

from hub import clock
from hub.sdk.cursor import iso

PRODUCTS = [
    ("Bosch Akku-Bohrschrauber 18V", ["4059952513478"], 8999, "BOSCH-BS18"),
    ("Tefal Pfanne 28 cm", ["3168430295672", "168430295672"], 3499, "TEFAL-P28"),
    ("Philips Sonicare Zahnbürste", ["8710103876250"], 7990, "PH-SONIC-3"),
    ("LEGO Technic Bagger", ["5702016914405"], 11999, "LEGO-42121"),
    ("Salomon Laufschuh Gr. 43", ["0195751213457"], 12995, "SAL-RUN-43"),
    ("WMF Messerset 5-teilig", ["4000530712345"], 5990, "WMF-KS5"),
]
PEOPLE = [
    ("Anna", "Schmidt", "Hauptstraße", "12", "10115", "Berlin", "DE", "+49301234567"),
    ("Lukas", "Novák", "Vinohradská", "8", "12000", "Praha", "CZ", "+420601234567"),
    ("Marie", "Huber", "Mariahilfer Straße", "45", "1060", "Wien", "AT", None),
    ("Jonas", "Weber", "Königsallee", "3a", "40212", "Düsseldorf", "DE", "+492111234567"),
]
REASONS = ["wrong_size", "defect", "dislike", "delivered_damaged", "better_price", "no_reason"]
CURRENCY = {"de": "EUR", "at": "EUR", "sk": "EUR", "fr": "EUR", "it": "EUR", "cz": "CZK", "pl": "PLN"}


def _address(person, company=None) -> dict:
    first, last, street, number, postcode, city, country, phone = person
    return {"first_name": first, "last_name": last, "company_name": company, "street": street,
            "house_number": number, "postcode": postcode, "additional_field": None, "city": city,
            "phone": phone, "country": country}


def make_return(state, *, storefront: str = "de", units: int | None = None, same_product: bool = False,
                unit_status: str = "return_arrived", status: str = "package_received",
                fulfillment_type: str = "fulfilled_by_merchant", age: timedelta = timedelta(0)) -> dict:
    """Add one return (with its units and order units) to ``state``; give the return."""
    rnd = random.Random(state.next_id)
    id_return = state.take_id()
    created = clock.now() - age
    person = PEOPLE[rnd.randrange(len(PEOPLE))]
    id_order = f"M{id_return:07X}"
    buyer = {"id_buyer": 21000000 + id_return % 100000, "email": f"{person[0].lower()}.{id_return}@example.com"}
    count = units or rnd.randint(1, 3)
    product = PRODUCTS[rnd.randrange(len(PRODUCTS))]
    reason = rnd.choice(REASONS)
    ret = {"id_return": id_return, "ts_created_iso": iso(created), "ts_updated_iso": iso(created),
           "storefront": storefront, "tracking_provider": "DHL", "tracking_code": f"00340434{id_return:010d}",
           "status": status, "fulfillment_type": fulfillment_type, "buyer": buyer, "unit_ids": []}
    for _ in range(count):
        if not same_product:
            product = PRODUCTS[rnd.randrange(len(PRODUCTS))]
            reason = rnd.choice(REASONS)
        title, eans, price, offer = product
        id_order_unit = state.take_id()
        state.order_units[id_order_unit] = {
            "id_order_unit": id_order_unit, "id_order": id_order, "ts_created_iso": iso(created - timedelta(days=9)),
            "is_marketplace_deemed_supplier": False, "ts_updated_iso": iso(created), "status": "returned",
            "price": price, "id_offer": offer, "revenue_gross": price, "revenue_net": round(price / 1.19),
            "note": None, "unit_condition": "new", "storefront": storefront,
            "currency": CURRENCY.get(storefront, "EUR"), "delivery_time_min": 2, "delivery_time_max": 4,
            "delivery_time_expires_iso": None, "order_received_timestamp_iso": iso(created - timedelta(days=9)),
            "shipping_rate": 490, "cancel_reason": None, "fulfillment_type": fulfillment_type, "buyer": buyer,
            "billing_address": _address(person), "shipping_address": _address(person),
            "product": {"id_product": 300000000 + PRODUCTS.index(product), "storefront": storefront,
                        "title": title, "eans": eans, "id_category": 34401,
                        "main_picture": "https://media.cdn.kaufland.de/product-images/1024x1024/example.jpg",
                        "manufacturer": title.split()[0], "url": "https://www.kaufland.de/product/1/",
                        "age_rating": 0, "is_valid": True, "dangerous_goods_li_shipping": None,
                        "danger_label_9A": None},
            "vat": 19}
        id_unit = state.take_id()
        state.units[id_unit] = {"id_return_unit": id_unit, "id_return": id_return, "id_order_unit": id_order_unit,
                                "ts_created_iso": iso(created), "status": unit_status,
                                "note": "Passt leider nicht" if reason == "wrong_size" else None,
                                "reason": reason, "storefront": storefront, "fulfillment_type": fulfillment_type}
        ret["unit_ids"].append(id_unit)
    state.returns[id_return] = ret
    return ret
