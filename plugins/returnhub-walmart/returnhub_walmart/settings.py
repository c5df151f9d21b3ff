"""The connection form for a Walmart Marketplace (US) seller account: API keys, base URL, limits."""
from marshmallow import Schema, fields, validate

PRODUCTION_API = "https://marketplace.walmartapis.com"
SERVICE_NAME = "Walmart Marketplace"
# Walmart publishes no number for the Returns API; 60 refunds per minute is a third-party figure (research §8.3)
# Walmart's (MX) sandbox lists 30 returns/refunds feed calls per hour. Settings; the manifest's 60/min the default.
REQUESTS_PER_MINUTE = 60
PAGE_LIMIT = 200  # GET /v3/returns: "Cannot be larger than 200"


class WalmartSettings(Schema):
    """A Walmart connection's settings; the client secret is sealed at rest and never shown back."""

    client_id = fields.String(
        required=True, validate=validate.Length(min=1),
        metadata={"label": "Client ID",
                  "help": "Seller Center → Settings → API Key Management: the Client ID of your production key."})
    client_secret = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "Client secret",
                  "help": "The Client Secret shown with the Client ID; it buys 15-minute access tokens."})
    api_base_url = fields.Url(
        load_default=PRODUCTION_API, require_tld=False,
        metadata={"label": "API base URL",
                  "help": "https://marketplace.walmartapis.com; https://sandbox.walmartapis.com for the sandbox."})
    service_name = fields.String(
        load_default=SERVICE_NAME, validate=validate.Length(min=1, max=100),
        metadata={"label": "WM_SVC.NAME", "help": "The service name Walmart asks every request to carry."})
    channel_type = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100),
        metadata={"label": "Consumer channel type",
                  "help": "WM_CONSUMER.CHANNEL.TYPE from onboarding (solution providers); empty for sellers."})
    page_size = fields.Integer(
        load_default=100, validate=validate.Range(min=1, max=PAGE_LIMIT),
        metadata={"label": "Returns per page", "help": "limit of GET /v3/returns (at most 200)."})
    requests_per_minute = fields.Integer(
        load_default=REQUESTS_PER_MINUTE, validate=validate.Range(min=1, max=600),
        metadata={"label": "Requests per minute",
                  "help": "Walmart publishes no limit for the Returns API; 60 per minute is a third-party figure. "
                          "Lower it when other tools use the same keys, or for the sandbox."})
    refunds_per_minute = fields.Integer(
        load_default=REQUESTS_PER_MINUTE, validate=validate.Range(min=1, max=600),
        metadata={"label": "Refunds per minute", "help": "The budget of POST /v3/returns/{id}/refund alone."})
    days_back = fields.Integer(
        load_default=30, validate=validate.Range(min=1, max=180),
        metadata={"label": "First fetch reaches back (days)"})
