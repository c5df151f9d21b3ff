"""The connection form for a TikTok Shop seller: app credentials, the shop's cipher and token, unconfirmed values."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

PRODUCTION_API = "https://open-api.tiktokglobalshop.com"
AUTH_HOST = "https://auth.tiktok-shops.com"
API_VERSION = "202309"


class TikTokSettings(Schema):
    """A TikTok Shop connection's settings; app secret and access token are secrets (sealed, never shown back)."""

    app_key = fields.String(required=True, validate=validate.Length(min=1),
                            metadata={"label": "App key", "help": "Partner Center → App & Service → the app key."})
    app_secret = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "App secret", "help": "The app secret; it signs every request."})
    access_token = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "label": "Access token",
                  "help": "A fixed seller access token (sent as x-tts-access-token); it expires after about 7 days. "
                          "Give the refresh token instead to have Returnhub renew it."})
    refresh_token = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "pinned": True, "label": "Refresh token",
                  "help": "The seller's refresh token: Returnhub renews the access token with it before it expires "
                          "and keeps the new refresh token TikTok sends back."})
    auth_base_url = fields.Url(load_default=AUTH_HOST, require_tld=False,
                               metadata={"label": "Token host", "help": f"{AUTH_HOST}; an emulator in tests."})
    renew_ahead = fields.Integer(
        load_default=3600, validate=validate.Range(min=60, max=7 * 86400),
        metadata={"label": "Renew the access token this many seconds before it expires"})
    shop_cipher = fields.String(
        required=True, validate=validate.Length(min=1),
        metadata={"label": "Shop cipher", "help": "The shop's cipher from GET /authorization/202309/shops."})
    api_base_url = fields.Url(load_default=PRODUCTION_API, require_tld=False,
                              metadata={"label": "API base URL", "help": f"{PRODUCTION_API}; an emulator in tests."})
    api_version = fields.String(load_default=API_VERSION, validate=validate.Regexp(r"^\d{6}$"),
                                metadata={"label": "API version", "help": "The Return and Refund API version."})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100),
                               metadata={"label": "Page size", "help": "Returns per search page (UNVERIFIED max 100)."})
    requests_per_second = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=100),
        metadata={"label": "Requests per second", "help": "UNVERIFIED: TikTok publishes no fixed per-shop limit."})
    days_back = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365),
                               metadata={"label": "First fetch reaches back (days)"})
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
