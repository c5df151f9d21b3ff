"""The OTTO Market adapter: open returns in (Returns v3 + Orders v4), per-position-item decisions out,
with OTTO's one-way rule (an accepted return can never be rejected) enforced before anything is sent."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Order, Page, Quarantined, Return, load_order, load_return
from hub.sdk.cursor import IncrementalCursor, parse_time
from hub.sdk.details import fetch_details
from hub.sdk.paging import LinkPaginator
from returnhub_otto import mapping
from returnhub_otto.client import OttoClient, next_link
from returnhub_otto.codes import ACCEPT_REASONS, OPEN_STATUSES, REJECT_REASONS, condition_in, reason_in
from returnhub_otto.settings import OttoSettings

OVERLAP = timedelta(minutes=10)
KINDS = {"accepted": "acceptance", "rejected": "rejection"}
ONE_WAY = ("OTTO's one-way rule: an accepted return can never be rejected afterwards (accepting refunded the "
           "customer); only a rejected return can still be accepted")


def accepted_items(order: dict) -> set[str]:
    """Position items of an order OTTO shows as accepted returns (fulfilment status RETURNED)."""
    return {str(p.get("positionItemId")) for p in order.get("positionItems") or []
            if isinstance(p, dict) and (p.get("fulfillmentStatus") == "RETURNED" or p.get("returnAcceptedByMarketplace"))}


class OttoMarketplace(Marketplace):
    """OTTO Market API: Returns v3 and Orders v4.

    A poll walks ``GET /v3/returns`` for ``ANNOUNCED`` then ``MISDIRECTED`` (newest status change
    first, by next link) down to the :class:`IncrementalCursor`'s time; fresh position items of one
    order read in the same step become one return, completed from ``GET /v4/orders/{salesOrderId}``.
    """

    slug = "otto"
    title = "OTTO Market"
    settings_schema = OttoSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = OttoClient(ctx, self.settings)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """A token for the configured scopes and one list request (limit 1): the credentials work."""
        self.client.returns_page(self.client.first_url(OPEN_STATUSES[0], 1))

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """Up to ``pages_per_poll`` list pages of the walk the cursor names; their fresh items as returns."""
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.settings["days_back"]))
        where = cur.page if isinstance(cur.page, dict) else {"status": 0, "url": None}
        since = cur.since
        items: list = []
        fresh: list[dict] = []
        for _ in range(int(self.settings["pages_per_poll"])):
            if where is None:
                break
            where = self._read_page(where, since, cur, items, fresh)
        if where is None:
            cur.advance(done=True)
        else:
            cur.advance(next_page=where)
        groups = mapping.group_items(fresh)
        details = fetch_details(self.ctx, groups, self._canonical, external_id=lambda g: g["external_id"])
        items += [d for d in details if d is not None]
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    def _read_page(self, where: dict, since, cur: IncrementalCursor, items: list, fresh: list) -> dict | None:
        """Read one list page; collect its fresh items; the next place of the walk (None: walk done)."""
        index = int(where.get("status", 0))
        status = OPEN_STATUSES[index]
        pager = LinkPaginator(where.get("url"), first_url=self.client.first_url(status, self.settings["page_size"]),
                              link=next_link)
        resp = self.client.returns_page(pager.url())
        rows = (resp.json() or {}).get("positionItems") or []
        usable, reached_old = [], False
        for row in rows:
            try:
                mapping.check_item(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=exc.external_id))
                continue
            if since is not None and _older(row, since):
                reached_old = True  # newest first: everything after this was read by an earlier walk
                continue
            usable.append(row)
        fresh += cur.fresh(usable, external_id=lambda r: str(r["positionItemId"]), updated=lambda r: r["occurredTime"])
        pager.advance(resp, rows)
        if not pager.finished and not reached_old:
            return {"status": index, "url": pager.current_value}
        return {"status": index + 1, "url": None} if index + 1 < len(OPEN_STATUSES) else None

    def _canonical(self, group: dict) -> dict | Quarantined:
        """One group of returned position items, completed from its order, as a validated canonical dict."""
        try:
            order = self.client.order(group["sales_order_id"])
            data = mapping.return_to_canonical(group, order)
            load_return(data)
            return data
        except InvalidPayload as exc:
            return Quarantined(reason=str(exc), raw=group, external_id=group["external_id"])
        except PermanentError as exc:
            return Quarantined(reason=f"order {group['sales_order_id']} could not be read: {exc}", raw=group,
                               external_id=group["external_id"])
        except ValidationError as exc:
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=group,
                               external_id=group["external_id"])

    # -- orders (registering a return by hand) ---------------------------------------------------
    def fetch_order(self, order_id: str) -> Order | None:
        """``GET /v4/orders/{salesOrderId}`` as an order with a line per position item (None on OTTO's 404), so
        the merchant can register a return OTTO has not reported yet."""
        data = mapping.order(self.client.order_or_none(order_id))
        return load_order(data) if data is not None else None

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Accept or reject each line's position items, at most ``batch_size`` per call.

        The order is read first: items OTTO already shows as accepted count as sent (a lost answer
        is never followed by a second acceptance), and a rejection of an accepted item is refused
        before anything is sent (:data:`ONE_WAY`).
        """
        order_id = str(ret.raw.get("sales_order_id") or ret.marketplace_order_id)
        accepted = accepted_items(self.client.order(order_id))
        batches: dict[str, list[dict]] = {"acceptance": [], "rejection": []}
        for line in lines:
            kind = self._kind(line)
            ids = [str(i) for i in line.raw.get("position_item_ids") or [line.external_line_id]]
            wanted = line.decision_quantity if line.decision_quantity is not None else line.quantity
            if kind == "rejection":
                chosen = [i for i in ids if i not in accepted][:wanted]
                if len(chosen) < wanted:
                    raise PermanentError(f"line {line.external_line_id}: cannot reject {wanted} item(s), "
                                         f"{len(ids) - len(chosen)} of {len(ids)} already accepted at OTTO. "
                                         f"{ONE_WAY}.")
            else:
                done = [i for i in ids if i in accepted]
                chosen = [i for i in ids if i not in accepted][:max(0, wanted - len(done))]
            batches[kind] += [self._item(i, order_id, kind, line.decision_note) for i in chosen]
        for kind, items in batches.items():
            size = int(self.settings["batch_size"])
            for start in range(0, len(items), size):
                self._send(kind, items[start:start + size])

    def _kind(self, line: Line) -> str:
        decision = getattr(line.decision, "value", line.decision)
        if decision not in KINDS:
            raise PermanentError(f"OTTO has no action for '{decision}' on a position item (accept or reject only)")
        return KINDS[decision]

    def _item(self, item_id: str, order_id: str, kind: str, note: str | None) -> dict:
        if kind == "acceptance":
            reason = reason_in(note, ACCEPT_REASONS) or self.settings["accept_reason"]
        else:
            reason = reason_in(note, REJECT_REASONS) or self.settings["reject_reason"]
        body = {"positionItemId": item_id, "salesOrderId": order_id, "reason": reason}
        condition = condition_in(note) or self.settings.get("default_condition")
        if condition:
            body["condition"] = condition
        return body

    def _send(self, kind: str, items: list[dict]) -> None:
        answer = self.client.decide(kind, items)
        errors = answer.get("errors") or []
        if errors:
            said = "; ".join(_error_text(e) for e in errors[:5])
            extra = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise PermanentError(f"OTTO refused {len(errors)} of {len(items)} position item(s) in the {kind}: "
                                 f"{said}{extra}")


def _older(row: dict, since) -> bool:
    try:
        return parse_time(row.get("occurredTime")) < since
    except (ValueError, TypeError):
        return False


def _error_text(error) -> str:
    if not isinstance(error, dict):
        return str(error)
    where = error.get("positionItemId") or error.get("path") or ""
    text = error.get("detail") or error.get("title") or error.get("message") or error.get("errorCode") or "refused"
    return f"{where}: {text}" if where else str(text)
