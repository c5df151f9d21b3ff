"""The connection form for a Magento 1 / OpenMage store: SOAP API user and key, order lookup, decision conventions."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields

LOOKUPS = ["increment_id", "attribute"]


def parse_map(text: str | None) -> dict[str, str]:
    """``"return_rejected=rejected, return_ok=accepted"`` as ``{"return_rejected": "rejected", ...}``."""
    return settings_fields.decision_map(text, "status=decision")


class Magento1Settings(Schema):
    store_url = fields.Url(
        required=True, require_tld=False,
        metadata={"label": "Store URL", "help": "The store's base URL, e.g. https://shop.example.com (SOAP v2 is "
                                                "served under /index.php/api/v2_soap/)."})
    api_user = settings_fields.credential(
        "API user name",
        "System › Web Services › SOAP/XML-RPC - Users: the user name.")
    api_key = settings_fields.secret(
        "API key",
        "That user's API key; its role needs Sales › Orders (info, comment) and credit memos (info).")
    order_lookup = settings_fields.choice(
        "Find the order by",
        "increment_id: the order number; attribute: an order field such as ext_order_id (salesOrderList filter).",
        default="increment_id", choices=LOOKUPS)
    order_lookup_template = fields.String(
        load_default="{marketplace_order_id}", validate=validate.Regexp(r".*\{marketplace_order_id\}.*"),
        metadata={"label": "Lookup value", "help": "The value looked for, e.g. 'bol-{marketplace_order_id}'."})
    order_lookup_field = fields.String(
        load_default="ext_order_id", validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"),
        metadata={"label": "Order field", "help": "For 'attribute': the order field, e.g. ext_order_id."})
    keyword_prefix = fields.String(
        load_default="returnhub:", validate=validate.Length(min=2),
        metadata={"label": "Decision keyword",
                  "help": "The merchant decides by adding an order comment '<keyword><decision>', e.g. "
                          "'returnhub:rejected'; a credit memo made after the return means accepted."})
    status_decisions = fields.String(
        load_default="", validate=lambda v: v == "" or bool(parse_map(v)),
        metadata={"label": "Order status → decision",
                  "help": "Optional: custom order statuses that mean a decision, e.g. 'return_rejected=rejected'."})
