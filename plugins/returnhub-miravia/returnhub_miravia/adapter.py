"""The Miravia marketplace adapter: reverse orders in (by creation time, page by page), accept and reject out
(per order item, a reject with a reason id read from the reason-list endpoint)."""
from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor
from hub.sdk.paging import PageNumberPaginator
from returnhub_miravia import mapping
from returnhub_miravia.client import MiraviaClient
from returnhub_miravia.settings import MiraviaSettings

OVERLAP = timedelta(minutes=10)


class MiraviaMarketplace(Marketplace):
    """Miravia Open Platform (api.miravia.es), reverse orders.

    A poll walks ``/reverse/getreverseordersforseller`` by line creation time (from the
    :class:`IncrementalCursor`), ``page_no`` by ``page_no``; reverse orders with lines still waiting for the
    seller (``REQUEST_INITIATE``, ``BUYER_RETURN_ITEM``) are imported. A decision is sent per order item:
    ``/v2/order/returnRefund/accept`` (with the refund amount) or ``/reject`` (with a reason id and a comment).
    """

    slug = "miravia"
    title = "Miravia"
    settings_schema = MiraviaSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = MiraviaClient(ctx, self.settings)

    @classmethod
    def connection_actions(cls, connection_id: int) -> list[tuple[str, str]]:
        """The connection page's 'Connect Miravia account' button (the OAuth code flow, see connect.py)."""
        return [("Connect Miravia account", f"/plugins/miravia/connect/{connection_id}")]

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """A renewed token and one reverse order: the app, the refresh token and the API access work."""
        if self.client.tokens is not None:
            self.client.tokens.renew(stale=self.client.tokens.state.access_token)
        self.client.reverse_orders(start_ms=None, end_ms=None, page_no=1, page_size=1)

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """One page of the walk the cursor names; bad entries quarantined, the rest canonical."""
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.settings["days_back"]))
        size = int(self.settings["page_size"])
        pager = PageNumberPaginator(cur.page, param="page_no", page_size=size,
                                    total_pages=lambda data: math.ceil(int(data.get("total") or 0) / size))
        data = self.client.reverse_orders(
            start_ms=int(cur.since.timestamp() * 1000) if cur.since is not None else None,
            end_ms=int(cur.until.timestamp() * 1000), page_no=int(pager.current_value), page_size=size)
        rows = data.get("items") or []
        items: list = []
        usable = []
        for row in rows:
            try:
                mapping.check_reverse_order(row)
                usable.append(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=exc.external_id))
        for row in cur.fresh(usable, external_id=lambda r: str(r["reverse_order_id"]), updated=mapping.created_at):
            item = self._canonical(row)
            if item is not None:
                items.append(item)
        pager.advance(data, rows)
        cur.advance(pager)
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    @staticmethod
    def _canonical(row: dict) -> dict | Quarantined | None:
        try:
            data = mapping.to_canonical(row)
            if data is not None:
                load_return(data)
            return data
        except ValidationError as exc:
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=row,
                               external_id=str(row["reverse_order_id"]))

    # -- decisions ----------------------------------------------------------------------------
    def current_lines(self, reverse_order_id: str) -> dict[str, dict]:
        """``{reverse_order_line_id: line}`` as Miravia shows the reverse order now."""
        data = self.client.reverse_orders(start_ms=None, end_ms=None, page_no=1, page_size=1,
                                          reverse_order_id=reverse_order_id)
        for row in data.get("items") or []:
            if str(row.get("reverse_order_id")) == reverse_order_id:
                return {str(line.get("reverse_order_line_id")): line for line in row.get("reverse_order_lines") or []}
        raise PermanentError(f"Miravia has no reverse order {reverse_order_id}")

    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Accept the accepted lines and reject the rejected ones, per order item.

        Safe after a crash or a lost answer: the reverse order is read first and lines Miravia already shows
        with the decision's outcome are not sent again (a decision call is never repeated blindly).
        """
        now = self.current_lines(ret.external_id)
        todo: dict[str, list[tuple[Line, dict]]] = {"accept": [], "reject": []}
        for line in lines:
            verb = mapping.verb_for(line.decision)
            current = now.get(line.external_line_id)
            if current is None:
                raise PermanentError(f"Miravia's reverse order {ret.external_id} has no line {line.external_line_id}")
            if mapping.decision_for(current.get("reverse_status")) == line.decision:
                continue  # already there (a retry after a lost answer)
            if current.get("reverse_status") not in mapping.DECIDABLE:
                raise PermanentError(f"Miravia cannot take '{line.decision.value}' on line {line.external_line_id} "
                                     f"in status {current.get('reverse_status')}")
            todo[verb].append((line, current))
        order_id = ret.marketplace_order_id
        if todo["accept"]:
            items = [str(cur["trade_order_line_id"]) for _, cur in todo["accept"]]
            self.client.decide("accept", order_id, items, {"RefundAmount": self._refund(c for _, c in todo["accept"])})
        if todo["reject"]:
            items = [str(cur["trade_order_line_id"]) for _, cur in todo["reject"]]
            note = next((line.decision_note for line, _ in todo["reject"] if line.decision_note), None)
            reason = self.reject_reason(str(todo["reject"][0][1]["reverse_order_line_id"]))
            self.client.decide("reject", order_id, items,
                               {"reasonId": reason, "comment": note or self.settings["reject_comment"]})

    def _refund(self, lines) -> str:
        cents = sum((Decimal(str(line.get("refund_amount") or 0)) for line in lines), Decimal(0))
        if self.settings["refund_amount_unit"] == "units":
            return str((cents / 100).quantize(Decimal("0.01")))
        return str(int(cents))

    def reject_reason(self, reverse_order_line_id: str) -> str:
        """The preferred reason id if Miravia offers it for this line, else the first one it offers."""
        offered = [str(r["reason_id"]) for r in self.client.reject_reasons(reverse_order_line_id)]
        if not offered:
            raise PermanentError(f"Miravia offers no reject reason for line {reverse_order_line_id}")
        preferred = self.settings.get("reject_reason_id")
        return preferred if preferred in offered else offered[0]
