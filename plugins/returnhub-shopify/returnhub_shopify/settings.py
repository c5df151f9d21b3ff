"""The connection form for a Shopify store: credentials, API version, order lookup and conventions."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.sdk import settings_fields

# Shopify supports each quarterly version at least 12 months (shopify.dev/docs/api/usage/versioning):
# 2026-07 until 2027-07-01. It still takes the ReturnReason enum (deprecated, not removed).
DEFAULT_API_VERSION = "2026-07"
LOOKUPS = ["name", "tag", "source_identifier", "po_number", "note_attribute", "metafield"]


class ShopifySettings(Schema):
    shop_url = fields.Url(
        required=True, require_tld=False,
        metadata={"label": "Store URL",
                  "help": "https://<store>.myshopify.com (the permanent myshopify domain, not the "
                          "storefront domain)."})
    api_version = fields.String(
        load_default=DEFAULT_API_VERSION,
        validate=validate.Regexp(r"^(\d{4}-(01|04|07|10)|unstable)$"),
        metadata={"label": "Admin API version",
                  "help": "Quarterly version such as 2026-07; Shopify supports each for 12 months. "
                          "2025-07 or later reads processed exchange quantities."})
    access_token = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Admin API access token",
                  "help": "shpat_… token of a custom app; leave empty to use client credentials."})
    client_id = fields.String(
        load_default=None, allow_none=True,
        metadata={"label": "App client ID",
                  "help": "Dev Dashboard app of the store's own organisation (client credentials "
                          "grant); only needed without an access token."})
    client_secret = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "App client secret",
                  "help": "Signs the webhooks (X-Shopify-Hmac-Sha256) and, with the client ID, "
                          "obtains access tokens."})
    order_lookup = settings_fields.choice(
        "Find the order by",
        "Where the marketplace order id is on the Shopify order: order name, a "
        "tag, source identifier, PO number, a note attribute or a metafield.",
        default="name", choices=LOOKUPS)
    order_lookup_template = fields.String(
        load_default="{marketplace_order_id}",
        validate=validate.Regexp(r".*\{marketplace_order_id\}.*"),
        metadata={"label": "Lookup value",
                  "help": "The value searched for, e.g. 'bol-{marketplace_order_id}' or "
                          "'#{marketplace_order_id}'."})
    order_lookup_key = fields.String(
        load_default=None, allow_none=True,
        metadata={"label": "Note attribute key / metafield",
                  "help": "For note_attribute: the attribute key; for metafield: namespace.key."})
    tag_repaired = fields.String(
        load_default="returnhub:repaired",
        metadata={"label": "Order tag for 'repaired'",
                  "help": "Shopify cannot say 'repaired': tag the order with this, then close the "
                          "return."})
    tag_kept = fields.String(
        load_default="returnhub:kept",
        metadata={"label": "Order tag for 'kept'",
                  "help": "Shopify cannot say 'customer keeps the item': tag the order with this "
                          "and refund."})
    closed_without_refund = settings_fields.choice(
        "A return closed without refund means",
        "'rejected', 'repaired', or 'manual' (the hub flags it for a decision).",
        default="rejected", choices=["rejected", "repaired", "manual"])
    poll_batch_size = settings_fields.number(
        "Returns per poll query",
        "Return ids per nodes(ids:) query; at most 20 keeps one query under Shopify's 1000-point cost limit.",
        default=20, low=1, high=20)
    max_throttle_wait = fields.Float(
        load_default=10.0, validate=validate.Range(min=0, max=60),
        metadata={"label": "Longest throttle wait (s)",
                  "help": "Wait up to this long for Shopify's cost bucket to refill; longer waits "
                          "are handed to the job scheduler as a retry."})

    @validates_schema
    def credentials(self, data, **kwargs):
        if not data.get("access_token") and not (data.get("client_id") and data.get("client_secret")):
            raise ValidationError("give an access token, or a client ID with its client secret",
                                  "access_token")
        if data.get("order_lookup") in ("note_attribute", "metafield") and not data.get("order_lookup_key"):
            raise ValidationError("this lookup needs the note attribute key or namespace.key",
                                  "order_lookup_key")
        if data.get("order_lookup") == "metafield" and "." not in (data.get("order_lookup_key") or ""):
            raise ValidationError("metafield lookup key must be namespace.key", "order_lookup_key")
