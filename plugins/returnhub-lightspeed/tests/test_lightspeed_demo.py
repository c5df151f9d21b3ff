"""The demo emulator: seeded web-shop orders, and the marketplace's orders added by seed_orders once."""
from returnhub_lightspeed.emulator import create_app, seed_orders


def test_seed_orders_is_idempotent():
    app = create_app(demo=True)
    shop = app.config["SHOP"]
    assert len(shop.orders) == 3
    seed_orders(app, [{"order_id": "MO9", "lines": [{"sku": "X", "quantity": 2}]}])
    seed_orders(app, [{"order_id": "MO9"}])
    [order] = [o for o in shop.orders.values() if o["memo"] == "Marketplace order MO9"]
    assert order["products"][0]["quantityOrdered"] == 2 and len(shop.orders) == 4


def test_the_merchant_page_sets_a_status_and_adds_a_return():
    app = create_app(demo=True)
    shop = app.config["SHOP"]
    client = app.test_client()
    oid = min(shop.orders)
    assert b"Lightspeed eCom emulator" in client.get("/").data
    assert client.post(f"/_merchant/orders/{oid}/status", data={"status": "13"}).status_code == 303
    assert shop.orders[oid]["customStatusId"] == 13
    client.post(f"/_merchant/orders/{oid}/returns", data={"status": "approved"})
    assert [r["status"] for r in shop.returns.values()] == ["approved"]
