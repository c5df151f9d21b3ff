"""The connection form for a Magento 1 / OpenMage store: SOAP API user and key, order lookup, decision conventions."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from hub.model import Decision

LOOKUPS = ["increment_id", "attribute"]


def parse_map(text: str | None) -> dict[str, str]:
    """``"return_rejected=rejected, return_ok=accepted"`` as ``{"return_rejected": "rejected", ...}``."""
    out = {}
    for part in re.split(r"[,;\n]", text or ""):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValidationError(f"'{part.strip()}' is not 'status=decision'")
        decision = value.strip().lower()
        if decision not in Decision._value2member_map_:
            raise ValidationError(f"'{decision}' is not a decision ({', '.join(d.value for d in Decision)})")
        out[key.strip().lower()] = decision
    return out


class Magento1Settings(Schema):
    store_url = fields.Url(
        required=True, require_tld=False,
        metadata={"label": "Store URL", "help": "The store's base URL, e.g. https://shop.example.com (SOAP v2 is "
                                                "served under /index.php/api/v2_soap/)."})
    api_user = fields.String(
        required=True, validate=validate.Length(min=1),
        metadata={"label": "API user name", "help": "System › Web Services › SOAP/XML-RPC - Users: the user name."})
    api_key = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "API key",
                  "help": "That user's API key; its role needs Sales › Orders (info, comment) and credit memos "
                          "(info)."})
    order_lookup = fields.String(
        load_default="increment_id", validate=validate.OneOf(LOOKUPS),
        metadata={"label": "Find the order by",
                  "help": "increment_id: the order number; attribute: an order field such as ext_order_id "
                          "(salesOrderList filter)."})
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
