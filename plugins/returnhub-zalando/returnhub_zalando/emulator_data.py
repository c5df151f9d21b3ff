"""Made-up Zalando partner orders (JSON:API Order/OrderItem/OrderLine) and ZRS returned items for the emulator."""
from __future__ import annotations

import uuid
from datetime import timedelta

from hub import clock
from hub.sdk.cursor import iso

ARTICLES = [("ZA-DRESS-38", "4061234567890", "Sommerkleid, Gr. 38", "59.95"),
            ("ZA-SNEAK-42", "4062345678901", "Sneaker Low, Gr. 42", "89.00"),
            ("ZA-JEANS-32", "4063456789012", "Slim Jeans W32/L32", "69.90"),
            ("ZA-SHIRT-M", "4064567890123", "T-Shirt Basic, M", "19.99")]
NAMES = [("Lena", "Fischer", "Bergstraße 4", "10115", "Berlin"), ("Tom", "Weber", "Marktplatz 9", "01067", "Dresden")]


def make_order(state, lines: int = 1, *, status: str = "shipped", age: timedelta = timedelta(days=3)) -> dict:
    """A fulfilled, exported PartnerFulfilled order with ``lines`` order lines (one unit each) in ``status``."""
    n = state.take_number()
    first, last, street, zip_code, city = NAMES[n % len(NAMES)]
    when = iso(clock.now() - age)
    order_id = str(uuid.uuid4())
    items = []
    for k in range(lines):
        sku, ean, title, price = ARTICLES[(n + k) % len(ARTICLES)]
        line_id, item_id = str(uuid.uuid4()), str(uuid.uuid4())
        state.lines[line_id] = {"type": "OrderLine", "id": line_id, "attributes": {
            "order_line_id": line_id, "status": status, "price_amount": float(price), "price_currency": "EUR",
            "last_updated": when}}
        state.items[item_id] = {"type": "OrderItem", "id": item_id, "attributes": {
            "order_item_id": item_id, "article_id": sku, "ean": ean, "description": title, "quantity_initial": 1},
            "relationships": {"order_lines": {"data": [{"type": "OrderLine", "id": line_id}]}}}
        items.append(item_id)
    order = {"type": "Order", "id": order_id, "attributes": {
        "order_id": order_id, "order_number": f"10{n:09d}", "merchant_order_id": f"M-{n}", "status": "fulfilled",
        "order_type": "PartnerFulfilled", "exported": True, "created_at": when, "modified_at": when,
        "customer_email": f"{first.lower()}.{last.lower()}@example.org",
        "shipping_address": {"first_name": first, "last_name": last, "address_line_1": street,
                             "zip_code": zip_code, "city": city, "country_code": "DE"}},
        "relationships": {"order_items": {"data": [{"type": "OrderItem", "id": i} for i in items]}}}
    state.orders[order_id] = order
    return order


def make_zrs_item(state, *, days_ago: int = 1, reason: str = "SIZE_SMALL") -> dict:
    """An item a Zalando return centre received ``days_ago`` days ago (never today: ZRS data is a day late)."""
    n = state.take_number()
    sku, ean, title, _ = ARTICLES[n % len(ARTICLES)]
    row = {"id": f"zrs-{n:08d}", "order_number": f"10{n:09d}", "ean": ean, "sku": sku, "article_name": title,
           "quantity": 1, "return_reason": reason, "return_center": "ZRC-ERFURT",
           "returned_date": (clock.now() - timedelta(days=days_ago)).date().isoformat()}
    state.zrs.append(row)
    return row
