"""The connection form for a Mijnwebwinkel store: tokens, where the marketplace order number is kept,
and the merchant's order-status convention for decisions."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.model import Decision
from hub.sdk import settings_fields

API_URL = "https://api.myonlinestore.com"
LOOKUPS = ["internal_comment", "customer_comment", "reference", "number"]
LANGUAGES = ["nl_NL", "en_GB", "de_DE", "fr_FR", "es_ES", "en_US", "pt_PT", "it_IT", "da_DK", "sv_SE", "no_NO",
             "tr_TR", "pl_PL"]
_PAIR = re.compile(r"^\s*(\d+)\s*[=:]\s*([a-z]+)\s*$")


def parse_status_decisions(text: str | None) -> dict[int, Decision]:
    """``"21=accepted, 22=rejected"`` as ``{21: Decision.ACCEPTED, ...}``; ValueError naming the bad part."""
    out: dict[int, Decision] = {}
    for part in filter(str.strip, re.split(r"[,;\n]", text or "")):
        match = _PAIR.match(part)
        if not match or match.group(2) not in Decision._value2member_map_:
            raise ValueError(f"'{part.strip()}' is not <status id>=<decision> with a decision of "
                             f"{', '.join(d.value for d in Decision)}")
        status = int(match.group(1))
        if status in out:
            raise ValueError(f"status {status} is mapped twice")
        out[status] = Decision(match.group(2))
    return out


class MijnwebwinkelSettings(Schema):
    """What one connection to a Mijnwebwinkel store needs (both tokens are secret)."""

    api_url = settings_fields.base_url(
        "API address",
        "https://api.myonlinestore.com (the one EMEA environment).",
        default=API_URL)
    api_version = settings_fields.choice(
        "API version",
        "'1' (stable) or '2-beta'.",
        default="1", choices=["1", "2-beta"])
    language = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES),
        metadata={"label": "Language", "help": "Language of status descriptions (default: the store's, nl_NL)."})
    partner_token = fields.String(
        required=True, load_only=True,
        metadata={"secret": True, "label": "Partner token",
                  "help": "The token MyOnlineStore issued to the Returnhub partner application."})
    token = fields.String(
        required=True, load_only=True,
        metadata={"secret": True, "label": "Store API token",
                  "help": "Made by the merchant in the shop backend: Settings › API › Add token (PREMIUM package)."})
    order_lookup = settings_fields.choice(
        "Marketplace order number is kept in",
        "Where the channel tool puts the marketplace order number on the Mijnwebwinkel order: "
        "the internal comment, the customer comment, the reference (B2B orders), or it is the order number itself.",
        default="internal_comment", choices=LOOKUPS)
    order_lookup_template = fields.String(
        load_default="{marketplace_order_id}", validate=validate.Regexp(r".*\{marketplace_order_id\}.*"),
        metadata={"label": "Lookup value", "help": "The value searched for, e.g. 'bol {marketplace_order_id}'."})
    lookup_days = settings_fields.number(
        "Search orders of the last (days)",
        "Orders placed this many days before the return was requested are searched.",
        default=60, low=1, high=730)
    lookup_max_pages = settings_fields.number(
        "Most order pages searched",
        "Pages of 100 orders read per lookup.",
        default=20, low=1, high=200)
    page_size = settings_fields.number(
        "Orders per page",
        "At most 100 (the API's maximum).",
        default=100, low=1, high=100)
    requested_status = fields.Integer(
        load_default=None, allow_none=True,
        metadata={"label": "Status for 'return requested'",
                  "help": "Order status id the hub sets when it writes the return onto the order; empty keeps "
                          "the order's status."})
    status_decisions = fields.String(
        load_default="",
        metadata={"label": "Order statuses that decide a return",
                  "help": "status id=decision, comma separated, e.g. '21=accepted, 22=rejected, 23=exchanged'. "
                          "Decisions: accepted, rejected, exchanged, cancelled, repaired, kept. The connection "
                          "check lists the store's statuses when one is unknown."})
    changed_since_format = settings_fields.choice(
        "Format of status_changed_start_date",
        "'description': yyyy-mm-dd hh:mm:ss in UTC (what the parameter's description says); "
        "'rfc3339': 2026-11-01T10:00:00+00:00 (what its schema format says).",
        default="description", choices=["description", "rfc3339"])
    credit_order_decision = settings_fields.choice(
        "A credit order made after the return means",
        "'accepted', 'kept' (refund, the customer keeps the item) or 'ignore'.",
        default="accepted", choices=["accepted", "kept", "ignore"])

    @validates_schema
    def mapping(self, data, **kwargs):
        try:
            parse_status_decisions(data.get("status_decisions"))
        except ValueError as exc:
            raise ValidationError(str(exc), "status_decisions") from exc
