"""The connection form for a Fruugo retailer account: Retailer Portal login, base URL, paths, windows, limits."""
from marshmallow import Schema, fields, validate

PRODUCTION_API = "https://www.fruugo.com"
DOWNLOAD_PATH = "/orders/download/v2"  # documented (Requests & Calls)
RETURN_PATH = "/orders/return"  # two third-party clients agree; the official page's table was not readable
# Return reasons as the retailCRM client (gwinn/saas-connector) lists them; UNVERIFIED against Fruugo's page.
RETURN_REASONS = ("unsatisfied_with_item", "item_did_not_match_description", "damaged_item", "wrong_item", "other")


class FruugoSettings(Schema):
    """A Fruugo connection's settings; the password is sealed at rest and never shown back."""

    username = fields.String(
        required=True, validate=validate.Length(min=1),
        metadata={"label": "Retailer Portal username", "help": "The login of the Fruugo Retailer Portal."})
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "Retailer Portal password",
                  "help": "Fruugo's Order API uses HTTP Basic with the Retailer Portal credentials."})
    api_base_url = fields.Url(
        load_default=PRODUCTION_API, require_tld=False,
        metadata={"label": "API base URL", "help": "https://www.fruugo.com"})
    download_path = fields.String(
        load_default=DOWNLOAD_PATH, validate=validate.Regexp(r"^/"),
        metadata={"label": "Download path", "help": "/orders/download/v2 (or /orders/download)."})
    return_path = fields.String(
        load_default=RETURN_PATH, validate=validate.Regexp(r"^/"),
        metadata={"label": "Return confirmation path",
                  "help": "/orders/return (from two third-party clients; check Fruugo's Requests & Calls page)."})
    return_reason = fields.String(
        load_default="", validate=validate.OneOf(("", *RETURN_REASONS)),
        metadata={"label": "Return reason",
                  "help": "Optional returnReason sent with every confirmation (UNVERIFIED values); empty: none."})
    window_days = fields.Integer(
        load_default=7, validate=validate.Range(min=1, max=31),
        metadata={"label": "Days per download",
                  "help": "Fruugo documents no paging: a poll downloads from/to windows of this many days."})
    lookback_days = fields.Integer(
        load_default=60, validate=validate.Range(min=1, max=365),
        metadata={"label": "Return window (days)",
                  "help": "Returns are announced on orders released up to this many days before (28-day "
                          "return right plus delivery)."})
    requests_per_minute = fields.Integer(
        load_default=60, validate=validate.Range(min=1, max=600),
        metadata={"label": "Requests per minute", "help": "Fruugo publishes no limit; UNVERIFIED default."})
