"""MarketplaceSuite: certifies a marketplace plugin against its emulator (docs/architecture.md, Conformance kit)."""
from __future__ import annotations

from typing import ClassVar

import pytest
from marshmallow import ValidationError

from hub.model import Decision, Page, Quarantined, load_return
from hub.testing.kit.base import PluginSuite, fail, login, tier
from hub.testing.kit.leaks import LogCapture, find, page_text, redis_findings


class MarketplaceSuite(PluginSuite):
    """Subclass with ``adapter = YourMarketplace`` (and ``emulator = ...`` unless your plugin registers one).

    Optional hooks into your emulator, needed by the silver checks:

    * ``seed_returns(self, app, count)`` — add ``count`` new, undecided, merchant-fulfilled returns
      to the emulator ``app`` (pagination, and fresh returns for the decision round trip);
    * ``pushed_decisions(self, app, ret)`` — the decisions the emulator recorded for return ``ret``,
      ``{external_line_id: Decision}``, read back through your plugin's own mapping.
    """

    kind = "marketplace"
    sample_size: ClassVar[int] = 5
    pagination_count: ClassVar[int] = 120
    seed_returns = None
    pushed_decisions = None
    reason_samples: ClassVar[list[tuple[str | None, str | None]]] = []  # (code, text) pairs the emulator
    # can send beyond the returns one poll finds: its whole reason vocabulary, for the reasons_mapped check

    def kit_seeds(self) -> bool:
        return callable(self.seed_returns)

    def kit_prepare(self, running) -> None:
        if self.kit_seeds():
            self.seed_returns(running.app, self.sample_size)

    def kit_poll(self, adapter, check: str, max_pages: int = 100) -> list[Page]:
        """Every page of one poll, following the cursor as the core does."""
        pages, cursor = [], None
        for _ in range(max_pages):
            page = adapter.fetch_returns(cursor)
            if not isinstance(page, Page):
                fail(check, f"fetch_returns gave {type(page).__name__}, not a hub.model.Page",
                     "return Page(items=[...], cursor=..., more=...)")
            pages.append(page)
            cursor = page.cursor
            if not page.more:
                return pages
        fail(check, f"a poll did not finish after {max_pages} pages (more=True every time)",
             "set Page.more to False on the last page")

    def kit_workload(self, make_adapter, running) -> None:
        """check(), a full poll, and (when the marketplace takes decisions) one decision pushed."""
        adapter = make_adapter()
        self.kit_call(adapter)
        pages = self.kit_poll(adapter, "traffic_matches_api_description")
        caps = self.kit_manifest().capabilities
        if not caps.push_decision or not caps.decisions:
            return
        items = [i for p in pages for i in p.items if isinstance(i, dict)]
        rets = [r for r in map(load_return, items) if r.fulfilment.value == "merchant"]
        if rets:
            ret = rets[-1]
            ret.id, ret.connection_id = 1, 1
            for line in ret.lines:
                line.decision, line.decision_quantity = Decision(caps.decisions[0]), line.quantity
            adapter.push_decision(ret, ret.lines)

    @staticmethod
    def kit_ids(pages: list[Page]) -> list[str]:
        return [str(i["external_id"]) for p in pages for i in p.items
                if isinstance(i, dict) and i.get("external_id") is not None]

    def kit_connection(self, hub, settings: dict) -> int:
        """A merchant and a connection of the plugin under test, settings stored as the core stores them."""
        from hub.testing.connections import create_connection
        return create_connection(hub, marketplace=self.adapter.slug, marketplace_settings=settings,
                                 shop="kit-none", merchant="Kit merchant", name="kit")

    # -- bronze ---------------------------------------------------------------------------------
    @tier("bronze")
    def test_returns_validate(self, make_adapter):
        pages = self.kit_poll(make_adapter(), "returns_validate")
        items = [i for p in pages for i in p.items]
        if not items:
            fail("returns_validate", "the poll found no returns in the emulator",
                 "seed returns in create_app(demo=True), or define seed_returns(self, app, count)")
        for item in items:
            if isinstance(item, Quarantined):
                fail("returns_validate", f"the emulator's return {item.external_id} was quarantined: "
                     f"{item.reason}", "map every field your emulator sends; quarantine only data the "
                     "real platform can send but the hub cannot hold")
            try:
                load_return(item)
            except ValidationError as exc:
                fail("returns_validate", f"return {item.get('external_id') if isinstance(item, dict) else item!r}"
                     f" does not match the canonical schema: {exc.messages}",
                     "build each item as hub.model.ReturnSchema expects (docs/architecture.md, The canonical return)")

    @tier("bronze")
    def test_reasons_mapped(self, make_adapter):
        """The plugin declares its reason mapping, and every return reason its emulator can send (those a
        poll finds and the suite's ``reason_samples``, the emulator's whole vocabulary) maps to a canonical
        reason (``hub.model.Reason``)."""
        from hub.model.reasons import canonical
        from hub.reasons import declared_map, reason_map
        if declared_map(self.adapter) is None:
            fail("reasons_mapped", "the plugin declares no mapping of its return reasons, so the dashboard and "
                 "the overview file every one of them under 'other'",
                 "add REASONS to your package's reasons.py (code or text -> a hub.model.Reason value; "
                 "REASONS = {} when the platform sends no reason); docs/writing-plugins.md, Return reasons")
        mapping = reason_map(self.adapter)
        polled = {(line.get("reason_code"), line.get("reason_text"))
                  for page in self.kit_poll(make_adapter(), "reasons_mapped") for item in page.items
                  if isinstance(item, dict) for line in item.get("lines") or []}
        polled.discard((None, None))
        samples = set(self.reason_samples or ())
        if mapping and not samples:
            fail("reasons_mapped", "the suite lists no reason_samples, so reasons the emulator can send but this "
                 "poll did not find are not checked", "set reason_samples to the emulator's reason vocabulary "
                 "(e.g. [(code, None) for code in emulator.REASONS])")
        unmapped = sorted({pair for pair in polled | samples if pair != (None, None)
                           and canonical(mapping, *pair) is None}, key=str)
        if unmapped:
            fail("reasons_mapped", f"return reasons without a canonical reason: {unmapped[:6]}",
                 "add them to REASONS in your package's reasons.py (code or text -> a hub.model.Reason value; "
                 "docs/writing-plugins.md, Return reasons)")

    @tier("bronze")
    def test_external_ids_stable(self, make_adapter):
        first = self.kit_ids(self.kit_poll(make_adapter(), "external_ids_stable"))
        second = self.kit_ids(self.kit_poll(make_adapter(), "external_ids_stable"))
        if set(first) != set(second):
            changed = sorted(set(first) ^ set(second))[:4]
            fail("external_ids_stable", f"fetching the same returns twice gave different external_ids "
                 f"(e.g. {changed})", "derive external_id from the platform's own return id only — never "
                 "from the time, a counter or a random value — so a return is stored once")

    @tier("silver")
    def test_order_lookup(self, make_adapter):
        """Declared ``fetch_order``: the order of a fetched return has its lines (by line id, SKU or EAN), and an
        order the platform does not know gives None (its 404), not an error."""
        from hub.model import Order
        if not self.kit_manifest().capabilities.fetch_order:
            pytest.skip("the manifest does not declare fetch_order (registering a return by hand is not offered)")
        adapter = make_adapter()
        items = [i for p in self.kit_poll(adapter, "order_lookup") for i in p.items if isinstance(i, dict)]
        if not items:
            fail("order_lookup", "the emulator gave no return to look the order of up",
                 "seed returns in seed_returns(app, count)")
        ret = load_return(items[0])
        order = adapter.fetch_order(ret.marketplace_order_id)
        if not isinstance(order, Order):
            fail("order_lookup", f"fetch_order({ret.marketplace_order_id!r}) gave {type(order).__name__}, not a "
                 "hub.model.Order", "build it with hub.model.load_order(...)")
        keys = {(k, getattr(line, k)) for line in order.lines for k in ("external_line_id", "sku", "ean")
                if getattr(line, k)}
        missing = [line.external_line_id for line in ret.lines
                   if not {(k, getattr(line, k)) for k in ("external_line_id", "sku", "ean")} & keys]
        if missing:
            fail("order_lookup", f"order {order.order_id} lacks the returned line(s) {missing[:4]}",
                 "give every order line with the id the platform's returns use (external_line_id), SKU and EAN")
        if adapter.fetch_order("returnhub-kit-no-such-order") is not None:
            fail("order_lookup", "fetch_order of an unknown order gave an order",
                 "answer None when the platform says 404")

    @tier("bronze")
    def test_upsert_no_duplicates(self, make_adapter, hub, running):
        from sqlalchemy import func, select

        from hub.db import ReturnRow
        from hub.sync.importing import import_page
        cid = self.kit_connection(hub, self.kit_settings(running))
        ids = set()
        new_again = 0
        for round_ in range(2):
            for page in self.kit_poll(make_adapter(), "upsert_no_duplicates"):
                ids |= set(self.kit_ids([page]))
                result = import_page(hub, cid, page, "kit")
                new_again += result.new if round_ else 0
        with hub.session() as s:
            stored = s.scalar(select(func.count()).select_from(ReturnRow).where(ReturnRow.connection_id == cid))
        if new_again or stored != len(ids):
            fail("upsert_no_duplicates", f"storing two polls of the same data gave {stored} returns for "
                 f"{len(ids)} distinct external_ids ({new_again} new on the second poll)",
                 "give each return the same external_id on every fetch")

    @tier("bronze")
    def test_secrets_never_leak(self, hub, running):
        from hub.accounts import create_user
        from hub.app import create_app
        from hub.sync import jobs
        settings = self.kit_settings(running)
        secrets = self.kit_secrets(settings)
        if not secrets:
            pytest.skip("[secrets_never_leak] not applicable: the plugin has no secret settings")
        with LogCapture() as logs:
            cid = self.kit_connection(hub, settings)
            jobs.poll_marketplace(cid)
            running.faults.inject(401, count=1000)
            jobs.poll_marketplace(cid)
            running.faults.clear()
        problems = logs.findings(secrets) + redis_findings(hub.redis, secrets)
        create_user(hub, email="kit@example.com", password="kit password 1", merchant_name="Kit merchant")
        client = create_app(hub=hub).test_client()
        login(client, "kit@example.com", "kit password 1")
        from hub.db import ReturnRow
        with hub.session() as s:
            return_ids = [r.id for r in s.query(ReturnRow).filter_by(connection_id=cid).limit(5)]
        for path in ["/", "/connections/", "/plugins/", "/returns/export.csv"] + [f"/returns/{i}" for i in return_ids]:
            problems += [f"secret '{n}' in the page {path}" for n in find(page_text(client, path), secrets)]
        if problems:
            fail("secrets_never_leak", "; ".join(problems[:5]),
                 "never log settings or put them in error messages, jobs or raw data: jobs take only ids "
                 "(the job builds its adapter with hub.connections.build_adapter), and the core's HTTP "
                 "client already redacts credentials in its own logs")

    # -- silver ---------------------------------------------------------------------------------
    @tier("silver")
    def test_pagination_reaches_every_return(self, make_adapter, running):
        if not callable(self.seed_returns):
            fail("pagination_reaches_every_return", "the suite cannot add returns to your emulator",
                 f"define seed_returns(self, app, count) on {type(self).__name__}, adding `count` returns "
                 "to the emulator app")
        before = set(self.kit_ids(self.kit_poll(make_adapter(), "pagination_reaches_every_return")))
        self.seed_returns(running.app, self.pagination_count)
        pages = self.kit_poll(make_adapter(), "pagination_reaches_every_return")
        after = set(self.kit_ids(pages))
        if len(after) != len(before) + self.pagination_count or not before <= after:
            fail("pagination_reaches_every_return", f"after adding {self.pagination_count} returns a poll "
                 f"found {len(after)} returns, expected {len(before) + self.pagination_count}",
                 "follow the platform's pagination to the end: set Page.more while pages remain and give "
                 "a cursor that resumes at the next page")
        if len(pages) < 2:
            fail("pagination_reaches_every_return", f"all {len(after)} returns came in one page, so "
                 "pagination was not exercised", "raise pagination_count above your page size")

    @tier("silver")
    def test_decisions_round_trip(self, make_adapter, running, manifest):
        decisions = manifest.capabilities.decisions
        if not manifest.capabilities.push_decision:
            pytest.skip("[decisions_round_trip] not applicable: the marketplace takes no decisions")
        if not callable(self.pushed_decisions):
            fail("decisions_round_trip", "the suite cannot read back what your emulator recorded",
                 f"define pushed_decisions(self, app, ret) on {type(self).__name__}, giving "
                 "{external_line_id: Decision} read through your plugin's mapping")
        if callable(self.seed_returns):
            self.seed_returns(running.app, len(decisions))
        items = [i for p in self.kit_poll(make_adapter(), "decisions_round_trip") for i in p.items
                 if isinstance(i, dict)]
        rets = [r for r in map(load_return, items) if r.fulfilment.value == "merchant"]
        if len(rets) < len(decisions):
            fail("decisions_round_trip", f"{len(decisions)} merchant-fulfilled returns are needed, the "
                 f"emulator has {len(rets)}", "define seed_returns(self, app, count) or seed more in demo mode")
        adapter = make_adapter()
        for n, (decision, ret) in enumerate(zip(decisions, rets[-len(decisions):]), start=1):
            ret.id, ret.connection_id = n, 1
            for line in ret.lines:
                line.decision, line.decision_quantity = Decision(decision), line.quantity
            try:
                adapter.push_decision(ret, ret.lines)
                adapter.push_decision(ret, ret.lines)  # again, as after a crash: must be harmless
            except Exception as exc:
                fail("decisions_round_trip", f"pushing '{decision}' for return {ret.external_id} raised "
                     f"{type(exc).__name__}: {exc}", "map every decision the manifest lists, and make a "
                     "repeated push find what was already sent instead of failing")
            got = self.pushed_decisions(running.app, ret) or {}
            for line in ret.lines:
                back = got.get(line.external_line_id)
                if back is None or Decision(back) != Decision(decision):
                    fail("decisions_round_trip", f"'{decision}' pushed for line {line.external_line_id} came "
                         f"back as {back!r}", "make the plugin's decision mapping and its reverse agree")
