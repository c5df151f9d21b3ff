"""The connection form for a Lightspeed eCom shop: cluster and language, API key and secret, where the
marketplace order number is kept, and the merchant's status conventions for decisions."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.model import Decision

CLUSTERS = {"eu1": "https://api.webshopapp.com", "us1": "https://api.shoplightspeed.com"}
LANGUAGES = ["nl", "en", "de", "fr", "es", "it", "da", "sv", "no", "pl", "pt", "tr", "el", "us"]
LOOKUPS = ["memo", "comment", "number"]
_PAIR = re.compile(r"^\s*([\w-]+)\s*[=:]\s*([a-z]+)\s*$")


def parse_decisions(text: str | None) -> dict[str, Decision]:
    """``"12=accepted, 13=rejected"`` as ``{"12": Decision.ACCEPTED, ...}``; ValueError naming the bad part."""
    out: dict[str, Decision] = {}
    for part in filter(str.strip, re.split(r"[,;\n]", text or "")):
        match = _PAIR.match(part)
        if not match or match.group(2) not in Decision._value2member_map_:
            raise ValueError(f"'{part.strip()}' is not <value>=<decision> with a decision of "
                             f"{', '.join(d.value for d in Decision)}")
        if match.group(1) in out:
            raise ValueError(f"{match.group(1)} is mapped twice")
        out[match.group(1)] = Decision(match.group(2))
    return out


class LightspeedSettings(Schema):
    """What one connection to a Lightspeed eCom shop needs (the API secret is secret)."""

    cluster = fields.String(
        load_default="eu1", validate=validate.OneOf(sorted(CLUSTERS)),
        metadata={"label": "Cluster", "help": "eu1 (api.webshopapp.com) or us1 (api.shoplightspeed.com)."})
    api_url = fields.Url(
        load_default=None, allow_none=True, require_tld=False,
        metadata={"label": "API address (override)", "help": "Empty: the cluster's address."})
    language = fields.String(
        load_default="nl", validate=validate.OneOf(LANGUAGES),
        metadata={"label": "Shop language", "help": "A language the shop has; the API's URLs start with it."})
    api_key = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "API key",
                  "help": "Back office › Settings › Developers (or issued by Lightspeed)."})
    api_secret = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "API secret", "help": "Also the key that signs webhooks."})
    webhook_secret = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Webhook secret (apps only)",
                  "help": "Empty: webhooks are verified with the API secret; a Lightspeed app's webhooks are "
                          "signed with the app secret instead."})
    order_lookup = fields.String(
        load_default="memo", validate=validate.OneOf(LOOKUPS),
        metadata={"label": "Marketplace order number is kept in",
                  "help": "Order field the channel tool writes it to: memo, comment (contains) or number (equal)."})
    order_lookup_template = fields.String(
        load_default="{marketplace_order_id}", validate=validate.Regexp(r".*\{marketplace_order_id\}.*"),
        metadata={"label": "Lookup value", "help": "The value searched for, e.g. 'bol {marketplace_order_id}'."})
    lookup_days = fields.Integer(load_default=60, validate=validate.Range(min=1, max=730),
                                 metadata={"label": "Search orders of the last (days)"})
    lookup_max_pages = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200),
                                      metadata={"label": "Most order pages searched"})
    page_size = fields.Integer(load_default=250, validate=validate.Range(min=1, max=250),
                               metadata={"label": "Orders per page", "help": "At most 250."})
    note_field = fields.String(
        load_default="memo", validate=validate.OneOf(["memo"]),
        metadata={"label": "Order field the return is written to", "help": "The order's internal memo."})
    requested_status = fields.Integer(
        load_default=None, allow_none=True,
        metadata={"label": "Custom status for 'return requested'",
                  "help": "customStatusId the hub sets when it writes the return; empty keeps the order's."})
    status_decisions = fields.String(
        load_default="",
        metadata={"label": "Custom order statuses that decide a return",
                  "help": "customStatusId=decision, e.g. '12=accepted, 13=rejected'."})
    return_status_decisions = fields.String(
        load_default="",
        metadata={"label": "Return statuses that decide a return",
                  "help": "status=decision for Lightspeed return records on the order, e.g. "
                          "'approved=accepted, rejected=rejected' (the vocabulary is not published)."})
    rate_limit_wait_max = fields.Float(
        load_default=30.0, validate=validate.Range(min=0, max=600),
        metadata={"label": "Wait out an exhausted rate-limit window up to (s)",
                  "help": "Longer windows end the job with a retry later."})

    @validates_schema
    def mappings(self, data, **kwargs):
        for name in ("status_decisions", "return_status_decisions"):
            try:
                parse_decisions(data.get(name))
            except ValueError as exc:
                raise ValidationError(str(exc), name) from exc
        if not (data.get("status_decisions") or data.get("return_status_decisions")):
            raise ValidationError("map custom order statuses or return statuses to decisions", "status_decisions")
