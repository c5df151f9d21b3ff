"""The connection form for a Walmart Marketplace (US) seller account: API keys, base URL, limits."""
from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields

PRODUCTION_API = "https://marketplace.walmartapis.com"
SERVICE_NAME = "Walmart Marketplace"
# Walmart publishes no number for the Returns API; 60 refunds per minute is a third-party figure (research §8.3)
# Walmart's (MX) sandbox lists 30 returns/refunds feed calls per hour. Settings; the manifest's 60/min the default.
REQUESTS_PER_MINUTE = 60
PAGE_LIMIT = 200  # GET /v3/returns: "Cannot be larger than 200"


class WalmartSettings(Schema):
    """A Walmart connection's settings; the client secret is sealed at rest and never shown back."""

    client_id = settings_fields.credential(
        "Client ID",
        "Seller Center → Settings → API Key Management: the Client ID of your production key.")
    client_secret = settings_fields.secret(
        "Client secret",
        "The Client Secret shown with the Client ID; it buys 15-minute access tokens.")
    api_base_url = settings_fields.base_url(
        "API base URL",
        "https://marketplace.walmartapis.com; https://sandbox.walmartapis.com for the sandbox.",
        default=PRODUCTION_API)
    service_name = fields.String(
        load_default=SERVICE_NAME, validate=validate.Length(min=1, max=100),
        metadata={"label": "WM_SVC.NAME", "help": "The service name Walmart asks every request to carry."})
    channel_type = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100),
        metadata={"label": "Consumer channel type",
                  "help": "WM_CONSUMER.CHANNEL.TYPE from onboarding (solution providers); empty for sellers."})
    page_size = settings_fields.number(
        "Returns per page",
        "limit of GET /v3/returns (at most 200).",
        default=100, low=1, high=PAGE_LIMIT)
    requests_per_minute = settings_fields.number(
        "Requests per minute",
        "Walmart publishes no limit for the Returns API; 60 per minute is a third-party figure. "
        "Lower it when other tools use the same keys, or for the sandbox.",
        default=REQUESTS_PER_MINUTE, low=1, high=600)
    refunds_per_minute = settings_fields.number(
        "Refunds per minute",
        "The budget of POST /v3/returns/{id}/refund alone.",
        default=REQUESTS_PER_MINUTE, low=1, high=600)
    days_back = settings_fields.number("First fetch reaches back (days)", default=30, low=1, high=180)
