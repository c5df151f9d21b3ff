"""Mijnwebwinkel certifies with the Returnhub conformance kit (hub.testing) at silver, its traffic held to the
official OpenAPI description (RETURNHUB_SPECS_DIR)."""
from returnhub_mijnwebwinkel.adapter import MijnwebwinkelShop
from returnhub_mijnwebwinkel.emulator import DEFAULT_MAPPING

from hub.model import Decision
from hub.sdk.order_ids import split_id
from hub.testing import ShopSuite

# The emulator's order status for each decision (the merchant's convention in its default settings).
STATUS_OF = {Decision(d): int(s) for s, d in (p.strip().split("=") for p in DEFAULT_MAPPING.split(","))}


class TestMijnwebwinkelConformance(ShopSuite):
    adapter = MijnwebwinkelShop

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        number, _ = split_id(shop_return_id)
        response = app.test_client().post(f"/_emulator/orders/{number}/status",
                                          json={"status": STATUS_OF[decision]})
        assert response.status_code == 200, response.get_data(as_text=True)
