"""The connection form for a Fruugo retailer account: Retailer Portal login, base URL, paths, windows, limits."""
from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields

PRODUCTION_API = "https://www.fruugo.com"
DOWNLOAD_PATH = "/orders/download/v2"  # documented (Requests & Calls)
RETURN_PATH = "/orders/return"  # two third-party clients agree; the official page's table was not readable
# Return reasons as the retailCRM client (gwinn/saas-connector) lists them; UNVERIFIED against Fruugo's page.
RETURN_REASONS = ("unsatisfied_with_item", "item_did_not_match_description", "damaged_item", "wrong_item", "other")


class FruugoSettings(Schema):
    """A Fruugo connection's settings; the password is sealed at rest and never shown back."""

    username = settings_fields.credential("Retailer Portal username", "The login of the Fruugo Retailer Portal.")
    password = settings_fields.secret(
        "Retailer Portal password",
        "Fruugo's Order API uses HTTP Basic with the Retailer Portal credentials.")
    api_base_url = settings_fields.base_url("API base URL", "https://www.fruugo.com", default=PRODUCTION_API)
    download_path = fields.String(
        load_default=DOWNLOAD_PATH, validate=validate.Regexp(r"^/"),
        metadata={"label": "Download path", "help": "/orders/download/v2 (or /orders/download)."})
    return_path = fields.String(
        load_default=RETURN_PATH, validate=validate.Regexp(r"^/"),
        metadata={"label": "Return confirmation path",
                  "help": "/orders/return (from two third-party clients; check Fruugo's Requests & Calls page)."})
    return_reason = settings_fields.choice(
        "Return reason",
        "Optional returnReason sent with every confirmation (UNVERIFIED values); empty: none.",
        default="", choices=("", *RETURN_REASONS))
    window_days = settings_fields.number(
        "Days per download",
        "Fruugo documents no paging: a poll downloads from/to windows of this many days.",
        default=7, low=1, high=31)
    lookback_days = settings_fields.number(
        "Return window (days)",
        "Returns are announced on orders released up to this many days before (28-day return right plus delivery).",
        default=60, low=1, high=365)
    requests_per_minute = settings_fields.number(
        "Requests per minute",
        "Fruugo publishes no limit; UNVERIFIED default.",
        default=60, low=1, high=600)
