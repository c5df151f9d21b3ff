"""The connection form of an Allegro seller account: the app's OAuth client, the seller's refresh token,
environment (production or sandbox), limits and decision texts."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields

ENVIRONMENTS = {
    "production": {"api": "https://api.allegro.pl", "auth": "https://allegro.pl"},
    "sandbox": {"api": "https://api.allegro.pl.allegrosandbox.pl", "auth": "https://allegro.pl.allegrosandbox.pl"},
}
# getCustomerReturns: "limited to 25 requests per second for a single user and 50 requests per second for
# clientId" (the official description); other resources share Allegro's global per-client limit.
USER_RATE = 25
CLIENT_RATE = 50
REJECTION_CODES = ("REFUND_REJECTED", "NEW_ITEM_SENT", "ITEM_FIXED", "MISSING_PART_SENT", "ITEM_MISMATCH",
                   "BUSINESS_PURCHASE", "NO_RETURN_RIGHT")


def _label(label: str, help: str, **extra) -> dict:
    return {"label": label, "help": help, **extra}


class AllegroSettings(Schema):
    """Settings of one Allegro connection (one seller account); client secret and refresh token are secrets."""

    client_id = settings_fields.credential(
        "Client ID",
        "The Client ID of your Allegro application (apps.developer.allegro.pl). Allegro wants one "
        "application for all sellers; for the device flow tick 'device flow' when registering it.")
    client_secret = settings_fields.secret("Client secret", "The application's Client Secret.")
    refresh_token = fields.String(load_default=None, allow_none=True, load_only=True, metadata=_label(
        "Refresh token", "Filled in by 'Connect Allegro account' on the connection page (device flow). Allegro "
        "sends a new one with each renewal; Returnhub saves it here. Paste one only if you obtained it "
        "elsewhere (authorization code flow).", secret=True))
    environment = settings_fields.choice(
        "Environment",
        "production (allegro.pl) or sandbox (allegro.pl.allegrosandbox.pl, a separate test account).",
        default="production", choices=sorted(ENVIRONMENTS))
    api_base_url = fields.Url(load_default=None, allow_none=True, require_tld=False, metadata=_label(
        "API base URL", "Leave empty for the environment's API host; set only for an emulator."))
    auth_base_url = fields.Url(load_default=None, allow_none=True, require_tld=False, metadata=_label(
        "Authorization base URL", "Leave empty for the environment's allegro.pl host (token and device "
        "endpoints under /auth/oauth); set only for an emulator."))
    requests_per_second = settings_fields.number(
        "Requests per second",
        "Allegro allows 25 requests/s per user on customer returns and 50 per Client ID; "
        "lower it when other tools share the Client ID.",
        default=USER_RATE, low=1, high=CLIENT_RATE)
    page_size = settings_fields.number(
        "Returns per page",
        "limit of GET /order/customer-returns (1-1000).",
        default=100, low=1, high=1000)
    days_back = settings_fields.number(
        "First fetch reaches back (days)",
        "How far back the first poll looks (createdAt.gte).",
        default=30, low=1, high=365)
    marketplace_id = fields.String(load_default=None, allow_none=True, metadata=_label(
        "Marketplace", "Only returns of this Allegro marketplace (e.g. allegro-pl, allegro-cz); empty: all."))
    rejection_code = settings_fields.choice(
        "Rejection code",
        "Sent with a rejection unless the decision note starts with another documented code ('ITEM_MISMATCH: ...').",
        default="REFUND_REJECTED", choices=REJECTION_CODES)
    rejection_reason = fields.String(load_default="The returned item does not meet the return conditions.",
                                     validate=validate.Length(min=1, max=250), metadata=_label(
        "Rejection reason", "Sent with REFUND_REJECTED when the decision has no note (1-250 characters)."))
