"""The Walmart marketplace adapter: return orders in (incrementally, by ``nextCursor``), refunds out."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor, iso
from hub.sdk.paging import TokenPaginator
from returnhub_walmart import mapping
from returnhub_walmart.client import RefundRefused, WalmartClient
from returnhub_walmart.settings import WalmartSettings

OVERLAP = timedelta(minutes=10)


class WalmartMarketplace(Marketplace):
    """Walmart Marketplace (US) Returns API.

    A poll walks ``GET /v3/returns`` from ``returnCreationStartDate`` (the :class:`IncrementalCursor`'s
    mark) page by page, each next page by the ``meta.nextCursor`` Walmart gives. Return orders come
    complete in the list, so no detail reads. A decision is a refund per return order line.
    """

    slug = "walmart"
    title = "Walmart"
    settings_schema = WalmartSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = WalmartClient(ctx, self.settings)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """A token and one list request (limit 1): the keys work."""
        self.client.list_returns(params={"limit": "1"})

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """One page of the walk the cursor names: the first by filter, the next ones by ``nextCursor``."""
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.settings["days_back"]))
        pager = TokenPaginator(cur.page, token="meta.nextCursor")
        resp = self.client.list_returns(
            next_cursor=pager.current_value,
            params={"returnCreationStartDate": iso(cur.since), "limit": str(self.settings["page_size"])})
        body = resp.json()
        rows = body.get("returnOrders") if isinstance(body, dict) else None
        rows = rows if isinstance(rows, list) else []
        items: list = []
        usable = []
        for row in rows:
            try:
                mapping.check_return(row)
                usable.append(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=exc.external_id))
        fresh = cur.fresh(usable, external_id=lambda r: str(r["returnOrderId"]),
                          updated=lambda r: r.get("returnOrderDate"))
        pager.advance(resp, rows)
        cur.advance(pager)
        for row in fresh:
            item = self._canonical(row)
            if item is not None:
                items.append(item)
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    @staticmethod
    def _canonical(row: dict) -> dict | Quarantined | None:
        """One checked return order as a validated canonical dict (None: nothing left to refund)."""
        rid = str(row["returnOrderId"])
        lines = mapping.open_lines(row)
        if not lines:
            return None
        data = mapping.return_to_canonical(row, lines)
        try:
            load_return(data)
        except ValidationError as exc:
            return Quarantined(reason=f"return order {rid} is not a valid return: {exc.messages}", raw=row,
                               external_id=rid)
        return data

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """One refund request for the decided lines, each for ``decision_quantity`` units (all when unset).

        Safe after a crash or a lost answer: the return order is read first and each line asks only for
        what Walmart has not refunded yet beyond ``refunded_before`` (Walmart keeps no idempotency key;
        the correlation id only traces).
        """
        for line in lines:
            mapping.check_decision(line.decision)
        current = self.client.get_return(ret.external_id)
        if current is None:
            raise PermanentError(f"Walmart has no return order {ret.external_id}")
        by_number = {line.get("returnOrderLineNumber"): line for line in current.get("returnOrderLines") or []}
        todo: list[tuple[int, int]] = []
        for line in lines:
            number = int(line.raw.get("returnOrderLineNumber") or line.external_line_id)
            there = by_number.get(number)
            if there is None:
                raise PermanentError(f"Walmart return order {ret.external_id} has no line {number}")
            wanted = line.decision_quantity if line.decision_quantity is not None else line.quantity
            missing = int(line.raw.get("refunded_before") or 0) + wanted - mapping.refunded(there)
            if missing > 0:
                todo.append((number, missing))
        if not todo:
            return
        customer_order = str(ret.raw.get("customerOrderId") or current.get("customerOrderId"))
        try:
            self.client.refund(ret.external_id, customer_order, todo)
        except RefundRefused as exc:
            raise PermanentError(f"Walmart refused the refund of return order {ret.external_id} "
                                 f"({', '.join(f'line {n}: {q}' for n, q in todo)}): {exc}") from None
