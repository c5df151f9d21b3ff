"""Creating a return in the shop: find the order, create once, and apply the auto-accept rule."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from hub.db import ReturnLine, ReturnRow
from hub.errors import OrderNotFound
from hub.model import Decision, Fulfilment, Return, State
from hub.sync.claims import fail, now, release
from hub.sync.records import to_canonical
from hub.sync.state import transition


def auto_accepted(marketplace_cls, ret: Return) -> bool:
    """Fulfilled by the marketplace with a method the plugin declares as auto-accepted (bol FBB)."""
    capabilities = marketplace_cls.capabilities
    return ret.fulfilment == Fulfilment.MARKETPLACE and capabilities.auto_accepts(ret.fulfilment_method)


def create_one(hub, row: ReturnRow, token: str, shop, marketplace_cls) -> str:
    """Run the create step for one claimed return (a detached row with its lines); gives the outcome."""
    ret = to_canonical(row)
    try:
        order_id = ret.shop_order_id or shop.find_order(ret)
        if not order_id:
            raise OrderNotFound(f"order {ret.marketplace_order_id} is not in the shop yet")
        ret.shop_order_id = order_id
        accept = auto_accepted(marketplace_cls, ret)
        shop_return_id = shop.create_return(ret, accepted=accept)
    except OrderNotFound as exc:
        return _wait(hub, row, token, str(exc))
    except Exception as exc:
        return fail(hub, row.id, token, exc, "Creating the return in the shop failed")
    with hub.session() as s:
        if not transition(s, row, State.IN_SHOP, f"shop:{shop.slug}",
                          f"created in the shop as return {shop_return_id} on order {order_id}"
                          + (" (accepted: fulfilled by the marketplace)" if accept else ""),
                          claim=token, shop_order_id=order_id, shop_return_id=str(shop_return_id), attempts=0,
                          last_error=None, next_attempt_at=None, claim_token=None, claimed_until=None):
            return "skipped"
        if accept:
            moment = now()
            s.execute(update(ReturnLine).where(ReturnLine.return_id == row.id).values(
                decision=Decision.ACCEPTED.value, decision_quantity=ReturnLine.quantity, decided_at=moment))
            transition(s, row, State.CLOSED_WITHOUT_PUSH, "system",
                       f"fulfilled by the marketplace ({ret.fulfilment_method}): the marketplace handles "
                       "the return; created in the shop as accepted and never pushed",
                       decided_at=moment)
    return "created"


def _wait(hub, claimed: ReturnRow, token: str, reason: str) -> str:
    """The order is not in the shop yet: wait with backoff until the deadline, then ask the merchant."""
    moment = now()
    since = claimed.waiting_since or moment
    deadline = since + timedelta(hours=hub.config.order_wait_hours)
    with hub.session() as s:
        row = s.get(ReturnRow, claimed.id)
        if row.claim_token != token:
            return "skipped"
        if moment >= deadline:
            message = (f"{reason}; gave up waiting after {hub.config.order_wait_hours:g} h. "
                       "Create the order in the shop, then retry.")
            transition(s, row, State.NEEDS_ATTENTION, "system", message, attention_reason=message,
                       resume_state=State.WAITING_FOR_ORDER.value, claim_token=None, claimed_until=None)
            return "attention"
        waited = (moment - since).total_seconds()
        delay = min(max(hub.config.retry_base_seconds, waited / 4), 3600)
        values = dict(attempts=0, last_error=reason, next_attempt_at=moment + timedelta(seconds=delay),
                      claim_token=None, claimed_until=None)
        if row.state == State.RECEIVED.value:
            transition(s, row, State.WAITING_FOR_ORDER, "system", reason, waiting_since=moment, **values)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            release(s, row, token)
    return "waiting"
