"""The conformance kit certifies the built-in ``api`` shop (and the webhook-only fixture shop), so the
core's own shops keep the contract every shop plugin is held to."""
from __future__ import annotations

import threading

import pytest
from flask import Flask, jsonify, request
from returnhub_fakehookshop.adapter import FakeHookShop
from returnhub_fakehookshop.emulator import decision_webhook

from hub.adapters import Emulator
from hub.default_plugins.api_shop.adapter import ApiShop
from hub.testing import ShopSuite
from hub.webhooks_out.signing import HEADER, verify

SECRET = "custom-shop-signing-secret"


def create_custom_shop(demo: bool = False) -> Flask:
    """A merchant's custom shop as the api shop sees it: it takes the signed "return.available" announcements."""
    app = Flask(__name__)
    state = app.config["EMULATOR"] = {"announced": [], "lock": threading.Lock()}

    @app.post("/returnhub/webhook")
    def announced():
        body = request.get_data()
        if not verify(body, request.headers.get(HEADER, ""), SECRET):
            return jsonify(error="bad signature"), 401
        with state["lock"]:
            state["announced"].append(request.get_json(force=True))
        return jsonify(ok=True), 200

    return app


CUSTOM_SHOP = Emulator(slug="api", create_app=create_custom_shop,
                       settings=lambda url: {"webhook_url": f"{url}/returnhub/webhook", "webhook_secret": SECRET})


class TestApiShopCertified(ShopSuite):
    """The api shop publishes returns to Returnhub's own inbox and announces them to the custom shop."""

    adapter = ApiShop
    emulator = CUSTOM_SHOP
    exemptions = {
        "manifest_matches_distribution": "the api shop is built into the core (hub.default_plugins), "
                                         "not a returnhub-<slug> distribution of its own",
        "check_rejects_bad_credentials": "its only secret signs what Returnhub sends; only the custom shop "
                                         "can tell a wrong one, so check() cannot",
        "find_order": "a custom shop knows its orders by the marketplace's order id (order_lookup is empty): "
                      "there is no lookup that could miss",
    }

    @pytest.fixture(autouse=True)
    def _active(self, hub):
        """The api shop's inbox is Returnhub's database: the suite runs with a Hub active."""
        return hub

    def seed_order(self, app, ret) -> None:
        """The return the api shop publishes must exist in Returnhub, in a connection of the api shop."""
        from hub.db import Connection, ReturnRow
        from hub.runtime import current
        from hub.sync.records import new_row
        from hub.testing.connections import create_connection
        hub = current()
        with hub.session() as s:
            exists = s.get(Connection, ret.connection_id) is not None
        if not exists:
            assert create_connection(hub, marketplace="kit-none", shop="api", name="kit") == ret.connection_id
        with hub.session() as s:
            if s.get(ReturnRow, ret.id) is None:
                row = new_row(ret.connection_id, ret)
                row.id = ret.id
                s.add(row)

    def kit_call(self, adapter):
        """The api shop's one outbound request: announcing a published return to the custom shop."""
        ret = self.kit_return(7)
        self.seed_order(None, ret)
        adapter.create_return(ret)

    def test_announcements_are_signed_and_reach_the_custom_shop(self, make_adapter, running):
        ret, shop_id = self.kit_in_shop(make_adapter(), running)
        assert shop_id == ret.reference
        assert [a["reference"] for a in running.app.config["EMULATOR"]["announced"]] == [ret.reference]


class TestWebhookOnlyShopCertified(ShopSuite):
    """A shop whose decisions come by webhook only passes the kit, including the webhook decision check."""

    adapter = FakeHookShop
    exemptions = {"manifest_matches_distribution": "a fixture shop shipped in the returnhub-testplugins "
                                                    "distribution beside the other fakes"}

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        for line in app.config["EMULATOR"]["returns"][shop_return_id]["lines"].values():
            line.update(decision=decision.value, decided_qty=line["quantity"])

    def decision_webhook(self, app, shop_return_id, ret):
        return decision_webhook(app, shop_return_id)
