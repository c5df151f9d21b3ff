"""The webhook-only fake shop: the fake shop's orders and returns, but decisions only in signed webhooks."""
from __future__ import annotations

import hashlib
import hmac
import json

from returnhub_fakeshop.adapter import FakeShop

from hub.adapters import Shop, WebhookResult
from hub.errors import AuthError, PermanentError
from hub.model import Decision, LineDecision


class FakeHookShop(FakeShop):
    """Talks to the fake shop's API, but never reads decisions: each webhook carries them."""

    slug = "fakehookshop"
    title = "Fake Webhook Shop"
    fetch_decisions = Shop.fetch_decisions  # not a polled shop: the base's "not implemented"

    def parse_webhook(self, headers, body):
        """Verify the signature, then give the decisions of every return the delivery names."""
        secret = self.settings.get("webhook_secret") or ""
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        given = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
        if not secret or not hmac.compare_digest(expected, given):
            raise AuthError("webhook signature does not match")
        try:
            payload = json.loads(body)
            decisions = {
                str(item["id"]): [LineDecision(external_line_id=line_id,
                                               decision=Decision(line["decision"])
                                               if line["decision"] in Decision._value2member_map_ else None,
                                               quantity=line.get("quantity"), raw=line["decision"])
                                  for line_id, line in item["lines"].items()]
                for item in payload["returns"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PermanentError(f"webhook body is not a decision delivery: {exc}") from exc
        return WebhookResult(delivery_id=str(payload["delivery_id"]), shop_return_ids=list(decisions),
                             topic=payload.get("topic"), decisions=decisions)
