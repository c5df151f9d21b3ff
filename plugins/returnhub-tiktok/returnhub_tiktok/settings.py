"""The connection form for a TikTok Shop seller: app credentials, the shop's cipher and token, unconfirmed values."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.sdk import settings_fields

PRODUCTION_API = "https://open-api.tiktokglobalshop.com"
AUTH_HOST = "https://auth.tiktok-shops.com"
API_VERSION = "202309"


class TikTokSettings(Schema):
    """A TikTok Shop connection's settings; app secret and access token are secrets (sealed, never shown back)."""

    app_key = settings_fields.credential("App key", "Partner Center → App & Service → the app key.")
    app_secret = settings_fields.secret("App secret", "The app secret; it signs every request.")
    access_token = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Access token",
                  "help": "A fixed seller access token (sent as x-tts-access-token); it expires after about 7 days. "
                          "Give the refresh token instead to have Returnhub renew it."})
    refresh_token = settings_fields.saved_secret(
        "Refresh token",
        "The seller's refresh token: Returnhub renews the access token with it before it expires "
        "and keeps the new refresh token TikTok sends back.")
    auth_base_url = settings_fields.base_url("Token host", f"{AUTH_HOST}; an emulator in tests.", default=AUTH_HOST)
    renew_ahead = settings_fields.number(
        "Renew the access token this many seconds before it expires",
        default=3600, low=60, high=7 * 86400)
    shop_cipher = settings_fields.credential("Shop cipher", "The shop's cipher from GET /authorization/202309/shops.")
    api_base_url = settings_fields.base_url(
        "API base URL",
        f"{PRODUCTION_API}; an emulator in tests.",
        default=PRODUCTION_API)
    api_version = fields.String(load_default=API_VERSION, validate=validate.Regexp(r"^\d{6}$"),
                                metadata={"label": "API version", "help": "The Return and Refund API version."})
    page_size = settings_fields.number(
        "Page size",
        "Returns per search page (UNVERIFIED max 100).",
        default=50, low=1, high=100)
    requests_per_second = settings_fields.number(
        "Requests per second",
        "UNVERIFIED: TikTok publishes no fixed per-shop limit.",
        default=10, low=1, high=100)
    days_back = settings_fields.number("First fetch reaches back (days)", default=30, low=1, high=365)
    reject_reason = fields.String(
        load_default=None, allow_none=True,
        metadata={"label": "Preferred reject reason",
                  "help": "A reason name as TikTok's reject-reasons endpoint lists it; when TikTok does not offer "
                          "it for a return, the first reason offered is used."})
    reject_comment = fields.String(
        load_default="The returned item does not meet the return conditions.",
        validate=validate.Length(min=1, max=1000),
        metadata={"label": "Reject comment", "help": "Sent with a rejection when the decision has no note."})

    @validates_schema
    def _a_token(self, data, **kwargs):
        if not data.get("access_token") and not data.get("refresh_token"):
            raise ValidationError("give the refresh token (or a fixed access token)", "refresh_token")
