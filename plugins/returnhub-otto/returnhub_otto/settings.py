"""The connection form for an OTTO Market seller: the app's client credentials, scopes, limits and reason codes.

Every value the public documentation did not confirm (token path, scope names, rate limit, the
reason-code lists) is a setting with the best-supported default; README.md names the sources.
"""
from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields
from returnhub_otto.codes import ACCEPT_REASONS, CONDITIONS, REJECT_REASONS

PRODUCTION_API = "https://api.otto.market"
TOKEN_PATH = "/v1/token"  # https://api.otto.market/docs/sellers-integration (client credentials, form-encoded)
SCOPES = "orders returns"  # the scopes of the interfaces used; each interface is its own scope
PAGE_LIMIT = 50  # GET /v3/returns: "at max 50 results per page"
BATCH_LIMIT = 200  # POST /v3/returns/acceptance|rejection: "up to 200 items per request"
RATE_LIMIT = 20  # requests per second (UNVERIFIED: third-party notes say 1200/min per partner)


class OttoSettings(Schema):
    """An OTTO connection's settings; the client secret is sealed at rest and never shown back."""

    client_id = settings_fields.credential("Client ID", "OTTO Partner Connect → Apps → your self-app: the client ID.")
    client_secret = settings_fields.secret("Client secret", "The client secret shown once when the app was created.")
    scopes = fields.String(
        load_default=SCOPES, validate=validate.Length(min=1, max=500),
        metadata={"label": "Scopes",
                  "help": "Space-separated scopes asked for in the client-credentials grant; the app must have "
                          "the Orders and Returns interfaces (scopes 'orders returns')."})
    api_base_url = settings_fields.base_url(
        "API base URL",
        "https://api.otto.market; https://sandbox.api.otto.market for the sandbox.",
        default=PRODUCTION_API)
    token_path = fields.String(
        load_default=TOKEN_PATH, validate=validate.Regexp(r"^/\S*$"),
        metadata={"label": "Token path", "help": "Path of the OAuth2 token endpoint under the API base URL."})
    requests_per_second = settings_fields.number(
        "Requests per second",
        "OTTO limits each endpoint; lower this when other tools use the same app.",
        default=RATE_LIMIT, low=1, high=RATE_LIMIT)
    page_size = settings_fields.number(
        "Returns per page",
        "GET /v3/returns takes at most 50.",
        default=PAGE_LIMIT, low=1, high=PAGE_LIMIT)
    pages_per_poll = settings_fields.number(
        "Pages read per import step",
        "Position items of one order read in the same step become one return.",
        default=10, low=1, high=100)
    batch_size = settings_fields.number(
        "Items per decision call",
        "OTTO takes up to 200 position items per call.",
        default=BATCH_LIMIT, low=1, high=BATCH_LIMIT)
    days_back = settings_fields.number("First fetch reaches back (days)", default=30, low=1, high=365)
    accept_reason = settings_fields.choice(
        "Acceptance reason",
        "Sent with every acceptance unless the decision note names another acceptance reason.",
        default="RETURN_RECEIVED", choices=ACCEPT_REASONS)
    reject_reason = settings_fields.choice(
        "Default rejection reason",
        "OTTO requires a reason code for every rejection; used when the decision note names "
        "none (e.g. a note starting 'WRONG_ITEM' sends WRONG_ITEM).",
        default="ITEM_DAMAGED", choices=REJECT_REASONS)
    default_condition = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CONDITIONS),
        metadata={"label": "Default condition",
                  "help": "A original packaging, B mint, C slightly used, D heavily used, E mistake; sent when "
                          "the decision note names none ('condition C'). Empty: none is sent."})
