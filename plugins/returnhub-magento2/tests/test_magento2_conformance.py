"""Magento 2 certifies with the Returnhub conformance kit at silver, for both editions, its traffic held
to Adobe's 2.4.9 admin REST schema (RETURNHUB_SPECS_DIR)."""
from returnhub_magento2.adapter import Magento2Shop
from returnhub_magento2.emulator import create_app, emulator_settings, seed_orders

from hub.adapters import Emulator
from hub.model import Decision
from hub.testing import ShopSuite

pytest_plugins = ["hub.testing"]

# What a merchant does in the Adobe Commerce admin for each decision: (item status, resolution) or close.
RMA_ACTIONS = {
    Decision.ACCEPTED: ("approved", "Refund"),
    Decision.REJECTED: ("rejected", None),
    Decision.EXCHANGED: ("approved", "Exchange"),
    Decision.REPAIRED: ("approved", "Repair"),
    Decision.KEPT: ("approved", "Keep"),
    Decision.CANCELLED: None,  # closed without processing the items
}


def _order_of(app, ret) -> int:
    return next(o["entity_id"] for o in app.config["STORE"].orders.values()
                if o["increment_id"] == ret.marketplace_order_id)


class TestMagento2Commerce(ShopSuite):
    adapter = Magento2Shop

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        client = app.test_client()
        action = RMA_ACTIONS[decision]
        if action is None:
            response = client.post(f"/_emulator/returns/{shop_return_id}/close")
        else:
            response = client.post(f"/_emulator/returns/{shop_return_id}/decide",
                                   json={"status": action[0], "resolution": action[1]})
        assert response.status_code == 200, response.get_data(as_text=True)


class TestMagento2OpenSource(ShopSuite):
    adapter = Magento2Shop
    emulator = Emulator("magento2", lambda demo=False: create_app(demo, edition="open_source"), emulator_settings,
                        seed_orders=seed_orders)

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        client = app.test_client()
        order = _order_of(app, ret)
        if decision in (Decision.ACCEPTED, Decision.KEPT):  # the merchant refunds: a credit memo
            assert client.post(f"/_emulator/orders/{order}/creditmemos", json={}).status_code == 200
        if decision != Decision.ACCEPTED:
            response = client.post(f"/_emulator/orders/{order}/comments", json={"comment": f"returnhub:{decision}"})
            assert response.status_code == 200
