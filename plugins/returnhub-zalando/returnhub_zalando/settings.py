"""The connection form for a Zalando partner: app credentials, merchant id, which imports run, limits, reasons.

Values the public pages did not confirm (token scope, ZRS field names, the ZSS marker) are settings
with the best-supported default; README.md names the sources and the UNVERIFIED points.
"""
from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields
from returnhub_zalando.codes import REASONS

PRODUCTION_API = "https://api.merchants.zalando.com"  # sandbox: https://api-sandbox.merchants.zalando.com
TOKEN_PATH = "/auth/token"
ORDERS_PER_MINUTE = 40  # GET multiple orders, production (sandbox 10)
LINES_PER_MINUTE = 2000  # GET/PATCH order lines, production (sandbox 40)
ZRS_PER_SECOND = 20  # ZRS customer returned items, production (sandbox 2)


class ZalandoSettings(Schema):
    """A Zalando connection's settings; the client secret is sealed at rest and never shown back."""

    client_id = settings_fields.credential(
        "Client ID",
        "zDirect portal → Apps → your app (created for your Fashion Partner).")
    client_secret = settings_fields.secret("Client secret", "The app's client secret.")
    merchant_id = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={
        "label": "Merchant ID", "help": "Your zDirect merchant id (in the API paths /merchants/{merchant_id}/…)."})
    api_base_url = settings_fields.base_url(
        "API base URL",
        "https://api.merchants.zalando.com; the sandbox is https://api-sandbox.merchants.zalando.com.",
        default=PRODUCTION_API)
    token_path = fields.String(load_default=TOKEN_PATH, validate=validate.Regexp(r"^/\S*$"), metadata={
        "label": "Token path", "help": "POST client credentials here (HTTP Basic)."})
    scope = fields.String(load_default="access_token_only", allow_none=True, metadata={
        "label": "Token scope", "help": "Sent as scope= in the token request (UNVERIFIED; empty sends none)."})
    import_zss = fields.Boolean(load_default=True, metadata={
        "label": "Import ZSS returns", "help": "You ship with Zalando Shipping Solutions: order lines Zalando "
                                               "set to 'returned' are imported for information."})
    import_zrs = fields.Boolean(load_default=False, metadata={
        "label": "Import ZRS returned items", "help": "You use ZRS Pure/Plus: items received by Zalando's "
                                                      "return centres are imported for information."})
    orders_per_minute = settings_fields.number(
        "Order list requests per minute",
        "Zalando: 40/min in production, 10/min in the sandbox.",
        default=ORDERS_PER_MINUTE, low=1, high=40)
    lines_per_minute = settings_fields.number(
        "Order/line requests per minute",
        "Zalando: 2000/min in production, 40/min in the sandbox.",
        default=LINES_PER_MINUTE, low=1, high=2000)
    zrs_per_second = settings_fields.number(
        "ZRS requests per second",
        "Zalando: 20/s in production, 2/s in the sandbox.",
        default=ZRS_PER_SECOND, low=1, high=20)
    page_size = settings_fields.number("Orders / items per page", default=100, low=1, high=1000)
    pages_per_poll = settings_fields.number("Pages read per import step", default=10, low=1, high=100)
    days_back = settings_fields.number(
        "First fetch reaches back (days)",
        "Orders older than one year cannot be read.",
        default=14, low=1, high=365)
    default_reason = fields.Integer(load_default=0, validate=validate.OneOf(sorted(REASONS)), metadata={
        "label": "Default return reason code", "help": "Sent with 'returned' when neither the return's reason "
                                                       "nor the decision note names one (0 UNKNOWN_CAUSE, "
                                                       "1 DISLIKE, 2 SIZE_BIG, 3 SIZE_SMALL, 4 VALUE_FOR_MONEY, "
                                                       "5 DELIVERY_TOO_LATE, 6 NOT_LIKE_IMAGINED, "
                                                       "9 ARTICLE_WRONG, 10 DEFECTIVE)."})
