"""The connection form for a Miravia seller: the app's key and secret, the seller's refresh token (saved by the
'Connect Miravia account' flow), and every value the sources could not confirm, as a setting with a default."""
from marshmallow import Schema, fields, validate

GATEWAY = "https://api.miravia.es/rest"
AUTHORIZE_URL = "https://auth.miravia.com/apps/oauth/authorize"


class MiraviaSettings(Schema):
    """A Miravia connection; the app secret and the refresh token are secrets (sealed, never shown back)."""

    app_key = fields.String(required=True, validate=validate.Length(min=1),
                            metadata={"label": "App key", "help": "Miravia Open Platform → App Console → App Key."})
    app_secret = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "App secret", "help": "The app secret; it signs every request."})
    refresh_token = fields.String(
        load_default=None, allow_none=True, load_only=True,
        metadata={"secret": True, "pinned": True, "label": "Refresh token",
                  "help": "Saved by 'Connect Miravia account'; Returnhub renews the access token with it."})
    api_base_url = fields.Url(load_default=GATEWAY, require_tld=False,
                              metadata={"label": "Gateway URL", "help": f"{GATEWAY}; an emulator in tests."})
    authorize_url = fields.Url(load_default=AUTHORIZE_URL, require_tld=False,
                               metadata={"label": "Authorization URL", "help": "Where the seller authorizes the app."})
    reverse_list_path = fields.String(load_default="/reverse/getreverseordersforseller",
                                      metadata={"label": "Reverse-order list API", "help": "UNVERIFIED for Miravia."})
    reasons_path = fields.String(load_default="/order/reverse/reason/list",
                                 metadata={"label": "Reject-reason list API", "help": "UNVERIFIED for Miravia."})
    accept_path = fields.String(load_default="/v2/order/returnRefund/accept", metadata={"label": "Accept API"})
    reject_path = fields.String(load_default="/v2/order/returnRefund/reject", metadata={"label": "Reject API"})
    refund_amount_unit = fields.String(
        load_default="cents", validate=validate.OneOf(["cents", "units"]),
        metadata={"label": "RefundAmount unit", "help": "UNVERIFIED: the list gives cents; cents or currency units."})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200),
                               metadata={"label": "Page size", "help": "Reverse orders per page (UNVERIFIED max)."})
    requests_per_second = fields.Integer(
        load_default=5, validate=validate.Range(min=1, max=100),
        metadata={"label": "Requests per second", "help": "UNVERIFIED: set per app category by Miravia."})
    days_back = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365),
                               metadata={"label": "First fetch reaches back (days)"})
    renew_ahead = fields.Integer(
        load_default=3600, validate=validate.Range(min=60, max=7 * 86400),
        metadata={"label": "Renew the access token this many seconds before it expires"})
    reject_reason_id = fields.String(
        load_default=None, allow_none=True,
        metadata={"label": "Preferred reject reason id",
                  "help": "Used when the reason list offers it for the line; else the first reason offered."})
    reject_comment = fields.String(
        load_default="Return request reviewed and not accepted by the seller.",
        validate=validate.Length(min=1, max=500),
        metadata={"label": "Reject comment", "help": "Sent with a rejection when the decision has no note."})
