"""The Shopify shop adapter: find the order, create the return once, read decisions, webhooks."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

from hub.adapters import ClientShop, WebhookResult, load_settings
from hub.errors import AuthError, InvalidPayload, OrderNotFound, PermanentError
from hub.model import Return, ReturnDecisions
from returnhub_shopify import mapping, queries
from returnhub_shopify.client import ShopifyClient, user_errors
from returnhub_shopify.settings import ShopifySettings

WEBHOOK_TOPICS = ["RETURNS_REQUEST", "RETURNS_APPROVE", "RETURNS_DECLINE", "RETURNS_UPDATE",
                  "RETURNS_CLOSE", "RETURNS_CANCEL", "RETURNS_REOPEN", "REFUNDS_CREATE"]
_LOOKUP_FILTERS = {"name": "name", "tag": "tag", "source_identifier": "source_identifier",
                   "po_number": "po_number"}


def _quote(value: str) -> str:
    """A value as a single-quoted term of Shopify's search syntax."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class ShopifyShop(ClientShop):
    slug = "shopify"
    title = "Shopify"
    settings_schema = ShopifySettings
    client_class = ShopifyClient

    def __init__(self, ctx):
        super().__init__(ctx)
        self.settings = load_settings(self, "Shopify")

    def check(self) -> None:
        self.client.execute("Shop", queries.SHOP)

    # -- the order -------------------------------------------------------------------------

    def find_order(self, ret: Return) -> str | None:
        s = self.settings
        value = s["order_lookup_template"].format(marketplace_order_id=ret.marketplace_order_id)
        strategy = s["order_lookup"]
        q = f"{_LOOKUP_FILTERS[strategy]}:{_quote(value)}" if strategy in _LOOKUP_FILTERS else _quote(value)
        if strategy == "metafield":
            ns, key = s["order_lookup_key"].split(".", 1)
            data = self.client.execute("FindOrderByMetafield", queries.FIND_ORDER_METAFIELD,
                                       {"q": q, "ns": ns, "key": key})
        else:
            data = self.client.execute("FindOrder", queries.FIND_ORDER, {"q": q})
        hits = [o for o in data["orders"]["nodes"] if self._matches(o, value)]
        if len(hits) > 1:
            raise PermanentError(f"{len(hits)} Shopify orders match {strategy} {value!r}: "
                                 + ", ".join(o["name"] for o in hits))
        return hits[0]["id"] if hits else None

    def _matches(self, order: dict, value: str) -> bool:
        """Exact check of a search hit: Shopify's search is by token, so it can over-match."""
        strategy, v = self.settings["order_lookup"], value.strip().lower()
        if strategy == "name":
            return order["name"].lower() in (v, "#" + v)
        if strategy == "tag":
            return v in {t.strip().lower() for t in order["tags"]}
        if strategy == "source_identifier":
            return (order.get("sourceIdentifier") or "").lower() == v
        if strategy == "po_number":
            return (order.get("poNumber") or "").lower() == v
        if strategy == "note_attribute":
            key = self.settings["order_lookup_key"]
            return any(a["key"] == key and (a.get("value") or "").strip().lower() == v
                       for a in order["customAttributes"])
        return ((order.get("metafield") or {}).get("value") or "").strip().lower() == v

    # -- creating the return ---------------------------------------------------------------

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        order_id = ret.shop_order_id or self.find_order(ret)
        if not order_id:
            raise OrderNotFound(f"no Shopify order for marketplace order {ret.marketplace_order_id}")
        existing = self._existing_return(order_id, ret.reference)
        if existing:
            return existing
        fulfillments = list(self.client.paginate("Returnable", queries.RETURNABLE, {"orderId": order_id},
                                                 ["returnableFulfillments"]))
        for ful in fulfillments:  # an order with more than 25 lines has more pages of them
            ful["returnableFulfillmentLineItems"]["nodes"] = self.client.complete(
                ful["returnableFulfillmentLineItems"], "ReturnableLines", queries.RETURNABLE_LINES, ful["id"],
                ["returnableFulfillment", "returnableFulfillmentLineItems"])
        items = mapping.returnables(fulfillments)
        allocation = mapping.allocate(ret.lines, items)
        if accepted:
            lines = [{"fulfillmentLineItemId": fli, "quantity": qty, "returnReason": mapping.return_reason(line),
                      "returnReasonNote": mapping.line_note(ret, line, mapping.REASON_NOTE_MAX)}
                     for line, fli, qty in allocation]
            data = self.client.execute("CreateReturn", queries.RETURN_CREATE, {"returnInput": {
                "orderId": order_id, "returnLineItems": lines,
                "requestedAt": ret.requested_at.astimezone(UTC).isoformat()}})
            payload = data.get("returnCreate")
        else:
            lines = [{"fulfillmentLineItemId": fli, "quantity": qty, "returnReason": mapping.return_reason(line),
                      "customerNote": mapping.line_note(ret, line, mapping.CUSTOMER_NOTE_MAX)}
                     for line, fli, qty in allocation]
            data = self.client.execute("RequestReturn", queries.RETURN_REQUEST, {"input": {
                "orderId": order_id, "returnLineItems": lines}})
            payload = data.get("returnRequest")
        user_errors(payload, "returnCreate" if accepted else "returnRequest")
        return payload["return"]["id"]

    def _existing_return(self, order_id: str, reference: str) -> str | None:
        """The return made earlier for ``reference`` (its marker is in the line notes), if any."""
        marker = f"[{reference}:"
        for node in self.client.paginate("OrderReturns", queries.ORDER_RETURNS, {"orderId": order_id},
                                         ["order", "returns"]):
            for item in self._return_lines(node):
                if (item.get("customerNote") or "").startswith(marker) or \
                        (item.get("returnReasonNote") or "").startswith(marker):
                    return node["id"]
        return None

    def _return_lines(self, node: dict) -> list[dict]:
        """Every line item of a return read with its first page (a return may have more than 20)."""
        return self.client.complete(node["returnLineItems"], "ReturnLines", queries.RETURN_LINES, node["id"],
                                    ["return", "returnLineItems"])

    # -- decisions -------------------------------------------------------------------------

    def fetch_decisions(self, open_returns: list[Return], since: datetime | None) -> list[ReturnDecisions]:
        """Reads the stored return ids with ``nodes(ids:)`` in batches; ``since`` is not needed."""
        version = self.settings["api_version"]
        processed_known = queries.at_least(version, queries.NEWER_FIELDS["ExchangeLineItem.processedQuantity"])
        by_id = {r.shop_return_id: r for r in open_returns if r.shop_return_id}
        ids, size, out = list(by_id), self.settings["poll_batch_size"], []
        for start in range(0, len(ids), size):
            data = self.client.execute("PollReturns", queries.poll_returns(version),
                                       {"ids": ids[start:start + size]})
            for node in data["nodes"]:
                if not node or node.get("__typename") != "Return":
                    continue
                ret = by_id[node["id"]]
                node["returnLineItems"]["nodes"] = self._return_lines(node)
                node["exchangeLineItems"]["nodes"] = self.client.complete(
                    node["exchangeLineItems"], "ExchangeLines", queries.exchange_lines(version), node["id"],
                    ["return", "exchangeLineItems"])
                lines = mapping.derive(ret, node, self.settings, processed_known)
                if lines:
                    out.append(ReturnDecisions(return_id=ret.id, lines=lines))
        return out

    # -- webhooks --------------------------------------------------------------------------

    def parse_webhook(self, headers: dict[str, str], body: bytes) -> WebhookResult:
        """Verify X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the client secret)."""
        h = {k.lower(): v for k, v in headers.items()}
        secret = self.settings.get("client_secret")
        if not secret:
            raise AuthError("no client secret configured to verify Shopify webhooks")
        expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected.encode(), h.get("x-shopify-hmac-sha256", "").encode()):
            raise AuthError("Shopify webhook signature does not match")
        delivery = h.get("x-shopify-webhook-id") or h.get("x-shopify-event-id")
        topic = h.get("x-shopify-topic")
        if not delivery:
            raise InvalidPayload("Shopify webhook without X-Shopify-Webhook-Id")
        try:
            payload = json.loads(body or b"{}")
        except ValueError as exc:
            raise InvalidPayload(f"Shopify webhook body is not JSON: {exc}") from exc
        if topic and topic.startswith("returns/"):
            ids = _return_gid(payload)
        elif topic == "refunds/create":
            ids = _return_gid(payload.get("return") or {})  # a refund made outside a return has none
        else:
            ids = []
        return WebhookResult(delivery_id=delivery, shop_return_ids=ids, topic=topic)

    def register_webhooks(self, callback_url: str, topics: list[str] = WEBHOOK_TOPICS) -> list[str]:
        """Subscribe ``callback_url`` to the return topics; a topic already subscribed is kept."""
        document = queries.webhook_create(self.settings["api_version"])
        out = []
        for topic in topics:
            payload = self.client.execute("SubscribeWebhook", document,
                                          {"topic": topic, "url": callback_url})["webhookSubscriptionCreate"]
            errors = payload.get("userErrors") or []
            if errors and all("already been taken" in (e.get("message") or "") for e in errors):
                continue
            user_errors(payload, "webhookSubscriptionCreate")
            out.append(payload["webhookSubscription"]["id"])
        return out


def _return_gid(obj: dict) -> list[str]:
    if obj.get("admin_graphql_api_id"):
        return [obj["admin_graphql_api_id"]]
    return [f"gid://shopify/Return/{obj['id']}"] if obj.get("id") else []
