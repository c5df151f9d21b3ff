"""ShopSuite: certifies a shop plugin against its emulator (docs/architecture.md, Conformance kit)."""
from __future__ import annotations

import secrets as _secrets

import pytest

from hub import clock
from hub.errors import AuthError
from hub.model import Address, Customer, Decision, Line, Return
from hub.testing.kit.base import PluginSuite, fail, login, tier
from hub.testing.kit.leaks import LogCapture, find, page_text, redis_findings


class ShopSuite(PluginSuite):
    """Subclass with ``adapter = YourShop`` (and ``emulator = ...`` unless your plugin registers one).

    Hooks into your emulator:

    * ``seed_order(self, app, ret)`` — make the order behind ``ret`` (its ``marketplace_order_id``
      and lines) exist in the emulator, findable by your default order lookup. The default uses
      the emulator's ``seed_orders``;
    * ``decide_in_shop(self, app, shop_return_id, ret, decision)`` — play the merchant: decide
      every line of the return in the emulator (silver: the decision round trip);
    * ``decision_webhook(self, app, shop_return_id, ret)`` — for a shop whose decisions come by
      webhook only: the ``(headers, body)`` the shop sends once the return is decided (silver).
    """

    kind = "shop"
    decide_in_shop = None
    decision_webhook = None

    def seed_order(self, app, ret: Return) -> None:
        emulator = type(self).kit_emulator()
        if emulator is None or emulator.seed_orders is None:
            fail("seed_order", "the suite cannot add an order to your emulator",
                 f"define seed_order(self, app, ret) on {type(self).__name__}, or give your Emulator "
                 "a seed_orders(app, orders) function")
        emulator.seed_orders(app, [{"order_id": ret.marketplace_order_id, "lines": [
            {"sku": line.sku, "ean": line.ean, "title": line.title, "quantity": line.quantity} for line in ret.lines]}])

    @staticmethod
    def kit_return(n: int = 1) -> Return:
        """A realistic canonical return with two lines, as the core hands it to a shop."""
        tag = _secrets.token_hex(3).upper()
        return Return(
            external_id=f"KIT{tag}", marketplace_order_id=f"KIT{tag}{n}", requested_at=clock.now(),
            customer=Customer(name="Sanne de Vries", email="sanne@example.com", address=Address(
                street="Kerkstraat", house_number="12", postal_code="1017 GC", city="Amsterdam", country_code="NL")),
            lines=[Line(external_line_id=f"KIT{tag}-1", quantity=1, sku="TSHIRT-BLK-M", ean="8712345678906",
                        title="T-shirt zwart M", unit_price=None),
                   Line(external_line_id=f"KIT{tag}-2", quantity=2, sku="MUG-WHT-350", ean="8712345678913",
                        title="Mok wit 350 ml")],
            id=n, connection_id=1)

    def kit_in_shop(self, adapter, running, n: int = 1) -> tuple[Return, str]:
        """A return whose order is in the shop, created there as the core does; (return, shop id)."""
        ret = self.kit_return(n)
        self.seed_order(running.app, ret)
        ret.shop_order_id = adapter.find_order(ret)
        if not ret.shop_order_id:
            fail("find_order", f"find_order did not find order {ret.marketplace_order_id} seeded with seed_order",
                 "make seed_order create the order where your default order lookup finds it")
        ret.shop_return_id = adapter.create_return(ret)
        return ret, ret.shop_return_id

    def kit_workload(self, make_adapter, running) -> None:
        """check(), an order found and a return created in the shop, and a poll for decisions."""
        adapter = make_adapter()
        self.kit_call(adapter)
        ret, _ = self.kit_in_shop(adapter, running)
        if self.kit_manifest().capabilities.polls_decisions:
            adapter.fetch_decisions([ret], None)

    # -- bronze ---------------------------------------------------------------------------------
    @tier("bronze")
    def test_find_order(self, make_adapter, running):
        adapter = make_adapter()
        ret = self.kit_return()
        self.seed_order(running.app, ret)
        if not adapter.find_order(ret):
            fail("find_order", f"find_order gave {adapter.find_order(ret)!r} for a seeded order",
                 "look the order up by ret.marketplace_order_id the way your default settings say")
        missing = self.kit_return(2)
        found = adapter.find_order(missing)
        if found is not None:
            fail("find_order", f"find_order gave {found!r} for an order that does not exist",
                 "return None when the order is not (yet) in the shop: the core then waits and retries")

    @tier("bronze")
    def test_create_return_once(self, make_adapter, running):
        ret, first = self.kit_in_shop(make_adapter(), running)
        again = make_adapter().create_return(ret)
        if not first or again != first:
            fail("create_return_once", f"creating the same return twice gave {first!r} and {again!r}",
                 "before creating, look the return up by ret.reference (stored in the shop) and give "
                 "the existing id: jobs run at least once, a retry must not create a second return")

    @tier("bronze")
    def test_secrets_never_leak(self, hub, running):
        from hub.accounts import create_user
        from hub.app import create_app
        from hub.connections import build_adapter
        from hub.db import Connection
        from hub.sync.jobs import _connection_error
        from hub.testing.connections import create_connection
        settings = self.kit_settings(running)
        secrets = self.kit_secrets(settings)
        if not secrets:
            pytest.skip("[secrets_never_leak] not applicable: the plugin has no secret settings")
        with LogCapture() as logs:
            cid = create_connection(hub, marketplace="kit-none", shop=self.adapter.slug, shop_settings=settings,
                                    merchant="Kit merchant", name="kit")
            with hub.session() as s:
                conn = s.get(Connection, cid)
                s.expunge(conn)
            adapter = build_adapter(hub, conn, "shop")
            try:
                adapter.check()
                ret, _ = self.kit_in_shop(adapter, running)
                adapter.fetch_decisions([ret], None) if type(adapter).polls_decisions else None
                running.faults.inject(401, count=1000)
                try:
                    adapter.check()
                except Exception as exc:
                    _connection_error(hub, conn.id, exc)
            finally:
                running.faults.clear()
                adapter.close()
        problems = logs.findings(secrets) + redis_findings(hub.redis, secrets)
        create_user(hub, email="kit@example.com", password="kit password 1", merchant_name="Kit merchant")
        client = create_app(hub=hub).test_client()
        login(client, "kit@example.com", "kit password 1")
        for path in ["/", "/connections/", "/plugins/"]:
            problems += [f"secret '{n}' in the page {path}" for n in find(page_text(client, path), secrets)]
        if problems:
            fail("secrets_never_leak", "; ".join(problems[:5]),
                 "never log settings or put them in error messages or jobs; jobs take only ids")

    # -- silver ---------------------------------------------------------------------------------
    @tier("silver")
    def test_decisions_round_trip(self, make_adapter, running, manifest):
        caps = manifest.capabilities
        by_webhook = caps.webhook_decisions and not caps.polls_decisions
        if not caps.polls_decisions and not by_webhook:
            pytest.skip("[decisions_round_trip] not applicable: the shop reports decisions through the API")
        if not callable(self.decide_in_shop):
            fail("decisions_round_trip", "the suite cannot play the merchant in your emulator",
                 f"define decide_in_shop(self, app, shop_return_id, ret, decision) on {type(self).__name__}")
        if by_webhook and not callable(self.decision_webhook):
            fail("decisions_round_trip", "the suite cannot get the webhook your shop sends for a decision",
                 f"define decision_webhook(self, app, shop_return_id, ret) on {type(self).__name__}, giving "
                 "the (headers, body) your emulator sends once the return is decided")
        adapter = make_adapter()
        for n, decision in enumerate(caps.decisions, start=1):
            ret, shop_id = self.kit_in_shop(adapter, running, n)
            self.decide_in_shop(running.app, shop_id, ret, Decision(decision))
            if by_webhook:
                result = adapter.parse_webhook(*self.decision_webhook(running.app, shop_id, ret))
                got = {ld.external_line_id: ld.decision for ld in (result.decisions or {}).get(str(shop_id), [])}
                how = "the webhook's WebhookResult.decisions gave"
                fix = ("a shop whose decisions come by webhook only is never polled: parse_webhook must give "
                       "WebhookResult.decisions = {shop_return_id: [LineDecision, ...]}, one per line")
            else:
                reports = [r for r in adapter.fetch_decisions([ret], None) if r.return_id == ret.id]
                got = {ld.external_line_id: ld.decision for r in reports for ld in r.lines}
                how = "fetch_decisions reported"
                fix = ("map every decision the manifest lists from the shop's vocabulary, one LineDecision per "
                       "line, with return_id = ret.id")
            wrong = {line.external_line_id: got.get(line.external_line_id) for line in ret.lines
                     if got.get(line.external_line_id) != Decision(decision)}
            if wrong:
                fail("decisions_round_trip", f"the merchant decided '{decision}' in the shop; {how} {wrong}", fix)

    @tier("silver")
    def test_webhook_signature_verified(self, make_adapter, manifest):
        if not manifest.capabilities.webhook_decisions:
            pytest.skip("[webhook_signature_verified] not applicable: the shop declares no webhooks")
        adapter = make_adapter()
        body = b'{"id": 1, "return_ids": ["1"], "delivery_id": "kit"}'
        forged = {"X-Signature": "0" * 64, "X-Hub-Signature-256": "sha256=" + "0" * 64,
                  "X-Shopify-Hmac-Sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "X-Webhook-Id": "kit"}
        for headers in ({}, forged):
            try:
                adapter.parse_webhook(headers, body)
            except AuthError:
                continue
            except Exception as exc:
                fail("webhook_signature_verified", f"a webhook with a forged signature raised "
                     f"{type(exc).__name__}: {exc}", "verify the signature first and raise hub.errors.AuthError")
            fail("webhook_signature_verified", "a webhook with a forged signature was accepted",
                 "verify the signature over the raw body with hmac.compare_digest before reading it")
