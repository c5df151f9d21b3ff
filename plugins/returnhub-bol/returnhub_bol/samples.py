"""Realistic bol returns for the emulator (tests and the demo), and the orders behind them for the demo shop.

Reasons come from the ReturnReason table of retailer-api-v10.json; addresses are Dutch and Belgian.
"""
from __future__ import annotations

import random
import secrets
from datetime import timedelta, timezone

from hub import clock

AMSTERDAM = timezone(timedelta(hours=1))
REASONS = [
    ("Verkeerde maat of afmeting", "Te groot"), ("Verkeerde maat of afmeting", "Te klein"),
    ("Verkeerd besteld", "Dubbel besteld"), ("Artikel werkt niet", None),
    ("Klacht over artikel", "Artikel is beschadigd"), ("Klacht over de bezorging", "Verpakking is beschadigd"),
    ("Elders goedkoper", None), ("Anders", "Ik heb me bedacht"),
]
COMMENTS = ["", "Past helaas niet.", "Doos was open bij ontvangst.", "Werkt niet na 2 dagen."]
PRODUCTS = [
    ("8718469551237", "Philips Sonicare ProtectiveClean 4300 elektrische tandenborstel"),
    ("9789076174082", "Harry Potter en de steen der wijzen"),
    ("8710103917106", "Philips Airfryer XL HD9270/90"),
    ("5025155028551", "Dyson V8 Absolute steelstofzuiger"),
    ("4008496559602", "Tefal Ingenio pannenset 13-delig"),
    ("8719128519012", "Sinner heren winterjas maat L"),
    ("7290108507016", "LEGO Technic 42141 McLaren F1 raceauto"),
]
PEOPLE = [
    ("FEMALE", "Sanne", "de Vries", "Dorpstraat", "12", None, "3511AB", "Utrecht", "NL"),
    ("MALE", "Daan", "Janssen", "Keizersgracht", "241", "B", "1016EA", "Amsterdam", "NL"),
    ("FEMALE", "Emma", "Peeters", "Meir", "78", None, "2000", "Antwerpen", "BE"),
    ("MALE", "Lucas", "Bakker", "Oudegracht", "5", "bis", "9711CD", "Groningen", "NL"),
    ("UNKNOWN", "Noor", "Maes", "Veldstraat", "33", None, "9000", "Gent", "BE"),
]


def iso(moment=None) -> str:
    """A time as bol writes it: ISO 8601 with the Amsterdam offset, to the second (``hub.clock``'s now by default)."""
    return (moment or clock.now()).astimezone(AMSTERDAM).isoformat(timespec="seconds")


def customer(person: tuple) -> dict:
    """bol's CustomerDetails for one of PEOPLE (a scrambled e-mail address, as bol gives)."""
    salutation, first, last, street, number, ext, zip_code, city, country = person
    details = {"salutation": salutation, "firstName": first, "surname": last, "streetName": street,
               "houseNumber": number, "zipCode": zip_code, "city": city, "countryCode": country,
               "email": f"{secrets.token_hex(5)}@verkopen.bol.com"}
    if ext:
        details["houseNumberExtension"] = ext
    return details


def sample_return(rng: random.Random, ids: dict, *, fulfilment: str | None = None, items: int | None = None,
                  quantity: int | None = None, single_order: bool = False) -> dict:
    """One return in bol's detail shape: FBR or FBB, 1-3 items (sometimes from two orders unless
    ``single_order``), 1-3 units each; ``ids`` holds the counters for ``return``, ``rma`` and ``order`` ids."""
    person = rng.choice(PEOPLE)
    order_ids = [str(next(ids["order"]))]
    n_items = items or rng.choice([1, 1, 2, 3])
    if n_items > 1 and not single_order and rng.random() < 0.25:
        order_ids.append(str(next(ids["order"])))
    registered = clock.now() - timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 1440))
    ret = {"returnId": str(next(ids["return"])), "registrationDateTime": iso(registered),
           "fulfilmentMethod": fulfilment or ("FBB" if rng.random() < 0.3 else "FBR"), "returnItems": []}
    for ean, title in rng.sample(PRODUCTS, n_items):
        main, detailed = rng.choice(REASONS)
        reason = {"mainReason": main, "customerComments": rng.choice(COMMENTS)}
        if detailed:
            reason["detailedReason"] = detailed
        ret["returnItems"].append({
            "rmaId": str(next(ids["rma"])), "orderId": rng.choice(order_ids), "ean": ean, "title": title,
            "expectedQuantity": quantity or rng.choice([1, 1, 1, 2, 3]), "returnReason": reason,
            "trackAndTrace": f"3SBOL{rng.randint(10**9, 10**10 - 1)}",
            "transporterName": "PostNL" if person[8] == "NL" else "BPOST_BE",
            "handled": False, "processingResults": [], "customerDetails": customer(person)})
    return ret


def order_item(order_item_id: str, ean: str, title: str, quantity: int, fulfilment: str) -> dict:
    """One OrderOrderItem of retailer-api-v10.json: shipped in full, nothing cancelled."""
    price = 24.95
    return {"orderItemId": order_item_id, "cancellationRequest": False,
            "fulfilment": {"method": fulfilment, "distributionParty": "BOL" if fulfilment == "FBB" else "RETAILER",
                           "latestDeliveryDate": "2026-11-20", "timeFrameType": "REGULAR"},
            "offer": {"offerId": f"offer-{ean}", "reference": f"REF-{ean}"}, "product": {"ean": ean, "title": title},
            "quantity": quantity, "quantityShipped": quantity, "quantityCancelled": 0, "unitPrice": price,
            "totalPrice": round(price * quantity, 2), "discounts": [], "commission": 2.5,
            "latestChangedDateTime": iso()}


def orders_behind(returns: list[dict]) -> list[dict]:
    """The bol orders behind ``returns``: one per orderId, a line per returned EAN. bol's returns carry no SKU
    (offers are matched on EAN), so ``sku`` is None; the ordered quantity is the returned one."""
    orders: dict[str, dict] = {}
    for ret in returns:
        for item in ret.get("returnItems") or []:
            if isinstance(item, dict) and item.get("orderId"):
                order = orders.setdefault(str(item["orderId"]), {"order_id": str(item["orderId"]), "lines": []})
                order["lines"].append({"sku": None, "ean": item.get("ean"), "title": item.get("title"),
                                       "quantity": item.get("expectedQuantity")})
    return list(orders.values())
