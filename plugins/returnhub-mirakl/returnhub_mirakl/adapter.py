"""The Mirakl marketplace adapter: returns (RT11) or open incidents (OR11) in, batched decisions out."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor, iso
from hub.sdk.paging import OffsetPaginator, TokenPaginator
from returnhub_mirakl import mapping
from returnhub_mirakl.batching import Coalescer, Gate
from returnhub_mirakl.client import BATCH_LIMIT, MiraklClient
from returnhub_mirakl.operators import operator
from returnhub_mirakl.plan import Plan, plan_incident, plan_returns_module
from returnhub_mirakl.settings import MiraklSettings, uses_returns_module

OVERLAP = timedelta(minutes=10)


class MiraklMarketplace(Marketplace):
    """One seller account at one Mirakl operator (the connection's ``instance``).

    With the returns module, a poll walks RT11 by last update (seek paging, incremental cursor) and
    joins each page's orders (one OR11 call) for SKUs, prices and the customer. Without it, orders
    with an open incident are the returns. Pushes go through :mod:`returnhub_mirakl.batching`.
    """

    slug = "mirakl"
    title = "Mirakl"
    settings_schema = MiraklSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        try:  # stored settings may predate a new option: load them again for its default
            self.opts = MiraklSettings().load(ctx.settings)
        except ValidationError as exc:
            raise PermanentError(f"the connection's settings are not valid: {exc.messages}") from None
        self.operator = operator(self.opts["instance"])
        self.returns_module = uses_returns_module(self.opts)
        self.client = MiraklClient(ctx, self.opts) if self.operator.has_api else None
        self.gate = Gate(ctx.concurrency, self.opts.get("batch_wait_seconds", 0.05))
        self._read = Coalescer(self.gate, self._send_read, BATCH_LIMIT)
        self._orders = Coalescer(self.gate, self._send_orders, BATCH_LIMIT)
        self._refund = Coalescer(self.gate, self._send_refunds, BATCH_LIMIT)
        self._ops = {path: Coalescer(self.gate, self._sender(path), BATCH_LIMIT)
                     for path in ("accept", "receive", "compliance", "close", "cancel")}

    def close(self) -> None:
        if self.client:
            self.client.close()

    def _no_api(self) -> PermanentError:
        return PermanentError(f"{self.operator.name}: {self.operator.requires_action}")

    def check(self) -> None:
        if self.client is None:
            raise self._no_api()
        if self.returns_module:
            self.client.list_returns({"limit": 1})
        else:
            self.client.incident_orders({"max": 1})

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        if self.client is None:
            return Page(items=[], cursor=cursor, more=False)  # nothing on Mirakl: see README, FNAC Darty
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.opts["initial_days"]))
        if self.returns_module:
            items = self._fetch_returns_page(cur)
        else:
            items = self._fetch_incidents_page(cur)
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    def _fetch_returns_page(self, cur: IncrementalCursor) -> list:
        pager = TokenPaginator(cur.page, token="next_page_token", param="page_token")
        params = {"return_state": list(self.opts["import_states"]), "limit": self.opts["page_size"],
                  "return_last_updated_to": iso(cur.until), **pager.params()}
        if cur.since is not None:
            params["return_last_updated_from"] = iso(cur.since)
        resp = self.client.list_returns(params)
        rows = resp.json().get("data") or []
        fresh = cur.fresh(rows, external_id=lambda r: r.get("id"), updated=lambda r: r.get("last_updated"))
        orders = self.client.orders(sorted({str(r["order_id"]) for r in fresh if isinstance(r, dict)
                                            and r.get("order_id")}))
        pager.advance(resp, rows)
        cur.advance(pager)
        return [self._canonical(lambda r=r: mapping.return_to_canonical(r, orders.get(str(r.get("order_id"))),
                                                                          self.operator.key), r) for r in fresh]

    def _fetch_incidents_page(self, cur: IncrementalCursor) -> list:
        pager = OffsetPaginator(cur.page, limit=self.opts["page_size"], limit_param="max", total="total_count")
        params = {"end_update_date": iso(cur.until), "sort": "dateCreated", **pager.params()}
        if cur.since is not None:
            params["start_update_date"] = iso(cur.since)
        resp = self.client.incident_orders(params)
        rows = resp.json().get("orders") or []
        fresh = cur.fresh(rows, external_id=lambda o: o.get("order_id"), updated=lambda o: o.get("last_updated_date"))
        pager.advance(resp, rows)
        cur.advance(pager)
        items = [self._canonical(lambda o=o: mapping.incident_to_canonical(o, self.operator.key), o) for o in fresh]
        return [i for i in items if i is not None]

    @staticmethod
    def _canonical(build, raw) -> dict | Quarantined | None:
        try:
            data = build()
            if data is not None:
                load_return(data)
            return data
        except InvalidPayload as exc:
            return Quarantined(reason=str(exc), raw=raw, external_id=exc.external_id)
        except ValidationError as exc:
            rid = raw.get("id") or raw.get("order_id") if isinstance(raw, dict) else None
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=raw, external_id=rid and str(rid))

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Send this return's decisions, sharing each call with the other returns this job pushes.

        Safe after a crash or a lost answer: the return's state at Mirakl (and the order lines'
        refunds) are read first, and only the steps not yet done are sent.
        """
        if self.client is None:
            raise self._no_api()
        self.gate.enter()
        try:
            if self.returns_module and not ret.external_id.startswith("incident-"):
                self._push_returns_module(ret, lines)
            else:
                self._push_refunds_only(ret, lines)
        finally:
            self.gate.leave()

    def _push_returns_module(self, ret: Return, lines: list[Line]) -> None:
        plan_returns_module(ret, lines, self.opts, self.operator.name)  # refuses what cannot be sent, before any call
        current = self._read.submit(ret.external_id)
        if current is None:
            raise PermanentError(f"{self.operator.name} does not list return {ret.external_id} (RT11)")
        plan = plan_returns_module(ret, lines, self.opts, self.operator.name, current)
        for step in plan.steps:
            if step.op == "refund":
                self._refund_lines(ret, step.refunds)
                continue
            error = self._ops[step.op].submit(step.entry)
            if error is not None:
                raise PermanentError(f"{self.operator.name} refused {step.op} of return {ret.external_id}: {error}")

    def _push_refunds_only(self, ret: Return, lines: list[Line]) -> None:
        plan: Plan = plan_incident(ret, lines, self.opts, self.operator.name)
        for step in plan.steps:
            self._refund_lines(ret, step.refunds)

    def _refund_lines(self, ret: Return, wanted: dict[str, tuple[int, Decimal]]) -> None:
        """OR28 for ``{order_line_id: (units, unit price)}``, skipping lines Mirakl shows as refunded already."""
        order = self._orders.submit(ret.marketplace_order_id)
        if order is None:
            raise PermanentError(f"{self.operator.name} does not list order {ret.marketplace_order_id} (OR11)")
        done = {str(line["order_line_id"]): sum(int(r.get("quantity") or 0) for r in line.get("refunds") or [])
                for line in order.get("order_lines") or []}
        refunds = []
        for line_id, (units, unit_price) in wanted.items():
            if line_id not in done:
                raise PermanentError(f"order {ret.marketplace_order_id} has no line {line_id} at {self.operator.name}")
            if done[line_id] >= units:
                continue
            refunds.append({"order_line_id": line_id, "quantity": units, "amount": float(unit_price * units),
                            "shipping_amount": 0, "reason_code": self.opts["refund_reason_code"],
                            "currency_iso_code": order.get("currency_iso_code")})
        if refunds:
            error = self._refund.submit(refunds)
            if error is not None:
                raise PermanentError(f"{self.operator.name} refused the refund of return {ret.external_id}: {error}")

    # -- the batched calls ----------------------------------------------------------------------
    def _send_read(self, ids: list[str]) -> list:
        found = self.client.returns_by_id(sorted(set(ids)))
        return [found.get(i) for i in ids]

    def _send_orders(self, ids: list[str]) -> list:
        found = self.client.orders(sorted(set(ids)))
        return [found.get(i) for i in ids]

    def _send_refunds(self, groups: list[list[dict]]) -> list:
        self.client.refund([r for group in groups for r in group])
        return [None] * len(groups)

    def _sender(self, op: str):
        def send(entries: list[dict]) -> list:
            ok, errors = self.client.batch(f"/api/returns/{op}", entries)
            return [None if str(e["id"]) in ok else errors.get(str(e["id"]), "no answer for this return")
                    for e in entries]
        return send
