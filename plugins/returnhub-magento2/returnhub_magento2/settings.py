"""The connection form for a Magento 2 store: credentials, edition, order lookup and the decision conventions."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.sdk import settings_fields

LOOKUPS = ["increment_id", "attribute", "extension_attribute", "comment"]
EDITIONS = ["auto", "commerce", "open_source"]
DEFAULT_RESOLUTIONS = "Refund=accepted, Store Credit=accepted, Exchange=exchanged, Repair=repaired, Keep=kept"


def parse_map(text: str | None) -> dict[str, str]:
    """``"Refund=accepted, Exchange=exchanged"`` as ``{"refund": "accepted", ...}`` (keys lower-cased)."""
    return settings_fields.decision_map(text, "name=decision")


def _map_field(default: str, label: str, help_text: str):
    return fields.String(load_default=default, validate=lambda v: bool(parse_map(v)) or v == "",
                         metadata={"label": label, "help": help_text})


class Magento2Settings(Schema):
    store_url = fields.Url(
        required=True, require_tld=False,
        metadata={"label": "Store URL", "help": "The store's base URL, e.g. https://shop.example.com (REST is "
                                                "served under /rest/<store code>/V1)."})
    store_code = fields.String(
        load_default="default", validate=validate.Regexp(r"^[a-z0-9_]+$"),
        metadata={"label": "Store view code", "help": "The store view whose REST endpoint is used ('default')."})
    auth_method = settings_fields.choice(
        "Authentication",
        "'bearer': the integration's access token as a bearer token (needs "
        "oauth/consumer/enable_integration_as_bearer = 1); 'oauth1': OAuth 1.0a-signed "
        "requests (HMAC-SHA256) with all four integration credentials.",
        default="bearer", choices=["bearer", "oauth1"])
    access_token = fields.String(
        required=True, load_only=True,
        metadata={"secret": True, "label": "Integration access token",
                  "help": "System › Extensions › Integrations › your integration › Access Token."})
    consumer_key = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Consumer key", "help": "Only for OAuth 1.0a signing."})
    consumer_secret = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Consumer secret", "help": "Only for OAuth 1.0a signing."})
    access_token_secret = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Access token secret", "help": "Only for OAuth 1.0a signing."})
    edition = settings_fields.choice(
        "Edition",
        "'auto' detects whether the store has Adobe Commerce returns (RMA) by asking "
        "/V1/returns; 'commerce' creates RMAs; 'open_source' uses the order comment convention.",
        default="auto", choices=EDITIONS)
    order_lookup = settings_fields.choice(
        "Find the order by",
        "increment_id: the order number; attribute: an order field such as ext_order_id "
        "(searched by the store); extension_attribute: an extension attribute of recent "
        "orders; comment: a status-history comment of recent orders.",
        default="increment_id", choices=LOOKUPS)
    order_lookup_template = fields.String(
        load_default="{marketplace_order_id}", validate=validate.Regexp(r".*\{marketplace_order_id\}.*"),
        metadata={"label": "Lookup value", "help": "The value looked for, e.g. 'bol-{marketplace_order_id}'."})
    order_lookup_field = fields.String(
        load_default="ext_order_id", validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"),
        metadata={"label": "Order field / extension attribute",
                  "help": "For 'attribute' and 'extension_attribute': its code, e.g. ext_order_id."})
    ean_attribute = fields.String(
        load_default="ean", validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"),
        metadata={"label": "EAN product attribute",
                  "help": "The product attribute holding the EAN/GTIN: lines that come without a SKU (bol) "
                          "are matched to order items through the product with that EAN."})
    lookup_days = settings_fields.number(
        "Scan window (days)",
        "extension_attribute/comment lookups read orders created this many days before the return.",
        default=60, low=1, high=365)
    page_size = settings_fields.number(
        "Page size",
        "searchCriteria[pageSize] of list calls.",
        default=50, low=1, high=300)
    max_pages = settings_fields.number(
        "Most pages per scan",
        "Caps an order scan (pages of Page size).",
        default=20, low=1, high=200)
    rma_resolution = fields.String(
        load_default="Refund",
        metadata={"label": "RMA resolution asked for", "help": "Label of the 'resolution' option set on new RMA items."})
    rma_condition = fields.String(
        load_default="Unopened",
        metadata={"label": "RMA item condition", "help": "Label of the 'condition' option set on new RMA items."})
    rma_reason_fallback = fields.String(
        load_default="Out of Service",
        metadata={"label": "RMA reason when none matches",
                  "help": "Label of the 'reason' option used when the marketplace reason matches no option; "
                          "the marketplace's own reason text is in the RMA comment either way."})
    resolution_decisions = _map_field(
        DEFAULT_RESOLUTIONS, "Approved resolution → decision",
        "Which decision an approved RMA item means, by its resolution label (Repair and Keep are options "
        "the merchant adds to the 'resolution' returns attribute).")
    keyword_prefix = fields.String(
        load_default="returnhub:", validate=validate.Length(min=2),
        metadata={"label": "Decision keyword (Open Source)",
                  "help": "The merchant decides by adding an order comment '<keyword><decision>', e.g. "
                          "'returnhub:rejected'; a credit memo alone means accepted."})
    status_decisions = _map_field(
        "", "Order status → decision (Open Source)",
        "Optional: custom order statuses that mean a decision, e.g. 'return_rejected=rejected'.")

    @validates_schema
    def credentials(self, data, **kwargs):
        if data.get("auth_method") == "oauth1":
            missing = [n for n in ("consumer_key", "consumer_secret", "access_token_secret") if not data.get(n)]
            if missing:
                raise ValidationError("OAuth 1.0a signing needs the consumer key and secret and the access "
                                      "token secret", missing[0])
