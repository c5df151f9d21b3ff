"""The connection form for a Lightspeed eCom shop: cluster and language, API key and secret, where the
marketplace order number is kept, and the merchant's status conventions for decisions."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.model import Decision
from hub.sdk import settings_fields

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

    cluster = settings_fields.choice(
        "Cluster",
        "eu1 (api.webshopapp.com) or us1 (api.shoplightspeed.com).",
        default="eu1", choices=sorted(CLUSTERS))
    api_url = fields.Url(
        load_default=None, allow_none=True, require_tld=False,
        metadata={"label": "API address (override)", "help": "Empty: the cluster's address."})
    language = settings_fields.choice(
        "Shop language",
        "A language the shop has; the API's URLs start with it.",
        default="nl", choices=LANGUAGES)
    api_key = settings_fields.secret("API key", "Back office › Settings › Developers (or issued by Lightspeed).")
    api_secret = settings_fields.secret("API secret", "Also the key that signs webhooks.")
    webhook_secret = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Webhook secret (apps only)",
                  "help": "Empty: webhooks are verified with the API secret; a Lightspeed app's webhooks are "
                          "signed with the app secret instead."})
    order_lookup = settings_fields.choice(
        "Marketplace order number is kept in",
        "Order field the channel tool writes it to: memo, comment (contains) or number (equal).",
        default="memo", choices=LOOKUPS)
    order_lookup_template = fields.String(
        load_default="{marketplace_order_id}", validate=validate.Regexp(r".*\{marketplace_order_id\}.*"),
        metadata={"label": "Lookup value", "help": "The value searched for, e.g. 'bol {marketplace_order_id}'."})
    lookup_days = settings_fields.number("Search orders of the last (days)", default=60, low=1, high=730)
    lookup_max_pages = settings_fields.number("Most order pages searched", default=20, low=1, high=200)
    page_size = settings_fields.number("Orders per page", "At most 250.", default=250, low=1, high=250)
    note_field = settings_fields.choice(
        "Order field the return is written to",
        "The order's internal memo.",
        default="memo", choices=["memo"])
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
