"""Lightspeed eCom certifies with the Returnhub conformance kit (hub.testing) at silver (no public API
description exists, so the traffic check against one is skipped)."""
from returnhub_lightspeed.adapter import LightspeedShop
from returnhub_lightspeed.emulator import DEFAULT_MAPPING

from hub.model import Decision
from hub.sdk.order_ids import split_id
from hub.testing import ShopSuite

# The emulator's custom status for each decision (the merchant's convention in its default settings).
STATUS_OF = {Decision(d): int(s) for s, d in (p.strip().split("=") for p in DEFAULT_MAPPING.split(","))}


class TestLightspeedConformance(ShopSuite):
    adapter = LightspeedShop

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        order_id, _ = split_id(shop_return_id)
        response = app.test_client().post(f"/_emulator/orders/{order_id}/status",
                                          json={"customStatusId": STATUS_OF[decision]})
        assert response.status_code == 200, response.get_data(as_text=True)
