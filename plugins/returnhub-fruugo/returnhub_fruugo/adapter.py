"""The Fruugo marketplace adapter: orders with announced returns in (release-date windows), confirmations out."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor, iso, parse_time
from returnhub_fruugo import mapping
from returnhub_fruugo.client import FruugoClient, ReturnRefused
from returnhub_fruugo.settings import FruugoSettings


class FruugoMarketplace(Marketplace):
    """Fruugo's XML Order API.

    Fruugo filters downloads by release date only and documents no paging, so a walk covers the return
    window (``lookback_days`` before the cursor's mark) in ``window_days`` slices, one slice a page. An
    order shows up again whenever its return counters change (the de-duplication key holds them).
    """

    slug = "fruugo"
    title = "Fruugo"
    settings_schema = FruugoSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = FruugoClient(ctx, self.settings)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """One download of the last hour: the login works."""
        from hub import clock
        self.client.download(clock.now() - timedelta(hours=1))

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """One release-date window of the walk the cursor names."""
        lookback = timedelta(days=self.settings["lookback_days"])
        cur = IncrementalCursor.load(cursor, overlap=lookback, initial=lookback)
        start = parse_time(cur.page) if cur.page else cur.since
        end = min(start + timedelta(days=self.settings["window_days"]), cur.until)
        body = self.client.download(start, end)
        items: list = []
        try:
            orders = mapping.parse_orders(body)
        except InvalidPayload as exc:
            items.append(Quarantined(reason=f"{exc} (window {iso(start)} to {iso(end)})", raw=exc.raw))
            orders = []
        usable = []
        for order in orders:
            try:
                mapping.check_order(order)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=exc.raw, external_id=exc.external_id))
                continue
            if mapping.open_lines(order):
                usable.append(order)
        fresh = cur.fresh(usable, external_id=mapping.signature,
                          updated=lambda o: mapping.text(o, "orderReleaseDate"))
        cur.advance(next_page=iso(end) if end < cur.until else None)
        for order in fresh:
            items.append(self._canonical(order))
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    @staticmethod
    def _canonical(order) -> dict | Quarantined:
        """One checked order with open return lines as a validated canonical dict."""
        data = mapping.order_to_canonical(order, mapping.open_lines(order))
        try:
            load_return(data)
        except ValidationError as exc:
            oid = data["external_id"]
            return Quarantined(reason=f"order {oid} is not a valid return: {exc.messages}",
                               raw=mapping.as_raw(order), external_id=oid)
        return data

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """One return confirmation for the decided lines, each for its whole open quantity.

        A partial quantity is refused before anything is sent (Fruugo returns whole lines). Safe after a
        crash or a lost answer: the order is read first and a line already confirmed is not sent again.
        """
        for line in lines:
            mapping.check_decision(line.decision)
            if line.decision_quantity is not None and line.decision_quantity != line.quantity:
                raise PermanentError(
                    f"Fruugo returns whole lines only: line {line.external_line_id} has {line.quantity} "
                    f"announced unit(s), the decision is for {line.decision_quantity}; decide all "
                    f"{line.quantity} or settle the rest in the Fruugo Retailer Portal")
        released = ret.raw.get("orderReleaseDate") or iso(ret.requested_at)
        current = self.client.find_order(ret.external_id, released)
        if current is None:
            raise PermanentError(f"Fruugo has no order {ret.external_id} released at {released}")
        there_by_id = mapping.lines_by_id(current)
        todo: list[tuple[str, str, int]] = []
        for line in lines:
            there = there_by_id.get(line.external_line_id)
            if there is None:
                raise PermanentError(f"Fruugo order {ret.external_id} has no line {line.external_line_id}")
            missing = int(line.raw.get("returned_before") or 0) + line.quantity - mapping.count(
                there, "returnedItems")
            if missing > 0:
                todo.append((line.raw["fruugoProductId"], line.raw["fruugoSkuId"], missing))
        if not todo:
            return
        try:
            self.client.confirm_return(ret.external_id, todo)
        except ReturnRefused as exc:
            raise PermanentError(f"Fruugo refused the return of order {ret.external_id} "
                                 f"({', '.join(f'{p}:{s} x{n}' for p, s, n in todo)}): {exc}") from None
