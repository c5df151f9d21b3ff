"""The Kaufland marketplace adapter: returns in (per storefront, incrementally), per-unit decisions out,
and the push-notification subscription that makes new returns arrive within seconds."""
from __future__ import annotations

import logging
from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import AuthError, InvalidPayload, PermanentError, TransientError
from hub.model import Fulfilment, Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor, iso
from hub.sdk.details import fetch_details
from hub.sdk.paging import OffsetPaginator
from returnhub_kaufland import mapping, notifications
from returnhub_kaufland.client import PAGE_LIMIT, SUBSCRIPTION_EVENTS, KauflandClient, RefusedAction
from returnhub_kaufland.settings import KauflandSettings

log = logging.getLogger(__name__)
OVERLAP = timedelta(minutes=10)


class KauflandMarketplace(Marketplace):
    """Kaufland Marketplace Seller API v2.

    A poll walks ``GET /returns`` newest first (offset/limit, ``ts_created_from_iso`` from the
    :class:`IncrementalCursor`), one storefront after the other; each new return is read with its
    buyer and units, each unit with its order unit. When the connection has a public URL, the
    first poll of a worker also makes sure Kaufland's ``return_new`` notifications are subscribed.
    """

    slug = "kaufland"
    title = "Kaufland"
    settings_schema = KauflandSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = KauflandClient(ctx, self.settings)
        self.storefronts = list(self.settings.get("storefronts") or ["de"])
        self.fulfilment = ["fulfilled_by_merchant"] + (["fulfilled_by_kaufland"] if self.settings.get("import_fbk")
                                                       else [])

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """One signed list request of the first storefront (limit 1): the keys work."""
        self.client.list_returns(self.storefronts[0], None, 0, fulfilment=self.fulfilment, limit=1)

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """One page of the walk the cursor names (a storefront and an offset); new returns read in full."""
        self.ensure_subscriptions()
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.settings["days_back"]))
        where = cur.page if isinstance(cur.page, dict) else {"storefront": 0, "offset": 0}
        index = min(int(where.get("storefront", 0)), len(self.storefronts) - 1)
        pager = OffsetPaginator(int(where.get("offset", 0)), limit=PAGE_LIMIT, total="pagination.total")
        resp = self.client.list_returns(self.storefronts[index], iso(cur.since), pager.current_value,
                                        fulfilment=self.fulfilment)
        rows = resp.json().get("data") or []
        items: list = []
        usable = []
        for row in rows:
            try:
                mapping.check_return(row)
                usable.append(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=exc.external_id))
        fresh = cur.fresh(usable, external_id=lambda r: str(r["id_return"]), updated=lambda r: r["ts_created_iso"])
        pager.advance(resp, rows)
        if not pager.finished:
            cur.advance(next_page={"storefront": index, "offset": pager.current_value})
        elif index + 1 < len(self.storefronts):
            cur.advance(next_page={"storefront": index + 1, "offset": 0})
        else:
            cur.advance(done=True)
        details = fetch_details(self.ctx, fresh, self._canonical, external_id=lambda r: str(r["id_return"]))
        items += [d for d in details if d is not None]
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    def _canonical(self, listed: dict) -> dict | Quarantined | None:
        """One listed return, read in full, as a validated canonical dict (None: nothing left to handle)."""
        id_return = str(listed["id_return"])
        try:
            ret = self.client.get_return(id_return)
            units = mapping.open_units(ret)
            if not units:
                return None
            detailed = [self._unit(id_return, u) for u in units]
            data = mapping.return_to_canonical(ret, detailed)
            load_return(data)
            return data
        except InvalidPayload as exc:
            return Quarantined(reason=str(exc), raw=listed, external_id=id_return)
        except ValidationError as exc:
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=listed, external_id=id_return)

    def _unit(self, id_return: str, unit: dict) -> dict:
        try:
            return self.client.get_return_unit(str(unit["id_return_unit"]))
        except PermanentError as exc:
            raise InvalidPayload(f"return {id_return}: unit {unit['id_return_unit']} (order unit "
                                 f"{unit.get('id_order_unit')}) could not be read: {exc}",
                                 external_id=id_return) from None

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Per line, the decision for ``decision_quantity`` of its units, lowest unit id first.

        Safe after a crash or a lost answer: the units' statuses are read first, units already in the
        decision's status count as sent, and only the rest is sent (Kaufland keeps no idempotency key).
        """
        if ret.fulfilment == Fulfilment.MARKETPLACE:
            raise PermanentError("returns fulfilled by Kaufland (FBK) are handled by Kaufland; nothing can be sent")
        statuses = {int(u["id_return_unit"]): u.get("status")
                    for u in self.client.get_return(ret.external_id).get("return_units") or []}
        for line in lines:
            self._push_line(ret, line, statuses)

    def _push_line(self, ret: Return, line: Line, statuses: dict[int, str]) -> None:
        action, target = mapping.action_for(line.decision)
        unit_ids = [int(u) for u in line.raw.get("id_return_units") or [line.external_line_id]]
        missing = [u for u in unit_ids if u not in statuses]
        if missing:
            raise PermanentError(f"Kaufland return {ret.external_id} has no return unit {missing[0]}")
        wanted = line.decision_quantity if line.decision_quantity is not None else line.quantity
        done = [u for u in unit_ids if statuses[u] == target]
        todo = [u for u in unit_ids if statuses[u] != target and statuses[u] not in mapping.FINAL_UNIT_STATUSES]
        need = wanted - len(done)
        if need <= 0:
            return
        if need > len(todo):
            taken = ", ".join(f"{u}: {statuses[u]}" for u in unit_ids if u not in todo and u not in done)
            raise PermanentError(f"line {line.external_line_id}: {wanted} unit(s) to {action} but only "
                                 f"{len(done) + len(todo)} can be ({taken})")
        message = line.decision_note or self.settings.get(f"{action}_message")
        for unit in todo[:need]:
            try:
                self.client.act(str(unit), action, message if action in ("reject", "clarify") else None)
            except RefusedAction as exc:
                raise PermanentError(f"Kaufland refused to {action} return unit {unit} (status "
                                     f"{statuses[unit]}): {exc}") from None
            statuses[unit] = target

    # -- push notifications -------------------------------------------------------------------
    def callback_url(self) -> str | None:
        """Where Kaufland sends this connection's notifications (None: the connection is not reachable)."""
        base = self.settings.get("public_base_url")
        if not base or self.ctx.connection_id is None:
            return None
        return f"{base.rstrip('/')}/plugins/{self.slug}/notifications/{self.ctx.connection_id}"

    def ensure_subscriptions(self) -> bool:
        """Subscribe ``return_new`` per storefront to :meth:`callback_url`, once per worker and settings.

        A failure is logged and tried again at the next poll; polling goes on either way.
        """
        url = self.callback_url()
        if url is None or self.ctx.memo.get("kaufland-subscribed") == url:
            return False
        try:
            for storefront in self.storefronts:
                for event in SUBSCRIPTION_EVENTS:
                    self._subscribe(storefront, event, url)
        except AuthError:
            raise
        except (TransientError, PermanentError) as exc:
            log.warning("Kaufland notifications for connection %s not subscribed (polling goes on): %s",
                        self.ctx.connection_id, exc)
            return False
        self.ctx.memo["kaufland-subscribed"] = url
        return True

    def _subscribe(self, storefront: str, event: str, url: str) -> None:
        mine = [s for s in self.client.subscriptions(storefront, event) if s.get("callback_url") == url]
        if not mine:
            self.client.subscribe(storefront, event, url, self.settings["notification_email"])
        elif not any(s.get("is_active") for s in mine):
            self.client.update_subscription(mine[0]["id_subscription"], is_active=True)

    def parse_notification(self, headers: dict[str, str], body: bytes) -> notifications.Notification:
        """Verify a push notification's signature (over :meth:`callback_url`) and read it."""
        url = self.callback_url()
        if url is None:
            raise AuthError("this connection has no public URL, so it takes no notifications")
        return notifications.verify(self.settings["secret_key"], url, headers, body)
