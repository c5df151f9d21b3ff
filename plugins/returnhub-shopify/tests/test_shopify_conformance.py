"""Shopify certifies with the Returnhub conformance kit (hub.testing), up to its manifest's quality."""
from returnhub_shopify.adapter import ShopifyShop

from hub.model import Decision
from hub.testing import ShopSuite

# What a merchant does in Shopify admin for each decision (the emulator's /_emulator hooks).
ADMIN_ACTIONS = {
    Decision.ACCEPTED: [("approve", {}), ("refund", {})],
    Decision.REJECTED: [("decline", {"reason": "OTHER"})],
    Decision.CANCELLED: [("cancel", {})],
    Decision.EXCHANGED: [("approve", {}), ("exchange", {"sku": "TSHIRT-BLK-L", "quantity": 1}), ("close", {})],
    Decision.REPAIRED: [("approve", {}), ("tag", {"add": ["returnhub:repaired"]}), ("close", {})],
    Decision.KEPT: [("approve", {}), ("tag", {"add": ["returnhub:kept"]}), ("refund", {})],
}


def _num(gid: str) -> str:
    return gid.rsplit("/", 1)[1]


class TestShopifyConformance(ShopSuite):
    adapter = ShopifyShop
    # The manifest names Shopify's 2025-01 Admin schema (the newest official one published): the kit
    # certifies the plugin at that version, so every document and answer is checked against it. What
    # later versions add (processed exchange quantities, webhook `uri`) is tested in test_shopify_spec.py.
    settings_overrides = {"api_version": "2025-01"}

    def seed_order(self, app, ret):
        lines = [{"sku": line.sku, "barcode": line.ean, "title": line.title, "quantity": line.quantity}
                 for line in ret.lines]
        response = app.test_client().post("/_emulator/orders", json={"name": ret.marketplace_order_id, "lines": lines})
        assert response.status_code == 201, response.get_data(as_text=True)

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        client = app.test_client()
        for action, body in ADMIN_ACTIONS[decision]:
            path = (f"/_emulator/orders/{_num(ret.shop_order_id)}/tags" if action == "tag"
                    else f"/_emulator/returns/{_num(shop_return_id)}/{action}")
            response = client.post(path, json=body)
            assert response.status_code == 200, response.get_data(as_text=True)
