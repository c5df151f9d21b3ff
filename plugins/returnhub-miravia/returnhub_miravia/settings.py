"""The connection form for a Miravia seller: the app's key and secret, the seller's refresh token (saved by the
'Connect Miravia account' flow), and every value the sources could not confirm, as a setting with a default."""
from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields

GATEWAY = "https://api.miravia.es/rest"
AUTHORIZE_URL = "https://auth.miravia.com/apps/oauth/authorize"


class MiraviaSettings(Schema):
    """A Miravia connection; the app secret and the refresh token are secrets (sealed, never shown back)."""

    app_key = settings_fields.credential("App key", "Miravia Open Platform → App Console → App Key.")
    app_secret = settings_fields.secret("App secret", "The app secret; it signs every request.")
    refresh_token = settings_fields.saved_secret(
        "Refresh token",
        "Saved by 'Connect Miravia account'; Returnhub renews the access token with it.")
    api_base_url = settings_fields.base_url("Gateway URL", f"{GATEWAY}; an emulator in tests.", default=GATEWAY)
    authorize_url = settings_fields.base_url(
        "Authorization URL",
        "Where the seller authorizes the app.",
        default=AUTHORIZE_URL)
    reverse_list_path = fields.String(load_default="/reverse/getreverseordersforseller",
                                      metadata={"label": "Reverse-order list API", "help": "UNVERIFIED for Miravia."})
    reasons_path = fields.String(load_default="/order/reverse/reason/list",
                                 metadata={"label": "Reject-reason list API", "help": "UNVERIFIED for Miravia."})
    accept_path = fields.String(load_default="/v2/order/returnRefund/accept", metadata={"label": "Accept API"})
    reject_path = fields.String(load_default="/v2/order/returnRefund/reject", metadata={"label": "Reject API"})
    refund_amount_unit = settings_fields.choice(
        "RefundAmount unit",
        "UNVERIFIED: the list gives cents; cents or currency units.",
        default="cents", choices=["cents", "units"])
    page_size = settings_fields.number(
        "Page size",
        "Reverse orders per page (UNVERIFIED max).",
        default=50, low=1, high=200)
    requests_per_second = settings_fields.number(
        "Requests per second",
        "UNVERIFIED: set per app category by Miravia.",
        default=5, low=1, high=100)
    days_back = settings_fields.number("First fetch reaches back (days)", default=30, low=1, high=365)
    renew_ahead = settings_fields.number(
        "Renew the access token this many seconds before it expires",
        default=3600, low=60, high=7 * 86400)
    reject_reason_id = fields.String(
        load_default=None, allow_none=True,
        metadata={"label": "Preferred reject reason id",
                  "help": "Used when the reason list offers it for the line; else the first reason offered."})
    reject_comment = fields.String(
        load_default="Return request reviewed and not accepted by the seller.",
        validate=validate.Length(min=1, max=500),
        metadata={"label": "Reject comment", "help": "Sent with a rejection when the decision has no note."})
