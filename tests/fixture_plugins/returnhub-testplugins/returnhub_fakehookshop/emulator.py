"""The webhook-only fake shop's emulator: the fake shop's API, plus the signed decision webhook it sends."""
from __future__ import annotations

import json
import uuid

from returnhub_fakeshop.emulator import (
    TOKEN,
    WEBHOOK_SECRET,
    create_app,
    seed_orders,
    sign,
)

__all__ = ["TOKEN", "WEBHOOK_SECRET", "create_app", "decision_webhook", "seed_orders"]


def decision_webhook(app, shop_return_id: str, secret: str = WEBHOOK_SECRET) -> tuple[dict, bytes]:
    """The (headers, body) the shop sends once the merchant has decided ``shop_return_id`` in it."""
    record = app.config["EMULATOR"]["returns"][shop_return_id]
    body = json.dumps({"delivery_id": uuid.uuid4().hex, "topic": "returns/decided", "returns": [
        {"id": shop_return_id, "lines": {line_id: {"decision": line["decision"], "quantity": line["decided_qty"]}
                                         for line_id, line in record["lines"].items()}}]}).encode()
    return {"X-Signature": sign(body, secret), "Content-Type": "application/json"}, body
